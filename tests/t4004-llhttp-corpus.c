/*
 * t4004-llhttp-corpus.c: http/http_parse.c against llhttp's request
 * test vectors, read at run time from the shared corpus (llhttp 9.4.2,
 * test/request/NAME.md; see ../shared/corpus/README.md).  Nothing of
 * llhttp is copied here: the inputs and the expected traces are read from
 * $FORKD_CORPUS/llhttp, else from ../shared/corpus/llhttp beside the
 * repository, and the test skips when neither exists.
 *
 * Each markdown case gives an input (an ```http block, decoded the way
 * llhttp's test/md-test.ts does) and llhttp's trace of it (a ```log
 * block).  The trace is turned into a verdict: the messages llhttp
 * completed (method, URL, version, header fields, body), then how it
 * stopped (end of input between messages, in the middle of a head or a
 * body, an error, "data after Connection: close", or an upgrade).  The
 * input is walked the way http/http_conn.c walks a connection:
 * http_parse_request() on the head, Content-Length or
 * http_chunked_decode() for the body, the next pipelined request after
 * it, and nothing after a request that does not keep the connection
 * alive.  The two verdicts must agree; for the request-lenient-* types,
 * forkd must instead refuse (or close on) what llhttp accepts only with
 * a leniency flag.  An HTTP/1.1 request without Host is also walked with
 * "Host: forkd.invalid" inserted after its request line, so that forkd's
 * Host rule does not hide the rest of the parse.
 *
 * Every disagreement is listed in known[] below and explained in
 * doc/llhttp-disagreements.md; an unlisted one fails, and so does a
 * listed one that changed or went away.  Every input is also walked one
 * byte at a time and in a few random splits (fixed seed), which must give
 * exactly the same verdict.  Parser inputs end right before a PROT_NONE
 * page, so a read past the end crashes.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <strings.h>
#include <unistd.h>

#include "http_parse.h"
#include "tap.h"

#define ROOM		(1u << 20)	/* bytes before the guard page */
#define MAXMSG		8		/* messages per input */
#define MAXHDR		128		/* header fields per message */
#define NRANDOM		4		/* random splits per input */
/* The Host field inserted where an HTTP/1.1 request has none. */
#define HOST_VALUE	"forkd.invalid"
#define HOST_LINE	"Host: " HOST_VALUE "\r\n"

/* A growing, always NUL-terminated byte string. */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

/* One request as either parser saw it, before canonical form. */
struct msgb {
	struct sbuf	 method;
	struct sbuf	 url;
	struct sbuf	 proto;
	struct sbuf	 version;
	struct sbuf	 name[MAXHDR];
	struct sbuf	 value[MAXHDR];
	size_t		 nh;
	int		 too_many;
	struct sbuf	 body;
};

/* How a walk over an input stopped. */
enum {
	T_END,			/* input ends between requests */
	T_PARTIAL_HEAD,		/* input ends inside a head */
	T_PARTIAL_BODY,		/* input ends inside a body */
	T_REJECT,		/* a parse error */
	T_CLOSE,		/* bytes after a request that closes */
	T_UPGRADE,		/* llhttp hands the connection over */
	T_HARNESS,		/* this test could not judge */
};

struct outcome {
	struct sbuf	 msg[MAXMSG + 1];	/* [nmsg]: partial */
	size_t		 head_end[MAXMSG + 1];	/* offsets */
	size_t		 end[MAXMSG];
	size_t		 nmsg;
	int		 term;
	int		 status;	/* forkd's status for T_REJECT */
	int		 in_body;	/* that T_REJECT was in a body */
	char		 err[160];	/* T_HARNESS: why */
};

/* One markdown section. */
struct tcase {
	const char	*file;
	char		*raw;		/* the heading */
	char		*name;		/* raw, plus " #N" if repeated */
	char		*type;		/* meta "type" */
	unsigned char	*in;
	size_t		 in_len;
	char		*log;
	size_t		 log_len;
	char		 err[160];	/* set when unusable */
};

/*
 * Where forkd and llhttp disagree on purpose.  forkd is forkd's verdict on
 * the input as written; forkd_host the verdict with Host inserted, NULL
 * when forkd then agrees (or when nothing is inserted).  why is the short
 * form of the reason given in doc/llhttp-disagreements.md.
 */
struct known {
	const char	*file;
	const char	*name;
	const char	*forkd;
	const char	*forkd_host;
	const char	*why;
};

/* The reasons, each a section of doc/llhttp-disagreements.md. */
#define HOST		"Host required on HTTP/1.1"
#define UPGRADE		"Upgrade not supported"
#define CONNECT		"CONNECT refused (501)"
#define METHOD		"forkd accepts any token method"
#define PROTOCOL	"forkd refuses RTSP/ICE protocols"
#define ASTERISK	"asterisk-form only for OPTIONS"
#define PRI		"no HTTP/2 preface (PRI *)"
#define HTTP09		"no HTTP/0.9"
#define CODING		"no coding but chunked (501)"
#define USERINFO	"no userinfo in the target"
#define SKIPBODY	"skipBody is a callback option"
#define VERSION_EOF	"input ends mid-request (505 at CRLF)"
#define WITH_HOST	"; with Host: "
#define R400		"0 msg; reject 400"

