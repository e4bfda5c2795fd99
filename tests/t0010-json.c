/*
 * t0010-json.c: unit test of common/json.c, the strict JSON reader and
 * the writer.
 *
 * Valid documents and their tokens; every rejection the reader owes,
 * with the offset where it stopped; every proper prefix of a document
 * refused at its end; the token and depth limits; the lookups; the
 * writer's escaping, replacement of invalid UTF-8 and refusals; a round
 * trip through both; and deterministic mutations of valid documents,
 * whose tokens must describe a consistent tree whenever they parse.
 * Every input the reader sees ends right before a PROT_NONE page, so a
 * read past its end crashes.  No sockets, no server.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include "json.h"
#include "tap.h"

/* Makes a case from a string literal, NULs included. */
#define IN(s)	s, sizeof(s) - 1
#define ROOM	(1u << 16)	/* bytes before the guard page */
#define NTOKS	512

static char		*guard;		/* the PROT_NONE page */
static const char	*doc;		/* the input last parsed, at the edge */
static struct json_tok	 toks[NTOKS];

/* Parses s[0..n) copied to end at the guard page, with ntoks tokens. */
static int
parse_n(const char *s, size_t n, unsigned ntoks, size_t *ret_off)
{
	char	*p = guard - n;

	memmove(p, s, n);
	doc = p;
	return json_parse(p, n, toks, ntoks, ret_off);
}

static int
parse(const char *s, size_t n, size_t *ret_off)
{
	return parse_n(s, n, NTOKS, ret_off);
}

/*
 * Checks that toks[i]'s subtree is a consistent tree over doc[0..len)
 * and returns the index after it, or -1.
 */
static int
tree_check(int i, int ntoks, size_t len)
{
	const struct json_tok	*t = &toks[i];
	unsigned		 k;
	int			 j, c;

	if (i >= ntoks || t->start > t->end || t->end > len ||
	    t->next <= (unsigned)i || t->next > (unsigned)ntoks)
		return -1;
	if (t->type != JSON_OBJECT && t->type != JSON_ARRAY)
		return t->size == 0 && t->next == (unsigned)i + 1 ? i + 1 : -1;
	j = i + 1;
	for (k = 0; k < t->size; k++) {
		if (t->type == JSON_OBJECT) {
			if (j >= ntoks || toks[j].type != JSON_STRING ||
			    toks[j].start <= t->start)
				return -1;
			j++;
		}
		c = j;
		if ((j = tree_check(c, ntoks, len)) < 0 ||
		    toks[c].start <= t->start || toks[c].end >= t->end)
			return -1;
	}
	return (unsigned)j == t->next ? j : -1;
}

struct good {
	const char	*in;
	size_t		 len;
	int		 ntoks;
};

static const struct good goods[] = {
	{ IN("0"), 1 },
	{ IN("-0"), 1 },
	{ IN("-0.0"), 1 },
	{ IN("1e-7"), 1 },
	{ IN("1E400"), 1 },
	{ IN("-1.5E+400"), 1 },
	{ IN("2.5e-400"), 1 },
	{ IN("0.0e0"), 1 },
	{ IN("123456789012345678901234567890"), 1 },
	{ IN(" \t\r\n true \r\n\t "), 1 },
	{ IN("false"), 1 },
	{ IN("null"), 1 },
	{ IN("\"\""), 1 },
	{ IN("[]"), 1 },
	{ IN("{}"), 1 },
	{ IN("[ ]"), 1 },
	{ IN("{ \n }"), 1 },
	{ IN("[[]]"), 2 },
	{ IN("[{}]"), 2 },
	{ IN("{\"a\":[1,{\"b\":null}],\"c\":\"d\"}"), 9 },
	{ IN("[1, \"two\", [3, [4]], {\"five\": 5}, true, false, null]"), 13 },
	{ IN("{ \"k\" : 1 , \"l\" :\t[ ] }"), 5 },
	{ IN("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC"
	    "\\ud83d\\ude00\""), 1 },
	{ IN("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\""), 1 },
	{ IN("\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\xed\x9f\xbf\xee\x80\x80\""), 1 },
	{ IN("\"\\u0000\""), 1 },
	{ IN("\"\\udbff\\udfff\""), 1 },
	{ IN("{\"\":\"\"}"), 3 },
};

