/*
 * t0004-proto.c: unit test of common/proto.c, the framing of the
 * supervisor<->zygote messages (a header and a length-checked payload),
 * in memory and over a real SOCK_SEQPACKET socketpair as the two
 * processes use it.
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
	NULL, "PROTO_READY", "PROTO_FORK", "PROTO_FORKED", "PROTO_FORK_FAILED",
	"PROTO_FAILED", "PROTO_CONFIG"
};
_Static_assert(sizeof(type_names) / sizeof(type_names[0]) == PROTO_TYPE_MAX,
    "a name for every type");

static void
test_init(void)
{
	struct proto_msg	m;
	char			big[PROTO_PAYLOAD_MAX + 100];

	memset(&m, 0xff, sizeof(m));
	proto_init(&m, PROTO_FORKED);
	is_int(m.magic, PROTO_MAGIC, "proto_init sets the magic");
	is_int(m.type, PROTO_FORKED, "proto_init sets the type");
	ok(m.worker_id == 0 && m.generation == 0 && m.pid == 0 && m.err == 0 &&
	    m.len == 0, "proto_init zeroes the header's other fields");
	is_int(proto_size(&m), PROTO_HDR_SIZE, "an empty message is its header");
	is_int(proto_set_text(&m, "python %s", "3.14.7"), 13,
	    "proto_set_text returns the payload's length");
	is_int(m.len, 13, "and sets len");
	is_str(proto_text(&m), "python 3.14.7", "proto_text reads it back");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(proto_set_text(&m, "%s", big), PROTO_PAYLOAD_MAX,
	    "a text over PROTO_PAYLOAD_MAX is cut to it");
	is_int(strlen(proto_text(&m)), PROTO_PAYLOAD_MAX,
	    "and proto_text ends it there");
}

static void
test_check(void)
{
	struct proto_msg	m;
	ssize_t			n;
	int			t;

	for (t = PROTO_READY; t < PROTO_TYPE_MAX; t++) {
		proto_init(&m, t);
		is_int(proto_check(&m, PROTO_HDR_SIZE), 0, "an initialised "
		    "%s is well-formed", type_names[t]);
	}
	proto_init(&m, PROTO_READY);
	n = (ssize_t)proto_size(&m) + (ssize_t)proto_set_text(&m, "python "
	    "3.12.1");
	is_int(proto_check(&m, n), 0, "a READY with its text is well-formed");
	is_int(proto_check(&m, n - 1), -EBADMSG, "one byte short is -EBADMSG");
	is_int(proto_check(&m, n + 1), -EBADMSG, "one byte long is -EBADMSG");
	is_int(proto_check(&m, PROTO_HDR_SIZE - 1), -EBADMSG,
	    "less than a header is -EBADMSG");
	is_int(proto_check(&m, 0), -EBADMSG, "an empty packet is -EBADMSG");
	is_int(proto_check(&m, -1), -EBADMSG, "a failed recv (-1) is "
	    "-EBADMSG");
	is_int(proto_check(&m, PROTO_MSG_MAX + 1), -EBADMSG,
	    "a packet over the largest message is -EBADMSG");

	m.magic = __builtin_bswap32(PROTO_MAGIC);
	is_int(proto_check(&m, n), -EBADMSG, "a byte-swapped magic is "
	    "-EBADMSG");
	m.magic = 0;
	is_int(proto_check(&m, n), -EBADMSG, "a zero magic is -EBADMSG");
	m.magic = PROTO_MAGIC;
	m.type = 0;
	is_int(proto_check(&m, n), -EBADMSG, "type 0 is -EBADMSG");
	m.type = PROTO_TYPE_MAX;
	is_int(proto_check(&m, n), -EBADMSG, "type PROTO_TYPE_MAX is "
	    "-EBADMSG");
	m.type = UINT16_MAX;
	is_int(proto_check(&m, n), -EBADMSG, "type 0xffff is -EBADMSG");
	m.type = PROTO_CONFIG;
	is_int(proto_check(&m, n), 0, "the last type, PROTO_CONFIG, is "
	    "well-formed");
	m.len = PROTO_PAYLOAD_MAX + 1;
	is_int(proto_check(&m, (ssize_t)PROTO_HDR_SIZE + m.len), -EBADMSG,
	    "a len over PROTO_PAYLOAD_MAX is -EBADMSG");
}

/*
 * Sends each type with every field set from one end and checks what the
 * other end receives, through a buffer larger than a message.
 */
