/*
 * zygopts.c: the table of the zygote's options (zygopts.h) and the three
 * things done with it: a flag's text into a field (the supervisor's
 * command line), the fields into PROTO_CONFIG's JSON, and that JSON back
 * into the fields (the zygote).  Every option is one row here: its name
 * (the flag's and the JSON key), kind, field, default, range and check.
 *
 * It knows nothing of sockets or of what an option means to the zygote.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accessfmt.h"
#include "json.h"
#include "log.h"
#include "proto.h"
#include "zygopts.h"

/* The enums are read and written as unsigned, their type under GCC. */
_Static_assert(sizeof(enum seal_mode) == sizeof(unsigned), "seal_mode");
_Static_assert(sizeof(enum pack_mode) == sizeof(unsigned), "pack_mode");
_Static_assert(sizeof(enum cow_mode) == sizeof(unsigned), "cow_mode");
_Static_assert(sizeof(pid_t) == sizeof(int), "pid_t");

/* Tokens enough for every row and a full list, and some to spare. */
#define ZYGOPTS_TOKS	(4 * ZYGOPTS_MAX_ROWS + 2 * ZYGOPTS_MAX_PYPATHS)

#define ZYGOPTS_STR_(x)	#x
#define ZYGOPTS_STR(x)	ZYGOPTS_STR_(x)

static const char *const seal_names[] = {
	[SEAL_AUTO] =	"auto",
	[SEAL_NONE] =	"none",
	[SEAL_FREEZE] =	"freeze",
	[SEAL_FULL] =	"full",
	NULL
};

static const char *const pack_names[] = {
	[PACK_AUTO] =	"auto",
	[PACK_ON] =	"on",
	[PACK_OFF] =	"off",
	NULL
};

static const char *const onoff_names[] = { "off", "on", NULL };
static const char *const sandbox_names[] = {
	[SANDBOX_OFF] =		"off",
	[SANDBOX_DEFAULT] =	"default",
	[SANDBOX_STRICT] =	"strict",
	NULL
};

/* --forwarded-allow-ips: one word, "*" or addresses and commas. */
static int
zygopts_check_word(const char *s, char *why, size_t len)
{
	(void)why;
	(void)len;
	if (*s == '\0' || strchr(s, ' ') != NULL)
		return -EINVAL;
	return 0;
}

static int
zygopts_check_nonempty(const char *s, char *why, size_t len)
{
	(void)why;
	(void)len;
	return *s == '\0' ? -EINVAL : 0;
}

static int
zygopts_check_level(const char *s, char *why, size_t len)
{
	enum log_level	level;

	(void)why;
	(void)len;
	return log_parse_level(s, &level) != 0 ? -EINVAL : 0;
}

/* "auto" names the seal's default on the wire; the flag picks a seal. */
static int
zygopts_check_seal(const char *s, char *why, size_t len)
{
	(void)why;
	(void)len;
	return strcmp(s, "auto") == 0 ? -EINVAL : 0;
}

/* Compiled once here to refuse it now, not in every worker. */
static int
zygopts_check_access_format(const char *s, char *why, size_t len)
{
	struct accessfmt	*af;
	int			 r;

	if ((r = accessfmt_compile(s, &af, why, len)) == -ENOMEM)
		snprintf(why, len, "out of memory");
	if (r != 0)
		return -EINVAL;
	accessfmt_free(af);
	return 0;
}

#define ROW(n, k, f)	.name = (n), .kind = (k), \
			.off = offsetof(struct zygopts, f)
#define RANGE(d, lo, hi) .def = (d), .min = (lo), .max = (hi)

/*
 * The one table.  Its order is the JSON's; the flags' help text is
 * config_usage()'s (server/config.c).
 */