static void
test_valid(void)
{
	const struct json_tok	*t;
	char			 s[64];
	size_t			 i, off;
	int			 r, bad;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		off = 12345;
		r = parse(goods[i].in, goods[i].len, &off);
		ok(r == goods[i].ntoks && off == 12345 &&
		    tree_check(0, r, goods[i].len) == r,
		    "valid: %.*s -> %d tokens", (int)goods[i].len, goods[i].in,
		    goods[i].ntoks);
		if (r != goods[i].ntoks)
			diag("  got %d (offset %zu)", r, off);
	}

	r = parse(IN("{\"a\":[1,{\"b\":null}],\"c\":\"d\"}"), NULL);
	t = toks;
	bad = 0;
	/* obj "a" arr 1 obj "b" null "c" "d" */
	bad |= t[0].type != JSON_OBJECT || t[0].size != 2 || t[0].next != 9 ||
	    t[0].start != 0 || t[0].end != 28;
	bad |= t[1].type != JSON_STRING || t[1].start != 2 || t[1].end != 3;
	bad |= t[2].type != JSON_ARRAY || t[2].size != 2 || t[2].next != 7 ||
	    t[2].start != 5 || t[2].end != 19;
	bad |= t[3].type != JSON_NUMBER || t[3].start != 6 || t[3].end != 7;
	bad |= t[4].type != JSON_OBJECT || t[4].size != 1 || t[4].next != 7;
	bad |= t[5].type != JSON_STRING || t[6].type != JSON_NULL ||
	    t[6].start != 13 || t[6].end != 17;
	bad |= t[7].type != JSON_STRING || t[8].type != JSON_STRING ||
	    t[8].start != 25 || t[8].end != 26;
	ok(r == 9 && !bad, "tokens: types, sizes, offsets and next of a "
	    "nested document");

	r = parse(IN("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC"
	    "\\ud83d\\ude00\""), NULL);
	is_int(json_str(doc, &toks[0], s, sizeof(s)), 18,
	    "every escape unescapes to its bytes (length)");
	is_str(s, "\"\\/\b\f\n\r\t" "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	    "every escape unescapes to its bytes, a surrogate pair to one "
	    "4-byte character");
	r = parse(IN("\"\\udbff\\udfff\""), NULL);
	is_int(json_str(doc, &toks[0], s, sizeof(s)), 4, "U+10FFFF escaped "
	    "is 4 bytes");
	ok(memcmp(s, "\xf4\x8f\xbf\xbf", 5) == 0, "... F4 8F BF BF");

	r = parse(IN("[1] "), NULL);
	is_int(r, 2, "a NULL ret_off is fine on success");
	r = parse(IN("[1] x"), NULL);
	is_int(r, JSON_ERR_SYNTAX, "... and on failure");
}

struct bad {
	const char	*name;
	const char	*in;
	size_t		 len;
	size_t		 off;
};

static const struct bad bads[] = {
	{ "empty input", IN(""), 0 },
	{ "whitespace only", IN(" \n\t "), 4 },
	{ "control character in a string", IN("\"a\x01" "b\""), 2 },
	{ "raw tab in a string", IN("\"a\tb\""), 2 },
	{ "raw newline in a string", IN("\"a\nb\""), 2 },
	{ "NUL in a string", IN("\"a\0\""), 2 },
	{ "escape \\x", IN("\"\\x41\""), 2 },
	{ "escape \\'", IN("\"\\'\""), 2 },
	{ "escape \\U", IN("\"\\U0041\""), 2 },
	{ "escape \\0", IN("\"\\0\""), 2 },
	{ "\\u with 2 hex digits", IN("\"\\u12\""), 5 },
	{ "\\u with a non-hex digit", IN("\"\\u12g4\""), 5 },
	{ "\\u cut by the end", IN("\"\\u00"), 5 },
	{ "backslash at the end", IN("\"\\"), 2 },
	{ "lone high surrogate", IN("\"\\ud800\""), 7 },
	{ "high surrogate then a letter", IN("\"\\ud800x\""), 7 },
	{ "high surrogate then \\u0041", IN("\"\\ud800\\u0041\""), 7 },
	{ "two high surrogates", IN("\"\\ud800\\ud800\""), 7 },
	{ "high surrogate then \\n", IN("\"\\udbff\\n\""), 7 },
	{ "lone low surrogate", IN("\"\\udc00\""), 1 },
	{ "low then high surrogate", IN("\"\\udfff\\ud800\""), 1 },
	{ "pair with a bad low half", IN("\"\\ud800\\udc0z\""), 12 },
	{ "unterminated string", IN("\"abc"), 4 },
	{ "UTF-8 continuation byte alone", IN("\"\x80\""), 1 },
	{ "UTF-8 0xff", IN("\"\xff\""), 1 },
	{ "UTF-8 overlong 2-byte (C0 AF)", IN("\"\xc0\xaf\""), 1 },
	{ "UTF-8 overlong 2-byte (C1 BF)", IN("\"\xc1\xbf\""), 1 },
	{ "UTF-8 overlong 3-byte (E0 80 AF)", IN("\"\xe0\x80\xaf\""), 2 },
	{ "UTF-8 overlong 4-byte (F0 8F BF BF)", IN("\"\xf0\x8f\xbf\xbf\""),
	    2 },
	{ "UTF-8 surrogate D800 (ED A0 80)", IN("\"\xed\xa0\x80\""), 2 },
	{ "UTF-8 surrogate DFFF (ED BF BF)", IN("\"\xed\xbf\xbf\""), 2 },
	{ "UTF-8 past U+10FFFF (F4 90 80 80)", IN("\"\xf4\x90\x80\x80\""),
	    2 },
	{ "UTF-8 lead F5", IN("\"\xf5\x80\x80\x80\""), 1 },
	{ "UTF-8 cut short before the quote", IN("\"\xe2\x82\""), 3 },
	{ "UTF-8 4-byte cut short", IN("\"\xf0\x9f\x98\""), 4 },
	{ "UTF-8 cut by the end", IN("\"\xe2\x82"), 3 },
	{ "UTF-8 lead then ASCII", IN("\"\xc3" "A\""), 2 },
	{ "leading zero", IN("01"), 1 },
	{ "leading zeros", IN("00"), 1 },
	{ "negative leading zero", IN("-01"), 2 },
	{ "plus sign", IN("+1"), 0 },
	{ "leading point", IN(".5"), 0 },
	{ "trailing point", IN("1."), 2 },
	{ "point then exponent", IN("1.e3"), 2 },
	{ "bare exponent", IN("1e"), 2 },
	{ "exponent sign only", IN("1e+"), 3 },
	{ "exponent with a point", IN("1e1.5"), 3 },
	{ "minus alone", IN("-"), 1 },
	{ "minus then space", IN("- 1"), 1 },
	{ "hex number", IN("0x10"), 1 },
	{ "NaN", IN("NaN"), 0 },
	{ "Infinity", IN("Infinity"), 0 },
	{ "-Infinity", IN("-Infinity"), 1 },
	{ "trailing comma in an array", IN("[1,]"), 3 },
	{ "trailing comma in an object", IN("{\"a\":1,}"), 7 },
	{ "leading comma in an array", IN("[,1]"), 1 },
	{ "double comma", IN("[1,,2]"), 3 },
	{ "comma alone in an object", IN("{,}"), 1 },
	{ "missing comma", IN("[1 2]"), 3 },
	{ "missing colon", IN("{\"a\" 1}"), 5 },
	{ "missing value", IN("{\"a\":}"), 5 },
	{ "key without a value", IN("{\"a\"}"), 4 },
	{ "number as a key", IN("{1:2}"), 1 },
	{ "unquoted key", IN("{a:1}"), 1 },
	{ "colon in an array", IN("[1:2]"), 2 },
	{ "unclosed array", IN("[1"), 2 },
	{ "unclosed object", IN("{\"a\":1"), 6 },
	{ "lone open bracket", IN("["), 1 },
	{ "lone close bracket", IN("]"), 0 },
	{ "mismatched close", IN("[1}"), 2 },
	{ "extra close", IN("[1]]"), 3 },
	{ "extra close brace", IN("{}}"), 2 },
	{ "block comment", IN("/* c */ 1"), 0 },
	{ "line comment after", IN("[1] // c"), 4 },
	{ "comment inside", IN("[1,/*x*/2]"), 3 },
	{ "single-quoted string", IN("'a'"), 0 },
	{ "single-quoted key", IN("{'a':1}"), 1 },
	{ "truncated true", IN("tru"), 3 },
	{ "capitalised True", IN("True"), 0 },
	{ "truncated null", IN("nul"), 3 },
	{ "null with a letter more", IN("nulll"), 4 },
	{ "falsey", IN("falsey"), 5 },
	{ "two values", IN("true false"), 5 },
	{ "two objects", IN("{}{}"), 2 },
	{ "object then garbage", IN("{} x"), 3 },
	{ "number then NUL", IN("1\0"), 1 },
	{ "string then a letter", IN("\"a\"b"), 3 },
	{ "vertical tab as whitespace", IN("\v1"), 0 },
	{ "form feed as whitespace", IN("[1,\f2]"), 3 },
	{ "no-break space as whitespace", IN("\xc2\xa0" "1"), 0 },
	{ "byte order mark", IN("\xef\xbb\xbf" "1"), 0 },
	{ "undefined", IN("[undefined]"), 1 },
};

