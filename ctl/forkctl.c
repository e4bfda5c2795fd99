/*
 * forkctl: the admin socket's client (doc/admin.md).
 *
 *	forkctl [--admin PATH] [--json] [--timeout S] COMMAND [ARG]
 *
 * Sends one request, reads one answer, and prints it as a table (or as
 * the server's JSON with --json).  Options may come before or after the
 * command.  Exit: 0 done, 1 the server refused (its reason is printed),
 * 2 the server could not be reached or answered nonsense, 100 usage.
 *
 * The socket is --admin PATH, else $FORKD_ADMIN, else
 * $RUNTIME_DIRECTORY/forkd.sock, else ./forkd.sock: where forkd puts it
 * when started from the same place.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

#define CTL_ANSWER_MAX	(4 << 20)
#define CTL_TOKS	8192

enum { CTL_OK = 0, CTL_REFUSED = 1, CTL_UNREACHABLE = 2, CTL_USAGE = 100 };

static const char	*progname = "forkctl";

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: forkctl [--admin PATH] [--json] [--timeout S] COMMAND [ARG]\n"
"\n"
"commands:\n"
"  stats         the server, its zygote, every worker and the totals\n"
"  workers       one line per worker\n"
"  metrics       Prometheus text format\n"
"  reload        start a new generation; waits for the result\n"
"  scale N       run N workers\n"
"  shutdown      stop gracefully (--quick: as SIGINT)\n"
"\n"
"  --admin PATH  the socket (default: $FORKD_ADMIN, else\n"
"                $RUNTIME_DIRECTORY/forkd.sock, else ./forkd.sock)\n"
"  --json        print the server's answer as it came\n"
"  --timeout S   seconds to wait for the answer (60; reload: for the new\n"
"                generation to serve, 600)\n");
}

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void
default_path(char *buf, size_t len)
{
	const char	*p;

	if ((p = getenv("FORKD_ADMIN")) != NULL && *p != '\0')
		snprintf(buf, len, "%s", p);
	else if ((p = getenv("RUNTIME_DIRECTORY")) != NULL && *p != '\0')
		snprintf(buf, len, "%.*s/forkd.sock", (int)strcspn(p, ":"), p);
	else
		snprintf(buf, len, "forkd.sock");
}

/* Connects, sends req and a newline, reads one line into a new buffer. */
static char *
exchange(const char *path, const char *req, int timeout_s, size_t *ret_len)
{
	struct sockaddr_un	 sun;
	struct pollfd		 pfd;
	char			*buf, *nl;
	size_t			 len = 0, cap = 65536;
	ssize_t			 n;
	int			 fd, left_ms = timeout_s * 1000;
	struct timespec		 t0, t1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die(CTL_USAGE, "%s: path too long", path);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die(CTL_UNREACHABLE, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die(CTL_UNREACHABLE, "cannot reach forkd at %s: %s%s", path,
		    strerror(errno), errno == ENOENT ? " (is it running? "
		    "--admin PATH names another socket)" : errno == EACCES ?
		    " (the socket is its user's only)" : "");
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) == -1 ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) == -1)
		die(CTL_UNREACHABLE, "send: %s", strerror(errno));
	if ((buf = malloc(cap)) == NULL)
		die(CTL_UNREACHABLE, "out of memory");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left_ms) == 0)
			die(CTL_UNREACHABLE, "no answer in %d s", timeout_s);
		if (len + 1 >= cap) {
			if (cap >= CTL_ANSWER_MAX)
				die(CTL_UNREACHABLE, "answer over %d bytes",
				    CTL_ANSWER_MAX);
			cap *= 2;
			if ((buf = realloc(buf, cap)) == NULL)
				die(CTL_UNREACHABLE, "out of memory");
		}
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die(CTL_UNREACHABLE, "recv: %s", strerror(errno));
		if (n == 0)
			die(CTL_UNREACHABLE, "forkd closed the connection "
			    "without an answer");
		len += (size_t)n;
		buf[len] = '\0';
		if ((nl = memchr(buf, '\n', len)) != NULL) {
			*nl = '\0';
			*ret_len = (size_t)(nl - buf);
			close(fd);
			return buf;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left_ms = timeout_s * 1000 - (int)((t1.tv_sec - t0.tv_sec) *
		    1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left_ms <= 0)
			die(CTL_UNREACHABLE, "no answer in %d s", timeout_s);
	}
}