static const struct known known[] = {
	{ "connection.md", "Setting flag",
	    R400, NULL, HOST },
	{ "connection.md", "Restarting when keep-alive is explicitly",
	    R400, NULL, HOST },
	{ "connection.md", "Setting flag on `close`",
	    R400, NULL, HOST },
	{ "connection.md", "Setting flag on `close` followed by tab",
	    R400, NULL, HOST },
	{ "connection.md", "Sample",
	    R400, NULL, HOST },
	{ "connection.md", "Multiple tokens with folding and LWS",
	    R400, "1 msg; reject 400", HOST WITH_HOST UPGRADE },
	{ "connection.md", "Setting a flag and pausing",
	    R400, "1 msg; end", HOST WITH_HOST UPGRADE },
	{ "connection.md", "Emitting part of body and pausing",
	    R400, "1 msg; partial head", HOST WITH_HOST UPGRADE },
	{ "connection.md", "Upgrade GET request",
	    "1 msg; reject 400", NULL, UPGRADE },
	{ "connection.md", "Upgrade POST request",
	    "1 msg; reject 400", NULL, UPGRADE },
	{ "content-length.md", "`Content-Length` with zeroes",
	    R400, NULL, HOST },
	{ "content-length.md", "`Content-Length` with follow-up headers",
	    R400, NULL, HOST },
	{ "content-length.md", "Spaces in `Content-Length` (surrounding)",
	    R400, NULL, HOST },
	{ "content-length.md", "Tabs in `Content-Length` (surrounding)",
	    R400, NULL, HOST },
	{ "content-length.md", "Content-Length reset when no body is received",
	    R400, "0 msg; partial body",
	    HOST WITH_HOST SKIPBODY },
	{ "finish.md", "It should be safe to finish after GET request",
	    R400, NULL, HOST },
	{ "invalid.md", "HTTP protocol and ANNOUNCE method",
	    "1 msg; end", NULL, METHOD },
	{ "invalid.md", "Invalid method",
	    NULL, "1 msg; end", "with Host: " METHOD },
	{ "invalid.md", "Invalid HTTP version",
	    "0 msg; partial head", NULL, VERSION_EOF },
	{ "method.md", "REPORT request",
	    R400, NULL, HOST },
	{ "method.md", "CONNECT request",
	    "0 msg; reject 501", NULL, CONNECT },
	{ "method.md", "CONNECT request with CAPS",
	    "0 msg; reject 501", NULL, CONNECT },
	{ "method.md", "CONNECT with body",
	    "0 msg; reject 501", NULL, CONNECT },
	{ "method.md", "M-SEARCH request",
	    R400, NULL, ASTERISK },
	{ "method.md", "SOURCE request with ICE",
	    R400, NULL, PROTOCOL },
	{ "method.md", "OPTIONS request with RTSP",
	    R400, NULL, PROTOCOL },
	{ "method.md", "ANNOUNCE request with RTSP",
	    R400, NULL, PROTOCOL },
	{ "method.md", "PRI request HTTP2",
	    R400, R400, PRI },
	{ "pausing.md", "on_message_begin",
	    R400, NULL, HOST },
	{ "pausing.md", "on_message_complete",
	    R400, NULL, HOST },
	{ "pausing.md", "on_protocol_complete",
	    R400, NULL, HOST },
	{ "pausing.md", "on_method_complete",
	    R400, NULL, HOST },
	{ "pausing.md", "on_url_complete",
	    R400, NULL, HOST },
	{ "pausing.md", "on_version_complete",
	    R400, NULL, HOST },
	{ "pausing.md", "on_header_field_complete",
	    R400, NULL, HOST },
	{ "pausing.md", "on_header_value_complete",
	    R400, NULL, HOST },
	{ "pausing.md", "on_headers_complete",
	    R400, NULL, HOST },
	{ "pausing.md", "on_chunk_header",
	    R400, NULL, HOST },
	{ "pausing.md", "on_chunk_extension_name",
	    R400, NULL, HOST },
	{ "pausing.md", "on_chunk_extension_value",
	    R400, NULL, HOST },
	{ "pausing.md", "on_chunk_complete",
	    R400, NULL, HOST },
	{ "pipelining.md", "Should parse multiple events",
	    R400, NULL, HOST },
	{ "sample.md", "Simple request",
	    R400, NULL, HOST },
	{ "sample.md", "Request with method starting with `H`",
	    R400, NULL, HOST },
	{ "sample.md", "DUMBPACK",
	    R400, NULL, HOST },
	{ "sample.md", "No headers and no body",
	    R400, NULL, HOST },
	{ "sample.md", "One header and no body",
	    R400, NULL, HOST },
	{ "sample.md", "Prefix newline",
	    R400, NULL, HOST },
	{ "sample.md", "No HTTP version",
	    R400, NULL, HTTP09 },
	{ "sample.md", "Request starting with CRLF",
	    R400, NULL, HOST },
	{ "sample.md", "Extended Characters",
	    R400, NULL, HOST },
	{ "sample.md", "255 ASCII in header value",
	    R400, NULL, HOST },
	{ "transfer-encoding.md", "Parsing and setting flag",
	    R400, NULL, HOST },
	{ "transfer-encoding.md", "Parse chunks with lowercase size",
	    R400, NULL, HOST },
	{ "transfer-encoding.md", "Parse chunks with uppercase size",
	    R400, NULL, HOST },
	{ "transfer-encoding.md", "POST with `Transfer-Encoding: chunked`",
	    R400, NULL, HOST },
	{ "transfer-encoding.md",
	    "Two chunks and triple zero prefixed end chunk",
	    R400, NULL, HOST },
	{ "transfer-encoding.md", "Trailing headers",
	    R400, NULL, HOST },
	{ "transfer-encoding.md", "Chunk extensions",
	    R400, NULL, HOST },
	{ "transfer-encoding.md", "Chunk extensions quoting",
	    R400, NULL, HOST },
	{ "transfer-encoding.md",
	    "POST with `chunked` as last transfer-encoding",
	    R400, "0 msg; reject 501", HOST WITH_HOST CODING },
	{ "transfer-encoding.md",
	    "POST with `chunked` as last transfer-encoding (multiple headers)",
	    R400, "0 msg; reject 501", HOST WITH_HOST CODING },
	{ "uri.md", "Quotes in URI",
	    R400, NULL, HOST },
	{ "uri.md", "Query URL with question mark",
	    R400, NULL, HOST },
	{ "uri.md", "Host terminated by a query string",
	    R400, NULL, HOST },
	{ "uri.md", "`host:port` terminated by a query string",
	    R400, NULL, HOST },
	{ "uri.md", "Query URL with vertical bar character",
	    R400, NULL, HOST },
	{ "uri.md", "`host:port` terminated by a space",
	    R400, NULL, HOST },
	{ "uri.md", "Fragment in URI",
	    R400, NULL, HOST },
	{ "uri.md", "Underscore in hostname",
	    "0 msg; reject 501", NULL, CONNECT },
	{ "uri.md", "`host:port` and basic auth",
	    R400, R400, HOST WITH_HOST USERINFO },
};
#define NKNOWN	(sizeof(known) / sizeof(known[0]))

static char		*guard;		/* the PROT_NONE page */
static const char	*show;		/* $FORKD_CORPUS_SHOW */
static struct msgb	 fm;		/* the request forkd is walking */
static struct msgb	 lm;		/* llhttp's current request */
static int		 known_used[NKNOWN];

static void
oom(void)
{
	printf("Bail out! out of memory\n");
	exit(1);
}

static void
sb_grow(struct sbuf *b, size_t n)
{
	size_t	cap;

	if (b->p != NULL && b->len + n + 1 <= b->cap)
		return;
	for (cap = b->cap ? b->cap : 64; cap < b->len + n + 1; cap *= 2)
		;
	if ((b->p = realloc(b->p, cap)) == NULL)
		oom();
	b->cap = cap;
}

static void
sb_add(struct sbuf *b, const void *p, size_t n)
{
	sb_grow(b, n);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void
sb_addc(struct sbuf *b, int c)
{
	char	ch = (char)c;

	sb_add(b, &ch, 1);
}

/* Appends p[0..n) with '\\' and every byte outside ' '..'~' as \xHH. */
static void
sb_addesc(struct sbuf *b, const void *p, size_t n)
{
	const unsigned char	*s = p;
	char			 hex[5];
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (s[i] >= ' ' && s[i] <= '~' && s[i] != '\\')
			sb_addc(b, s[i]);
		else {
			snprintf(hex, sizeof(hex), "\\x%02x", s[i]);
			sb_adds(b, hex);
		}
	}
}

static void
sb_reset(struct sbuf *b)
{
	sb_grow(b, 0);
	b->len = 0;
	b->p[0] = '\0';
}

