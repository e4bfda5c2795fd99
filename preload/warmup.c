/*
 * warmup.c: reads a warmup file into raw HTTP/1.1 requests and drives
 * them, and the @forkd.warmup hooks, through the app for --warmup-rounds
 * rounds within --warmup-time.  It holds no Python state; requests go
 * through py.h to the same parser and WSGI bridge the workers use.
 *
 * The file: blocks separated by blank lines; '#' lines are comments.
 *
 *	GET /items?page=2
 *	Accept: text/html
 *
 *	POST /search
 *	Content-Type: application/x-www-form-urlencoded
 *	--
 *	q=lamp&sort=price
 *
 * A block's first line is METHOD and a path; the lines after it are
 * headers, up to an optional "--" line after which the rest of the
 * block is the body (its lines joined with "\n").  Outside a body, a
 * request line also starts a new block, so a plain list of "GET /path"
 * lines is a warmup file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "py.h"
#include "warmup.h"

struct strbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static int
sb_add(struct strbuf *b, const char *s, size_t n)
{
	char	*p;
	size_t	 cap;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

void
warmup_free(struct warmup_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->reqs[i].raw);
	free(l->reqs);
	l->reqs = NULL;
	l->n = 0;
}

static int
warmup_is_token(const char *s, size_t n)
{
	size_t	i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-' ||
		    s[i] == '_'))
			return 0;
	return 1;
}

/* Returns 1 for "METHOD /path" (no colon before the path). */
static int
warmup_is_request_line(const char *s, size_t n)
{
	const char	*sp = memchr(s, ' ', n);

	return sp != NULL && warmup_is_token(s, sp - s) &&
	    (size_t)(sp - s) + 1 < n && sp[1] == '/';
}

/* Turns one block (lines[0..n)) into a raw request. */
static int
warmup_block(char **lines, size_t *lens, size_t n, unsigned lineno,
    struct warmup_req *ret, char *err, size_t errlen)
{
	struct strbuf	 head = { 0 }, body = { 0 };
	const char	*sp;
	char		 cl[64];
	size_t		 i;
	int		 in_body = 0, has_host = 0, has_len = 0, r = -ENOMEM;

	sp = memchr(lines[0], ' ', lens[0]);
	if (sp == NULL || !warmup_is_token(lines[0], sp - lines[0]) ||
	    sp[1] != '/' || memchr(sp + 1, ' ', lens[0] - (sp + 1 -
	    lines[0])) != NULL) {
		snprintf(err, errlen, "line %u: want \"METHOD /path\", got "
		    "\"%.*s\"", lineno, (int)(lens[0] > 60 ? 60 : lens[0]),
		    lines[0]);
		return -EINVAL;
	}
	if (sb_add(&head, lines[0], lens[0]) || sb_add(&head,
	    " HTTP/1.1\r\n", 11))
		goto out;
	for (i = 1; i < n; i++) {
		if (in_body) {
			if ((body.len > 0 && sb_add(&body, "\n", 1)) ||
			    sb_add(&body, lines[i], lens[i]))
				goto out;
			continue;
		}
		if (lens[i] == 2 && memcmp(lines[i], "--", 2) == 0) {
			in_body = 1;
			continue;
		}
		sp = memchr(lines[i], ':', lens[i]);
		if (sp == NULL || sp == lines[i]) {
			snprintf(err, errlen, "line %u: want \"Name: value\" "
			    "or \"--\" before a body", lineno + (unsigned)i);
			r = -EINVAL;
			goto out;
		}
		if ((size_t)(sp - lines[i]) == 4 &&
		    strncasecmp(lines[i], "host", 4) == 0)
			has_host = 1;
		if ((size_t)(sp - lines[i]) == 14 &&
		    strncasecmp(lines[i], "content-length", 14) == 0)
			has_len = 1;
		if (sb_add(&head, lines[i], lens[i]) ||
		    sb_add(&head, "\r\n", 2))
			goto out;
	}
	if (has_len) {
		snprintf(err, errlen, "line %u: Content-Length is computed, "
		    "do not give it", lineno);
		r = -EINVAL;
		goto out;
	}
	if (!has_host && sb_add(&head, "Host: localhost\r\n", 17))
		goto out;
	snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n\r\n", body.len);
	if (sb_add(&head, cl, strlen(cl)) ||
	    (body.len > 0 && sb_add(&head, body.p, body.len)))
		goto out;
	ret->raw = head.p;
	ret->len = head.len;
	ret->line = lineno;
	head.p = NULL;
	r = 0;
 out:
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(head.p);
	free(body.p);
	return r;
}