static void
test_reject(void)
{
	size_t	i, off;
	int	r;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		off = 12345;
		r = parse(bads[i].in, bads[i].len, &off);
		if (!ok(r == JSON_ERR_SYNTAX && off == bads[i].off,
		    "rejected at byte %zu: %s", bads[i].off, bads[i].name))
			diag("  got %d at byte %zu", r, off);
	}
}

/*
 * Every proper prefix of a document whose value is not a number, with no
 * whitespace after it, is refused where it ends.
 */
static void
test_prefixes(void)
{
	size_t	i, k, off, bad;
	int	r;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const char	*in = goods[i].in;
		size_t		 len = goods[i].len;

		if (strchr("-0123456789", in[0]) != NULL ||
		    strchr(" \t\r\n", in[len - 1]) != NULL)
			continue;
		bad = SIZE_MAX;
		for (k = 0; k < len && bad == SIZE_MAX; k++) {
			off = SIZE_MAX;
			r = parse(in, k, &off);
			if (r != JSON_ERR_SYNTAX || off != k)
				bad = k;
		}
		if (!ok(bad == SIZE_MAX, "every prefix of %.*s is refused at "
		    "its end", (int)len, in)) {
			r = parse(in, bad, &off);
			diag("  %zu bytes: %d at %zu", bad, r, off);
		}
	}
}

/* "[[[1]]]" or "{"a":{"a":1}}" nested n deep into b (6n + 1 bytes). */
static size_t
nest(char *b, int n, int obj)
{
	size_t	len = 0;
	int	i;

	for (i = 0; i < n; i++) {
		if (obj) {
			memcpy(b + len, "{\"a\":", 5);
			len += 5;
		} else
			b[len++] = '[';
	}
	b[len++] = '1';
	for (i = 0; i < n; i++)
		b[len++] = obj ? '}' : ']';
	return len;
}

