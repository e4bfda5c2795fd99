/*
 * json.c: the strict JSON reader (a tokenizer into the caller's array,
 * and lookups over its tokens) and the writer (json.h).
 *
 * It knows RFC 8259 text and nothing of what the admin socket says with
 * it.  The reader allocates nothing and reads no byte past len, so the
 * input need not be NUL-terminated; it recurses once per nesting level,
 * at most JSON_MAX_DEPTH.  Numbers are checked against the grammar but
 * only json_int() converts one: there is no floating-point reader.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "hexdigit.h"
#include "json.h"

/* The writer's open[] entries. */
#define JW_OBJ		0x1
#define JW_ARR		0x2
#define JW_MORE		0x4	/* a member or element is written: comma */

static const char	json_fffd[] = "\xef\xbf\xbd";	/* U+FFFD in UTF-8 */

/*
 * The length (1 to 4) of the well-formed UTF-8 sequence that starts
 * s[0..n), n > 0; or -1 - i where s[i] is the first byte that makes it
 * ill-formed (i == n when the input ends inside it).  Overlong forms,
 * surrogates and code points past U+10FFFF are ill-formed (RFC 3629).
 */
static int
json_utf8(const unsigned char *s, size_t n)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		i, need;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		if (s[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		if (s[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;		/* past U+10FFFF */
	} else
		return -1;
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi)
			return -1 - (int)i;
		lo = 0x80;
		hi = 0xbf;
	}
	return (int)need + 1;
}

int
json_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i;
	int			 r;

	for (i = 0; i < n; i += (size_t)r)
		if ((r = json_utf8(u + i, n - i)) < 0)
			return 0;
	return 1;
}

/*
 * The code unit spelled by the four hex digits at s[i] (s ends at len),
 * or -1 with *ret_bad at the first byte that is not a hex digit (len if
 * s ends first).
 */
static long
json_hex4(const unsigned char *s, size_t len, size_t i, size_t *ret_bad)
{
	long	v = 0;
	size_t	k;
	int	d;

	for (k = 0; k < 4; k++) {
		if (i + k >= len) {
			*ret_bad = len;
			return -1;
		}
		if ((d = hex_digit(s[i + k])) < 0) {
			*ret_bad = i + k;
			return -1;
		}
		v = v << 4 | d;
	}
	return v;
}

/* ---- The reader ------------------------------------------------------ */

struct json_parser {
	const unsigned char	*s;
	size_t			 len;
	size_t			 pos;
	struct json_tok		*toks;
	unsigned		 ntoks;
	unsigned		 n;		/* tokens used */
	size_t			 err_off;
};

static int	json_value(struct json_parser *p, unsigned depth);

static int
json_fail(struct json_parser *p, size_t off)
{
	p->err_off = off;
	return JSON_ERR_SYNTAX;
}

static void
json_skip_ws(struct json_parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' ||
	    p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
	    p->s[p->pos] == '\r'))
		p->pos++;
}

/* Returns the new token's index, or JSON_ERR_NOMEM. */
static int
json_tok_new(struct json_parser *p, enum json_type type, size_t start)
{
	struct json_tok	*t;

	if (p->n == p->ntoks)
		return JSON_ERR_NOMEM;
	t = &p->toks[p->n];
	t->type = type;
	t->start = t->end = (unsigned)start;
	t->size = 0;
	t->next = p->n + 1;
	return (int)p->n++;
}