static void
msgb_reset(struct msgb *m)
{
	size_t	i;

	sb_reset(&m->method);
	sb_reset(&m->url);
	sb_reset(&m->proto);
	sb_reset(&m->version);
	sb_reset(&m->body);
	for (i = 0; i < m->nh; i++) {
		sb_reset(&m->name[i]);
		sb_reset(&m->value[i]);
	}
	m->nh = 0;
	m->too_many = 0;
}

/*
 * Writes m in the form both verdicts are compared in.  It is where the
 * differences that are not disagreements are removed: llhttp keeps
 * trailing OWS in a value (RFC 9112 5 excludes it), forkd drops names
 * with '_' (H7), and the Host this test inserted is not the client's.
 */
static void
canon(const struct msgb *m, struct sbuf *out)
{
	const struct sbuf	*n, *v;
	size_t			 i, vl;

	sb_reset(out);
	sb_adds(out, "method=");
	sb_addesc(out, m->method.p, m->method.len);
	sb_adds(out, "\nurl=");
	sb_addesc(out, m->url.p, m->url.len);
	sb_adds(out, "\nversion=");
	if (m->proto.len == 0)
		sb_adds(out, "HTTP");
	else
		sb_addesc(out, m->proto.p, m->proto.len);
	sb_addc(out, '/');
	sb_addesc(out, m->version.p, m->version.len);
	sb_addc(out, '\n');
	for (i = 0; i < m->nh; i++) {
		n = &m->name[i];
		v = &m->value[i];
		for (vl = v->len; vl > 0 && (v->p[vl - 1] == ' ' ||
		    v->p[vl - 1] == '\t'); vl--)
			;
		if (memchr(n->p, '_', n->len) != NULL)
			continue;
		if (n->len == 4 && memcmp(n->p, "Host", 4) == 0 &&
		    vl == strlen(HOST_VALUE) &&
		    memcmp(v->p, HOST_VALUE, vl) == 0)
			continue;
		sb_adds(out, "header=");
		sb_addesc(out, n->p, n->len);
		sb_adds(out, ": ");
		sb_addesc(out, v->p, vl);
		sb_addc(out, '\n');
	}
	if (m->too_many)
		sb_adds(out, "(more than 128 header fields)\n");
	sb_adds(out, "body=");
	sb_addesc(out, m->body.p, m->body.len);
	sb_addc(out, '\n');
}

static void
outcome_reset(struct outcome *o)
{
	size_t	i;

	for (i = 0; i <= MAXMSG; i++)
		sb_reset(&o->msg[i]);
	memset(o->head_end, 0, sizeof(o->head_end));
	memset(o->end, 0, sizeof(o->end));
	o->nmsg = 0;
	o->term = -1;
	o->status = 0;
	o->in_body = 0;
	o->err[0] = '\0';
}

static void
harness(struct outcome *o, const char *what)
{
	o->term = T_HARNESS;
	snprintf(o->err, sizeof(o->err), "%s", what);
}

/* Returns "N msg; how it stopped" in buf; the table is written in it. */
static const char *
summary(const struct outcome *o, char *buf, size_t n)
{
	static const char	*const terms[] = {
		"end", "partial head", "partial body", "reject", "close",
		"upgrade", "harness",
	};

	if (o->term == T_REJECT && o->status != 0)
		snprintf(buf, n, "%zu msg; reject %d%s", o->nmsg, o->status,
		    o->in_body ? " in body" : "");
	else if (o->term == T_HARNESS)
		snprintf(buf, n, "%zu msg; harness: %s", o->nmsg, o->err);
	else
		snprintf(buf, n, "%zu msg; %s", o->nmsg,
		    o->term >= 0 ? terms[o->term] : "?");
	return buf;
}

/* Everything a walk produced, to compare walks of differing splits. */
static void
outcome_text(const struct outcome *o, struct sbuf *out)
{
	char	line[256];
	size_t	i;

	sb_reset(out);
	for (i = 0; i < o->nmsg; i++) {
		snprintf(line, sizeof(line), "-- message %zu head_end=%zu "
		    "end=%zu\n", i + 1, o->head_end[i], o->end[i]);
		sb_adds(out, line);
		sb_add(out, o->msg[i].p, o->msg[i].len);
	}
	if (o->term == T_PARTIAL_BODY) {
		snprintf(line, sizeof(line), "-- partial head_end=%zu\n",
		    o->head_end[o->nmsg]);
		sb_adds(out, line);
		sb_add(out, o->msg[o->nmsg].p, o->msg[o->nmsg].len);
	}
	sb_adds(out, "-- ");
	sb_adds(out, summary(o, line, sizeof(line)));
	sb_addc(out, '\n');
}

/* ---- the guard page ---------------------------------------------- */

static void
guard_init(void)
{
	guard = tap_guard_map(ROOM);
}

/* Returns a copy of s[0..n) whose last byte is right before the guard. */
static char *
at_edge(const void *s, size_t n)
{
	char	*p = guard - n;

	if (n > ROOM) {
		printf("Bail out! input of %zu bytes\n", n);
		exit(1);
	}
	if (n > 0)
		memmove(p, s, n);
	return p;
}

/* ---- forkd's side: a connection over the input ------------------- */

enum { W_HEAD, W_LENGTH, W_CHUNKED };

struct walk {
	const unsigned char	*in;
	size_t			 len;
	size_t			 pos;	/* first byte not consumed */
	int			 state;
	uint64_t		 want;	/* W_LENGTH: body bytes left */
	int			 keep_alive;
	struct http_chunked	 ch;
	struct outcome		*o;
};

/* Returns 1 when in[0..n) is only CR and LF bytes (or nothing). */
static int
only_crlf(const unsigned char *in, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (in[i] != '\r' && in[i] != '\n')
			return 0;
	return 1;
}

/* Copies what http_parse_request() found out of the edge buffer. */
static void
capture(const struct http_request *req)
{
	char	v[8];
	size_t	i;

	msgb_reset(&fm);
	sb_add(&fm.method, req->method, req->method_len);
	sb_add(&fm.url, req->target, req->target_len);
	sb_adds(&fm.proto, "HTTP");
	snprintf(v, sizeof(v), "1.%d", req->minor_version);
	sb_adds(&fm.version, v);
	for (i = 0; i < req->nheaders && i < MAXHDR; i++) {
		sb_add(&fm.name[i], req->headers[i].name,
		    req->headers[i].name_len);
		sb_add(&fm.value[i], req->headers[i].value,
		    req->headers[i].value_len);
	}
	fm.nh = i;
}

/* Ends the current request.  Returns 1 when the walk stops there. */
static int
walk_done(struct walk *w)
{
	struct outcome	*o = w->o;

	canon(&fm, &o->msg[o->nmsg]);
	o->end[o->nmsg++] = w->pos;
	w->state = W_HEAD;
	if (!w->keep_alive) {
		/* The worker answers, then closes: what follows is unread. */
		o->term = only_crlf(w->in + w->pos, w->len - w->pos) ?
		    T_END : T_CLOSE;
		return 1;
	}
	if (o->nmsg == MAXMSG) {
		harness(o, "too many requests");
		return 1;
	}
	return 0;
}

