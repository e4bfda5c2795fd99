/*
 * t0017-zygopts.c: unit test of common/zygopts.c, the table of the
 * zygote's options: their defaults, a flag's text into a field (kinds,
 * ranges, checks, the refusals' words), PROTO_CONFIG's JSON both ways
 * for every row and every kind, and the payloads decode refuses:
 * unknown keys, keys twice, wrong kinds, values out of range, text that
 * is not one object; an encoding too big for a message.
 *
 * Payloads are decoded from a copy that ends at a guard page.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>

#include "proto.h"
#include "tap.h"
#include "zygopts.h"

static char	err[256];

/* Decodes text from a copy ending at a guard page; err is emptied. */
static int
decode(const char *text, struct zygopts *o)
{
	static char	*guard;
	size_t		 n = strlen(text);
	char		*p;

	if (guard == NULL)
		guard = tap_guard_map(2 * PROTO_PAYLOAD_MAX);
	if (n > 2 * PROTO_PAYLOAD_MAX) {
		printf("Bail out! test payload too long\n");
		exit(1);
	}
	p = memcpy(guard - n, text, n);
	memset(err, 0, sizeof(err));
	return zygopts_decode(p, n, o, err, sizeof(err));
}

/* Whether r is -EINVAL with err reading want; says what came if not. */
static int
refused(int r, const char *want)
{
	int	same = r == -EINVAL && strcmp(err, want) == 0;

	if (!same)
		diag("  got %d, \"%s\"; want -EINVAL, \"%s\"", r, err, want);
	return same;
}

static const void *
field(const struct zygopts *o, const struct zygopt *row)
{
	return (const char *)o + row->off;
}

static int
same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether row's field is the same in a and b, whatever its kind. */
static int
same(const struct zygopt *row, const struct zygopts *a,
    const struct zygopts *b)
{
	const char *const	*sa = field(a, row), *const *sb = field(b, row);
	size_t			 na, nb, i;

	switch (row->kind) {
	case ZYGOPT_STR:
		return same_str(*sa, *sb);
	case ZYGOPT_LIST:
		na = *(const size_t *)((const char *)a + row->count);
		nb = *(const size_t *)((const char *)b + row->count);
		for (i = 0; na == nb && i < na; i++)
			if (!same_str(sa[i], sb[i]))
				return 0;
		return na == nb;
	case ZYGOPT_U64:
		return *(const uint64_t *)field(a, row) ==
		    *(const uint64_t *)field(b, row);
	default:	/* unsigned, int, pid_t, enums: all of a size */
		return *(const unsigned *)field(a, row) ==
		    *(const unsigned *)field(b, row);
	}
}

/* Encodes o, decodes the payload into *ret; 0 or the failing -errno. */
static int
roundtrip(const struct zygopts *o, struct zygopts *ret)
{
	struct proto_msg	m;
	int			r;

	if ((r = zygopts_encode(o, &m)) != 0)
		return r;
	if (proto_check(&m, (ssize_t)proto_size(&m)) != 0 ||
	    m.type != PROTO_CONFIG || m.generation != o->generation)
		return -EBADMSG;
	return decode(proto_text(&m), ret);
}

static void
test_table(void)
{
	const struct zygopt	*row, *other;
	size_t			 i, j;
	int			 unique = 1, flags = 0, start = 0;

	for (i = 0; (row = zygopts_row(i)) != NULL; i++) {
		for (j = 0; (other = zygopts_row(j)) != NULL; j++)
			if (i != j && (strcmp(row->name, other->name) == 0 ||
			    (row->alias != NULL &&
			    strcmp(row->alias, other->name) == 0)))
				unique = 0;
		if (row->flags & ZYGOPT_START)
			start++;
		else
			flags++;
		if (zygopts_find(row->name) != row)
			unique = 0;
	}
	ok(i > 0 && i <= ZYGOPTS_MAX_ROWS, "the table has %zu rows, at most "
	    "ZYGOPTS_MAX_ROWS", i);
	ok(unique, "every name and alias finds its own row");
	is_int(start, 5, "five rows are set at each start, not by a flag");
	ok(zygopts_find("access-logfile") == zygopts_find("access-log") &&
	    zygopts_find("access-log") != NULL, "an alias finds its row");
	ok(zygopts_find("bogus") == NULL && zygopts_row(i) == NULL,
	    "no row for an unknown name, none past the end");
}