/* At the opening quote; leaves p->pos past the closing one. */
static int
json_string(struct json_parser *p)
{
	const unsigned char	*s = p->s;
	size_t			 i = p->pos + 1, bad;
	long			 hi, lo;
	int			 t, r;

	if ((t = json_tok_new(p, JSON_STRING, i)) < 0)
		return t;
	while (i < p->len) {
		if (s[i] == '"') {
			p->toks[t].end = (unsigned)i;
			p->pos = i + 1;
			return 0;
		}
		if (s[i] < 0x20)
			return json_fail(p, i);
		if (s[i] >= 0x80) {
			if ((r = json_utf8(s + i, p->len - i)) < 0)
				return json_fail(p, i + (size_t)(-1 - r));
			i += (size_t)r;
			continue;
		}
		if (s[i] != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= p->len)
			return json_fail(p, p->len);
		switch (s[i + 1]) {
		case '"': case '\\': case '/':
		case 'b': case 'f': case 'n': case 'r': case 't':
			i += 2;
			continue;
		case 'u':
			break;
		default:
			return json_fail(p, i + 1);
		}
		if ((hi = json_hex4(s, p->len, i + 2, &bad)) < 0)
			return json_fail(p, bad);
		/* A low surrogate must follow a high one, and only one. */
		if (hi >= 0xdc00 && hi <= 0xdfff)
			return json_fail(p, i);
		i += 6;
		if (hi < 0xd800 || hi > 0xdbff)
			continue;
		/* An input that ends here is cut short, not wrong. */
		if ((i < p->len && s[i] != '\\') ||
		    (i + 1 < p->len && s[i + 1] != 'u'))
			return json_fail(p, i);
		if ((lo = json_hex4(s, p->len, i + 2, &bad)) < 0)
			return json_fail(p, bad);
		if (lo < 0xdc00 || lo > 0xdfff)
			return json_fail(p, i);
		i += 6;
	}
	return json_fail(p, p->len);
}

static int
json_isdigit(const struct json_parser *p, size_t i)
{
	return i < p->len && p->s[i] >= '0' && p->s[i] <= '9';
}

/* -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)? */
static int
json_number(struct json_parser *p)
{
	size_t	i = p->pos;
	int	t;

	if ((t = json_tok_new(p, JSON_NUMBER, i)) < 0)
		return t;
	if (p->s[i] == '-')
		i++;
	if (!json_isdigit(p, i))
		return json_fail(p, i);
	if (p->s[i++] != '0')
		while (json_isdigit(p, i))
			i++;
	if (i < p->len && p->s[i] == '.') {
		if (!json_isdigit(p, ++i))
			return json_fail(p, i);
		while (json_isdigit(p, i))
			i++;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (!json_isdigit(p, i))
			return json_fail(p, i);
		while (json_isdigit(p, i))
			i++;
	}
	p->toks[t].end = (unsigned)i;
	p->pos = i;
	return 0;
}

static int
json_literal(struct json_parser *p, enum json_type type, const char *word)
{
	size_t	i;
	int	t;

	if ((t = json_tok_new(p, type, p->pos)) < 0)
		return t;
	for (i = 0; word[i] != '\0'; i++)
		if (p->pos + i >= p->len || p->s[p->pos + i] != word[i])
			return json_fail(p, p->pos + i);
	p->pos += i;
	p->toks[t].end = (unsigned)p->pos;
	return 0;
}

/* At '{' or '['; depth counts the containers around this one. */
static int
json_container(struct json_parser *p, unsigned depth)
{
	enum json_type	type = p->s[p->pos] == '{' ? JSON_OBJECT : JSON_ARRAY;
	unsigned char	close = type == JSON_OBJECT ? '}' : ']', c;
	int		t, r;

	if (depth >= JSON_MAX_DEPTH) {
		p->err_off = p->pos;
		return JSON_ERR_DEPTH;
	}
	if ((t = json_tok_new(p, type, p->pos)) < 0)
		return t;
	p->pos++;
	for (;;) {
		json_skip_ws(p);
		/* Only an empty container closes before a value. */
		if (p->toks[t].size == 0 && p->pos < p->len &&
		    p->s[p->pos] == close) {
			p->pos++;
			break;
		}
		if (type == JSON_OBJECT) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return json_fail(p, p->pos);
			if ((r = json_string(p)) < 0)
				return r;
			json_skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return json_fail(p, p->pos);
			p->pos++;
		}
		if ((r = json_value(p, depth + 1)) < 0)
			return r;
		p->toks[t].size++;
		json_skip_ws(p);
		if (p->pos >= p->len)
			return json_fail(p, p->pos);
		c = p->s[p->pos++];
		if (c == close)
			break;
		if (c != ',')
			return json_fail(p, p->pos - 1);
	}
	p->toks[t].end = (unsigned)p->pos;
	p->toks[t].next = p->n;
	return 0;
}

static int
json_value(struct json_parser *p, unsigned depth)
{
	json_skip_ws(p);
	if (p->pos >= p->len)
		return json_fail(p, p->pos);
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		return json_container(p, depth);
	case '"':
		return json_string(p);
	case 't':
		return json_literal(p, JSON_TRUE, "true");
	case 'f':
		return json_literal(p, JSON_FALSE, "false");
	case 'n':
		return json_literal(p, JSON_NULL, "null");
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return json_number(p);
	default:
		return json_fail(p, p->pos);
	}
}