struct answer {
	const char		*buf;
	struct json_tok		*t;
	int			 n;
};

static int
get(const struct answer *a, int obj, const char *key)
{
	return obj < 0 ? -1 : json_get(a->buf, a->t, a->n, obj, key);
}

static double
dbl(const struct answer *a, int obj, const char *key)
{
	int	i = get(a, obj, key);
	char	s[64];

	if (i < 0 || a->t[i].type != JSON_NUMBER)
		return 0;
	snprintf(s, sizeof(s), "%.*s", (int)(a->t[i].end - a->t[i].start),
	    a->buf + a->t[i].start);
	return strtod(s, NULL);
}

static int64_t
num(const struct answer *a, int obj, const char *key)
{
	int64_t	v;
	int	i = get(a, obj, key);

	if (i >= 0 && a->t[i].type == JSON_NUMBER &&
	    json_int(a->buf, &a->t[i], &v) == 0)
		return v;
	/* A fraction, or nothing: its integer part, or 0. */
	return (int64_t)dbl(a, obj, key);
}

static const char *
str(const struct answer *a, int obj, const char *key)
{
	static char	bufs[4][256];
	static int	next;
	char		*b = bufs[next++ % 4];
	int		 i = get(a, obj, key);

	if (i < 0 || a->t[i].type != JSON_STRING ||
	    json_str(a->buf, &a->t[i], b, 256) < 0)
		return "-";
	return b;
}

static void
print_age(int64_t s)
{
	if (s < 120)
		printf(" %6" PRId64 "s", s);
	else if (s < 7200)
		printf(" %6" PRId64 "m", s / 60);
	else
		printf(" %6" PRId64 "h", s / 3600);
}

static void
print_workers(const struct answer *a, int obj)
{
	int		 arr = get(a, obj, "workers"), w;
	unsigned	 i;

	if (arr < 0 || a->t[arr].type != JSON_ARRAY)
		return;
	printf("%6s %8s %4s %-9s %7s %9s %9s %9s %9s %8s  %s\n", "WORKER",
	    "PID", "GEN", "STATE", "AGE", "RSS MiB", "PSS MiB", "USS MiB",
	    "REQUESTS", "BUSY", "CURRENT REQUEST");
	for (i = 0; (w = json_at(a->t, a->n, arr, i)) >= 0; i++) {
		printf("%6" PRId64 " %8" PRId64 " %4" PRId64 " %-9s",
		    num(a, w, "id"), num(a, w, "pid"), num(a, w, "generation"),
		    str(a, w, "state"));
		print_age(num(a, w, "age_s"));
		printf(" %9.1f %9.1f %9.1f %9" PRId64,
		    num(a, w, "rss_kib") / 1024.0,
		    num(a, w, "pss_kib") / 1024.0,
		    num(a, w, "uss_kib") / 1024.0, num(a, w, "requests"));
		if (get(a, w, "request_s") >= 0)
			printf(" %7.1fs  %s\n", dbl(a, w, "request_s"),
			    str(a, w, "request"));
		else
			printf(" %8s  %s\n", "-", "-");
	}
}

/* Generation objects of a stats answer: the one with id, or -1. */
static int
find_gen(const struct answer *a, int64_t id)
{
	int		 arr = get(a, 0, "generations"), g;
	unsigned	 i;

	for (i = 0; (g = json_at(a->t, a->n, arr, i)) >= 0; i++)
		if (num(a, g, "generation") == id)
			return g;
	return -1;
}