static const struct zygopt zygopts_table[] = {
	{ ROW("app", ZYGOPT_STR, app) },
	{ ROW("chdir", ZYGOPT_STR, chdir) },
	{ ROW("pythonpath", ZYGOPT_LIST, pythonpath),
	  .count = offsetof(struct zygopts, npythonpath),
	  .max = ZYGOPTS_MAX_PYPATHS,
	  .want = "want at most " ZYGOPTS_STR(ZYGOPTS_MAX_PYPATHS)
	      " directories" },
	{ ROW("graceful-timeout", ZYGOPT_UINT, graceful_timeout),
	  RANGE(30, 0, 86400), .want = "want seconds 0..86400" },
	{ ROW("keep-alive", ZYGOPT_U64, http.keepalive),
	  RANGE(5, 0, 3600), .want = "want seconds 0..3600" },
	{ ROW("limit-request-line", ZYGOPT_U64, http.max_line),
	  RANGE(8192, 64, 1 << 20), .want = "want bytes 64..1048576" },
	{ ROW("limit-request-field_size", ZYGOPT_U64, http.max_field),
	  .alias = "limit-request-field-size",
	  RANGE(8192, 64, 1 << 20), .want = "want bytes 64..1048576" },
	{ ROW("limit-request-fields", ZYGOPT_U64, http.max_fields),
	  RANGE(100, 1, 100), .want = "want 1..100" },
	{ ROW("limit-request-head", ZYGOPT_U64, http.max_head),
	  RANGE(65536, 256, 1 << 24), .want = "want bytes 256..16777216" },
	{ ROW("limit-request-body", ZYGOPT_U64, http.max_body),
	  RANGE(16 << 20, 0, UINT64_C(1) << 40), .want = "want bytes" },
	{ ROW("header-timeout", ZYGOPT_U64, http.header_timeout),
	  RANGE(20, 1, 3600), .want = "want seconds 1..3600" },
	{ ROW("body-timeout", ZYGOPT_U64, http.body_timeout),
	  RANGE(30, 1, 3600), .want = "want seconds 1..3600" },
	{ ROW("max-keepalive-requests", ZYGOPT_U64, http.max_requests),
	  RANGE(1000, 1, 1000000), .want = "want 1..1000000" },
	{ ROW("park-after", ZYGOPT_U64, http.park_after),
	  RANGE(5, 0, 60000), .want = "want ms 0..60000" },
	/* gunicorn's default; config.c takes FORWARDED_ALLOW_IPS over it. */
	{ ROW("forwarded-allow-ips", ZYGOPT_STR, forwarded_allow_ips),
	  .sdef = "127.0.0.1,::1", .check = zygopts_check_word,
	  .want = "want '*' or addresses separated by commas" },
	{ ROW("log-level", ZYGOPT_STR, log_level), .sdef = "info",
	  .check = zygopts_check_level,
	  .want = "want error, warning, info or debug" },
	{ ROW("seal", ZYGOPT_ENUM, seal), .names = seal_names,
	  .def = SEAL_AUTO, .check = zygopts_check_seal,
	  .want = "want none, freeze or full" },
	{ ROW("warmup", ZYGOPT_STR, warmup) },
	{ ROW("warmup-rounds", ZYGOPT_UINT, warmup_rounds),
	  RANGE(2, 1, 100000), .want = "want 1..100000" },
	{ ROW("warmup-time", ZYGOPT_UINT, warmup_time),
	  RANGE(30, 0, 86400), .want = "want seconds 0..86400" },
	{ ROW("warmup-strict", ZYGOPT_BOOL, warmup_strict) },
	{ ROW("ksm", ZYGOPT_BOOL, ksm) },
	{ ROW("pack-code", ZYGOPT_ENUM, pack_code), .names = pack_names,
	  .def = PACK_AUTO, .want = "want auto, on or off" },
	{ ROW("fill-holes", ZYGOPT_ENUM, fill_holes), .names = onoff_names,
	  .def = 1, .want = "want on or off" },
	{ ROW("seccomp", ZYGOPT_ENUM, seccomp), .names = sandbox_names,
	  .def = SANDBOX_DEFAULT, .want = "want default, strict or off" },
	{ ROW("watch-types", ZYGOPT_BOOL, watch_types) },
	{ ROW("cow", ZYGOPT_ENUM, cow), .names = cow_mode_names,
	  .def = COW_COUNT, .want = "want off, count or attribute" },
	{ ROW("access-log", ZYGOPT_STR, access_log), .alias = "access-logfile",
	  .check = zygopts_check_nonempty, .want = "want a file name or -" },
	{ ROW("access-log-format", ZYGOPT_STR, access_log_format),
	  .alias = "access-logformat", .check = zygopts_check_access_format },

	{ ROW("listeners", ZYGOPT_UINT, nlisten), .flags = ZYGOPT_START,
	  RANGE(0, 0, UINT_MAX) },
	{ ROW("supervisor-pid", ZYGOPT_PID, supervisor), .flags = ZYGOPT_START,
	  RANGE(0, 0, INT_MAX) },
	{ ROW("generation", ZYGOPT_UINT, generation), .flags = ZYGOPT_START,
	  RANGE(0, 0, UINT_MAX) },
	{ ROW("cow-ranges", ZYGOPT_STR, cow_ranges), .flags = ZYGOPT_START },
	{ ROW("cow-index", ZYGOPT_STR, cow_index), .flags = ZYGOPT_START },
};