static void
test_limits(void)
{
	static char	b[8192];
	size_t		len, off;
	int		r;

	off = 12345;
	is_int(parse_n(IN("[1,2,3]"), 3, &off), JSON_ERR_NOMEM,
	    "4 tokens into 3: JSON_ERR_NOMEM");
	is_int(off, 12345, "... leaves ret_off alone");
	is_int(parse_n(IN("[1,2,3]"), 4, &off), 4, "4 tokens into 4: fits");
	is_int(json_parse("1", 1, NULL, 0, &off), JSON_ERR_NOMEM,
	    "no tokens at all: JSON_ERR_NOMEM");
	is_int(parse_n(IN("{\"a\":\"b\"}"), 2, &off), JSON_ERR_NOMEM,
	    "a value without room: JSON_ERR_NOMEM");

	len = nest(b, JSON_MAX_DEPTH, 0);
	r = parse(b, len, &off);
	ok(r == JSON_MAX_DEPTH + 1 && tree_check(0, r, len) == r,
	    "arrays nested %d deep parse", JSON_MAX_DEPTH);
	len = nest(b, JSON_MAX_DEPTH + 1, 0);
	is_int(parse(b, len, &off), JSON_ERR_DEPTH, "%d deep: JSON_ERR_DEPTH",
	    JSON_MAX_DEPTH + 1);
	is_int(off, JSON_MAX_DEPTH, "... at the bracket too many");
	len = nest(b, JSON_MAX_DEPTH, 1);
	r = parse(b, len, &off);
	ok(r == 2 * JSON_MAX_DEPTH + 1 && tree_check(0, r, len) == r,
	    "objects nested %d deep parse", JSON_MAX_DEPTH);
	len = nest(b, JSON_MAX_DEPTH + 1, 1);
	is_int(parse(b, len, &off), JSON_ERR_DEPTH, "objects %d deep: "
	    "JSON_ERR_DEPTH", JSON_MAX_DEPTH + 1);
	is_int(off, 5 * JSON_MAX_DEPTH, "... at the brace too many");
	len = nest(b, 4000, 0);
	is_int(parse(b, len, &off), JSON_ERR_DEPTH, "4000 deep: "
	    "JSON_ERR_DEPTH, no stack overflow");
	len = nest(b, 4000, 0);
	is_int(parse(b, len - 1, &off), JSON_ERR_DEPTH, "depth is reported "
	    "before the missing bracket");

	ok(strcmp(json_strerror(JSON_ERR_SYNTAX), json_strerror(0)) != 0 &&
	    strcmp(json_strerror(JSON_ERR_NOMEM), json_strerror(0)) != 0 &&
	    strcmp(json_strerror(JSON_ERR_DEPTH), json_strerror(0)) != 0 &&
	    JSON_ERR_SYNTAX != JSON_ERR_NOMEM &&
	    JSON_ERR_NOMEM != JSON_ERR_DEPTH &&
	    JSON_ERR_SYNTAX != JSON_ERR_DEPTH,
	    "the three errors are distinct and have sentences");
}

static void
test_lookup(void)
{
	static const char	in[] = "{\"name\":\"forkd\",\"n\":3,"
	    "\"nested\":{\"x\":1,\"name\":\"inner\"},\"a\\u0062c\":true,"
	    "\"list\":[[1,2],{\"a\":[3]},4],\"\":null,\"\\u00e9\":1,"
	    "\"k\\u0000\":2,\"\\ud83d\\ude00\":\"smile\"}";
	int			n, v, nested, list;

	n = parse(in, sizeof(in) - 1, NULL);
	ok(n > 0, "the lookup document parses");
	v = json_get(doc, toks, n, 0, "name");
	ok(v > 0 && json_streq(doc, &toks[v], "forkd"), "json_get: a key");
	ok(json_get(doc, toks, n, 0, "x") == -1, "json_get: a nested key is "
	    "not a member");
	nested = json_get(doc, toks, n, 0, "nested");
	v = json_get(doc, toks, n, nested, "name");
	ok(v > 0 && json_streq(doc, &toks[v], "inner"), "json_get: in a "
	    "nested object");
	v = json_get(doc, toks, n, 0, "abc");
	ok(v > 0 && toks[v].type == JSON_TRUE, "json_get: an escaped key "
	    "matches unescaped");
	v = json_get(doc, toks, n, 0, "");
	ok(v > 0 && toks[v].type == JSON_NULL, "json_get: the empty key");
	v = json_get(doc, toks, n, 0, "\xc3\xa9");
	ok(v > 0 && toks[v].type == JSON_NUMBER, "json_get: a \\u00e9 key "
	    "matches its UTF-8");
	v = json_get(doc, toks, n, 0, "\xf0\x9f\x98\x80");
	ok(v > 0 && json_streq(doc, &toks[v], "smile"), "json_get: a "
	    "surrogate-pair key matches its UTF-8");
	is_int(json_get(doc, toks, n, 0, "k"), -1, "json_get: \"k\\u0000\" "
	    "is not \"k\"");
	is_int(json_get(doc, toks, n, 0, "missing"), -1,
	    "json_get: a missing key is -1");
	list = json_get(doc, toks, n, 0, "list");
	is_int(json_get(doc, toks, n, list, "a"), -1, "json_get: on an "
	    "array is -1");
	ok(json_get(doc, toks, n, -1, "n") == -1 &&
	    json_get(doc, toks, n, n, "n") == -1, "json_get: an index out "
	    "of range is -1");

	v = json_at(toks, n, list, 2);
	ok(v > 0 && toks[v].type == JSON_NUMBER && doc[toks[v].start] == '4',
	    "json_at: past two containers");
	v = json_at(toks, n, json_at(toks, n, list, 0), 1);
	ok(v > 0 && doc[toks[v].start] == '2', "json_at: inside a nested "
	    "array");
	is_int(json_at(toks, n, list, 3), -1, "json_at: past the end is -1");
	v = json_at(toks, n, 0, 2);
	ok(v == nested && json_streq(doc, &toks[v - 1], "nested"),
	    "json_at: on an object, a member's value, its key right before");
	v = json_at(toks, n, 0, 8);
	ok(v > 0 && json_streq(doc, &toks[v], "smile"), "json_at: an "
	    "object's last member");
	is_int(json_at(toks, n, 0, 9), -1, "json_at: past an object's "
	    "members is -1");
	is_int(json_at(toks, n, v, 0), -1, "json_at: on a string is -1");
	is_int(json_at(toks, n, n, 0), -1, "json_at: an index out of range "
	    "is -1");
}

