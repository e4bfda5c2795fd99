/*
 * t0004-proto.c: unit test of common/proto.c, the framing check of the
 * supervisor<->zygote records, in memory and over a real SOCK_SEQPACKET
 * socketpair as the two processes use it.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "proto.h"
#include "tap.h"

static void
bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static const char *const type_names[] = {
	NULL, "PROTO_READY", "PROTO_FORK", "PROTO_FORKED", "PROTO_FORK_FAILED"
};

static void
test_init(void)
{
	struct proto_msg	m;
	const unsigned char	*p;
	size_t			 i;
	int			 zero;

	memset(&m, 0xff, sizeof(m));
	proto_init(&m, PROTO_FORKED);
	is_int(m.magic, PROTO_MAGIC, "proto_init sets the magic");
	is_int(m.type, PROTO_FORKED, "proto_init sets the type");
	ok(m.worker_id == 0 && m.generation == 0 && m.pid == 0 && m.err == 0,
	    "proto_init zeroes the numeric fields");
	zero = 1;
	p = (const unsigned char *)m.info;
	for (i = 0; i < sizeof(m.info); i++)
		if (p[i] != 0)
			zero = 0;
	ok(zero, "proto_init zeroes info");
}

static void
test_check(void)
{
	union {
		struct proto_msg	m;
		char			b[sizeof(struct proto_msg) + 16];
	}			u;
	int			t;
	ssize_t			n = sizeof(struct proto_msg);

	for (t = PROTO_READY; t < PROTO_TYPE_MAX; t++) {
		memset(&u, 0, sizeof(u));
		proto_init(&u.m, t);
		is_int(proto_check(&u, n), 0, "an initialised %s is "
		    "well-formed", type_names[t]);
	}

	memset(&u, 0, sizeof(u));
	proto_init(&u.m, PROTO_READY);
	snprintf(u.m.info, sizeof(u.m.info), "python 3.12.1");
	u.m.worker_id = 3;
	u.m.pid = 1234;
	is_int(proto_check(&u, n), 0, "a READY with text in info is "
	    "well-formed");
	is_int(proto_check(&u, n - 1), -EBADMSG, "one byte short is -EBADMSG");
	is_int(proto_check(&u, n + 1), -EBADMSG, "one byte long is -EBADMSG");
	is_int(proto_check(&u, 0), -EBADMSG, "an empty packet is -EBADMSG");
	is_int(proto_check(&u, -1), -EBADMSG, "a failed recv (-1) is "
	    "-EBADMSG");

	u.m.magic = 0x31646b66u;	/* the magic byte-swapped */
	is_int(proto_check(&u, n), -EBADMSG, "a byte-swapped magic is "
	    "-EBADMSG");
	u.m.magic = 0;
	is_int(proto_check(&u, n), -EBADMSG, "a zero magic is -EBADMSG");
	u.m.magic = PROTO_MAGIC;

	u.m.type = 0;
	is_int(proto_check(&u, n), -EBADMSG, "type 0 is -EBADMSG");
	u.m.type = PROTO_TYPE_MAX;
	is_int(proto_check(&u, n), -EBADMSG, "type PROTO_TYPE_MAX is "
	    "-EBADMSG");
	u.m.type = UINT32_MAX;
	is_int(proto_check(&u, n), -EBADMSG, "type 0xffffffff is -EBADMSG");
	u.m.type = PROTO_FORK_FAILED;
	is_int(proto_check(&u, n), 0, "the last type, PROTO_FORK_FAILED, is "
	    "well-formed");

	memset(u.m.info, 'x', sizeof(u.m.info));
	is_int(proto_check(&u, n), -EBADMSG, "info without a NUL is "
	    "-EBADMSG");
	u.m.info[sizeof(u.m.info) - 1] = '\0';
	is_int(proto_check(&u, n), 0, "info NUL-terminated in its last byte "
	    "is well-formed");
}

/*
 * Sends each type with every field set from one end and checks what the
 * other end receives, through a buffer larger than a message.
 */
static void
test_roundtrip(int sv[2])
{
	struct proto_msg	m;
	union {
		struct proto_msg	m;
		char			b[2 * sizeof(struct proto_msg)];
	}			u;
	ssize_t			n;
	int			t, from, to;

	for (t = PROTO_READY; t < PROTO_TYPE_MAX; t++) {
		/* READY, FORKED, FORK_FAILED go up; FORK goes down. */
		from = t == PROTO_FORK ? 0 : 1;
		to = 1 - from;
		proto_init(&m, t);
		m.worker_id = 7 + t;
		m.generation = 42;
		m.pid = t == PROTO_FORKED ? (int32_t)getpid() : 0;
		m.err = t == PROTO_FORK_FAILED ? -EAGAIN : 0;
		if (t == PROTO_READY)
			snprintf(m.info, sizeof(m.info), "python 3.12.1 "
			    "app:application");
		if (send(sv[from], &m, sizeof(m), 0) != (ssize_t)sizeof(m))
			bail("send");
		memset(&u, 0xa5, sizeof(u));
		n = recv(sv[to], &u, sizeof(u), MSG_DONTWAIT);
		is_int(n, sizeof(m), "%s arrives as one packet of one record",
		    type_names[t]);
		is_int(proto_check(&u, n), 0, "the received %s is well-formed",
		    type_names[t]);
		ok(n == (ssize_t)sizeof(m) && memcmp(&u.m, &m, sizeof(m)) == 0,
		    "the received %s has every field as sent", type_names[t]);
	}

	proto_init(&m, PROTO_FORKED);
	if (send(sv[1], &m, sizeof(m) - 4, 0) != (ssize_t)sizeof(m) - 4)
		bail("send");
	memset(&u, 0, sizeof(u));
	n = recv(sv[0], &u, sizeof(u), MSG_DONTWAIT);
	is_int(n, sizeof(m) - 4, "a short packet keeps its length");
	is_int(proto_check(&u, n), -EBADMSG, "a short packet is rejected");

	memset(&u, 0, sizeof(u));
	proto_init(&u.m, PROTO_FORKED);
	if (send(sv[1], &u, sizeof(m) + 8, 0) != (ssize_t)sizeof(m) + 8)
		bail("send");
	memset(&u, 0, sizeof(u));
	n = recv(sv[0], &u, sizeof(u), MSG_DONTWAIT);
	is_int(proto_check(&u, n), -EBADMSG, "a long packet (a record and "
	    "8 more bytes) is rejected");

	/* Two records sent back to back are two packets, each valid. */
	proto_init(&m, PROTO_FORK);
	m.worker_id = 1;
	if (send(sv[0], &m, sizeof(m), 0) != (ssize_t)sizeof(m))
		bail("send");
	m.worker_id = 2;
	if (send(sv[0], &m, sizeof(m), 0) != (ssize_t)sizeof(m))
		bail("send");
	n = recv(sv[1], &u, sizeof(u), MSG_DONTWAIT);
	ok(proto_check(&u, n) == 0 && u.m.worker_id == 1,
	    "the first of two queued records is received alone and valid");
	n = recv(sv[1], &u, sizeof(u), MSG_DONTWAIT);
	ok(proto_check(&u, n) == 0 && u.m.worker_id == 2,
	    "the second of two queued records is received alone and valid");
}

int
main(void)
{
	int	sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		skip_all("SOCK_SEQPACKET socketpair: %s", strerror(errno));
	plan(38);
	test_init();
	test_check();
	test_roundtrip(sv);
	close(sv[0]);
	close(sv[1]);
	return done();
}