int
warmup_parse(const char *text, size_t len, struct warmup_list *ret,
    char *err, size_t errlen)
{
	struct warmup_list	 l = { NULL, 0 };
	struct warmup_req	*p;
	char			*lines[256];
	size_t			 lens[256], n = 0, cap = 0, ll;
	const char		*s = text, *end = text + len, *e;
	unsigned		 lineno = 0, start = 0;
	int			 r, body = 0, split = 0;

	for (;;) {
		e = s < end ? memchr(s, '\n', end - s) : NULL;
		if (s < end && e == NULL)
			e = end;
		if (s < end)
			lineno++;
		ll = s < end ? (size_t)(e - s) : 0;
		if (ll > 0 && s[ll - 1] == '\r')
			ll--;
		if (s < end && ll > 0 && s[0] == '#') {
			s = e + 1;
			continue;
		}
		/* A request line also starts a new block: a plain URL list. */
		if (s < end && ll > 0 && n > 0 && !body &&
		    warmup_is_request_line(s, ll))
			split = 1;
		if (s >= end || ll == 0 || split) {
			if (n > 0) {
				if (l.n == cap) {
					cap = cap ? cap * 2 : 16;
					p = realloc(l.reqs, cap * sizeof(*p));
					if (p == NULL) {
						warmup_free(&l);
						snprintf(err, errlen, "out of "
						    "memory");
						return -ENOMEM;
					}
					l.reqs = p;
				}
				r = warmup_block(lines, lens, n, start,
				    &l.reqs[l.n], err, errlen);
				if (r != 0) {
					warmup_free(&l);
					return r;
				}
				l.n++;
				n = 0;
				body = 0;
			}
			if (s >= end)
				break;
			if (!split) {
				s = e + 1;
				continue;
			}
			split = 0;
		}
		if (n == 0)
			start = lineno;
		if (n == sizeof(lines) / sizeof(lines[0])) {
			warmup_free(&l);
			snprintf(err, errlen, "line %u: a block of more than "
			    "256 lines", lineno);
			return -EINVAL;
		}
		if (n > 0 && ll == 2 && memcmp(s, "--", 2) == 0)
			body = 1;
		lines[n] = (char *)s;
		lens[n++] = ll;
		s = e + 1;
	}
	if (l.n == 0) {
		snprintf(err, errlen, "no request in the file");
		return -EINVAL;
	}
	*ret = l;
	return 0;
}

static int
warmup_load(const char *path, struct warmup_list *ret)
{
	struct stat	 sb;
	char		*text, err[256];
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		log_warn("--warmup %s", path);
		if (fd != -1)
			close(fd);
		return -EINVAL;
	}
	if ((text = malloc(sb.st_size + 1)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)sb.st_size &&
	    (n = read(fd, text + got, sb.st_size - got)) > 0)
		got += n;
	close(fd);
	text[got] = '\0';
	r = warmup_parse(text, got, ret, err, sizeof(err));
	free(text);
	if (r != 0)
		log_warnx("--warmup %s: %s", path, err);
	return r;
}

static double
warmup_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Runs the file's requests and the hooks once; returns 1 if any request
 * answered other than 2xx or a hook raised, else 0.
 */