struct intcase {
	const char	*in;
	int		 rc;
	int64_t		 v;
};

static const struct intcase ints[] = {
	{ "0", 0, 0 },
	{ "-0", 0, 0 },
	{ "42", 0, 42 },
	{ "-42", 0, -42 },
	{ "9223372036854775807", 0, INT64_MAX },
	{ "-9223372036854775808", 0, INT64_MIN },
	{ "9223372036854775808", -ERANGE, 0 },
	{ "-9223372036854775809", -ERANGE, 0 },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "99999999999999999999999", -ERANGE, 0 },
	{ "1.5", -ERANGE, 0 },
	{ "1.0", -ERANGE, 0 },
	{ "1e3", -ERANGE, 0 },
	{ "1E0", -ERANGE, 0 },
	{ "\"1\"", -EINVAL, 0 },
	{ "true", -EINVAL, 0 },
	{ "null", -EINVAL, 0 },
	{ "[1]", -EINVAL, 0 },
};

static void
test_int(void)
{
	size_t	i;
	int64_t	v;
	int	r;

	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		v = 777;
		if (parse(ints[i].in, strlen(ints[i].in), NULL) < 1) {
			ok(0, "json_int(%s): parses", ints[i].in);
			continue;
		}
		r = json_int(doc, &toks[0], &v);
		if (!ok(r == ints[i].rc && v == (ints[i].rc ? 777 : ints[i].v),
		    "json_int(%s) is %s", ints[i].in, ints[i].rc == 0 ? "read" :
		    ints[i].rc == -ERANGE ? "-ERANGE" : "-EINVAL"))
			diag("  got %d, %lld", r, (long long)v);
	}
}

static void
test_str(void)
{
	char	out[16];
	int	r;

	parse(IN("\"h\\u00e9llo\\n\""), NULL);
	memset(out, 'x', sizeof(out));
	is_int(json_str(doc, &toks[0], out, 8), 7, "json_str: the length "
	    "unescaped");
	is_str(out, "h\xc3\xa9llo\n", "json_str: the text unescaped, "
	    "NUL-terminated in exactly its room");
	memset(out, 'x', sizeof(out));
	is_int(json_str(doc, &toks[0], out, 7), -ENOSPC, "json_str: one "
	    "byte short is -ENOSPC");
	is_str(out, "", "... and leaves \"\"");
	is_int(json_str(doc, &toks[0], out, 0), -ENOSPC, "json_str: no "
	    "room at all is -ENOSPC");
	ok(json_streq(doc, &toks[0], "h\xc3\xa9llo\n"), "json_streq: equal");
	ok(!json_streq(doc, &toks[0], "h\xc3\xa9llo"), "json_streq: a prefix "
	    "is not equal");
	ok(!json_streq(doc, &toks[0], "h\xc3\xa9llo\n!"), "json_streq: a "
	    "longer string is not equal");
	ok(!json_streq(doc, &toks[0], "h\\u00e9llo\\n"), "json_streq: the "
	    "escaped text is not equal");

	parse(IN("\"\""), NULL);
	is_int(json_str(doc, &toks[0], out, 1), 0, "json_str: \"\" fits in "
	    "one byte");
	ok(json_streq(doc, &toks[0], ""), "json_streq: \"\" equals \"\"");

	parse(IN("\"a\\u0000b\""), NULL);
	r = (int)json_str(doc, &toks[0], out, sizeof(out));
	ok(r == 3 && memcmp(out, "a\0b", 4) == 0, "json_str: \\u0000 is a "
	    "NUL inside the length");
	ok(!json_streq(doc, &toks[0], "a"), "json_streq: \"a\\u0000b\" is "
	    "not \"a\"");

	parse(IN("12"), NULL);
	is_int(json_str(doc, &toks[0], out, sizeof(out)), -EINVAL,
	    "json_str: a number is -EINVAL");
	ok(!json_streq(doc, &toks[0], "12"), "json_streq: a number is never "
	    "equal");
}

/* Checks that w finished and holds want, and that the reader takes it. */
static void
jw_is(struct jw *w, const char *want, const char *name)
{
	int	r = jw_finish(w);

	if (!ok(r == 0 && w->len == strlen(want) &&
	    memcmp(w->buf, want, w->len + 1) == 0 &&
	    parse(w->buf, w->len, NULL) > 0, "writer: %s", name))
		diag("  got %d \"%s\", want \"%s\"", r, w->buf ? w->buf : "",
		    want);
	jw_reset(w);
}

static void
jw_refused(struct jw *w, const char *name)
{
	is_int(jw_finish(w), -EINVAL, "writer refuses %s", name);
	jw_reset(w);
}