int
json_parse(const char *buf, size_t len, struct json_tok *toks,
    unsigned ntoks, size_t *ret_off)
{
	struct json_parser	p;
	int			r;

	if (len > UINT_MAX)
		return JSON_ERR_NOMEM;
	memset(&p, 0, sizeof(p));
	p.s = (const unsigned char *)buf;
	p.len = len;
	p.toks = toks;
	p.ntoks = ntoks > INT_MAX ? INT_MAX : ntoks;
	if ((r = json_value(&p, 0)) == 0) {
		json_skip_ws(&p);
		if (p.pos < p.len)
			r = json_fail(&p, p.pos);
	}
	if (r == 0)
		return (int)p.n;
	if (r != JSON_ERR_NOMEM && ret_off != NULL)
		*ret_off = p.err_off;
	return r;
}

const char *
json_strerror(int err)
{
	switch (err) {
	case JSON_ERR_SYNTAX:
		return "not valid JSON";
	case JSON_ERR_NOMEM:
		return "too many JSON values";
	case JSON_ERR_DEPTH:
		return "JSON nested too deep";
	default:
		return "unknown JSON error";
	}
}

/* ---- Lookups over the tokens ------------------------------------------ */

/* Writes code point cp as UTF-8 into u; a lone surrogate as U+FFFD. */
static int
json_utf8_put(long cp, unsigned char u[4])
{
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff) {
		memcpy(u, json_fffd, 3);
		return 3;
	}
	if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (unsigned char)(0xf0 | cp >> 18);
	u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	u[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decodes the character at s[*pos] of a string token ending at end into
 * u, advances *pos past it and returns its length in u (1 to 4).  The
 * parser checked the escapes; anything else is copied as it stands.
 */
static int
json_unescape(const unsigned char *s, unsigned *pos, unsigned end,
    unsigned char u[4])
{
	static const char	from[] = "bfnrt", to[] = "\b\f\n\r\t";
	const char		*e;
	unsigned		 i = *pos;
	size_t			 bad;
	long			 cp, lo;

	if (s[i] != '\\' || i + 1 >= end) {
		u[0] = s[i];
		*pos = i + 1;
		return 1;
	}
	if (s[i + 1] != 'u' || (cp = json_hex4(s, end, i + 2, &bad)) < 0) {
		e = s[i + 1] != '\0' ? strchr(from, s[i + 1]) : NULL;
		u[0] = e != NULL ? (unsigned char)to[e - from] : s[i + 1];
		*pos = i + 2;
		return 1;
	}
	i += 6;
	if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < end &&
	    s[i] == '\\' && s[i + 1] == 'u' &&
	    (lo = json_hex4(s, end, i + 2, &bad)) >= 0xdc00 && lo <= 0xdfff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		i += 6;
	}
	*pos = i;
	return json_utf8_put(cp, u);
}

int
json_get(const char *buf, const struct json_tok *toks, int ntoks, int obj,
    const char *key)
{
	unsigned	m;
	int		i;

	if (obj < 0 || obj >= ntoks || toks[obj].type != JSON_OBJECT)
		return -1;
	i = obj + 1;
	for (m = 0; m < toks[obj].size; m++) {
		if (i + 1 >= ntoks)
			return -1;
		if (json_streq(buf, &toks[i], key))
			return i + 1;
		i = (int)toks[i + 1].next;
	}
	return -1;
}

int
json_at(const struct json_tok *toks, int ntoks, int arr, unsigned i)
{
	int		v, is_obj;
	unsigned	k;

	if (arr < 0 || arr >= ntoks || (toks[arr].type != JSON_OBJECT &&
	    toks[arr].type != JSON_ARRAY) || i >= toks[arr].size)
		return -1;
	is_obj = toks[arr].type == JSON_OBJECT;
	v = arr + 1 + is_obj;			/* past the first key */
	for (k = 0; k < i; k++) {
		if (v >= ntoks)
			return -1;
		v = (int)toks[v].next + is_obj;
	}
	return v < ntoks ? v : -1;
}