/*
 * Goes as far as in[0..avail) allows.  Returns 1 when the walk has
 * stopped for good, 0 when it needs more input.
 */
static int
walk_more(struct walk *w, size_t avail)
{
	struct http_request	 req;
	struct outcome		*o = w->o;
	char			*p;
	size_t			 n, dlen, used;
	int			 r;

	for (;;) {
		n = avail - w->pos;
		p = at_edge(w->in + w->pos, n);
		switch (w->state) {
		case W_HEAD:
			if (n == 0)
				return 0;
			r = http_parse_request(p, n, &req, NULL);
			if (r < 0) {
				o->term = T_REJECT;
				o->status = -r;
				return 1;
			}
			if (r == 0)
				return 0;
			if ((size_t)r > n || (size_t)r != req.head_len) {
				harness(o, "head_len out of range");
				return 1;
			}
			capture(&req);
			o->head_end[o->nmsg] = w->pos + r;
			w->pos += r;
			w->keep_alive = req.keep_alive;
			if (req.chunked) {
				http_chunked_init(&w->ch);
				w->state = W_CHUNKED;
			} else if (req.content_length > 0) {
				w->want = (uint64_t)req.content_length;
				w->state = W_LENGTH;
			} else if (walk_done(w))
				return 1;
			break;
		case W_LENGTH:
			dlen = n < w->want ? n : (size_t)w->want;
			sb_add(&fm.body, p, dlen);
			w->pos += dlen;
			if ((w->want -= dlen) > 0)
				return 0;
			if (walk_done(w))
				return 1;
			break;
		case W_CHUNKED:
			dlen = n;
			used = 0;
			r = http_chunked_decode(&w->ch, p, &dlen, &used);
			if (r < 0) {
				o->term = T_REJECT;
				o->status = -r;
				o->in_body = 1;
				return 1;
			}
			if (used > n || dlen > used || (r == 0 && used != n)) {
				harness(o, "decoder broke its contract");
				return 1;
			}
			sb_add(&fm.body, p, dlen);
			w->pos += used;
			if (r == 0)
				return 0;
			if (walk_done(w))
				return 1;
			break;
		}
	}
}

/*
 * Walks in[0..len), delivered in pieces that end at each of the ncuts
 * ascending offsets and then at len.
 */
static void
walk(const unsigned char *in, size_t len, const size_t *cuts, size_t ncuts,
    struct outcome *o)
{
	struct walk	w;
	size_t		i;

	memset(&w, 0, sizeof(w));
	w.in = in;
	w.len = len;
	w.o = o;
	w.state = W_HEAD;
	outcome_reset(o);
	msgb_reset(&fm);
	for (i = 0; i < ncuts; i++)
		if (cuts[i] < len && walk_more(&w, cuts[i]))
			return;
	if (walk_more(&w, len))
		return;
	if (w.state == W_HEAD)
		o->term = only_crlf(in + w.pos, len - w.pos) ? T_END :
		    T_PARTIAL_HEAD;
	else {
		canon(&fm, &o->msg[o->nmsg]);
		o->term = T_PARTIAL_BODY;
	}
}

/* ---- llhttp's side: the trace ------------------------------------ */

/* Where Host lines go: after each HTTP/1.1 request line without one. */
struct inject {
	size_t	at[MAXMSG + 1];
	size_t	n;
};

/* Returns 1 when a field line of the head at in[p..len) is Host. */
static int
head_has_host(const unsigned char *in, size_t len, size_t p)
{
	const unsigned char	*nl;
	size_t			 e, n;

	while (p < len) {
		nl = memchr(in + p, '\n', len - p);
		e = nl != NULL ? (size_t)(nl - in) : len;
		n = e - p;
		if (n > 0 && in[e - 1] == '\r')
			n--;
		if (n == 0)
			return 0;
		if (n >= 5 &&
		    strncasecmp((const char *)in + p, "host:", 5) == 0)
			return 1;
		p = e + 1;
	}
	return 0;
}

/*
 * Notes where a Host line goes in a request llhttp gave up on before the
 * end of its request line: after the line, when it ends "HTTP/1.1" CRLF.
 */
static void
inject_early(const unsigned char *in, size_t len, size_t start,
    struct inject *inj)
{
	const unsigned char	*nl;
	size_t			 e;

	if (inj->n > MAXMSG || start >= len ||
	    (nl = memchr(in + start, '\n', len - start)) == NULL)
		return;
	e = (size_t)(nl - in);
	if (e - start >= 10 && in[e - 1] == '\r' &&
	    memcmp(in + e - 9, "HTTP/1.1", 8) == 0 &&
	    !head_has_host(in, len, e + 1))
		inj->at[inj->n++] = e + 1;
}

/* Returns the header being written, starting one when asked. */
static int
span_header(int start)
{
	if (start) {
		if (lm.nh == MAXHDR) {
			lm.too_many = 1;
			return -1;
		}
		sb_reset(&lm.name[lm.nh]);
		sb_reset(&lm.value[lm.nh]);
		lm.nh++;
	}
	return lm.nh == 0 || lm.too_many ? -1 : (int)lm.nh - 1;
}

/*
 * Reads llhttp's trace of in[0..len) into *o, and notes in *inj where a
 * Host line could be inserted.  The trace's format is that of llhttp's
 * test/fixtures (llparse-test-fixture): "off=N <event>" lines, spans as
 * 'off=N len=L span[NAME]="VALUE"', a CR or LF inside a span on a line of
 * its own as 'span[NAME]=cr' or '=lf', contiguous spans merged.
 */
