/*
 * accessfmt.c: compiles gunicorn's access log format into pieces, once,
 * so that rendering a request only walks a list.  Unknown atoms are an
 * error here (gunicorn would print "-" for them): a typo in a format
 * should stop forkd at start, not fill a log with dashes.  It knows
 * nothing of requests; http/accesslog.c renders the atoms.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accessfmt.h"

static const struct {
	char			name;
	enum accessfmt_atom	atom;
} accessfmt_atoms[] = {
	{ 'h', ACCESSFMT_HOST },	{ 'l', ACCESSFMT_IDENT },
	{ 'u', ACCESSFMT_USER },	{ 't', ACCESSFMT_TIME },
	{ 'r', ACCESSFMT_REQUEST },	{ 'm', ACCESSFMT_METHOD },
	{ 'U', ACCESSFMT_PATH },	{ 'q', ACCESSFMT_QUERY },
	{ 'H', ACCESSFMT_PROTOCOL },	{ 's', ACCESSFMT_STATUS },
	{ 'B', ACCESSFMT_LENGTH },	{ 'b', ACCESSFMT_LENGTH_CLF },
	{ 'f', ACCESSFMT_REFERER },	{ 'a', ACCESSFMT_AGENT },
	{ 'T', ACCESSFMT_SECONDS },	{ 'M', ACCESSFMT_MILLIS },
	{ 'D', ACCESSFMT_MICROS },	{ 'L', ACCESSFMT_DECIMAL },
	{ 'p', ACCESSFMT_PID },
};

/* RFC 9110 token characters: what a header name may hold. */
static int
accessfmt_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * Resolves the key of one %(key)s into p; a header's name is copied, in
 * lower case, to text.  Returns the bytes of text used, or -EINVAL.
 */
static int
accessfmt_key(const char *key, size_t klen, struct accessfmt_piece *p,
    char *text, char *err, size_t errlen)
{
	size_t	i, nlen;
	char	kind;

	for (i = 0; klen == 1 &&
	    i < sizeof(accessfmt_atoms) / sizeof(accessfmt_atoms[0]); i++)
		if (accessfmt_atoms[i].name == key[0]) {
			p->atom = accessfmt_atoms[i].atom;
			return 0;
		}
	if (klen < 4 || key[0] != '{' || key[klen - 2] != '}')
		goto unknown;
	kind = key[klen - 1];
	nlen = klen - 3;
	if (kind == 'e') {
		snprintf(err, errlen, "%%(%.*s)s: WSGI environ values are not "
		    "available to the access log, which is written in C",
		    (int)(klen > 64 ? 64 : klen), key);
		return -EINVAL;
	}
	if (kind != 'i' && kind != 'o')
		goto unknown;
	for (i = 0; i < nlen; i++) {
		unsigned char c = key[1 + i];

		if (!accessfmt_tchar(c)) {
			snprintf(err, errlen, "%%(%.*s)s: not a header name",
			    (int)(klen > 64 ? 64 : klen), key);
			return -EINVAL;
		}
		text[i] = (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
	}
	p->atom = kind == 'i' ? ACCESSFMT_REQ_HEADER : ACCESSFMT_RESP_HEADER;
	p->text = text;
	p->len = nlen;
	return (int)nlen;
 unknown:
	snprintf(err, errlen, "unknown atom %%(%.*s)s (the atoms: h l u t r m "
	    "U q H s B b f a T M D L p {header}i {header}o)",
	    (int)(klen > 64 ? 64 : klen), key);
	return -EINVAL;
}

int
accessfmt_compile(const char *fmt, struct accessfmt **ret, char *err,
    size_t errlen)
{
	struct accessfmt	*af;
	struct accessfmt_piece	*p, *last = NULL;
	const char		*close;
	char			*text;
	size_t			 n = strlen(fmt), i = 0, used = 0, klen;
	int			 r;

	if (n > ACCESSFMT_MAX) {
		snprintf(err, errlen, "longer than %d bytes", ACCESSFMT_MAX);
		return -EINVAL;
	}
	/* No more pieces than bytes, no more text than the format's. */
	if ((af = malloc(sizeof(*af) + (n + 1) * sizeof(*p) + n + 1)) == NULL)
		return -ENOMEM;
	af->pieces = (struct accessfmt_piece *)(af + 1);
	af->npieces = 0;
	text = (char *)(af->pieces + n + 1);
	while (i < n) {
		if (fmt[i] != '%' || fmt[i + 1] == '%') {
			/* Literal text; "%%" is one '%'. */
			if (last == NULL || last->atom != ACCESSFMT_TEXT) {
				last = &af->pieces[af->npieces++];
				last->atom = ACCESSFMT_TEXT;
				last->text = text + used;
				last->len = 0;
			}
			text[used++] = fmt[i];
			last->len++;
			i += fmt[i] == '%' ? 2 : 1;
			continue;
		}
		if (fmt[i + 1] != '(') {
			snprintf(err, errlen, "'%%' at byte %zu: want %%(name)s, "
			    "or %%%% for a '%%'", i + 1);
			goto fail;
		}
		if ((close = strchr(fmt + i + 2, ')')) == NULL) {
			snprintf(err, errlen, "'%%(' at byte %zu is never "
			    "closed", i + 1);
			goto fail;
		}
		klen = close - fmt - i - 2;
		if (close[1] != 's') {
			snprintf(err, errlen, "%%(%.*s) at byte %zu: want "
			    "%%(%.*s)s", (int)klen, fmt + i + 2, i + 1,
			    (int)klen, fmt + i + 2);
			goto fail;
		}
		last = &af->pieces[af->npieces++];
		last->text = NULL;
		last->len = 0;
		if ((r = accessfmt_key(fmt + i + 2, klen, last, text + used,
		    err, errlen)) < 0)
			goto fail;
		used += r;
		i = close + 2 - fmt;
	}
	*ret = af;
	return 0;
 fail:
	free(af);
	return -EINVAL;
}

void
accessfmt_free(struct accessfmt *af)
{
	free(af);
}