static void
test_writer(void)
{
	struct jw	w;
	size_t		len;
	int		i;

	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "a");
	jw_int(&w, 1);
	jw_key(&w, "b");
	jw_arr_open(&w);
	jw_bool(&w, 1);
	jw_bool(&w, 0);
	jw_null(&w);
	jw_arr_close(&w);
	jw_key(&w, "c");
	jw_str(&w, "x");
	jw_key(&w, "d");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_key(&w, "e");
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_is(&w, "{\"a\":1,\"b\":[true,false,null],\"c\":\"x\",\"d\":{},"
	    "\"e\":[]}", "commas between members and elements only");

	jw_str(&w, "q\"b\\s/\x01\x1f\n\t\x7f");
	jw_is(&w, "\"q\\\"b\\\\s/\\u0001\\u001f\\u000a\\u0009\x7f\"",
	    "quote, backslash and control characters escaped");
	jw_strn(&w, "a\0b", 3);
	jw_is(&w, "\"a\\u0000b\"", "a NUL inside jw_strn is \\u0000");
	jw_str(&w, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");
	jw_is(&w, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"",
	    "valid UTF-8 passes through");
	jw_str(&w, "a\x80" "b\xff");
	jw_is(&w, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"", "a stray byte is "
	    "U+FFFD");
	jw_str(&w, "\xc0\xaf");
	jw_is(&w, "\"\xef\xbf\xbd\xef\xbf\xbd\"", "an overlong pair is two "
	    "U+FFFD");
	jw_str(&w, "\xed\xa0\x80");
	jw_is(&w, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", "a UTF-8 "
	    "surrogate is three U+FFFD");
	jw_str(&w, "\xf4\x90\x80\x80");
	jw_is(&w, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
	    "past U+10FFFF is four U+FFFD");
	jw_str(&w, "\xe2\x82" "A");
	jw_is(&w, "\"\xef\xbf\xbd" "A\"", "a cut sequence is one U+FFFD");
	jw_strn(&w, "\xf0\x9f\x98\x80", 3);
	jw_is(&w, "\"\xef\xbf\xbd\"", "a sequence cut by n is one U+FFFD");
	jw_str(&w, NULL);
	jw_is(&w, "null", "jw_str(NULL) is null");

	jw_arr_open(&w);
	jw_int(&w, INT64_MIN);
	jw_int(&w, INT64_MAX);
	jw_uint(&w, UINT64_MAX);
	jw_double(&w, 3.14159, 2);
	jw_double(&w, -2.5, 0);
	jw_double(&w, 0.1, 99);
	jw_double(&w, 7.0, -3);
	jw_double(&w, NAN, 2);
	jw_double(&w, INFINITY, 2);
	jw_double(&w, -INFINITY, 2);
	jw_arr_close(&w);
	jw_is(&w, "[-9223372036854775808,9223372036854775807,"
	    "18446744073709551615,3.14,-2,0.10000000000000001,7,null,null,"
	    "null]", "integers at their limits, doubles, NaN and infinities "
	    "as null");
	jw_double(&w, 1e300, 3);
	ok(jw_finish(&w) == 0 && w.len == 305 && parse(w.buf, w.len, NULL) == 1
	    && toks[0].type == JSON_NUMBER, "writer: 1e300 in fixed point");
	jw_reset(&w);

	jw_obj_open(&w);
	jw_int(&w, 1);
	jw_refused(&w, "a value without its key");
	jw_arr_open(&w);
	jw_key(&w, "a");
	jw_refused(&w, "a key in an array");
	jw_key(&w, "a");
	jw_refused(&w, "a key at the top");
	jw_obj_open(&w);
	jw_key(&w, "a");
	jw_key(&w, "b");
	jw_refused(&w, "two keys in a row");
	jw_obj_open(&w);
	jw_key(&w, "a");
	jw_obj_close(&w);
	jw_refused(&w, "a close after a key");
	jw_obj_open(&w);
	jw_key(&w, NULL);
	jw_refused(&w, "a NULL key");
	jw_int(&w, 1);
	jw_int(&w, 2);
	jw_refused(&w, "two top-level values");
	jw_arr_open(&w);
	jw_obj_close(&w);
	jw_refused(&w, "a mismatched close");
	jw_arr_close(&w);
	jw_refused(&w, "a close with nothing open");
	jw_arr_open(&w);
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_refused(&w, "a container left open");
	jw_refused(&w, "an empty document");
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		jw_arr_open(&w);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		jw_arr_close(&w);
	ok(jw_finish(&w) == 0 && parse(w.buf, w.len, NULL) == JSON_MAX_DEPTH,
	    "writer: %d deep is written", JSON_MAX_DEPTH);
	jw_reset(&w);
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		jw_arr_open(&w);
	jw_refused(&w, "one level deeper");

	jw_arr_open(&w);
	jw_int(&w, 1);
	jw_key(&w, "a");
	len = w.len;
	jw_int(&w, 2);
	jw_arr_close(&w);
	ok(jw_finish(&w) == -EINVAL && w.len == len && w.buf[len] == '\0',
	    "writer: the error is sticky, nothing is written after it");
	jw_free(&w);
	ok(w.buf == NULL && w.len == 0 && w.err == 0, "jw_free leaves the "
	    "writer empty");
	jw_free(NULL);
	ok(1, "jw_free(NULL) does nothing");
}

/* toks[i], or a token of no type when i is -1. */
static const struct json_tok *
tok(int i)
{
	static const struct json_tok	none;

	return i >= 0 && i < NTOKS ? &toks[i] : &none;
}