int
json_int(const char *buf, const struct json_tok *t, int64_t *ret)
{
	const char	*p = buf + t->start, *e = buf + t->end;
	uint64_t	 v = 0, lim = INT64_MAX;
	unsigned	 d;
	int		 neg = 0;

	if (t->type != JSON_NUMBER)
		return -EINVAL;
	if (p < e && *p == '-') {
		neg = 1;
		lim = (uint64_t)INT64_MAX + 1;
		p++;
	}
	if (p == e)
		return -EINVAL;
	for (; p < e; p++) {
		if (*p == '.' || *p == 'e' || *p == 'E')
			return -ERANGE;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = (unsigned)(*p - '0');
		if (v > (lim - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	/* -(2^63) has no positive twin: negate v - 1. */
	*ret = neg && v > 0 ? -(int64_t)(v - 1) - 1 : (int64_t)v;
	return 0;
}

ssize_t
json_str(const char *buf, const struct json_tok *t, char *out,
    size_t outlen)
{
	const unsigned char	*s = (const unsigned char *)buf;
	unsigned char		 u[4];
	unsigned		 pos;
	size_t			 n = 0;
	int			 m;

	if (t->type != JSON_STRING)
		return -EINVAL;
	for (pos = t->start; pos < t->end; n += (size_t)m) {
		m = json_unescape(s, &pos, t->end, u);
		if (n + (size_t)m >= outlen) {
			if (outlen > 0)
				out[0] = '\0';
			return -ENOSPC;
		}
		memcpy(out + n, u, (size_t)m);
	}
	if (outlen == 0)
		return -ENOSPC;
	out[n] = '\0';
	return (ssize_t)n;
}

int
json_streq(const char *buf, const struct json_tok *t, const char *str)
{
	const unsigned char	*s = (const unsigned char *)buf;
	const unsigned char	*q = (const unsigned char *)str;
	unsigned char		 u[4];
	unsigned		 pos;
	int			 m, k;

	if (t->type != JSON_STRING)
		return 0;
	for (pos = t->start; pos < t->end;) {
		m = json_unescape(s, &pos, t->end, u);
		/* A "\u0000" meets str's NUL, which ends str: no match. */
		for (k = 0; k < m; k++, q++)
			if (*q == '\0' || *q != u[k])
				return 0;
	}
	return *q == '\0';
}

/* ---- The writer ------------------------------------------------------- */

void
jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
}

void
jw_reset(struct jw *w)
{
	char	*buf = w->buf;
	size_t	 cap = w->cap;

	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	if (buf != NULL)
		buf[0] = '\0';
}

void
jw_free(struct jw *w)
{
	if (w == NULL)
		return;
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/* Appends s[0..n) and keeps the text NUL-terminated. */
static void
jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->err != 0)
		return;
	if (n >= SIZE_MAX - w->len ||
	    grow_array((void **)&w->buf, &w->cap, w->len + n + 1, 1, 256)) {
		w->err = -ENOMEM;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void
jw_misuse(struct jw *w)
{
	if (w->err == 0)
		w->err = -EINVAL;
}

/*
 * Before any value: checks that one may stand here and writes the comma
 * before it.  Returns 0, or -1 when nothing must be written.
 */
static int
jw_value(struct jw *w)
{
	unsigned char	*top;

	if (w->err != 0)
		return -1;
	if (w->depth == 0) {
		if (w->done) {
			jw_misuse(w);
			return -1;
		}
		w->done = 1;
		return 0;
	}
	top = &w->open[w->depth - 1];
	if (*top & JW_OBJ) {
		if (!w->key) {
			jw_misuse(w);
			return -1;
		}
		w->key = 0;
		return 0;
	}
	if (*top & JW_MORE)
		jw_put(w, ",", 1);
	*top |= JW_MORE;
	return w->err != 0 ? -1 : 0;
}

/* The quoted, escaped string s[0..n), with no checks of the nesting. */
static void
jw_quote(struct jw *w, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, start, skip;
	char			 esc[8];
	int			 r;

	jw_put(w, "\"", 1);
	for (start = i = 0; i < n;) {
		if (u[i] >= 0x80) {
			if ((r = json_utf8(u + i, n - i)) > 0) {
				i += (size_t)r;
				continue;
			}
			/* The maximal ill-formed prefix, at least a byte. */
			skip = (size_t)(-1 - r);
			jw_put(w, s + start, i - start);
			jw_put(w, json_fffd, 3);
			i += skip > 0 ? skip : 1;
			start = i;
			continue;
		}
		if (u[i] >= 0x20 && u[i] != '"' && u[i] != '\\') {
			i++;
			continue;
		}
		jw_put(w, s + start, i - start);
		if (u[i] < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
			jw_put(w, esc, 6);
		} else {
			esc[0] = '\\';
			esc[1] = (char)u[i];
			jw_put(w, esc, 2);
		}
		start = ++i;
	}
	jw_put(w, s + start, i - start);
	jw_put(w, "\"", 1);
}

static void
jw_open(struct jw *w, unsigned char kind, const char *bracket)
{
	if (jw_value(w) != 0)
		return;
	if (w->depth == JSON_MAX_DEPTH) {
		jw_misuse(w);
		return;
	}
	jw_put(w, bracket, 1);
	w->open[w->depth++] = kind;
}

static void
jw_close(struct jw *w, unsigned char kind, const char *bracket)
{
	if (w->err != 0)
		return;
	if (w->depth == 0 || !(w->open[w->depth - 1] & kind) || w->key) {
		jw_misuse(w);
		return;
	}
	jw_put(w, bracket, 1);
	w->depth--;
}

void
jw_obj_open(struct jw *w)
{
	jw_open(w, JW_OBJ, "{");
}

void
jw_obj_close(struct jw *w)
{
	jw_close(w, JW_OBJ, "}");
}

void
jw_arr_open(struct jw *w)
{
	jw_open(w, JW_ARR, "[");
}

void
jw_arr_close(struct jw *w)
{
	jw_close(w, JW_ARR, "]");
}

void
jw_key(struct jw *w, const char *key)
{
	unsigned char	*top;

	if (w->err != 0)
		return;
	if (w->depth == 0 || !(w->open[w->depth - 1] & JW_OBJ) || w->key ||
	    key == NULL) {
		jw_misuse(w);
		return;
	}
	top = &w->open[w->depth - 1];
	if (*top & JW_MORE)
		jw_put(w, ",", 1);
	*top |= JW_MORE;
	jw_quote(w, key, strlen(key));
	jw_put(w, ":", 1);
	w->key = 1;
}

void
jw_str(struct jw *w, const char *s)
{
	if (s == NULL)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

void
jw_strn(struct jw *w, const char *s, size_t n)
{
	if (jw_value(w) == 0)
		jw_quote(w, s, n);
}

void
jw_int(struct jw *w, int64_t v)
{
	char	tmp[24];
	int	n;

	n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	if (jw_value(w) == 0)
		jw_put(w, tmp, (size_t)n);
}

void
jw_uint(struct jw *w, uint64_t v)
{
	char	tmp[24];
	int	n;

	n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	if (jw_value(w) == 0)
		jw_put(w, tmp, (size_t)n);
}

void
jw_double(struct jw *w, double v, int decimals)
{
	char	tmp[400];		/* DBL_MAX has 309 digits */
	int	i, j, n, point = 0;

	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 17)
		decimals = 17;
	n = snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
	/* The locale's decimal point, whatever its bytes, becomes '.'. */
	for (i = j = 0; i < n; i++) {
		if ((tmp[i] >= '0' && tmp[i] <= '9') || tmp[i] == '-')
			tmp[j++] = tmp[i];
		else if (!point++)
			tmp[j++] = '.';
	}
	if (jw_value(w) == 0)
		jw_put(w, tmp, (size_t)j);
}

void
jw_bool(struct jw *w, int v)
{
	if (jw_value(w) == 0)
		jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void
jw_null(struct jw *w)
{
	if (jw_value(w) == 0)
		jw_put(w, "null", 4);
}

void
jw_json(struct jw *w, const char *s, size_t n)
{
	struct json_tok	*t;
	size_t		 off = 0;
	int		 r = JSON_ERR_NOMEM;

	if ((t = calloc(JW_JSON_TOKS, sizeof(*t))) != NULL)
		r = json_parse(s, n, t, JW_JSON_TOKS, &off);
	free(t);
	if (r < 0)
		jw_strn(w, s, n);
	else if (jw_value(w) == 0)
		jw_put(w, s, n);
}

int
jw_finish(struct jw *w)
{
	if (w->err == 0 && (w->depth != 0 || w->key || !w->done))
		jw_misuse(w);
	return w->err;
}