static void
trace_read(const char *log, size_t loglen, const unsigned char *in,
    size_t len, struct outcome *o, struct inject *inj)
{
	const char	*line, *end, *nl, *s, *v;
	struct sbuf	*dst;
	char		*e;
	size_t		 off, slen, vlen, begin = 0;
	int		 in_msg = 0, head_done = 0, new_field = 1, h, code;
	int		 version_done = 0;
	unsigned	 major, minor;

	outcome_reset(o);
	msgb_reset(&lm);
	inj->n = 0;
	for (line = log; line < log + loglen; line = end + 1) {
		nl = memchr(line, '\n', log + loglen - line);
		end = nl != NULL ? nl : log + loglen;
		if (end == line)
			continue;
		if (line[0] == '/') {
			harness(o, "regular expression in the trace");
			return;
		}
		if (end - line >= 8 && memcmp(line, "off=NULL", 8) == 0)
			continue;	/* llhttp_finish(): the state says */
		if (strncmp(line, "off=", 4) != 0) {
			harness(o, "trace line without off=");
			return;
		}
		errno = 0;
		off = strtoul(line + 4, &e, 10);
		if (errno != 0 || *e != ' ' || off > len) {
			harness(o, "bad offset in the trace");
			return;
		}
		s = e + 1;
#define IS(word)	((size_t)(end - s) == strlen(word) && \
			    memcmp(s, word, strlen(word)) == 0)
#define STARTS(word)	((size_t)(end - s) >= strlen(word) && \
			    memcmp(s, word, strlen(word)) == 0)
		if (STARTS("len=")) {
			slen = strtoul(s + 4, &e, 10);
			if (strncmp(e, " span[", 6) != 0 ||
			    (v = memchr(e, ']', end - e)) == NULL ||
			    v[1] != '=') {
				harness(o, "bad span in the trace");
				return;
			}
			e += 6;
			vlen = (size_t)(v - e);
			dst = NULL;
			if (vlen == 6 && memcmp(e, "method", 6) == 0)
				dst = &lm.method;
			else if (vlen == 3 && memcmp(e, "url", 3) == 0)
				dst = &lm.url;
			else if (vlen == 8 && memcmp(e, "protocol", 8) == 0)
				dst = &lm.proto;
			else if (vlen == 7 && memcmp(e, "version", 7) == 0)
				dst = &lm.version;
			else if (vlen == 4 && memcmp(e, "body", 4) == 0)
				dst = head_done ? &lm.body : NULL;
			else if (vlen == 12 &&
			    memcmp(e, "header_field", 12) == 0 && !head_done) {
				/* After the head: a trailer, dropped. */
				if ((h = span_header(new_field)) >= 0)
					dst = &lm.name[h];
				new_field = 0;
			} else if (vlen == 12 &&
			    memcmp(e, "header_value", 12) == 0 && !head_done) {
				if ((h = span_header(0)) >= 0)
					dst = &lm.value[h];
			}
			v += 2;
			if (end - v == 2 && memcmp(v, "cr", 2) == 0) {
				if (dst != NULL)
					sb_addc(dst, '\r');
			} else if (end - v == 2 && memcmp(v, "lf", 2) == 0) {
				if (dst != NULL)
					sb_addc(dst, '\n');
			} else if (end - v >= 2 && v[0] == '"' &&
			    end[-1] == '"' && (size_t)(end - v - 2) == slen) {
				if (dst != NULL)
					sb_add(dst, v + 1, slen);
			} else {
				harness(o, "span length differs from its text");
				return;
			}
		} else if (IS("message begin")) {
			msgb_reset(&lm);
			begin = off;
			version_done = 0;
			in_msg = 1;
			head_done = 0;
			new_field = 1;
		} else if (IS("header_value complete")) {
			new_field = 1;
		} else if (IS("version complete")) {
			version_done = 1;
			if (inj->n <= MAXMSG && lm.proto.len == 4 &&
			    memcmp(lm.proto.p, "HTTP", 4) == 0 &&
			    lm.version.len == 3 &&
			    memcmp(lm.version.p, "1.1", 3) == 0 &&
			    off + 1 < len && in[off] == '\r' &&
			    in[off + 1] == '\n' &&
			    !head_has_host(in, len, off + 2))
				inj->at[inj->n++] = off + 2;
		} else if (STARTS("headers complete ")) {
			if ((v = strstr(s, " v=")) == NULL || v > end ||
			    sscanf(v, " v=%u/%u", &major, &minor) != 2) {
				harness(o, "bad headers complete line");
				return;
			}
			/* The version span is absent for HTTP/0.9. */
			if (lm.version.len == 0) {
				char	ver[24];

				snprintf(ver, sizeof(ver), "%u.%u", major,
				    minor);
				sb_adds(&lm.version, ver);
			}
			head_done = 1;
			o->head_end[o->nmsg] = off;
		} else if (IS("message complete")) {
			if (o->nmsg == MAXMSG) {
				harness(o, "too many requests");
				return;
			}
			canon(&lm, &o->msg[o->nmsg]);
			o->end[o->nmsg++] = off;
			in_msg = 0;
		} else if (STARTS("error code=")) {
			if (in_msg && !version_done)
				inject_early(in, len, begin, inj);
			code = atoi(s + 11);
			/*
			 * 5 is HPE_CLOSED_CONNECTION; 22 and 23 are
			 * HPE_PAUSED_UPGRADE and HPE_PAUSED_H2_UPGRADE.
			 */
			if (code == 5)
				o->term = T_CLOSE;
			else if (code == 22 || code == 23)
				o->term = T_UPGRADE;
			else
				o->term = T_REJECT;
			return;
		}
		/* reset, pause, skip body, chunk and *_complete: no verdict */
#undef IS
#undef STARTS
	}
	if (!in_msg)
		o->term = T_END;
	else if (!head_done) {
		if (!version_done)
			inject_early(in, len, begin, inj);
		o->term = T_PARTIAL_HEAD;
	}
	else {
		canon(&lm, &o->msg[o->nmsg]);
		o->term = T_PARTIAL_BODY;
	}
}

/* ---- the markdown ------------------------------------------------ */

/* Appends code point c to b as UTF-8, as Node encodes a spawn argument. */
static void
utf8_add(struct sbuf *b, uint32_t c)
{
	if (c >= 0xd800 && c <= 0xdfff)
		c = 0xfffd;		/* a lone surrogate */
	if (c < 0x80)
		sb_addc(b, (int)c);
	else if (c < 0x800) {
		sb_addc(b, 0xc0 | c >> 6);
		sb_addc(b, 0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		sb_addc(b, 0xe0 | c >> 12);
		sb_addc(b, 0x80 | (c >> 6 & 0x3f));
		sb_addc(b, 0x80 | (c & 0x3f));
	} else {
		sb_addc(b, 0xf0 | c >> 18);
		sb_addc(b, 0x80 | (c >> 12 & 0x3f));
		sb_addc(b, 0x80 | (c >> 6 & 0x3f));
		sb_addc(b, 0x80 | (c & 0x3f));
	}
}

/* Decodes UTF-8 s[0..n) into code points; returns how many. */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t		i = 0, k = 0, more;
	uint32_t	c;

	while (i < n) {
		c = s[i++];
		more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		if (more > 0)
			c &= 0x3f >> more;
		for (; more > 0 && i < n && (s[i] & 0xc0) == 0x80; more--)
			c = c << 6 | (s[i++] & 0x3f);
		cp[k++] = c;
	}
	return k;
}