#define ZYGOPTS_NROWS	(sizeof(zygopts_table) / sizeof(zygopts_table[0]))
_Static_assert(ZYGOPTS_NROWS <= ZYGOPTS_MAX_ROWS, "ZYGOPTS_MAX_ROWS");

const struct zygopt *
zygopts_row(size_t i)
{
	return i < ZYGOPTS_NROWS ? &zygopts_table[i] : NULL;
}

const struct zygopt *
zygopts_find(const char *name)
{
	size_t	i;

	for (i = 0; i < ZYGOPTS_NROWS; i++)
		if (strcmp(zygopts_table[i].name, name) == 0 ||
		    (zygopts_table[i].alias != NULL &&
		    strcmp(zygopts_table[i].alias, name) == 0))
			return &zygopts_table[i];
	return NULL;
}

static void *
zygopts_field(const struct zygopts *o, const struct zygopt *row)
{
	return (char *)o + row->off;
}

/*
 * Numbers, bools and enums, whatever their C type, as one uint64_t
 * (none is negative: a pid is checked for 0..INT_MAX).
 */
static uint64_t
zygopts_get(const struct zygopts *o, const struct zygopt *row)
{
	const void	*p = zygopts_field(o, row);

	switch (row->kind) {
	case ZYGOPT_U64:
		return *(const uint64_t *)p;
	case ZYGOPT_PID:
	case ZYGOPT_BOOL:
		return (uint64_t)*(const int *)p;
	default:
		return *(const unsigned *)p;
	}
}

static void
zygopts_put(struct zygopts *o, const struct zygopt *row, uint64_t v)
{
	void	*p = zygopts_field(o, row);

	switch (row->kind) {
	case ZYGOPT_U64:
		*(uint64_t *)p = v;
		break;
	case ZYGOPT_PID:
	case ZYGOPT_BOOL:
		*(int *)p = (int)v;
		break;
	default:
		*(unsigned *)p = (unsigned)v;
	}
}

static const char **
zygopts_str(struct zygopts *o, const struct zygopt *row)
{
	return zygopts_field(o, row);
}

static size_t *
zygopts_count(struct zygopts *o, const struct zygopt *row)
{
	return (size_t *)((char *)o + row->count);
}

/* Sets *ret to the value of name s in row's names; 0 or -EINVAL. */
static int
zygopts_enum(const struct zygopt *row, const char *s, uint64_t *ret)
{
	uint64_t	i;

	for (i = 0; row->names[i] != NULL; i++)
		if (strcmp(row->names[i], s) == 0) {
			*ret = i;
			return 0;
		}
	return -EINVAL;
}