/* Each line of text, after two spaces. */
static void
print_indented(FILE *fp, const char *text)
{
	const char	*nl;

	for (; *text != '\0'; text = nl + (*nl != '\0')) {
		nl = text + strcspn(text, "\n");
		fprintf(fp, "  %.*s\n", (int)(nl - text), text);
	}
}

/* A string member in full (str() cuts at 255 bytes), or NULL. */
static char *
str_all(const struct answer *a, int obj, const char *key)
{
	int	 i = get(a, obj, key);
	size_t	 len;
	char	*b;

	if (i < 0 || a->t[i].type != JSON_STRING)
		return NULL;
	len = a->t[i].end - a->t[i].start + 1;
	if ((b = malloc(len)) == NULL || json_str(a->buf, &a->t[i], b,
	    len) < 0) {
		free(b);
		return NULL;
	}
	return b;
}

/* The serving generation's summary, and a line for each other one. */
static void
print_generations(const struct answer *a, int64_t shown)
{
	int		 arr = get(a, 0, "generations"), g;
	unsigned	 i;
	char		*s;

	for (i = 0; (g = json_at(a->t, a->n, arr, i)) >= 0; i++) {
		if (num(a, g, "generation") == shown) {
			if ((s = str_all(a, g, "summary_text")) != NULL)
				printf("  %s\n", s);
			free(s);
			continue;
		}
		printf("generation %" PRId64 " (%s): %s, zygote pid %" PRId64
		    ", %" PRId64 " workers, %.1f s old", num(a, g,
		    "generation"), str(a, g, "origin"), str(a, g, "state"),
		    num(a, g, "pid"), num(a, g, "workers"), dbl(a, g, "age_s"));
		if ((s = str_all(a, g, "error")) != NULL)
			printf(": %s", s);
		free(s);
		printf("\n");
	}
}

static void
print_listeners(const struct answer *a)
{
	int		 arr = get(a, 0, "listeners"), k = get(a, 0, "kernel");
	int		 l, q;
	unsigned	 i;

	if (arr < 0 || a->t[arr].type != JSON_ARRAY)
		return;
	printf("\n");
	for (i = 0; (l = json_at(a->t, a->n, arr, i)) >= 0; i++) {
		q = get(a, l, "queued");
		if (q >= 0 && a->t[q].type == JSON_NUMBER)
			printf("listen %s: %" PRId64 " queued, backlog %"
			    PRId64 "\n", str(a, l, "address"),
			    num(a, l, "queued"), num(a, l, "backlog"));
		else
			printf("listen %s: queue not known\n",
			    str(a, l, "address"));
	}
	if (get(a, k, "listen_overflows") >= 0)
		printf("%" PRId64 " connections dropped on a full accept queue "
		    "since boot (the kernel's ListenOverflows, all of this "
		    "network namespace)\n", num(a, k, "listen_overflows"));
}

static void
print_stats(const struct answer *a)
{
	int	z = get(a, 0, "zygote"), tot = get(a, 0, "totals");

	printf("forkd %s, pid %" PRId64 ", up %" PRId64 " s, app %s, %s\n",
	    str(a, 0, "version"), num(a, 0, "pid"), num(a, 0, "uptime_s"),
	    str(a, 0, "app"), str(a, 0, "mode"));
	if (z >= 0)
		printf("zygote pid %" PRId64 ", generation %" PRId64 ", %s, "
		    "RSS %.1f MiB, PSS %.1f MiB, USS %.1f MiB\n",
		    num(a, z, "pid"), num(a, z, "generation"),
		    str(a, z, "state"), num(a, z, "rss_kib") / 1024.0,
		    num(a, z, "pss_kib") / 1024.0,
		    num(a, z, "uss_kib") / 1024.0);
	print_generations(a, num(a, z, "generation"));
	printf("\n");
	print_workers(a, 0);
	if (tot >= 0) {
		int	l = get(a, tot, "latency_ms");

		printf("\n%" PRId64 " workers; the tree's PSS %.1f MiB (the "
		    "zygote's included)\n", num(a, tot, "workers"),
		    num(a, tot, "pss_kib") / 1024.0);
		printf("%" PRId64 " requests, %.1f req/s (last 10 s); latency "
		    "p50 < %" PRId64 " ms, p90 < %" PRId64 " ms, p99 < %" PRId64
		    " ms\n", num(a, tot, "requests"),
		    dbl(a, tot, "req_per_s"), num(a, l, "p50"),
		    num(a, l, "p90"), num(a, l, "p99"));
	}
	print_listeners(a);
}

