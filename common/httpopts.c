/*
 * httpopts.c: the text form of struct httpopts that travels from the
 * supervisor to the zygote on its command line.  Pure functions.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpopts.h"

const struct httpopts httpopts_defaults = {
	.max_line = 8192,
	.max_field = 8192,
	.max_fields = 100,
	.max_head = 65536,
	.max_body = 16 << 20,
	.header_timeout = 20,
	.body_timeout = 30,
	.keepalive = 5,
	.max_requests = 1000,
	.park_after = 5,
};

const char *
httpopts_format(const struct httpopts *o, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
	    ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
	    ",%" PRIu64, o->max_line, o->max_field, o->max_fields,
	    o->max_head, o->max_body, o->header_timeout, o->body_timeout,
	    o->keepalive, o->max_requests, o->park_after);
	return buf;
}

int
httpopts_parse(const char *s, struct httpopts *ret)
{
	uint64_t	 v[HTTPOPTS_N];
	const char	*p = s;
	char		*end;
	int		 i;

	for (i = 0; i < HTTPOPTS_N; i++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (errno != 0)
			return -EINVAL;
		if (i < HTTPOPTS_N - 1 && *end != ',')
			return -EINVAL;
		p = end + 1;
	}
	if (*end != '\0')
		return -EINVAL;
	ret->max_line = v[0];
	ret->max_field = v[1];
	ret->max_fields = v[2];
	ret->max_head = v[3];
	ret->max_body = v[4];
	ret->header_timeout = v[5];
	ret->body_timeout = v[6];
	ret->keepalive = v[7];
	ret->max_requests = v[8];
	ret->park_after = v[9];
	return 0;
}
