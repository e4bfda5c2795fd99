/*
 * t0015-zygfail.c: unit test of PROTO_FAILED's payload
 * (common/failmsg.c: a traceback's last lines cut to fit, the reason
 * line before them, the one-line summary the supervisor logs) and of
 * server/zygfail.c, which keeps the text the supervisor received.
 */
#include <errno.h>
#include <string.h>

#include "failmsg.h"
#include "forkd.h"
#include "tap.h"

/* The payload's lines, a final newline ending the last one. */
static int
count_lines(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n' || s[1] == '\0')
			n++;
	return n;
}

static void
test_tail(void)
{
	static const struct {
		const char	*text;
		unsigned	 lines;
		size_t		 room;
		size_t		 want;
		const char	*what;
	} cases[] = {
		{ "a\nb\nc\n", 2, 100, 2, "the last 2 lines of 3 start at the "
		    "second (a final newline starts no line)" },
		{ "a\nb\nc", 2, 100, 2, "the same without the final newline" },
		{ "a\nb\nc", 20, 100, 0, "fewer lines than wanted: all" },
		{ "a\nb\nc", 0, 100, 5, "0 lines: none" },
		{ "", 20, 100, 0, "an empty text: nothing" },
		{ "aaaa\nbb\ncc\n", 20, 6, 5, "room for 6 bytes: the last two "
		    "lines, 6 bytes" },
		{ "aaaa\nbb\ncc\n", 20, 5, 8, "room for 5: the last line only, "
		    "no part of the one before" },
		{ "0123456789", 20, 4, 6, "a last line longer than the room: "
		    "its last bytes" },
		{ "a\xc3\xa9\xc3\xa9", 20, 3, 3, "cut at a character boundary, "
		    "not inside a UTF-8 sequence" },
		{ "0123456789", 20, 0, 10, "no room: nothing" },
	};
	const char	*s;
	char		*g;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(failmsg_tail(cases[i].text, strlen(cases[i].text),
		    cases[i].lines, cases[i].room), cases[i].want, "%s",
		    cases[i].what);

	/* Ends right before a PROT_NONE page: no read past the end. */
	s = "Traceback\n  File \"x.py\"\nValueError: x\n";
	g = tap_guard_map((size_t)sysconf(_SC_PAGESIZE)) - strlen(s);
	memcpy(g, s, strlen(s));
	is_int(failmsg_tail(g, strlen(s), 1, 100), 24, "the last line of a "
	    "text against a guard page");
}

static void
test_set(void)
{
	struct proto_msg	m;
	char			tb[4096], big[3 * PROTO_PAYLOAD_MAX];
	const char		*t;
	size_t			n = 0;
	int			i;

	proto_init(&m, PROTO_FAILED);
	is_int(failmsg_set(&m, "cannot load the app x:app", NULL), 25,
	    "without a traceback the payload is the reason");
	is_str(proto_text(&m), "cannot load the app x:app", "as given");
	failmsg_set(&m, "first line\nsecond line", "");
	is_str(proto_text(&m), "first line", "a reason's first line only, an "
	    "empty traceback adds nothing");

	n = (size_t)snprintf(tb, sizeof(tb), "Traceback (most recent call "
	    "last):\n");
	for (i = 1; i <= 30; i++)
		n += (size_t)snprintf(tb + n, sizeof(tb) - n, "  line %d\n", i);
	snprintf(tb + n, sizeof(tb) - n, "ValueError: boom\n");
	failmsg_set(&m, "a @forkd.pre_fork hook raised", tb);
	t = proto_text(&m);
	is_int(count_lines(t), 1 + FAILMSG_LINES, "the reason, then "
	    "FAILMSG_LINES lines of a longer traceback");
	ok(strncmp(t, "a @forkd.pre_fork hook raised\n  line 12\n", 39) == 0,
	    "the reason line, then the traceback's tail");
	ok(strlen(t) > 16 && strcmp(t + strlen(t) - 16, "ValueError: boom") ==
	    0, "ending with the exception, its final newline dropped");
	is_int(proto_check(&m, (ssize_t)proto_size(&m)), 0, "a well-formed "
	    "message");

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = '\n';
	is_int(failmsg_set(&m, "the seal failed", big), PROTO_PAYLOAD_MAX,
	    "a traceback too long for the payload fills it");
	ok(strncmp(proto_text(&m), "the seal failed\nxxx", 19) == 0,
	    "and still starts with the reason line");
}

static void
test_summary(void)
{
	char	buf[64];

	is_str(failmsg_summary("cannot load the app a:app\nTraceback (most "
	    "recent call last):\n  File \"a.py\", line 1\nImportError: no",
	    buf, sizeof(buf)), "cannot load the app a:app: ImportError: no",
	    "the reason and the exception line");
	is_str(failmsg_summary("the app started threads", buf, sizeof(buf)),
	    "the app started threads", "the reason alone");
	is_str(failmsg_summary("r\nA\n\n", buf, sizeof(buf)), "r: A",
	    "empty lines at the end are passed over");
	is_str(failmsg_summary("reason\nexc", buf, 8), "reason:",
	    "cut to the buffer");
}

static void
test_keep(void)
{
	static struct zyglink	f;	/* large: not on the stack */
	struct proto_msg	m;

	proto_init(&m, PROTO_FAILED);
	(void)proto_set_text(&m, "cannot load the app a:app\nImportError: a");
	zyglink_failed(&f, &m);
	is_str(f.failed, "cannot load the app a:app\nImportError: a",
	    "zyglink_failed keeps the text");
	ok(f.failed != m.payload, "a copy of it");
	(void)proto_set_text(&m, "the seal failed");
	zyglink_failed(&f, &m);
	is_str(f.failed, "the seal failed", "a second one replaces "
	    "it");
	free(f.failed);
}

int
main(void)
{
	plan(27);
	test_tail();
	test_set();
	test_summary();
	test_keep();
	return done();
}