static void
test_defaults(void)
{
	struct zygopts	o;

	memset(&o, 0xa5, sizeof(o));
	zygopts_init(&o);
	ok(o.app == NULL && o.chdir == NULL && o.npythonpath == 0 &&
	    o.warmup == NULL && o.access_log == NULL &&
	    o.access_log_format == NULL && o.cow_ranges == NULL &&
	    o.cow_index == NULL && o.mem == NULL,
	    "strings without a default are NULL, no list, nothing owned");
	is_int(o.graceful_timeout, 30, "--graceful-timeout defaults to 30");
	ok(o.http.max_line == 8192 && o.http.max_field == 8192 &&
	    o.http.max_fields == 100 && o.http.max_head == 65536 &&
	    o.http.max_body == 16 << 20 && o.http.header_timeout == 20 &&
	    o.http.body_timeout == 30 && o.http.keepalive == 5 &&
	    o.http.max_requests == 1000, "the HTTP limits' defaults");
	is_str(o.forwarded_allow_ips, "127.0.0.1,::1",
	    "--forwarded-allow-ips defaults to gunicorn's");
	is_str(o.log_level, "info", "--log-level defaults to info");
	ok(o.seal == SEAL_AUTO && o.pack_code == PACK_AUTO &&
	    o.fill_holes == 1 && o.cow == COW_COUNT,
	    "enums: seal auto, pack-code auto, fill-holes on, cow count");
	ok(o.warmup_rounds == 2 && o.warmup_time == 30 &&
	    o.warmup_strict == 0 && o.ksm == 0 && o.watch_types == 0,
	    "warmup 2 rounds in 30 s, not strict; no ksm, no watch-types");
	ok(o.nlisten == 0 && o.supervisor == 0 && o.generation == 0,
	    "the start's values are 0 until the supervisor sets them");
}

/* Sets name from text (copied: it may be cut); returns zygopts_set's. */
static int
set(struct zygopts *o, const char *name, const char *text)
{
	static char	arena[1 << 14];
	static size_t	used;
	char		*p = NULL;

	if (text != NULL) {
		if (strlen(text) + 1 > sizeof(arena) - used) {
			printf("Bail out! test arena full\n");
			exit(1);
		}
		p = strcpy(arena + used, text);
		used += strlen(text) + 1;
	}
	memset(err, 0, sizeof(err));
	return zygopts_set(o, name, p, err, sizeof(err));
}

