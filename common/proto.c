/*
 * proto.c: validation of supervisor<->zygote records (see proto.h).  It
 * checks framing only; what a valid message means is the receiver's job.
 */
#include <errno.h>
#include <string.h>

#include "proto.h"

void
proto_init(struct proto_msg *m, enum proto_type type)
{
	memset(m, 0, sizeof(*m));
	m->magic = PROTO_MAGIC;
	m->type = type;
}

int
proto_check(const void *buf, ssize_t n)
{
	const struct proto_msg	*m = buf;

	if (n != (ssize_t)sizeof(*m))
		return -EBADMSG;
	if (m->magic != PROTO_MAGIC)
		return -EBADMSG;
	if (m->type < PROTO_READY || m->type >= PROTO_TYPE_MAX)
		return -EBADMSG;
	if (memchr(m->info, '\0', sizeof(m->info)) == NULL)
		return -EBADMSG;
	return 0;
}