static int
hexdigit(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/*
 * Turns the text of an ```http block into the bytes llhttp was given,
 * with the steps of llhttp's test/md-test.ts in its order, each a global
 * left-to-right replace: drop one trailing newline; drop a backslash
 * before a newline; make every newline CRLF; \r \n \t \f; \xHEX (as many
 * hex digits as follow); \OOO (one to three octal digits).  The result is
 * encoded in UTF-8.  Returns -1 for an inline ${...}, which needs
 * JavaScript.
 */
static int
decode_input(const char *text, size_t n, struct tcase *tc)
{
	static const char	 esc[] = "rntf", val[] = "\r\n\t\f";
	struct sbuf		 out = { 0 };
	uint32_t		*a, *b, *t, c;
	size_t			 na, nb, i, k, pass;
	int			 d;

	a = calloc(2 * n + 1, sizeof(*a));
	b = calloc(2 * n + 1, sizeof(*b));
	if (a == NULL || b == NULL)
		oom();
	na = utf8_decode((const unsigned char *)text, n, a);
	if (na > 0 && a[na - 1] == '\n')
		na--;
	for (i = nb = 0; i < na; i++) {
		if (a[i] == '\\' && i + 1 < na &&
		    (a[i + 1] == '\r' || a[i + 1] == '\n')) {
			i += a[i + 1] == '\r' && i + 2 < na &&
			    a[i + 2] == '\n' ? 2 : 1;
			continue;
		}
		b[nb++] = a[i];
	}
	t = a, a = b, b = t, na = nb;
	for (i = nb = 0; i < na; i++) {
		if (a[i] == '\r' || a[i] == '\n') {
			if (a[i] == '\r' && i + 1 < na && a[i + 1] == '\n')
				i++;
			b[nb++] = '\r';
			b[nb++] = '\n';
		} else
			b[nb++] = a[i];
	}
	t = a, a = b, b = t, na = nb;
	for (pass = 0; pass < 4; pass++) {
		for (i = nb = 0; i < na; i++) {
			if (a[i] == '\\' && i + 1 < na &&
			    a[i + 1] == (uint32_t)esc[pass]) {
				b[nb++] = (unsigned char)val[pass];
				i++;
			} else
				b[nb++] = a[i];
		}
		t = a, a = b, b = t, na = nb;
	}
	for (i = nb = 0; i < na; i++) {
		if (a[i] == '\\' && i + 2 < na && a[i + 1] == 'x' &&
		    hexdigit(a[i + 2]) >= 0) {
			/* String.fromCharCode() keeps the low 16 bits. */
			for (c = 0, k = i + 2; k < na &&
			    (d = hexdigit(a[k])) >= 0; k++)
				c = (c << 4 | (uint32_t)d) & 0xffff;
			b[nb++] = c;
			i = k - 1;
		} else
			b[nb++] = a[i];
	}
	t = a, a = b, b = t, na = nb;
	for (i = nb = 0; i < na; i++) {
		if (a[i] == '\\' && i + 1 < na && a[i + 1] >= '0' &&
		    a[i + 1] <= '7') {
			for (c = 0, k = i + 1; k < na && k < i + 4 &&
			    a[k] >= '0' && a[k] <= '7'; k++)
				c = c << 3 | (a[k] - '0');
			b[nb++] = c;
			i = k - 1;
		} else
			b[nb++] = a[i];
	}
	t = a, a = b, b = t, na = nb;
	for (i = 0; i + 1 < na; i++)
		if (a[i] == '$' && a[i + 1] == '{') {
			free(a);
			free(b);
			return -1;
		}
	for (i = 0; i < na; i++)
		utf8_add(&out, a[i]);
	free(a);
	free(b);
	tc->in = (unsigned char *)out.p;
	tc->in_len = out.len;
	return 0;
}

/* The ```log block with llhttp's harness's two escapes applied. */
static void
decode_log(const char *text, size_t n, struct tcase *tc)
{
	struct sbuf	out = { 0 };
	size_t		i;

	sb_grow(&out, n);
	for (i = 0; i < n; i++) {
		if (text[i] == '\\' && i + 1 < n &&
		    (text[i + 1] == 't' || text[i + 1] == 'f')) {
			sb_addc(&out, text[i + 1] == 't' ? '\t' : '\f');
			i++;
		} else
			sb_addc(&out, text[i]);
	}
	tc->log = out.p;
	tc->log_len = out.len;
}

/* Returns the string value of "key" in a one-level JSON object, or NULL. */
static char *
meta_str(const char *json, const char *key)
{
	const char	*p, *q;
	char		 pat[64];

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	if ((p = strstr(json, pat)) == NULL)
		return NULL;
	p += strlen(pat);
	while (*p == ' ' || *p == ':')
		p++;
	if (*p != '"' || (q = strchr(p + 1, '"')) == NULL)
		return NULL;
	return strndup(p + 1, (size_t)(q - p - 1));
}

static struct tcase	*cases;
static size_t		 ncases, capcases;

static struct tcase *
case_new(const char *file, const char *heading, size_t hlen)
{
	struct tcase	*tc;
	size_t		 i, seen = 1;
	char		*name;

	if (ncases == capcases) {
		capcases = capcases ? 2 * capcases : 256;
		if ((cases = realloc(cases, capcases * sizeof(*cases))) == NULL)
			oom();
	}
	name = strndup(heading, hlen);
	for (i = 0; i < ncases; i++)
		if (cases[i].file == file && strcmp(cases[i].raw, name) == 0)
			seen++;
	if (seen > 1) {
		char	*two;

		if (asprintf(&two, "%s #%zu", name, seen) == -1)
			oom();
		free(name);
		name = two;
	}
	tc = &cases[ncases++];
	memset(tc, 0, sizeof(*tc));
	tc->file = file;
	tc->raw = strndup(heading, hlen);
	tc->name = name;
	return tc;
}

/*
 * Reads the cases of one markdown file the way llhttp's mdgator does:
 * a heading starts a section, a <!-- meta={...} --> comment applies to
 * the next fenced block, and a section with an ```http block is a case.
 */
static void
read_md(const char *file, const char *text, size_t n)
{
	const char	*line, *end, *nl, *p, *fence_end, *heading = NULL;
	struct tcase	*tc = NULL;
	char		*meta = NULL, *type, *json;
	size_t		 hlen = 0, len;
	int		 http_seen = 0, log_seen = 0;

	for (line = text; line < text + n; line = end + 1) {
		nl = memchr(line, '\n', text + n - line);
		end = nl != NULL ? nl : text + n;
		len = (size_t)(end - line);
		if (len >= 3 && line[0] == '#' && line[1] == '#') {
			for (p = line; *p == '#'; p++)
				;
			while (p < end && *p == ' ')
				p++;
			heading = p;
			for (hlen = (size_t)(end - p); hlen > 0 &&
			    (p[hlen - 1] == ' ' || p[hlen - 1] == '\r'); hlen--)
				;
			tc = NULL;
			free(meta);
			meta = NULL;
			http_seen = log_seen = 0;
			continue;
		}
		if (len > 9 && memcmp(line, "<!--", 4) == 0 &&
		    (p = strstr(line, "meta=")) != NULL && p < end) {
			free(meta);
			json = strndup(p + 5, (size_t)(end - p - 5));
			if ((p = strstr(json, "-->")) != NULL)
				json[p - json] = '\0';
			meta = json;
			continue;
		}
		if (len < 3 || memcmp(line, "```", 3) != 0)
			continue;
		/* A fenced block: find its closing fence. */
		for (p = end + 1; p < text + n; p = fence_end + 1) {
			nl = memchr(p, '\n', text + n - p);
			fence_end = nl != NULL ? nl : text + n;
			if (fence_end - p >= 3 && memcmp(p, "```", 3) == 0)
				break;
		}
		if (p >= text + n)
			fence_end = p = text + n;
		if (heading != NULL && len == 7 &&
		    memcmp(line + 3, "http", 4) == 0) {
			if (http_seen++) {
				snprintf(tc->err, sizeof(tc->err),
				    "more than one http block");
			} else {
				tc = case_new(file, heading, hlen);
				type = meta != NULL ? meta_str(meta, "type") :
				    NULL;
				tc->type = type != NULL ? type : strdup("");
				if (decode_input(end + 1,
				    (size_t)(p - (end + 1)), tc) == -1)
					snprintf(tc->err, sizeof(tc->err),
					    "inline ${...} JavaScript");
			}
		} else if (heading != NULL && len == 6 &&
		    memcmp(line + 3, "log", 3) == 0 && tc != NULL) {
			if (log_seen++)
				snprintf(tc->err, sizeof(tc->err),
				    "more than one log block");
			else
				decode_log(end + 1, (size_t)(p - (end + 1)),
				    tc);
		}
		free(meta);
		meta = NULL;
		end = fence_end;
		if (end >= text + n)
			break;
	}
	free(meta);
}

static char *
slurp(const char *path, size_t *ret_len)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 cap = 0, len = 0, r;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	do {
		if (len + 4096 > cap) {
			cap = cap ? 2 * cap : 65536;
			if ((buf = realloc(buf, cap + 1)) == NULL)
				oom();
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
	} while (r > 0);
	fclose(f);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every NAME.md of dir, in name order.  Returns how many. */
static size_t
read_corpus(const char *dir)
{
	DIR		 *d;
	struct dirent	 *de;
	char		**names = NULL, path[8192], *text;
	size_t		  n = 0, i, len;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".md") != 0)
			continue;
		if ((names = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			oom();
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((text = slurp(path, &len)) == NULL) {
			printf("Bail out! cannot read %s: %s\n", path,
			    strerror(errno));
			exit(1);
		}
		read_md(names[i], text, len);
		free(text);
	}
	free(names);		/* the cases keep the names */
	return n;
}

/*
 * Finds the corpus: $FORKD_CORPUS, else ../shared/corpus beside the
 * repository, whose root is two levels above this file (__FILE__ is
 * relative to the root when make builds it, and make test runs there).
 */
static int
find_corpus(char *dir, size_t n, char *tried, size_t tn)
{
	const char	*env = getenv("FORKD_CORPUS");
	struct stat	 st;
	char		 root[2048], *slash;
	int		 i;

	if (env != NULL && *env != '\0') {
		snprintf(dir, n, "%s/llhttp", env);
		snprintf(tried, tn, "FORKD_CORPUS: %s", dir);
		return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
	}
	snprintf(root, sizeof(root), "%s", __FILE__);
	for (i = 0; i < 2; i++) {
		if ((slash = strrchr(root, '/')) != NULL)
			*slash = '\0';
		else
			snprintf(root, sizeof(root), ".");
	}
	if (root[0] == '\0')
		snprintf(root, sizeof(root), "/");
	snprintf(dir, n, "%s/../shared/corpus/llhttp", root);
	snprintf(tried, tn, "%s; set FORKD_CORPUS", dir);
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* ---- judging ----------------------------------------------------- */

static int
same_msgs(const struct outcome *a, const struct outcome *b, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(a->msg[i].p, b->msg[i].p) != 0)
			return 0;
	return 1;
}

/* Returns 1 when forkd's verdict f is llhttp's verdict l. */
static int
agree_strict(const struct outcome *f, const struct outcome *l)
{
	if (f->term == T_HARNESS || l->term == T_HARNESS)
		return 0;
	if (f->nmsg != l->nmsg || f->term != l->term ||
	    !same_msgs(f, l, f->nmsg))
		return 0;
	return f->term != T_PARTIAL_BODY ||
	    strcmp(f->msg[f->nmsg].p, l->msg[l->nmsg].p) == 0;
}

/*
 * Returns 1 when forkd refuses what llhttp accepted with a leniency flag:
 * it stops with an error or a close, having accepted no more than llhttp
 * did and the same requests.
 */
static int
agree_lenient(const struct outcome *f, const struct outcome *l)
{
	if (f->term == T_HARNESS || l->term == T_HARNESS)
		return 0;
	return (f->term == T_REJECT || f->term == T_CLOSE) &&
	    f->nmsg <= l->nmsg && same_msgs(f, l, f->nmsg);
}

/* Returns NULL, or why the offsets of equal requests differ. */
static const char *
offsets_differ(const struct outcome *f, const struct outcome *l)
{
	static char	why[128];
	size_t		i, n = f->nmsg < l->nmsg ? f->nmsg : l->nmsg;

	for (i = 0; i < n; i++) {
		if (strcmp(f->msg[i].p, l->msg[i].p) != 0)
			break;
		if (f->head_end[i] != l->head_end[i] ||
		    f->end[i] != l->end[i]) {
			snprintf(why, sizeof(why), "request %zu ends at "
			    "%zu/%zu, llhttp says %zu/%zu", i + 1,
			    f->head_end[i], f->end[i], l->head_end[i],
			    l->end[i]);
			return why;
		}
	}
	return NULL;
}

static void
diag_outcome(const char *who, const struct outcome *o)
{
	struct sbuf	t = { 0 };
	char		*line, *save = NULL;

	outcome_text(o, &t);
	diag("  %s:", who);
	for (line = strtok_r(t.p, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		diag("    %s", line);
	free(t.p);
}

static const struct known *
find_known(const struct tcase *tc)
{
	size_t	i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known[i].file, tc->file) == 0 &&
		    strcmp(known[i].name, tc->name) == 0) {
			known_used[i] = 1;
			return &known[i];
		}
	return NULL;
}

/* The case's name for a TAP line: '#' would start a directive. */
static const char *
tap_name(const struct tcase *tc)
{
	static char	buf[512];
	size_t		i, k = 0;

	k = (size_t)snprintf(buf, sizeof(buf), "%s: ", tc->file);
	for (i = 0; tc->name[i] != '\0' && k + 3 < sizeof(buf); i++) {
		if (tc->name[i] == '#')
			buf[k++] = '\\';
		buf[k++] = tc->name[i];
	}
	buf[k] = '\0';
	return buf;
}

static int
is_lenient(const struct tcase *tc)
{
	return strncmp(tc->type, "request-lenient-", 16) == 0;
}

/*
 * Judges forkd's verdict f against llhttp's l and the table's want (NULL:
 * they must agree) in one TAP line.
 */
static void
judge(const struct tcase *tc, const char *what, const struct outcome *f,
    const struct outcome *l, const char *want, const char *why,
    const char *offsets)
{
	char	fs[256], ls[256];
	int	agree;

	agree = is_lenient(tc) ? agree_lenient(f, l) : agree_strict(f, l);
	summary(f, fs, sizeof(fs));
	summary(l, ls, sizeof(ls));
	if (show != NULL && strstr(tap_name(tc), show) != NULL) {
		diag("%s%s, type %s:", tap_name(tc), what, tc->type);
		diag_outcome("forkd", f);
		diag_outcome("llhttp", l);
	}
	if (want == NULL) {
		if (!ok(agree && offsets == NULL, "%s%s: %s (%s)", tap_name(tc),
		    what, is_lenient(tc) ? "refused as expected" : "agree",
		    fs)) {
			if (offsets != NULL)
				diag("  harness: %s", offsets);
			diag("  %s, type %s: forkd %s, llhttp %s",
			    agree ? "offsets differ" :
			    "undocumented disagreement", tc->type, fs, ls);
			diag_outcome("forkd", f);
			diag_outcome("llhttp", l);
		}
		return;
	}
	if (!ok(!agree && strcmp(fs, want) == 0 && offsets == NULL,
	    "%s%s: known disagreement: forkd %s, llhttp %s (%s)",
	    tap_name(tc), what, fs, ls, why)) {
		if (offsets != NULL)
			diag("  harness: %s", offsets);
		if (agree)
			diag("  forkd now agrees with llhttp: update the "
			    "table and doc/llhttp-disagreements.md");
		else if (strcmp(fs, want) != 0)
			diag("  forkd's verdict changed: the table says %s",
			    want);
		diag_outcome("forkd", f);
		diag_outcome("llhttp", l);
	}
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
by_size(const void *a, const void *b)
{
	size_t	x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Walks in[0..len) one byte at a time and in NRANDOM random splits.
 * Returns NULL when each gives whole's verdict, else which one did not.
 */
static const char *
splits_differ(const unsigned char *in, size_t len, const struct outcome *whole,
    uint64_t *seed)
{
	static char		 which[64];
	static struct outcome	 o;
	struct sbuf		 a = { 0 }, b = { 0 };
	size_t			*cuts, i, k, n;
	const char		*bad = NULL;

	if ((cuts = calloc(len + 1, sizeof(*cuts))) == NULL)
		oom();
	outcome_text(whole, &a);
	for (k = 0; k <= NRANDOM && bad == NULL; k++) {
		if (k == 0) {
			for (i = 1, n = 0; i < len; i++)
				cuts[n++] = i;
		} else {
			n = 1 + rnd(seed) % 8;
			for (i = 0; i < n; i++)
				cuts[i] = len > 1 ?
				    1 + rnd(seed) % (len - 1) : 0;
			qsort(cuts, n, sizeof(*cuts), by_size);
		}
		walk(in, len, cuts, n, &o);
		outcome_text(&o, &b);
		if (strcmp(a.p, b.p) != 0) {
			if (k == 0)
				snprintf(which, sizeof(which), "byte by byte");
			else
				snprintf(which, sizeof(which),
				    "random split %zu (%zu cuts)", k, n);
			bad = which;
			diag("  %s gives:", which);
			diag_outcome("split", &o);
			diag_outcome("whole", whole);
		}
	}
	free(cuts);
	free(a.p);
	free(b.p);
	return bad;
}

/* Returns in[0..len) with HOST_LINE inserted at each of inj's offsets. */
static unsigned char *
inject_host(const unsigned char *in, size_t len, const struct inject *inj,
    size_t *ret_len)
{
	struct sbuf	out = { 0 };
	size_t		i, from = 0;

	for (i = 0; i < inj->n; i++) {
		sb_add(&out, in + from, inj->at[i] - from);
		sb_adds(&out, HOST_LINE);
		from = inj->at[i];
	}
	sb_add(&out, in + from, len - from);
	*ret_len = out.len;
	return (unsigned char *)out.p;
}

static void
run_case(struct tcase *tc, size_t idx)
{
	static struct outcome	 l, f, fh;
	const struct known	*k;
	struct inject		 inj;
	unsigned char		*hin = NULL;
	const char		*bad;
	uint64_t		 seed = 0x4004 + idx * 0x9e3779b97f4a7c15ULL;
	size_t			 hlen = 0;

	k = find_known(tc);
	if (tc->err[0] != '\0' || tc->log == NULL) {
		ok(0, "%s: cannot read the case: %s", tap_name(tc),
		    tc->err[0] != '\0' ? tc->err : "no log block");
		return;
	}
	trace_read(tc->log, tc->log_len, tc->in, tc->in_len, &l, &inj);
	if (l.term == T_HARNESS) {
		ok(0, "%s: cannot read llhttp's trace: %s", tap_name(tc),
		    l.err);
		return;
	}
	walk(tc->in, tc->in_len, NULL, 0, &f);
	judge(tc, "", &f, &l, k != NULL ? k->forkd : NULL,
	    k != NULL ? k->why : NULL, offsets_differ(&f, &l));

	bad = splits_differ(tc->in, tc->in_len, &f, &seed);
	if (bad == NULL && inj.n > 0) {
		hin = inject_host(tc->in, tc->in_len, &inj, &hlen);
		walk(hin, hlen, NULL, 0, &fh);
		if ((bad = splits_differ(hin, hlen, &fh, &seed)) != NULL)
			diag("  (with Host inserted)");
	}
	ok(bad == NULL, "%s: same verdict byte by byte and in %d random "
	    "splits%s", tap_name(tc), NRANDOM,
	    inj.n > 0 ? ", also with Host inserted" : "");

	if (inj.n > 0) {
		if (hin == NULL) {
			hin = inject_host(tc->in, tc->in_len, &inj, &hlen);
			walk(hin, hlen, NULL, 0, &fh);
		}
		judge(tc, " (Host inserted)", &fh, &l,
		    k != NULL ? k->forkd_host : NULL,
		    k != NULL ? k->why : NULL, NULL);
	} else if (k != NULL && k->forkd_host != NULL)
		ok(0, "%s: the table has a verdict with Host inserted, but no "
		    "Host is inserted", tap_name(tc));
	free(hin);
}

int
main(void)
{
	char	dir[4096], tried[4200];
	size_t	i, nfiles;

	if (find_corpus(dir, sizeof(dir), tried, sizeof(tried)) == -1)
		skip_all("llhttp corpus not found (%s)", tried);
	show = getenv("FORKD_CORPUS_SHOW");
	guard_init();
	plan_lazy();
	nfiles = read_corpus(dir);
	diag("%zu sections with an http block in %zu files of %s", ncases,
	    nfiles, dir);
	if (ncases == 0) {
		ok(0, "the corpus at %s has cases", dir);
		return done();
	}
	for (i = 0; i < ncases; i++) {
		if (strcmp(cases[i].type, "request") != 0 &&
		    strcmp(cases[i].type, "request-finish") != 0 &&
		    !is_lenient(&cases[i]))
			continue;	/* response and url vectors */
		run_case(&cases[i], i);
	}
	for (i = 0; i < NKNOWN; i++)
		if (!known_used[i])
			ok(0, "table entry %s: %s matches a case",
			    known[i].file, known[i].name);
	return done();
}