static void
test_set(void)
{
	struct zygopts	o, was;

	zygopts_init(&o);
	is_int(set(&o, "graceful-timeout", "86400"), 0,
	    "an unsigned flag takes its maximum");
	is_int(o.graceful_timeout, 86400, "and stores it");
	is_int(set(&o, "limit-request-body", "1099511627776"), 0,
	    "a 64-bit flag takes 2^40");
	ok(o.http.max_body == UINT64_C(1) << 40, "and stores it");
	is_int(set(&o, "limit-request-field-size", "100"), 0,
	    "a flag's alias sets its field");
	is_int(o.http.max_field, 100, "limit-request-field-size is _size's");
	is_int(set(&o, "ksm", NULL), 0, "a bool flag takes no value");
	is_int(o.ksm, 1, "and is set");
	is_int(set(&o, "cow", "attribute"), 0, "an enum flag takes a name");
	is_int(o.cow, COW_ATTRIBUTE, "and stores its value");
	is_int(set(&o, "fill-holes", "off"), 0, "--fill-holes off");
	is_int(o.fill_holes, 0, "is 0");
	is_int(set(&o, "seal", "none"), 0, "--seal none");
	is_int(o.seal, SEAL_NONE, "is SEAL_NONE");
	is_int(set(&o, "chdir", "/srv/app"), 0, "a string flag");
	is_str(o.chdir, "/srv/app", "is kept");
	is_int(set(&o, "log-level", "WARN"), 0,
	    "--log-level takes what log_parse_level() takes");
	is_int(set(&o, "pythonpath", ",/a,,/b,"), 0, "a list flag");
	is_int(set(&o, "pythonpath", "/c"), 0, "is repeatable");
	ok(o.npythonpath == 3 && strcmp(o.pythonpath[0], "/a") == 0 &&
	    strcmp(o.pythonpath[1], "/b") == 0 &&
	    strcmp(o.pythonpath[2], "/c") == 0,
	    "its items split at commas, empty ones skipped, in order");

	was = o;
	ok(refused(set(&o, "graceful-timeout", "86401"), "--graceful-timeout "
	    "86401: want seconds 0..86400"), "a number over the row's range "
	    "is refused with the flag, the value and what it wants");
	ok(refused(set(&o, "limit-request-fields", "0"), "--limit-request-"
	    "fields 0: want 1..100"), "a number under it too");
	ok(refused(set(&o, "warmup-rounds", "-1"), "--warmup-rounds -1: "
	    "want 1..100000"), "a sign is refused");
	ok(refused(set(&o, "warmup-time", "3x"), "--warmup-time 3x: want "
	    "seconds 0..86400"), "trailing garbage is refused");
	ok(refused(set(&o, "warmup-time", ""), "--warmup-time: want seconds "
	    "0..86400"), "nothing is refused, the empty value left out");
	ok(refused(set(&o, "limit-request-body", "99999999999999999999999"),
	    "--limit-request-body 99999999999999999999999: want bytes"),
	    "a number past 64 bits is refused");
	ok(refused(set(&o, "cow", "on"), "--cow on: want off, count or "
	    "attribute"), "an unknown name is refused, naming the names");
	ok(refused(set(&o, "seal", "auto"), "--seal auto: want none, freeze "
	    "or full"), "--seal auto is refused: auto names the default on "
	    "the wire only");
	ok(refused(set(&o, "log-level", "loud"), "--log-level loud: want "
	    "error, warning, info or debug"), "a row's check refuses, in the "
	    "row's words");
	ok(refused(set(&o, "forwarded-allow-ips", "1.2.3.4, 5.6.7.8"),
	    "--forwarded-allow-ips 1.2.3.4, 5.6.7.8: want '*' or addresses "
	    "separated by commas"), "--forwarded-allow-ips with a space");
	ok(refused(set(&o, "access-log", ""), "--access-log: want a file "
	    "name or -"), "an empty --access-log");
	is_int(set(&o, "access-log-format", "%(nope)s"), -EINVAL,
	    "an --access-log-format that does not compile is refused");
	ok(strncmp(err, "--access-log-format: ", 21) == 0 && err[21] != '\0',
	    "with the compiler's reason (%s)", err);
	ok(refused(set(&o, "pythonpath", "1,2,3,4,5,6,7,8,9,10,11,12,13,14"),
	    "--pythonpath 1,2,3,4,5,6,7,8,9,10,11,12,13,14: want at most 16 "
	    "directories"), "a list past its items, its text left whole");
	ok(refused(set(&o, "chdir", "/srv/caf\xe9"), "--chdir: not UTF-8 "
	    "text, which the zygote's options must be"),
	    "a value that is not UTF-8, not echoed");
	ok(refused(set(&o, "ksm", "1"), "--ksm: takes no value"),
	    "a bool takes no value");
	ok(refused(set(&o, "graceful-timeout", NULL), "--graceful-timeout: "
	    "needs a value"), "a value flag needs one");
	ok(memcmp(&o, &was, sizeof(o)) == 0, "no refusal wrote anything");
	is_int(set(&o, "generation", "2"), -ENOENT,
	    "a start's value is no flag");
	is_int(set(&o, "bogus", "1"), -ENOENT, "nor is an unknown name");
}

/*
 * Every row at a value other than its default, strings with what JSON
 * escapes: encoded, decoded, and every row compared.
 */