static void
test_roundtrip(int sv[2])
{
	struct proto_msg	m, r;
	ssize_t			n;
	int			t, from, to;

	for (t = PROTO_READY; t < PROTO_TYPE_MAX; t++) {
		/*
		 * READY, FORKED, FORK_FAILED, FAILED go up; FORK and CONFIG
		 * go down.
		 */
		from = t == PROTO_FORK || t == PROTO_CONFIG ? 0 : 1;
		to = 1 - from;
		proto_init(&m, t);
		m.worker_id = 7 + t;
		m.generation = 42;
		m.pid = t == PROTO_FORKED ? (int32_t)getpid() : 0;
		m.err = t == PROTO_FORK_FAILED ? -EAGAIN : 0;
		if (t == PROTO_READY)
			(void)proto_set_text(&m, "python 3.12.1, app "
			    "app:application");
		if (t == PROTO_FAILED)
			(void)proto_set_text(&m, "cannot load the app app:app\n"
			    "ImportError: no module named app");
		if (t == PROTO_CONFIG)
			(void)proto_set_text(&m, "{\"app\":\"app:app\","
			    "\"generation\":42}");
		if (send(sv[from], &m, proto_size(&m), 0) !=
		    (ssize_t)proto_size(&m))
			bail("send");
		memset(&r, 0xa5, sizeof(r));
		n = recv(sv[to], &r, PROTO_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
		is_int(n, proto_size(&m), "%s arrives as one packet of its "
		    "size", type_names[t]);
		is_int(proto_check(&r, n), 0, "the received %s is well-formed",
		    type_names[t]);
		ok(memcmp(&r, &m, proto_size(&m)) == 0 &&
		    strcmp(proto_text(&r), proto_text(&m)) == 0,
		    "the received %s has every field as sent", type_names[t]);
	}

	/* A header whose len promises more than came. */
	proto_init(&m, PROTO_READY);
	(void)proto_set_text(&m, "0123456789");
	if (send(sv[1], &m, proto_size(&m) - 4, 0) < 0)
		bail("send");
	n = recv(sv[0], &r, PROTO_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
	is_int(proto_check(&r, n), -EBADMSG, "a payload shorter than its len "
	    "is rejected");
	m.len = 2;
	if (send(sv[1], &m, PROTO_HDR_SIZE + 10, 0) < 0)
		bail("send");
	n = recv(sv[0], &r, PROTO_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
	is_int(proto_check(&r, n), -EBADMSG, "a payload longer than its len "
	    "is rejected");

	/* Two messages sent back to back are two packets, each valid. */
	proto_init(&m, PROTO_FORK);
	m.worker_id = 1;
	if (send(sv[0], &m, proto_size(&m), 0) < 0)
		bail("send");
	m.worker_id = 2;
	if (send(sv[0], &m, proto_size(&m), 0) < 0)
		bail("send");
	n = recv(sv[1], &r, PROTO_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
	ok(proto_check(&r, n) == 0 && r.worker_id == 1,
	    "the first of two queued messages is received alone and valid");
	n = recv(sv[1], &r, PROTO_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
	ok(proto_check(&r, n) == 0 && r.worker_id == 2,
	    "the second of two queued messages is received alone and valid");
}

int
main(void)
{
	int	sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		skip_all("SOCK_SEQPACKET socketpair: %s", strerror(errno));
	plan(51);
	test_init();
	test_check();
	test_roundtrip(sv);
	close(sv[0]);
	close(sv[1]);
	return done();
}
