/*
 * httpopts.h: the workers' HTTP limits and deadlines, as the supervisor
 * parses them and hands them to the zygote in one argument
 * ("--http 8192,8192,100,65536,16777216,20,30,5,1000").
 */
#ifndef FORKD_HTTPOPTS_H
#define FORKD_HTTPOPTS_H

#include <stddef.h>
#include <stdint.h>

struct httpopts {
	uint64_t	max_line;	/* request line -> 414 */
	uint64_t	max_field;	/* one header field line -> 431 */
	uint64_t	max_fields;	/* header count -> 431 */
	uint64_t	max_head;	/* whole head -> 431 */
	uint64_t	max_body;	/* body -> 413 */
	uint64_t	header_timeout;	/* s: the whole head must arrive -> 408 */
	uint64_t	body_timeout;	/* s: idle while a body arrives */
	uint64_t	keepalive;	/* s: idle between requests */
	uint64_t	max_requests;	/* per connection */
	uint64_t	park_after;	/* ms busy before the others park; 0 */
};

#define HTTPOPTS_N	10

extern const struct httpopts httpopts_defaults;

/* Writes the comma-separated form into buf; returns buf. */
const char *httpopts_format(const struct httpopts *o, char *buf, size_t len);
/* Parses the comma-separated form; 0, or -EINVAL (nothing written). */
int	httpopts_parse(const char *s, struct httpopts *ret);

#endif