static void
test_roundtrip(void)
{
	static const char	*paths[] = { "/srv/a \"q\"", "/srv/b\\c",
	    "/srv/caf\xc3\xa9", "/srv/tab\there", "/srv/\xf0\x9f\x90\x8d" };
	const struct zygopt	*row;
	struct zygopts		 o, d;
	size_t			 i;
	int			 r, all = 1, kinds = 0;

	zygopts_init(&o);
	o.app = "pkg.mod:create_app(\"x\", n=1)";
	o.chdir = "/srv/app";
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		o.pythonpath[o.npythonpath++] = paths[i];
	o.graceful_timeout = 0;
	o.http.max_line = 64;
	o.http.max_field = 1 << 20;
	o.http.max_fields = 1;
	o.http.max_head = 1 << 24;
	o.http.max_body = UINT64_C(1) << 40;
	o.http.header_timeout = 3600;
	o.http.body_timeout = 1;
	o.http.keepalive = 0;
	o.http.max_requests = 1000000;
	o.forwarded_allow_ips = "*";
	o.log_level = "debug";
	o.seal = SEAL_FULL;
	o.warmup = "/srv/app/warmup.txt";
	o.warmup_rounds = 100000;
	o.warmup_time = 0;
	o.warmup_strict = 1;
	o.ksm = 1;
	o.pack_code = PACK_OFF;
	o.fill_holes = 0;
	o.watch_types = 1;
	o.cow = COW_ATTRIBUTE;
	o.access_log = "-";
	o.access_log_format = "%(h)s \"%(r)s\" %(s)s";
	o.nlisten = 16;
	o.supervisor = INT_MAX;
	o.generation = UINT_MAX;
	o.cow_ranges = "cow-dir/ranges";
	o.cow_index = "cow-dir/index";

	memset(&d, 0, sizeof(d));
	r = roundtrip(&o, &d);
	is_int(r, 0, "every row at a value of its own encodes and decodes");
	for (i = 0; (row = zygopts_row(i)) != NULL; i++) {
		kinds |= 1 << row->kind;
		if (!same(row, &o, &d)) {
			all = 0;
			diag("  row %s differs", row->name);
		}
	}
	ok(r == 0 && all, "every row comes back as it was (%zu rows)", i);
	is_int(kinds, (1 << ZYGOPT_STR) | (1 << ZYGOPT_LIST) |
	    (1 << ZYGOPT_UINT) | (1 << ZYGOPT_U64) | (1 << ZYGOPT_PID) |
	    (1 << ZYGOPT_BOOL) | (1 << ZYGOPT_ENUM),
	    "and the rows cover every kind");
	ok(r == 0 && d.mem != NULL && d.app >= d.mem &&
	    d.app < d.mem + PROTO_PAYLOAD_MAX && d.app != o.app,
	    "the decoded strings are copies, in the struct's own memory");
	zygopts_free(&d);
	ok(d.mem == NULL, "zygopts_free frees them");
	zygopts_free(NULL);
	ok(1, "zygopts_free(NULL) does nothing");

	zygopts_init(&o);
	memset(&d, 0xa5, sizeof(d));
	r = roundtrip(&o, &d);
	for (all = 1, i = 0; (row = zygopts_row(i)) != NULL; i++)
		all &= same(row, &o, &d);
	ok(r == 0 && all, "the defaults come back, NULL strings as null");
	zygopts_free(&d);

	/* Each name of each enum. */
	for (all = 1, i = 0; (row = zygopts_row(i)) != NULL; i++) {
		unsigned	v;

		if (row->kind != ZYGOPT_ENUM)
			continue;
		for (v = 0; row->names[v] != NULL; v++) {
			zygopts_init(&o);
			*(unsigned *)((char *)&o + row->off) = v;
			if (roundtrip(&o, &d) != 0 || !same(row, &o, &d)) {
				all = 0;
				diag("  %s %s", row->name, row->names[v]);
			}
			zygopts_free(&d);
		}
	}
	ok(all, "every name of every enum comes back");

	zygopts_init(&o);
	o.seal = (enum seal_mode)7;
	ok(refused(roundtrip(&o, &d), "option \"seal\": want one of "
	    "\"auto\", \"none\", \"freeze\", \"full\""), "an enum value "
	    "with no name encodes as null, which decode refuses");
}