/* Writes an admin-like response, reads every value back. */
static void
test_roundtrip(void)
{
	static const char *const	 states[] = {
	    "idle", "busy", "w\"1\n"
	};
	struct jw			 w;
	char				 s[64];
	int64_t				 v;
	int				 n, ws, wk, i, bad = 0;

	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "ok");
	jw_bool(&w, 1);
	jw_key(&w, "workers");
	jw_arr_open(&w);
	for (i = 0; i < 3; i++) {
		jw_obj_open(&w);
		jw_key(&w, "id");
		jw_int(&w, i + 1);
		jw_key(&w, "pid");
		jw_int(&w, 4242 + i);
		jw_key(&w, "state");
		jw_str(&w, states[i]);
		jw_key(&w, "rss_mib");
		jw_double(&w, 12.5 * (i + 1), 2);
		jw_key(&w, "note");
		jw_null(&w);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_key(&w, "min");
	jw_int(&w, INT64_MIN);
	jw_key(&w, "max");
	jw_uint(&w, INT64_MAX);
	jw_key(&w, "text");
	jw_str(&w, "h\xc3\xa9llo \x01 \xf0\x9f\x98\x80");
	jw_key(&w, "bad");
	jw_str(&w, "a\xff" "b");
	jw_key(&w, "k\"\\\x02");
	jw_arr_open(&w);
	jw_bool(&w, 0);
	jw_arr_open(&w);
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_arr_close(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	is_int(jw_finish(&w), 0, "round trip: the writer finishes");

	n = parse(w.buf, w.len, NULL);
	ok(n > 0 && tree_check(0, n, w.len) == n && toks[0].size == 7,
	    "round trip: the reader takes it, seven members");
	ok(tok(json_get(doc, toks, n, 0, "ok"))->type == JSON_TRUE,
	    "round trip: true");
	ws = json_get(doc, toks, n, 0, "workers");
	ok(ws > 0 && toks[ws].type == JSON_ARRAY && toks[ws].size == 3,
	    "round trip: an array of three");
	for (i = 0; i < 3; i++) {
		wk = json_at(toks, n, ws, (unsigned)i);
		bad |= json_int(doc, tok(json_get(doc, toks, n, wk, "id")),
		    &v) != 0 || v != i + 1;
		bad |= json_int(doc, tok(json_get(doc, toks, n, wk, "pid")),
		    &v) != 0 || v != 4242 + i;
		bad |= !json_streq(doc, tok(json_get(doc, toks, n, wk,
		    "state")), states[i]);
		bad |= json_str(doc, tok(json_get(doc, toks, n, wk,
		    "rss_mib")), s, sizeof(s)) != -EINVAL;
		snprintf(s, sizeof(s), "%.2f", 12.5 * (i + 1));
		bad |= memcmp(doc + tok(json_get(doc, toks, n, wk,
		    "rss_mib"))->start, s, strlen(s)) != 0;
		bad |= tok(json_get(doc, toks, n, wk, "note"))->type !=
		    JSON_NULL;
	}
	ok(!bad, "round trip: every worker's id, pid, state, figure, null");
	ok(json_int(doc, tok(json_get(doc, toks, n, 0, "min")), &v) == 0 &&
	    v == INT64_MIN, "round trip: INT64_MIN");
	ok(json_int(doc, tok(json_get(doc, toks, n, 0, "max")), &v) == 0 &&
	    v == INT64_MAX, "round trip: INT64_MAX");
	ok(json_str(doc, tok(json_get(doc, toks, n, 0, "text")), s,
	    sizeof(s)) == 13 && strcmp(s, "h\xc3\xa9llo \x01 \xf0\x9f\x98\x80")
	    == 0, "round trip: UTF-8 and a control character");
	ok(json_streq(doc, tok(json_get(doc, toks, n, 0, "bad")),
	    "a\xef\xbf\xbd" "b"), "round trip: invalid UTF-8 became U+FFFD");
	i = json_get(doc, toks, n, 0, "k\"\\\x02");
	ok(i > 0 && toks[i].type == JSON_ARRAY && toks[i].size == 2 &&
	    tok(json_at(toks, n, i, 0))->type == JSON_FALSE &&
	    tok(json_at(toks, n, i, 1))->size == 1, "round trip: an escaped "
	    "key, nested arrays");
	jw_free(&w);
}

static uint32_t	lcg_state = 12345;

/* Numerical Recipes' LCG; the high bits are the random ones. */
static uint32_t
lcg(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state >> 8;
}

/*
 * Mutates valid documents a byte or a few at a time.  Whatever comes
 * back must be a token count whose tokens form a tree inside the input,
 * or one of the three errors with an offset inside it.
 */
static void
test_fuzz(void)
{
	static const char	 alphabet[] = "{}[],:\"\\u0123456789abcdef.eE+-"
	    "tfnrl \t\n\x00\x01\x1f\x7f\x80\xbf\xc2\xe0\xed\xf0\xf4\xff";
	static char		 b[1024], out[1024];
	const char		*seeds[sizeof(goods) / sizeof(goods[0]) + 2];
	size_t			 nseeds = 0, s, len, off, pos, k;
	int			 iter, m, r, rn, ntoks, t, nok = 0, nerr = 0;
	int			 bad = 0, badtree = 0, badstr = 0;
	int64_t			 v;

	for (s = 0; s < sizeof(goods) / sizeof(goods[0]); s++)
		seeds[nseeds++] = goods[s].in;
	seeds[nseeds++] = "{\"name\":\"forkd\",\"w\":[{\"id\":1,\"rss\":1.5e3},"
	    "{\"id\":-2,\"s\":\"\\ud83d\\ude00\\n\"}],\"ok\":true}";
	seeds[nseeds++] = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1"
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";

	for (iter = 0; iter < 40000; iter++) {
		s = (size_t)iter % nseeds;
		len = strlen(seeds[s]);
		memcpy(b, seeds[s], len);
		for (m = 1 + (int)(lcg() % 3); m > 0; m--) {
			pos = len ? lcg() % len : 0;
			switch (lcg() % 6) {
			case 0:		/* any byte */
				if (len)
					b[pos] = (char)lcg();
				break;
			case 1:		/* a byte that matters to JSON */
				if (len)
					b[pos] = alphabet[lcg() %
					    (sizeof(alphabet) - 1)];
				break;
			case 2:		/* delete */
				if (len) {
					memmove(b + pos, b + pos + 1,
					    len - pos - 1);
					len--;
				}
				break;
			case 3:		/* insert */
				if (len + 1 < sizeof(b)) {
					memmove(b + pos + 1, b + pos,
					    len - pos);
					b[pos] = alphabet[lcg() %
					    (sizeof(alphabet) - 1)];
					len++;
				}
				break;
			case 4:		/* truncate */
				len = pos;
				break;
			default:	/* repeat a piece */
				k = lcg() % 16;
				if (pos + k <= len && len + k < sizeof(b)) {
					memmove(b + pos + k, b + pos,
					    len - pos);
					len += k;
				}
				break;
			}
		}
		/* Few tokens now and then, for JSON_ERR_NOMEM. */
		ntoks = iter % 7 == 0 ? (int)(lcg() % 8) : NTOKS;
		off = SIZE_MAX;
		r = parse_n(b, len, (unsigned)ntoks, &off);
		if (r < 0) {
			nerr++;
			if ((r != JSON_ERR_SYNTAX && r != JSON_ERR_NOMEM &&
			    r != JSON_ERR_DEPTH) || (r != JSON_ERR_NOMEM &&
			    off > len) || (r == JSON_ERR_NOMEM &&
			    off != SIZE_MAX))
				bad++;
			continue;
		}
		nok++;
		if (r == 0 || r > ntoks) {
			bad++;
			continue;
		}
		if (tree_check(0, r, len) != r)
			badtree++;
		for (t = 0; t < r; t++) {
			if (toks[t].type == JSON_STRING) {
				ssize_t	n = json_str(doc, &toks[t], out,
				    sizeof(out));

				if (n < 0 || (memchr(out, '\0', (size_t)n) ==
				    NULL && !json_streq(doc, &toks[t], out)))
					badstr++;
			} else if (toks[t].type == JSON_NUMBER) {
				rn = json_int(doc, &toks[t], &v);
				if (rn != 0 && rn != -ERANGE)
					badstr++;
			}
		}
	}
	if (!ok(bad == 0, "fuzz: 40000 mutations give a count or one of the "
	    "three errors, offsets inside the input"))
		diag("  %d bad", bad);
	if (!ok(badtree == 0, "fuzz: every accepted mutation is a consistent "
	    "tree"))
		diag("  %d bad trees", badtree);
	if (!ok(badstr == 0, "fuzz: its strings unescape and compare equal, "
	    "its numbers read or are out of range"))
		diag("  %d bad", badstr);
	ok(nok > 1000 && nerr > 1000, "fuzz: both outcomes are exercised");
	diag("fuzz: %d accepted, %d refused", nok, nerr);
}

/* Random bytes through the writer: the reader must take every string. */
static void
test_writer_fuzz(void)
{
	struct jw	w;
	char		in[64], out[256];
	size_t		n, i;
	int		iter, bad = 0, badascii = 0;

	jw_init(&w);
	for (iter = 0; iter < 20000; iter++) {
		n = lcg() % sizeof(in);
		for (i = 0; i < n; i++)
			in[i] = (char)(iter % 2 ? lcg() : lcg() % 128);
		jw_reset(&w);
		jw_strn(&w, in, n);
		if (jw_finish(&w) != 0 ||
		    parse(w.buf, w.len, NULL) != 1 ||
		    toks[0].type != JSON_STRING ||
		    json_str(doc, &toks[0], out, sizeof(out)) < 0) {
			bad++;
			continue;
		}
		if (iter % 2 == 0 && (json_str(doc, &toks[0], out,
		    sizeof(out)) != (ssize_t)n || memcmp(out, in, n) != 0))
			badascii++;
	}
	jw_free(&w);
	ok(bad == 0, "writer fuzz: 20000 random byte strings are written as "
	    "strings the reader takes");
	ok(badascii == 0, "writer fuzz: ASCII and control characters come "
	    "back exactly");
}

/* jw_json: another process's document, as it is or as a string. */
static void
test_writer_json(void)
{
	struct jw	w;
	const char	*doc1 = "{\"a\": [1, 2], \"b\": null}";

	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "x");
	jw_json(&w, doc1, strlen(doc1));
	jw_key(&w, "y");
	jw_json(&w, "python 3.12, app a:b", 20);
	jw_key(&w, "z");
	jw_json(&w, "{\"a\": ", 6);
	jw_obj_close(&w);
	ok(jw_finish(&w) == 0 && w.len == strlen("{\"x\":{\"a\": [1, 2], "
	    "\"b\": null},\"y\":\"python 3.12, app a:b\",\"z\":\"{\\\"a\\\": \"}") &&
	    memcmp(w.buf, "{\"x\":{\"a\": [1, 2], \"b\": null},\"y\":\"python "
	    "3.12, app a:b\",\"z\":\"{\\\"a\\\": \"}", w.len) == 0,
	    "jw_json: a JSON value goes in as it is, anything else as a string");
	ok(parse(w.buf, w.len, NULL) > 0, "and the whole is JSON");
	jw_free(&w);
}

int
main(void)
{
	plan(259);
	guard = tap_guard_map(ROOM);
	test_valid();
	test_reject();
	test_prefixes();
	test_limits();
	test_lookup();
	test_int();
	test_str();
	test_writer();
	test_roundtrip();
	test_fuzz();
	test_writer_fuzz();
	test_writer_json();
	return done();
}