/* Sends req and parses the answer into *a; returns whether it is ok. */
static int
ask(const char *path, const char *req, int timeout_s, struct answer *a,
    size_t *ret_len)
{
	char	*ans;
	size_t	 len, off = 0;
	int	 c;

	ans = exchange(path, req, timeout_s, &len);
	if (a->t == NULL && (a->t = calloc(CTL_TOKS, sizeof(*a->t))) == NULL)
		die(CTL_UNREACHABLE, "out of memory");
	free((char *)a->buf);
	a->buf = ans;
	a->n = json_parse(ans, len, a->t, CTL_TOKS, &off);
	if (a->n < 0 || a->t[0].type != JSON_OBJECT ||
	    (c = get(a, 0, "ok")) < 0)
		die(CTL_UNREACHABLE, "not an answer forkd gives: %.200s", ans);
	if (ret_len != NULL)
		*ret_len = len;
	return a->t[c].type == JSON_TRUE;
}

/*
 * After "reload" was taken: watches the new generation through "stats"
 * until it serves (exit 0) or failed (its error, exit 1).
 */
static int
reload_wait(const char *path, struct answer *a, int timeout_s, int json)
{
	int64_t			 gen = num(a, 0, "generation");
	struct timespec		 t0, t1, nap = { 0, 200 * 1000000L };
	const struct json_tok	*t;
	char			*err;
	int			 c, g;

	if (!json)
		printf("reload: generation %" PRId64 " starting\n", gen);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		nanosleep(&nap, NULL);
		if (!ask(path, "{\"cmd\":\"stats\"}", timeout_s, a, NULL))
			die(CTL_UNREACHABLE, "stats: %s", str(a, 0, "error"));
		if ((g = find_gen(a, gen)) < 0)
			die(CTL_UNREACHABLE, "reload: generation %" PRId64
			    " is gone from the server's stats", gen);
		t = &a->t[g];
		if (strcmp(str(a, g, "state"), "failed") == 0) {
			if (json)
				printf("%.*s\n", (int)(t->end - t->start),
				    a->buf + t->start);
			err = str_all(a, g, "error");
			fprintf(stderr, "%s: reload: generation %" PRId64
			    " failed: %s\n", progname, gen, err != NULL ? err :
			    "(no reason given)");
			free(err);
			/* What the zygote said as it gave up, if it did. */
			if ((err = str_all(a, g, "failed")) != NULL)
				print_indented(stderr, err);
			free(err);
			return CTL_REFUSED;
		}
		if ((c = get(a, g, "serving")) >= 0 &&
		    a->t[c].type == JSON_TRUE) {
			if (json)
				printf("%.*s\n", (int)(t->end - t->start),
				    a->buf + t->start);
			else
				printf("reload: generation %" PRId64 " serves "
				    "with %" PRId64 " workers, %.1f s after the "
				    "reload began\n", gen, num(a, g, "workers"),
				    dbl(a, g, "reload_s"));
			return CTL_OK;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec >= timeout_s)
			die(CTL_UNREACHABLE, "reload: generation %" PRId64 " is "
			    "still %s after %d s (--timeout)", gen,
			    str(a, g, "state"), timeout_s);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option	 opts[] = {
		{ "admin",	required_argument,	NULL, 'a' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "timeout",	required_argument,	NULL, 't' },
		{ "quick",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct answer	 a;
	char		 path[PATH_MAX], req[256], *end;
	const char	*cmd, *arg = NULL;
	size_t		 len;
	long		 n;
	int		 c, json = 0, quick = 0, timeout_s = -1, ok;

	path[0] = '\0';
	/* "+" is not used: options may follow the command. */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			snprintf(path, sizeof(path), "%s", optarg);
			break;
		case 'j':
			json = 1;
			break;
		case 'q':
			quick = 1;
			break;
		case 't':
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > 3600)
				die(CTL_USAGE, "--timeout %s: want seconds "
				    "from 1 to 3600", optarg);
			timeout_s = (int)n;
			break;
		case 'h':
			usage(stdout);
			return CTL_OK;
		default:
			usage(stderr);
			return CTL_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_USAGE;
	}
	cmd = argv[optind++];
	if (optind < argc)
		arg = argv[optind++];
	if (optind < argc)
		die(CTL_USAGE, "%s: unexpected '%s'", cmd, argv[optind]);
	if (path[0] == '\0')
		default_path(path, sizeof(path));

	if (strcmp(cmd, "scale") == 0) {
		if (arg == NULL)
			die(CTL_USAGE, "scale: want a number of workers");
		n = strtol(arg, &end, 10);
		if (*end != '\0' || n < 1 || n > 4096)
			die(CTL_USAGE, "scale %s: want 1 to 4096 workers", arg);
		snprintf(req, sizeof(req), "{\"cmd\":\"scale\",\"workers\":%ld}",
		    n);
	} else if (arg != NULL)
		die(CTL_USAGE, "%s takes no argument", cmd);
	else if (strcmp(cmd, "shutdown") == 0)
		snprintf(req, sizeof(req), "{\"cmd\":\"shutdown\"%s}",
		    quick ? ",\"quick\":true" : "");
	else if (strcmp(cmd, "stats") == 0 || strcmp(cmd, "workers") == 0 ||
	    strcmp(cmd, "metrics") == 0 || strcmp(cmd, "reload") == 0)
		snprintf(req, sizeof(req), "{\"cmd\":\"%s\"}", cmd);
	else
		die(CTL_USAGE, "unknown command '%s' (forkctl --help)", cmd);

	/* A reload imports and warms the app: it may take minutes. */
	if (timeout_s < 0)
		timeout_s = strcmp(cmd, "reload") == 0 ? 600 : 60;
	memset(&a, 0, sizeof(a));
	ok = ask(path, req, timeout_s, &a, &len);
	if (ok && strcmp(cmd, "reload") == 0)
		return reload_wait(path, &a, timeout_s, json);
	if (json) {
		printf("%s\n", a.buf);
		return ok ? CTL_OK : CTL_REFUSED;
	}
	if (!ok) {
		fprintf(stderr, "%s: %s: %s\n", progname, cmd,
		    str(&a, 0, "error"));
		return CTL_REFUSED;
	}
	if (strcmp(cmd, "stats") == 0)
		print_stats(&a);
	else if (strcmp(cmd, "workers") == 0)
		print_workers(&a, 0);
	else if (strcmp(cmd, "metrics") == 0) {
		char	*text = malloc(len + 1);

		c = get(&a, 0, "text");
		if (text == NULL || c < 0 ||
		    json_str(a.buf, &a.t[c], text, len + 1) < 0)
			die(CTL_UNREACHABLE, "metrics: no text in the answer");
		fputs(text, stdout);
		free(text);
	}
	else if (strcmp(cmd, "shutdown") == 0)
		printf("forkd is stopping%s\n", quick ? " quickly" : "");
	else
		printf("%s: %s\n", cmd, str(&a, 0, "message"));
	free(a.t);
	free((char *)a.buf);
	return CTL_OK;
}
