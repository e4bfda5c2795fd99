/*
 * proto.c: framing of supervisor<->zygote messages (see proto.h).  It
 * checks the framing only; what a valid message means is the receiver's
 * job.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

void
proto_init(struct proto_msg *m, enum proto_type type)
{
	memset(m, 0, PROTO_HDR_SIZE);
	m->payload[0] = '\0';
	m->magic = PROTO_MAGIC;
	m->type = (uint16_t)type;
}

size_t
proto_set_text(struct proto_msg *m, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(m->payload, PROTO_PAYLOAD_MAX + 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > PROTO_PAYLOAD_MAX)
		n = PROTO_PAYLOAD_MAX;
	m->len = (uint16_t)n;
	return (size_t)n;
}

const char *
proto_text(struct proto_msg *m)
{
	m->payload[m->len <= PROTO_PAYLOAD_MAX ? m->len : 0] = '\0';
	return m->payload;
}

size_t
proto_size(const struct proto_msg *m)
{
	return PROTO_HDR_SIZE + m->len;
}

int
proto_check(const void *buf, ssize_t n)
{
	const struct proto_msg	*m = buf;

	if (n < (ssize_t)PROTO_HDR_SIZE || n > (ssize_t)PROTO_MSG_MAX)
		return -EBADMSG;
	if (m->magic != PROTO_MAGIC)
		return -EBADMSG;
	if (m->type < PROTO_READY || m->type >= PROTO_TYPE_MAX)
		return -EBADMSG;
	if (m->len > PROTO_PAYLOAD_MAX || n != (ssize_t)PROTO_HDR_SIZE + m->len)
		return -EBADMSG;
	return 0;
}
