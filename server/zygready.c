/*
 * zygready.c: READY's payload on the supervisor's side.  It keeps the
 * zygote's JSON summary (struct zyglink's ready, for whoever asks
 * later) and turns it into the short text of the "zygote pid N ready:"
 * log line.  It decides nothing: zyglink.c does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forkd.h"
#include "json.h"
#include "log.h"

/* READY's JSON has about 45 tokens; one with more is shown raw. */
#define ZYGREADY_TOKS	256
/* The longest string or number of it shown: an app spec. */
#define ZYGREADY_WORD	512

struct zygready_doc {
	const char		*json;
	struct json_tok		 t[ZYGREADY_TOKS];
	int			 n;
};

/* Appends ", " (but first) and a part to buf[0..len) at *off. */
static void __attribute__((format(printf, 4, 5)))
zygready_part(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	char	part[2 * ZYGREADY_WORD + 64];
	va_list	ap;
	int	n;

	if (*off + 1 >= len)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(part, sizeof(part), fmt, ap);
	va_end(ap);
	n = snprintf(buf + *off, len - *off, "%s%s", *off > 0 ? ", " : "",
	    part);
	if (n > 0)
		*off += (size_t)n < len - *off ? (size_t)n : len - *off - 1;
}

/*
 * Copies the text of obj's member key into out[0..ZYGREADY_WORD) if it
 * has type type (a number as it is written, "182.4"; a string
 * unescaped); returns 0, or -1 if there is no such member or it does
 * not fit.
 */
static int
zygready_word(const struct zygready_doc *d, int obj, const char *key,
    enum json_type type, char *out)
{
	const struct json_tok	*t;
	int			 i;

	if (obj < 0 || (i = json_get(d->json, d->t, d->n, obj, key)) < 0 ||
	    (t = &d->t[i])->type != type)
		return -1;
	if (type == JSON_STRING)
		return json_str(d->json, t, out, ZYGREADY_WORD) < 0 ? -1 : 0;
	if (t->end - t->start >= ZYGREADY_WORD)
		return -1;
	memcpy(out, d->json + t->start, t->end - t->start);
	out[t->end - t->start] = '\0';
	return 0;
}

const char *
zygready_summary(const char *json, char *buf, size_t len)
{
	struct zygready_doc	d;
	char			a[ZYGREADY_WORD], b[ZYGREADY_WORD];
	size_t			off = 0;
	int			wu, seal;

	d.json = json;
	d.n = json_parse(json, strlen(json), d.t, ZYGREADY_TOKS, NULL);
	if (d.n <= 0 || d.t[0].type != JSON_OBJECT) {
		snprintf(buf, len, "%s", json);	/* not ours: as it came */
		return buf;
	}
	if (len > 0)
		buf[0] = '\0';
	wu = json_get(json, d.t, d.n, 0, "warmup");
	seal = json_get(json, d.t, d.n, 0, "seal");
	if (zygready_word(&d, 0, "python", JSON_STRING, a) == 0)
		zygready_part(buf, len, &off, "python %s", a);
	if (zygready_word(&d, 0, "app", JSON_STRING, a) == 0)
		zygready_part(buf, len, &off, "app %s", a);
	if (zygready_word(&d, 0, "import_ms", JSON_NUMBER, a) == 0)
		zygready_part(buf, len, &off, "imported in %s ms", a);
	if (zygready_word(&d, wu, "requests", JSON_NUMBER, a) == 0 &&
	    zygready_word(&d, wu, "ms", JSON_NUMBER, b) == 0)
		zygready_part(buf, len, &off, "warmup %s requests in %s ms", a,
		    b);
	if (zygready_word(&d, seal, "mode", JSON_STRING, a) == 0) {
		if (strcmp(a, "none") == 0)
			zygready_part(buf, len, &off, "no seal");
		else if (zygready_word(&d, seal, "ms", JSON_NUMBER, b) == 0)
			zygready_part(buf, len, &off, "%s seal in %s ms", a, b);
	}
	return buf;
}

void
zyglink_ready(struct zyglink *l, struct proto_msg *m)
{
	char	line[1024];

	free(l->ready);
	/* Without memory, nothing is kept: the log still has it. */
	l->ready = strdup(proto_text(m));
	log_info("zygote pid %d ready: %s", (int)l->pid,
	    zygready_summary(proto_text(m), line, sizeof(line)));
	log_debug("zygote pid %d summary: %s", (int)l->pid, proto_text(m));
}