static int
warmup_round(struct warmup *w, unsigned round, unsigned rounds)
{
	size_t	i, n = w->l.n;
	int	tty = isatty(STDERR_FILENO), failed = 0, r;

	for (i = 0; i < n; i++) {
		r = py_warmup_raw(w->l.reqs[i].raw, w->l.reqs[i].len);
		if (r < 200 || r > 299)
			failed = 1;
		if (tty)
			fprintf(stderr, "\rwarmup: round %u/%u [%-30.*s] %zu/%zu",
			    round, rounds, (int)(30 * (i + 1) / n),
			    "##############################", i + 1, n);
	}
	if (py_warmup_hooks() != 0)
		failed = 1;
	if (tty && n > 0)
		fprintf(stderr, "\n");
	return failed;
}

/*
 * The summary: requests, time, and how much of the code specialized;
 * logged, and kept in *w.
 */
static void
warmup_summary(struct warmup *w)
{
	struct py_spec_report	*sp = &w->spec;

	w->summed = 1;
	py_warmup_counts(&w->requests, &w->non2xx);
	w->spec_ok = py_spec_report(sp) == 0;
	if (w->spec_ok)
		log_info("warmup: %zu requests in %.2f s, %zu not 2xx; %zd of "
		    "%zd code objects ran specialized, %.1f%% of their %zd "
		    "specializable instructions specialized", w->requests,
		    w->seconds, w->non2xx, sp->codes_run, sp->codes,
		    sp->specializable ? 100.0 * sp->specialized /
		    sp->specializable : 0.0, sp->specializable);
}

int
warmup_run(const struct warmup_opts *o, int hold_last, struct warmup *ret)
{
	double			 t0 = warmup_now(), logged = t0;
	size_t			 reqs, bad;
	unsigned		 round, tenth = 0;
	int			 failed = 0, r;

	memset(ret, 0, sizeof(*ret));
	if (o->file != NULL && (r = warmup_load(o->file, &ret->l)) != 0)
		return r;
	if (ret->l.n == 0 && !py_warmup_has_hooks())
		return 0;
	ret->active = 1;
	ret->round = o->rounds;
	if (hold_last && o->rounds >= 2) {
		ret->held = 1;
		ret->round = o->rounds - 1;
	}
	for (round = 1; round <= ret->round; round++) {
		if (round > 1 && warmup_now() - t0 > o->budget_s) {
			log_info("warmup: time budget of %u s spent after %u "
			    "rounds", o->budget_s, round - 1);
			ret->round = round - 1;
			ret->held = 0;
			break;
		}
		failed |= warmup_round(ret, round, o->rounds);
		/*
		 * A line per tenth of the rounds, or per 5 s, and the last:
		 * 60 rounds make about 10 lines, not 60.
		 */
		if (round * 10 / o->rounds == tenth &&
		    warmup_now() - logged < 5 && round < ret->round && !failed)
			continue;
		tenth = round * 10 / o->rounds;
		logged = warmup_now();
		py_warmup_counts(&reqs, &bad);
		log_info("warmup: round %u/%u done: %zu requests so far, %zu "
		    "not 2xx, %.2f s", round, o->rounds, reqs, bad,
		    warmup_now() - t0);
		if (failed && o->strict)
			break;
	}
	ret->seconds = warmup_now() - t0;
	if (!ret->held)
		warmup_summary(ret);
	if (failed && o->strict) {
		log_warnx("warmup failed and --warmup-strict is set");
		warmup_end(ret);
		return -1;
	}
	if (failed)
		log_warnx("warmup had failures (see above); going on "
		    "(--warmup-strict makes them fatal)");
	return 0;
}

int
warmup_last(struct warmup *w, unsigned rounds)
{
	double	t0 = warmup_now();
	size_t	reqs, bad;
	int	failed;

	if (!w->held)
		return -ENOENT;
	w->held = 0;
	failed = warmup_round(w, ++w->round, rounds);
	w->seconds += warmup_now() - t0;
	py_warmup_counts(&reqs, &bad);
	log_info("warmup: round %u/%u done: %zu requests so far, %zu not "
	    "2xx, %.2f s", w->round, rounds, reqs, bad, w->seconds);
	warmup_summary(w);
	return failed ? -EIO : 0;
}

void
warmup_end(struct warmup *w)
{
	warmup_free(&w->l);
	w->active = 0;
}