void
zygopts_init(struct zygopts *o)
{
	size_t	i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < ZYGOPTS_NROWS; i++) {
		if (zygopts_table[i].kind == ZYGOPT_STR)
			*zygopts_str(o, &zygopts_table[i]) =
			    zygopts_table[i].sdef;
		else if (zygopts_table[i].kind != ZYGOPT_LIST)
			zygopts_put(o, &zygopts_table[i], zygopts_table[i].def);
	}
}

/* ---- A flag's text ---------------------------------------------------- */

/*
 * "--name: why" when there is a why, else "--name text: want", the text
 * left out when empty.  Returns -EINVAL.
 */
static int
zygopts_refuse(const struct zygopt *row, const char *text, const char *why,
    char *err, size_t errlen)
{
	const char	*want = row->want != NULL ? row->want : "refused";

	if (why[0] != '\0')
		snprintf(err, errlen, "--%s: %s", row->name, why);
	else if (text == NULL || *text == '\0')
		snprintf(err, errlen, "--%s: %s", row->name, want);
	else
		snprintf(err, errlen, "--%s %s: %s", row->name, text, want);
	return -EINVAL;
}

int
zygopts_number(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	char			*end;
	unsigned long long	 v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* Appends text's items, separated by commas (empty ones skipped). */
static int
zygopts_set_list(struct zygopts *o, const struct zygopt *row, char *text)
{
	const char	**list = zygopts_str(o, row);
	size_t		 *n = zygopts_count(o, row), items = 0;
	char		 *p, *save = NULL;

	for (p = text; *p != '\0'; p++)
		if (*p != ',' && (p == text || p[-1] == ','))
			items++;
	if (*n + items > (size_t)row->max)
		return -EINVAL;
	for (p = strtok_r(text, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		list[(*n)++] = p;
	return 0;
}

int
zygopts_set(struct zygopts *o, const char *name, char *text, char *err,
    size_t errlen)
{
	const struct zygopt	*row = zygopts_find(name);
	char			 why[200] = "";
	uint64_t		 v = 1;
	int			 r;

	if (row == NULL || (row->flags & ZYGOPT_START))
		return -ENOENT;
	if (row->kind != ZYGOPT_BOOL && text == NULL)
		return zygopts_refuse(row, text, "needs a value", err, errlen);
	if (text != NULL && !json_utf8_valid(text, strlen(text)))
		return zygopts_refuse(row, text, "not UTF-8 text, which the "
		    "zygote's options must be", err, errlen);
	if (row->check != NULL && row->check(text, why, sizeof(why)) != 0)
		return zygopts_refuse(row, text, why, err, errlen);
	why[0] = '\0';
	switch (row->kind) {
	case ZYGOPT_STR:
		*zygopts_str(o, row) = text;
		return 0;
	case ZYGOPT_LIST:
		r = zygopts_set_list(o, row, text);
		break;
	case ZYGOPT_ENUM:
		r = zygopts_enum(row, text, &v);
		break;
	case ZYGOPT_BOOL:
		if (text != NULL)
			return zygopts_refuse(row, text, "takes no value", err,
			    errlen);
		r = 0;
		break;
	default:
		r = zygopts_number(text, row->min, row->max, &v);
	}
	if (r != 0)
		return zygopts_refuse(row, text, why, err, errlen);
	if (row->kind != ZYGOPT_LIST)
		zygopts_put(o, row, v);
	return 0;
}

/* ---- PROTO_CONFIG's JSON ---------------------------------------------- */

/* 1 if every string of o is UTF-8, which JSON carries unchanged. */
static int
zygopts_utf8(const struct zygopts *o)
{
	const struct zygopt	*row;
	const char *const	*s;
	size_t			 i, k, n;

	for (i = 0; i < ZYGOPTS_NROWS; i++) {
		row = &zygopts_table[i];
		if (row->kind != ZYGOPT_STR && row->kind != ZYGOPT_LIST)
			continue;
		s = zygopts_field(o, row);
		n = row->kind == ZYGOPT_STR ? 1 :
		    *(const size_t *)((const char *)o + row->count);
		for (k = 0; k < n; k++)
			if (s[k] != NULL && !json_utf8_valid(s[k],
			    strlen(s[k])))
				return 0;
	}
	return 1;
}

static void
zygopts_write(struct jw *w, const struct zygopt *row, const struct zygopts *o)
{
	const char *const	*s = zygopts_field(o, row);
	size_t			 i, n;

	jw_key(w, row->name);
	switch (row->kind) {
	case ZYGOPT_STR:
		jw_str(w, *s);
		break;
	case ZYGOPT_LIST:
		n = *(const size_t *)((const char *)o + row->count);
		jw_arr_open(w);
		for (i = 0; i < n; i++)
			jw_str(w, s[i]);
		jw_arr_close(w);
		break;
	case ZYGOPT_BOOL:
		jw_bool(w, zygopts_get(o, row) != 0);
		break;
	case ZYGOPT_ENUM:
		/* A value with no name is null, which decode refuses. */
		for (i = 0; row->names[i] != NULL; i++)
			if (i == zygopts_get(o, row))
				break;
		jw_str(w, row->names[i]);
		break;
	default:
		jw_uint(w, zygopts_get(o, row));
	}
}

int
zygopts_encode(const struct zygopts *o, struct proto_msg *m)
{
	struct jw	w;
	size_t		i;
	int		r;

	/* Not replaced by U+FFFD: a path must arrive as it is, or not. */
	if (!zygopts_utf8(o))
		return -EILSEQ;
	jw_init(&w);
	jw_obj_open(&w);
	for (i = 0; i < ZYGOPTS_NROWS; i++)
		zygopts_write(&w, &zygopts_table[i], o);
	jw_obj_close(&w);
	if ((r = jw_finish(&w)) == 0 && w.len > PROTO_PAYLOAD_MAX)
		r = -EMSGSIZE;
	if (r == 0) {
		proto_init(m, PROTO_CONFIG);
		m->generation = o->generation;
		memcpy(m->payload, w.buf, w.len + 1);
		m->len = (uint16_t)w.len;
	}
	jw_free(&w);
	return r;
}

/* What a row's value must be, for decode's refusals. */
static const char *
zygopts_kind_want(const struct zygopt *row, char *buf, size_t len)
{
	size_t	i, n = 0;

	switch (row->kind) {
	case ZYGOPT_STR:
		return "a string or null";
	case ZYGOPT_LIST:
		snprintf(buf, len, "an array of at most %llu strings",
		    (unsigned long long)row->max);
		return buf;
	case ZYGOPT_BOOL:
		return "true or false";
	case ZYGOPT_ENUM:
		n = (size_t)snprintf(buf, len, "one of");
		for (i = 0; row->names[i] != NULL && n < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%s \"%s\"",
			    i > 0 ? "," : "", row->names[i]);
		return buf;
	default:
		snprintf(buf, len, "an integer %llu..%llu",
		    (unsigned long long)row->min,
		    (unsigned long long)row->max);
		return buf;
	}
}

/* What decode works with: the text, its tokens, the strings' room. */
struct zygopts_in {
	const char		*buf;
	const struct json_tok	*toks;
	int			 ntoks;
	char			*mem;
	size_t			 used, cap;
};

/* Copies string token t into the room; NULL if it holds a NUL. */
static const char *
zygopts_take(struct zygopts_in *in, const struct json_tok *t)
{
	char	*s = in->mem + in->used;
	ssize_t	 n;

	n = json_str(in->buf, t, s, in->cap - in->used);
	if (n < 0 || strlen(s) != (size_t)n)
		return NULL;
	in->used += (size_t)n + 1;
	return s;
}

/* Reads the value at token v into row's field of o; 0 or -EINVAL. */
static int
zygopts_read(struct zygopts_in *in, const struct zygopt *row, int v,
    struct zygopts *o)
{
	const struct json_tok	*t = &in->toks[v];
	const char		**s = zygopts_str(o, row);
	char			  name[64];
	int64_t			  n;
	uint64_t		  x;
	unsigned		  i;
	int			  e;

	switch (row->kind) {
	case ZYGOPT_STR:
		if (t->type == JSON_NULL) {
			*s = NULL;
			return 0;
		}
		return t->type == JSON_STRING &&
		    (*s = zygopts_take(in, t)) != NULL ? 0 : -EINVAL;
	case ZYGOPT_LIST:
		if (t->type != JSON_ARRAY || t->size > (unsigned)row->max)
			return -EINVAL;
		for (i = 0; i < t->size; i++) {
			e = json_at(in->toks, in->ntoks, v, i);
			if (e < 0 || in->toks[e].type != JSON_STRING ||
			    (s[i] = zygopts_take(in, &in->toks[e])) == NULL)
				return -EINVAL;
		}
		*zygopts_count(o, row) = t->size;
		return 0;
	case ZYGOPT_BOOL:
		if (t->type != JSON_TRUE && t->type != JSON_FALSE)
			return -EINVAL;
		x = t->type == JSON_TRUE;
		break;
	case ZYGOPT_ENUM:
		if (json_str(in->buf, t, name, sizeof(name)) < 0 ||
		    zygopts_enum(row, name, &x) != 0)
			return -EINVAL;
		break;
	default:
		if (json_int(in->buf, t, &n) != 0 || n < 0 ||
		    (uint64_t)n < row->min || (uint64_t)n > row->max)
			return -EINVAL;
		x = (uint64_t)n;
	}
	zygopts_put(o, row, x);
	return 0;
}

int
zygopts_decode(const char *payload, size_t len, struct zygopts *ret,
    char *err, size_t errlen)
{
	struct json_tok		 toks[ZYGOPTS_TOKS];
	struct zygopts_in	 in;
	struct zygopts		 o;
	const struct zygopt	*row;
	uint64_t		 seen = 0;
	char			 key[64], want[128];
	size_t			 off = 0, r;
	unsigned		 m;
	int			 n, k, v;

	n = json_parse(payload, len, toks, ZYGOPTS_TOKS, &off);
	if (n < 0) {
		snprintf(err, errlen, "%s (at byte %zu)", json_strerror(n),
		    off);
		return -EINVAL;
	}
	if (toks[0].type != JSON_OBJECT) {
		snprintf(err, errlen, "not a JSON object");
		return -EINVAL;
	}
	/* Unescaped strings and their NULs take no more than their text. */
	memset(&in, 0, sizeof(in));
	in.buf = payload;
	in.toks = toks;
	in.ntoks = n;
	in.cap = len + 1;
	if ((in.mem = malloc(in.cap)) == NULL)
		return -ENOMEM;
	zygopts_init(&o);
	for (m = 0; m < toks[0].size; m++) {
		if ((v = json_at(toks, n, 0, m)) < 1)
			break;		/* not after a successful parse */
		k = v - 1;
		if (json_str(payload, &toks[k], key, sizeof(key)) < 0)
			snprintf(key, sizeof(key), "(a long key)");
		for (r = 0; r < ZYGOPTS_NROWS; r++)
			if (json_streq(payload, &toks[k],
			    zygopts_table[r].name))
				break;
		if (r == ZYGOPTS_NROWS) {
			snprintf(err, errlen, "unknown option \"%s\"", key);
			goto fail;
		}
		row = &zygopts_table[r];
		if (seen & (UINT64_C(1) << r)) {
			snprintf(err, errlen, "option \"%s\" given twice", key);
			goto fail;
		}
		seen |= UINT64_C(1) << r;
		if (zygopts_read(&in, row, v, &o) != 0) {
			snprintf(err, errlen, "option \"%s\": want %s", key,
			    zygopts_kind_want(row, want, sizeof(want)));
			goto fail;
		}
	}
	o.mem = in.mem;
	*ret = o;
	return 0;
 fail:
	free(in.mem);
	return -EINVAL;
}

void
zygopts_free(struct zygopts *o)
{
	if (o == NULL)
		return;
	free(o->mem);
	o->mem = NULL;
}