static void
test_decode(void)
{
	static const struct {
		const char	*json;
		const char	*err;
		const char	*what;
	} bad[] = {
		{ "{\"app\":\"a:b\",\"bogus\":1}", "unknown option \"bogus\"",
		    "an unknown key" },
		{ "{\"gener\\u0061tion\":1,\"generation\":2}",
		    "option \"generation\" given twice",
		    "a key twice (one of them escaped)" },
		{ "{\"app\":1}", "option \"app\": want a string or null",
		    "a number for a string" },
		{ "{\"app\":\"a\\u0000b\"}", "option \"app\": want a string "
		    "or null", "a string holding a NUL" },
		{ "{\"pythonpath\":\"/a\"}", "option \"pythonpath\": want an "
		    "array of at most 16 strings", "a string for a list" },
		{ "{\"pythonpath\":[\"/a\",2]}", "option \"pythonpath\": want "
		    "an array of at most 16 strings", "a number in a list" },
		{ "{\"pythonpath\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\","
		    "\"8\",\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\","
		    "\"16\",\"17\"]}", "option \"pythonpath\": want an array "
		    "of at most 16 strings", "a list past its items" },
		{ "{\"graceful-timeout\":\"30\"}", "option \"graceful-timeout"
		    "\": want an integer 0..86400", "a string for a number" },
		{ "{\"graceful-timeout\":1.5}", "option \"graceful-timeout\": "
		    "want an integer 0..86400", "a fraction" },
		{ "{\"graceful-timeout\":86401}", "option \"graceful-"
		    "timeout\": want an integer 0..86400",
		    "a number over the row's range" },
		{ "{\"generation\":-1}", "option \"generation\": want an "
		    "integer 0..4294967295", "a negative unsigned" },
		{ "{\"generation\":4294967296}", "option \"generation\": want "
		    "an integer 0..4294967295", "an unsigned past 32 bits" },
		{ "{\"limit-request-body\":1099511627777}", "option "
		    "\"limit-request-body\": want an integer 0..1099511627776",
		    "a 64-bit value over its range" },
		{ "{\"supervisor-pid\":2147483648}", "option \"supervisor-pid\""
		    ": want an integer 0..2147483647", "a pid past int" },
		{ "{\"ksm\":1}", "option \"ksm\": want true or false",
		    "a number for a bool" },
		{ "{\"cow\":\"loud\"}", "option \"cow\": want one of \"off\", "
		    "\"count\", \"attribute\"", "an unknown enum name" },
		{ "{\"cow\":1}", "option \"cow\": want one of \"off\", "
		    "\"count\", \"attribute\"", "a number for an enum" },
		{ "{\"listeners\":null}", "option \"listeners\": want an "
		    "integer 0..4294967295", "null for a number" },
		{ "[]", "not a JSON object", "an array" },
		{ "\"app\"", "not a JSON object", "a string" },
		{ "{\"app\":", "not valid JSON (at byte 7)", "text cut short" },
		{ "", "not valid JSON (at byte 0)", "nothing" },
		{ "{\"app\":\"a\"} {}", "not valid JSON (at byte 12)",
		    "two values" },
	};
	struct zygopts	o, was;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&o, 0x5a, sizeof(o));
		was = o;
		ok(refused(decode(bad[i].json, &o), bad[i].err) &&
		    memcmp(&o, &was, sizeof(o)) == 0,
		    "refused, *ret untouched: %s", bad[i].what);
	}

	ok(decode("{}", &o) == 0 && o.graceful_timeout == 30 &&
	    o.cow == COW_COUNT && o.app == NULL,
	    "an empty object decodes to the defaults");
	zygopts_free(&o);
	ok(decode(" {\"generation\" : 3, \"app\":\"a:b\",\"chdir\":null} ",
	    &o) == 0 && o.generation == 3 && strcmp(o.app, "a:b") == 0 &&
	    o.chdir == NULL && o.nlisten == 0,
	    "keys in any order, white space, null: the rest default");
	zygopts_free(&o);
	ok(decode("{\"app\":\"caf\\u00e9 \\ud83d\\udc0d\"}", &o) == 0 &&
	    strcmp(o.app, "caf\xc3\xa9 \xf0\x9f\x90\x8d") == 0,
	    "escapes are unescaped, a surrogate pair too");
	zygopts_free(&o);
}

static void
test_size(void)
{
	struct proto_msg	m;
	struct zygopts		o;
	char			dir[700];
	int			r;

	zygopts_init(&o);
	memset(dir, 'd', sizeof(dir) - 1);
	dir[0] = '/';
	dir[sizeof(dir) - 1] = '\0';
	while (o.npythonpath < 10)
		o.pythonpath[o.npythonpath++] = dir;
	o.app = "a:b";
	r = zygopts_encode(&o, &m);
	is_int(r, 0, "10 directories of 700 bytes fit a message");
	ok(r == 0 && m.len > 10 * 700 && m.len <= PROTO_PAYLOAD_MAX,
	    "in %u bytes", m.len);
	while (o.npythonpath < ZYGOPTS_MAX_PYPATHS)
		o.pythonpath[o.npythonpath++] = dir;
	is_int(zygopts_encode(&o, &m), -EMSGSIZE, "16 of them do not: "
	    "-EMSGSIZE");
	o.npythonpath = 0;
	o.chdir = "/srv/caf\xe9";
	is_int(zygopts_encode(&o, &m), -EILSEQ, "a string that is not UTF-8 "
	    "is -EILSEQ, not replaced");
}

int
main(void)
{
	plan(92);
	test_table();
	test_defaults();
	test_set();
	test_roundtrip();
	test_decode();
	test_size();
	return done();
}
