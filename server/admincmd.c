/*
 * admincmd.c: the admin socket's commands (doc/admin.md) on the
 * supervisor's state: where the socket goes, who may use it beyond
 * admin.c's uid check (nobody forkd started), and what each request
 * line means.  Requests and answers are one JSON object each.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "exitcodes.h"
#include "forkd.h"
#include "json.h"
#include "listen.h"
#include "log.h"
#include "version.h"

#define ADMINCMD_TOKS	64

/* pid's parent from /proc/PID/stat, or -1. */
static pid_t
admincmd_ppid(pid_t pid)
{
	char	 path[64], buf[512], *p;
	ssize_t	 n;
	int	 fd;
	long	 ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) S ppid ...": comm may hold spaces and parens. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/*
 * The zygote and the workers run the app as our own user: neither they
 * nor anything they start may stop or reload the server.  So a peer
 * whose ancestry reaches this process is refused (an operator's forkctl
 * descends from a shell, not from forkd).
 */
static const char *
admincmd_gate(void *arg, const struct admin_peer *peer)
{
	pid_t	p = peer->pid, self = getpid();
	int	i;

	(void)arg;
	for (i = 0; i < 64 && p > 1; i++) {
		if ((p = admincmd_ppid(p)) == self)
			return "not from a process forkd started";
	}
	return NULL;
}

/* The three memory figures of a process, as "rss_kib" and so on. */
static void
admincmd_mem(struct jw *w, const struct memstat *m)
{
	jw_key(w, "rss_kib");
	jw_uint(w, m->rss_kb);
	jw_key(w, "pss_kib");
	jw_uint(w, m->pss_kb);
	jw_key(w, "uss_kib");
	jw_uint(w, m->uss_kb);
}

/*
 * The worker's figures from the status page: requests answered, the one
 * it is on and for how long; its latencies go into hist.
 */
static void
admincmd_requests(struct jw *w, struct forkd *f, const struct worker *wk,
    uint64_t hist[STATUS_HIST])
{
	struct status_slot	*s = slots_status(f, wk);
	char			 line[STATUS_LINE];
	uint64_t		 t0, n = 0;
	unsigned		 i;

	if (s != NULL) {
		n = __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
		for (i = 0; i < STATUS_HIST; i++)
			hist[i] += __atomic_load_n(&s->hist[i],
			    __ATOMIC_RELAXED);
		t0 = __atomic_load_n(&s->started_ns, __ATOMIC_ACQUIRE);
	} else
		t0 = 0;
	jw_key(w, "requests");
	jw_uint(w, n);
	jw_key(w, "request");
	if (t0 == 0) {
		jw_null(w);
		return;
	}
	status_read_line(s, line, sizeof(line));
	jw_str(w, line);
	jw_key(w, "request_s");
	jw_double(w, (status_now_ns() - t0) / 1e9, 3);
}

/* One worker's object; its memory, read now, is added to tot. */
static void
admincmd_worker(struct jw *w, struct forkd *f, const struct worker *wk,
    uint64_t now, struct memstat *tot, uint64_t hist[STATUS_HIST])
{
	struct memstat	m;

	memset(&m, 0, sizeof(m));
	if (wk->pid > 0)
		(void)memstat_read(wk->pid, &m);
	tot->rss_kb += m.rss_kb;
	tot->pss_kb += m.pss_kb;
	tot->uss_kb += m.uss_kb;
	jw_obj_open(w);
	jw_key(w, "id");
	jw_uint(w, wk->id);
	jw_key(w, "pid");
	jw_int(w, wk->pid);
	jw_key(w, "generation");
	jw_uint(w, wk->generation);
	jw_key(w, "state");
	jw_str(w, sv_worker_state_name(wk->state));
	jw_key(w, "age_s");
	jw_double(w, wk->pid > 0 ? (now - wk->started_ms) / 1000.0 : 0, 1);
	admincmd_requests(w, f, wk, hist);
	admincmd_mem(w, &m);
	jw_obj_close(w);
}

static void
admincmd_workers(struct forkd *f, struct jw *w, struct memstat *tot,
    uint64_t hist[STATUS_HIST])
{
	struct slot	*s;
	uint64_t	 now = now_ms();
	unsigned	 i;

	/* Each slot's worker (empty or held too), its replacement on the
	 * way, then the workers draining. */
	jw_key(w, "workers");
	jw_arr_open(w);
	for (i = 0; i < f->sv.nslots; i++) {
		s = &f->sv.slots[i];
		if (s->intent == SLOT_RUN || s->cur.state != WORKER_EMPTY)
			admincmd_worker(w, f, &s->cur, now, tot, hist);
		if (s->repl.state != WORKER_EMPTY)
			admincmd_worker(w, f, &s->repl, now, tot, hist);
	}
	for (i = 0; i < f->sv.ndrain; i++)
		admincmd_worker(w, f, &f->sv.drain[i], now, tot, hist);
	jw_arr_close(w);
}

/* Requests per second over the last samples (up to 10 s). */
static double
admincmd_rate(struct forkd *f)
{
	unsigned	last = (f->rate_next + FORKD_RATE_SAMPLES - 1) %
			    FORKD_RATE_SAMPLES;
	unsigned	first = f->rate_next;

	if (f->rate_ms[first] == 0)
		first = 0;
	if (f->rate_ms[last] <= f->rate_ms[first] ||
	    f->rate_n[last] < f->rate_n[first])
		return 0;
	return (f->rate_n[last] - f->rate_n[first]) * 1000.0 /
	    (f->rate_ms[last] - f->rate_ms[first]);
}

/* One generation's object; its zygote's memory is added to tot. */
static void
admincmd_gen(struct jw *w, struct forkd *f, const struct generation *g,
    uint64_t now, struct memstat *tot)
{
	const struct zyglink	*l = &f->link[sv_gen_index(&f->sv, g)];
	struct memstat		 z;
	char			 text[1024];

	memset(&z, 0, sizeof(z));
	if (g->pid > 0)
		(void)memstat_read(g->pid, &z);
	tot->rss_kb += z.rss_kb;
	tot->pss_kb += z.pss_kb;
	tot->uss_kb += z.uss_kb;
	jw_obj_open(w);
	jw_key(w, "generation");
	jw_uint(w, g->id);
	jw_key(w, "pid");
	jw_int(w, g->pid > 0 ? g->pid : 0);
	jw_key(w, "state");
	jw_str(w, sv_gen_state_name(g->state));
	jw_key(w, "origin");
	jw_str(w, sv_gen_origin_name(g->origin));
	jw_key(w, "serving");
	jw_bool(w, g->id == f->sv.serving);
	jw_key(w, "reloading");
	jw_bool(w, g->id == f->sv.reloading);
	jw_key(w, "age_s");
	jw_double(w, (now - g->started_ms) / 1000.0, 1);
	jw_key(w, "ready_s");
	if (g->ready_ms != 0)
		jw_double(w, (g->ready_ms - g->started_ms) / 1000.0, 1);
	else
		jw_null(w);
	jw_key(w, "reload_s");
	if (g->done_ms != 0)
		jw_double(w, (g->done_ms - g->started_ms) / 1000.0, 1);
	else
		jw_null(w);
	jw_key(w, "workers");
	jw_uint(w, sv_gen_workers(&f->sv, g->id));
	/* READY's JSON (doc/ARCHITECTURE.md), FAILED's text. */
	jw_key(w, "summary");
	if (l->gen == g->id && l->ready != NULL)
		jw_json(w, l->ready, strlen(l->ready));
	else
		jw_null(w);
	jw_key(w, "summary_text");
	if (l->gen == g->id && l->ready != NULL)
		jw_str(w, zygready_summary(l->ready, text, sizeof(text)));
	else
		jw_null(w);
	jw_key(w, "error");
	if (g->reason[0] != '\0')
		jw_str(w, g->reason);
	else
		jw_null(w);
	jw_key(w, "failed");
	if (l->gen == g->id && l->failed != NULL)
		jw_str(w, l->failed);
	else
		jw_null(w);
	admincmd_mem(w, &z);
	jw_obj_close(w);
}

/*
 * The listeners' accept queues as they are now, and the kernel's counts
 * of connections dropped on a full one (S15 in doc/faults.md): where to
 * look when clients time out connecting while every worker is busy.
 * Linux does not tell a unix socket's queue: null.
 */
static void
admincmd_listen(struct forkd *f, struct jw *w)
{
	struct listen_drops	d;
	char			name[300];
	unsigned		queued, backlog;
	size_t			i;

	jw_key(w, "listeners");
	jw_arr_open(w);
	for (i = 0; i < f->nlisten; i++) {
		jw_obj_open(w);
		jw_key(w, "address");
		if (listen_describe(f->listen_fds[i], name, sizeof(name)) == 0)
			jw_str(w, name);
		else
			jw_null(w);
		if (listen_queue(f->listen_fds[i], &queued, &backlog) == 0) {
			jw_key(w, "queued");
			jw_uint(w, queued);
			jw_key(w, "backlog");
			jw_uint(w, backlog);
		} else {
			jw_key(w, "queued");
			jw_null(w);
			jw_key(w, "backlog");
			jw_null(w);
		}
		jw_obj_close(w);
	}
	jw_arr_close(w);
	/* Not forkd's own: every listener of its network namespace. */
	jw_key(w, "kernel");
	jw_obj_open(w);
	if (listen_drops_read(&d) == 0) {
		jw_key(w, "listen_overflows");
		jw_uint(w, d.overflows);
		jw_key(w, "listen_drops");
		jw_uint(w, d.drops);
	}
	jw_obj_close(w);
}

/* Balanced keep-alive: the connections the supervisor holds. */
static void
admincmd_park(struct forkd *f, struct jw *w)
{
	struct park_stats	st;

	park_get_stats(f->park, &st);
	jw_key(w, "keepalive");
	jw_obj_open(w);
	jw_key(w, "parked");
	jw_uint(w, st.parked);
	jw_key(w, "received");
	jw_uint(w, st.received);
	jw_key(w, "forwarded");
	jw_uint(w, st.forwarded);
	jw_key(w, "expired");
	jw_uint(w, st.expired);
	jw_key(w, "refused");
	jw_uint(w, st.refused);
	jw_obj_close(w);
}

static void
admincmd_stats(struct forkd *f, struct jw *w)
{
	const struct generation	*g, *main = NULL;
	struct memstat		 tot, z;
	uint64_t		 hist[STATUS_HIST], now = now_ms();
	unsigned		 i;

	memset(hist, 0, sizeof(hist));
	memset(&tot, 0, sizeof(tot));
	memset(&z, 0, sizeof(z));
	jw_key(w, "version");
	jw_str(w, FORKD_VERSION);
	jw_key(w, "pid");
	jw_int(w, getpid());
	jw_key(w, "uptime_s");
	jw_double(w, (now - f->started_ms) / 1000.0, 1);
	jw_key(w, "app");
	jw_str(w, f->cfg.zyg.app);
	jw_key(w, "mode");
	jw_str(w, f->sv.mode == SV_RUN ? "run" : "stopping");
	jw_key(w, "workers_wanted");
	jw_uint(w, sv_running_slots(&f->sv));
	/* The serving generation's zygote, else the newest. */
	for (i = 0; i < SV_GENS; i++) {
		g = &f->sv.gen[i];
		if (g->state == GEN_FREE)
			continue;
		if (g->id == f->sv.serving || main == NULL ||
		    (main->id != f->sv.serving && g->id > main->id))
			main = g;
	}
	jw_key(w, "zygote");
	jw_obj_open(w);
	jw_key(w, "pid");
	jw_int(w, main != NULL && main->pid > 0 ? main->pid : 0);
	jw_key(w, "generation");
	jw_uint(w, main != NULL ? main->id : 0);
	jw_key(w, "state");
	jw_str(w, main != NULL ? sv_gen_state_name(main->state) : "none");
	if (main != NULL && main->pid > 0)
		(void)memstat_read(main->pid, &z);
	admincmd_mem(w, &z);
	jw_obj_close(w);
	jw_key(w, "generations");
	jw_arr_open(w);
	for (i = 0; i < SV_GENS; i++)
		if (f->sv.gen[i].state != GEN_FREE)
			admincmd_gen(w, f, &f->sv.gen[i], now, &tot);
	jw_arr_close(w);
	admincmd_workers(f, w, &tot, hist);
	jw_key(w, "totals");
	jw_obj_open(w);
	jw_key(w, "workers");
	jw_uint(w, sv_live(&f->sv));
	/* The zygotes' and the workers' together: PSS adds up. */
	admincmd_mem(w, &tot);
	jw_key(w, "requests");
	jw_uint(w, slots_requests(f));
	jw_key(w, "req_per_s");
	jw_double(w, admincmd_rate(f), 1);
	jw_key(w, "respawns");
	jw_uint(w, f->sv.respawns);
	jw_key(w, "timeouts");
	jw_uint(w, f->sv.timeouts);
	jw_key(w, "recycled");
	jw_uint(w, f->sv.recycled);
	jw_key(w, "reloads");
	jw_uint(w, f->sv.reloads);
	jw_key(w, "reloads_failed");
	jw_uint(w, f->sv.reloads_failed);
	/* Upper bounds of power-of-two buckets: "under 8 ms". */
	jw_key(w, "latency_ms");
	jw_obj_open(w);
	jw_key(w, "p50");
	jw_double(w, status_percentile(hist, 0.50), 0);
	jw_key(w, "p90");
	jw_double(w, status_percentile(hist, 0.90), 0);
	jw_key(w, "p99");
	jw_double(w, status_percentile(hist, 0.99), 0);
	jw_obj_close(w);
	jw_obj_close(w);
	admincmd_listen(f, w);
	admincmd_park(f, w);
}

/* Prometheus label value: backslash, double quote and newline escaped. */
static const char *
admincmd_label(const char *s, char *buf, size_t len)
{
	size_t	n = 0;

	for (; *s != '\0' && n + 3 < len; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n')
			buf[n++] = '\\';
		buf[n++] = *s == '\n' ? 'n' : *s;
	}
	buf[n] = '\0';
	return buf;
}

/* The accept queues, as admincmd_listen(); TCP listeners only. */
static void
admincmd_metrics_listen(struct forkd *f, struct abuf *t)
{
	static const struct {
		const char	*name;
		const char	*help;
	} gauge[2] = {
		{ "forkd_listen_queued", "Connections in a listener's accept "
		    "queue that no worker has taken yet." },
		{ "forkd_listen_backlog", "The most a listener's accept queue "
		    "holds; past it the kernel drops connections." },
	};
	char		name[CONFIG_MAX_BINDS][300], label[600];
	unsigned	v[2][CONFIG_MAX_BINDS];
	int		ok[CONFIG_MAX_BINDS];
	size_t		i, k;

	for (i = 0; i < f->nlisten; i++)
		ok[i] = listen_queue(f->listen_fds[i], &v[0][i],
		    &v[1][i]) == 0 && listen_describe(f->listen_fds[i],
		    name[i], sizeof(name[i])) == 0;
	for (k = 0; k < 2; k++) {
		abuf_printf(t, "# HELP %s %s\n# TYPE %s gauge\n",
		    gauge[k].name, gauge[k].help, gauge[k].name);
		for (i = 0; i < f->nlisten; i++)
			if (ok[i])
				abuf_printf(t, "%s{listener=\"%s\"} %u\n",
				    gauge[k].name, admincmd_label(name[i],
				    label, sizeof(label)), v[k][i]);
	}
}

/*
 * Prometheus's text format (exposition format 0.0.4): the tree's memory,
 * each worker's requests, memory and whether it is on a request, the
 * request durations as a histogram, and the supervisor's counters.
 */
static void
admincmd_metrics(struct forkd *f, struct abuf *t)
{
	struct status_slot	*s;
	struct generation	*g;
	struct worker		*wk;
	struct memstat		 m;
	uint64_t		 hist[STATUS_HIST], cum = 0, busy_ns = 0, n;
	unsigned		 i, j;

	memset(hist, 0, sizeof(hist));
	abuf_printf(t, "# HELP forkd_up_seconds Seconds since forkd "
	    "started.\n# TYPE forkd_up_seconds gauge\n"
	    "forkd_up_seconds %.1f\n", (now_ms() - f->started_ms) / 1000.0);
	abuf_printf(t, "# HELP forkd_workers Workers running.\n"
	    "# TYPE forkd_workers gauge\nforkd_workers %u\n",
	    sv_live(&f->sv));
	abuf_printf(t, "# HELP forkd_generation The generation serving.\n"
	    "# TYPE forkd_generation gauge\nforkd_generation %u\n",
	    f->sv.serving);
	abuf_printf(t, "# HELP forkd_reloads_total Reloads done.\n"
	    "# TYPE forkd_reloads_total counter\nforkd_reloads_total %"
	    PRIu64 "\n", f->sv.reloads);
	abuf_printf(t, "# HELP forkd_reloads_failed_total Reloads whose new "
	    "generation failed.\n# TYPE forkd_reloads_failed_total counter\n"
	    "forkd_reloads_failed_total %" PRIu64 "\n", f->sv.reloads_failed);
	abuf_printf(t, "# HELP forkd_worker_respawns_total Worker deaths "
	    "followed by a respawn.\n# TYPE forkd_worker_respawns_total "
	    "counter\nforkd_worker_respawns_total %" PRIu64 "\n",
	    f->sv.respawns);
	abuf_printf(t, "# HELP forkd_worker_recycled_total Workers replaced "
	    "for --max-requests or --max-worker-memory.\n"
	    "# TYPE forkd_worker_recycled_total counter\n"
	    "forkd_worker_recycled_total %" PRIu64 "\n", f->sv.recycled);
	abuf_printf(t, "# HELP forkd_worker_timeouts_total Workers killed by "
	    "--timeout.\n# TYPE forkd_worker_timeouts_total counter\n"
	    "forkd_worker_timeouts_total %" PRIu64 "\n", f->sv.timeouts);
	abuf_printf(t, "# HELP forkd_worker_requests_total Requests a worker "
	    "answered (from 0 when its slot respawns).\n"
	    "# TYPE forkd_worker_requests_total counter\n");
	/* A slot's worker only: a replacement or a worker draining would
	 * repeat its label. */
	for (i = 0; i < f->sv.nslots; i++) {
		wk = &f->sv.slots[i].cur;
		if ((s = slots_status(f, wk)) == NULL)
			continue;
		n = __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
		busy_ns += __atomic_load_n(&s->busy_ns, __ATOMIC_RELAXED);
		for (j = 0; j < STATUS_HIST; j++)
			hist[j] += __atomic_load_n(&s->hist[j],
			    __ATOMIC_RELAXED);
		abuf_printf(t, "forkd_worker_requests_total{worker=\"%u\"} %"
		    PRIu64 "\n", wk->id, n);
	}
	abuf_printf(t, "# HELP forkd_worker_busy Whether a worker is on a "
	    "request.\n# TYPE forkd_worker_busy gauge\n");
	for (i = 0; i < f->sv.nslots; i++) {
		wk = &f->sv.slots[i].cur;
		if ((s = slots_status(f, wk)) != NULL)
			abuf_printf(t, "forkd_worker_busy{worker=\"%u\"} %d\n",
			    wk->id, __atomic_load_n(&s->started_ns,
			    __ATOMIC_ACQUIRE) != 0);
	}
	abuf_printf(t, "# HELP forkd_request_duration_seconds Time the app "
	    "took per request, running workers.\n"
	    "# TYPE forkd_request_duration_seconds histogram\n");
	for (j = 0; j < STATUS_HIST; j++) {
		cum += hist[j];
		if (j < STATUS_HIST - 1)
			abuf_printf(t, "forkd_request_duration_seconds_bucket"
			    "{le=\"%g\"} %" PRIu64 "\n",
			    (double)(1ULL << j) / 1000.0, cum);
	}
	abuf_printf(t, "forkd_request_duration_seconds_bucket{le=\"+Inf\"} %"
	    PRIu64 "\nforkd_request_duration_seconds_sum %.6f\n"
	    "forkd_request_duration_seconds_count %" PRIu64 "\n", cum,
	    busy_ns / 1e9, cum);
	abuf_printf(t, "# HELP forkd_memory_bytes Memory of forkd's processes "
	    "(/proc/PID/smaps_rollup); pss adds up across them.\n"
	    "# TYPE forkd_memory_bytes gauge\n");
	memset(&m, 0, sizeof(m));
	for (i = 0; i < SV_GENS; i++) {
		g = &f->sv.gen[i];
		if (g->state == GEN_FREE || g->pid <= 0 ||
		    memstat_read(g->pid, &m) != 0)
			continue;
		abuf_printf(t, "forkd_memory_bytes{process=\"zygote\","
		    "generation=\"%u\",kind=\"rss\"} %" PRIu64 "\n"
		    "forkd_memory_bytes{process=\"zygote\",generation=\"%u\","
		    "kind=\"pss\"} %" PRIu64 "\nforkd_memory_bytes{process="
		    "\"zygote\",generation=\"%u\",kind=\"uss\"} %" PRIu64
		    "\n", g->id, m.rss_kb * 1024, g->id, m.pss_kb * 1024, g->id,
		    m.uss_kb * 1024);
	}
	for (i = 0; i < f->sv.nslots; i++) {
		wk = &f->sv.slots[i].cur;
		if (wk->pid <= 0 || memstat_read(wk->pid, &m) != 0)
			continue;
		abuf_printf(t, "forkd_memory_bytes{process=\"worker\","
		    "worker=\"%u\",kind=\"rss\"} %" PRIu64 "\n"
		    "forkd_memory_bytes{process=\"worker\",worker=\"%u\","
		    "kind=\"pss\"} %" PRIu64 "\nforkd_memory_bytes{process="
		    "\"worker\",worker=\"%u\",kind=\"uss\"} %" PRIu64 "\n",
		    wk->id, m.rss_kb * 1024, wk->id, m.pss_kb * 1024, wk->id,
		    m.uss_kb * 1024);
	}
	admincmd_metrics_listen(f, t);
}

/* Writes {"ok":false,"error":why} into out. */
static void
admincmd_error(struct abuf *out, const char *fmt, ...)
{
	struct jw	w;
	char		why[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "ok");
	jw_bool(&w, 0);
	jw_key(&w, "error");
	jw_str(&w, why);
	jw_obj_close(&w);
	if (jw_finish(&w) == 0)
		abuf_add(out, w.buf, w.len);
	jw_free(&w);
}

/* Whether the request object has only the keys in allowed (NULL-ended). */
static const char *
admincmd_unknown_key(const char *line, const struct json_tok *t, int n,
    const char *const *allowed)
{
	static char	key[64];
	const char	*const *a;
	int		 i, k;

	for (i = 1, k = 0; i < n && (unsigned)k < t[0].size; k++) {
		for (a = allowed; *a != NULL; a++)
			if (json_streq(line, &t[i], *a))
				break;
		if (*a == NULL) {
			if (json_str(line, &t[i], key, sizeof(key)) < 0)
				strcpy(key, "(long)");
			return key;
		}
		i = (int)t[i + 1].next;		/* past the value */
	}
	return NULL;
}

static int
admincmd_handle(void *arg, const struct admin_peer *peer, const char *line,
    size_t len, struct abuf *out)
{
	static const char *const plain[] = { "cmd", NULL };
	static const char *const quick[] = { "cmd", "quick", NULL };
	static const char *const scale[] = { "cmd", "workers", NULL };
	struct forkd		*f = arg;
	struct json_tok		 t[ADMINCMD_TOKS];
	struct jw		 w;
	char			 cmd[32];
	const char		*bad;
	int64_t			 workers = 0;
	size_t			 off = 0;
	int			 n, c, q, r = 0;

	n = json_parse(line, len, t, ADMINCMD_TOKS, &off);
	if (n < 0) {
		admincmd_error(out, "not JSON: %s at byte %zu",
		    json_strerror(n), off);
		return 0;
	}
	if (t[0].type != JSON_OBJECT ||
	    (c = json_get(line, t, n, 0, "cmd")) < 0 ||
	    t[c].type != JSON_STRING ||
	    json_str(line, &t[c], cmd, sizeof(cmd)) < 0) {
		admincmd_error(out, "want an object with a \"cmd\" string");
		return 0;
	}
	/* What changes the server is logged; reading it is not. */
	if (strcmp(cmd, "reload") == 0 || strcmp(cmd, "scale") == 0 ||
	    strcmp(cmd, "shutdown") == 0)
		log_info("admin: pid %d uid %u: %s", (int)peer->pid,
		    (unsigned)peer->uid, cmd);
	if (strcmp(cmd, "shutdown") == 0) {
		if ((bad = admincmd_unknown_key(line, t, n, quick)) != NULL)
			goto unknown_key;
		q = json_get(line, t, n, 0, "quick");
		if (q >= 0 && t[q].type != JSON_TRUE &&
		    t[q].type != JSON_FALSE) {
			admincmd_error(out, "\"quick\" wants true or false");
			return 0;
		}
	} else if (strcmp(cmd, "scale") == 0) {
		if ((bad = admincmd_unknown_key(line, t, n, scale)) != NULL)
			goto unknown_key;
		q = json_get(line, t, n, 0, "workers");
		if (q < 0 || t[q].type != JSON_NUMBER ||
		    json_int(line, &t[q], &workers) != 0 || workers < 0) {
			admincmd_error(out, "scale wants \"workers\": a whole "
			    "number");
			return 0;
		}
	} else if ((bad = admincmd_unknown_key(line, t, n, plain)) != NULL)
		goto unknown_key;

	if (strcmp(cmd, "reload") == 0 || strcmp(cmd, "scale") == 0) {
		struct sv_event	ev;
		char		why[256];

		memset(&ev, 0, sizeof(ev));
		ev.type = cmd[0] == 'r' ? SV_EV_RELOAD : SV_EV_SCALE;
		ev.n = workers > 4096 ? 4097 : (unsigned)workers;
		if (forkd_event(f, &ev, why, sizeof(why)) != 0) {
			admincmd_error(out, "%s", why);
			return 0;
		}
		jw_init(&w);
		jw_obj_open(&w);
		jw_key(&w, "ok");
		jw_bool(&w, 1);
		if (ev.type == SV_EV_RELOAD) {
			jw_key(&w, "generation");
			jw_uint(&w, f->sv.reloading);
		} else {
			jw_key(&w, "workers");
			jw_uint(&w, ev.n);
		}
		jw_key(&w, "message");
		jw_str(&w, why);
		goto answer;
	}

	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "ok");
	jw_bool(&w, 1);
	if (strcmp(cmd, "ping") == 0)
		;	/* {"ok":true}: the socket is alive */
	else if (strcmp(cmd, "stats") == 0)
		admincmd_stats(f, &w);
	else if (strcmp(cmd, "metrics") == 0) {
		struct abuf	text;

		memset(&text, 0, sizeof(text));
		admincmd_metrics(f, &text);
		jw_key(&w, "text");
		jw_strn(&w, text.buf != NULL ? text.buf : "", text.len);
		free(text.buf);
	} else if (strcmp(cmd, "workers") == 0) {
		struct memstat	tot;
		uint64_t	hist[STATUS_HIST];

		memset(&tot, 0, sizeof(tot));
		memset(hist, 0, sizeof(hist));
		admincmd_workers(f, &w, &tot, hist);
	}
	else if (strcmp(cmd, "shutdown") == 0) {
		q = json_get(line, t, n, 0, "quick");
		forkd_stop(f, q >= 0 && t[q].type == JSON_TRUE ?
		    SV_STOP_QUICK : SV_STOP_GRACEFUL, EXIT_CLEAN);
		r = 1;
	} else {
		jw_free(&w);
		admincmd_error(out, "unknown command '%s'", cmd);
		return 0;
	}
answer:
	jw_obj_close(&w);
	if (jw_finish(&w) == 0)
		abuf_add(out, w.buf, w.len);
	else
		admincmd_error(out, "out of memory");
	jw_free(&w);
	return r;
 unknown_key:
	admincmd_error(out, "%s: unknown argument '%s'", cmd, bad);
	return 0;
}

int
admincmd_open(struct forkd *f)
{
	const char	*what = f->cfg.admin;
	char		 path[PATH_MAX];
	int		 r;

	if (what != NULL && strcmp(what, "none") == 0)
		return 0;
	if (what != NULL)
		snprintf(path, sizeof(path), "%s", what);
	else if ((r = admin_default_path(path, sizeof(path),
	    f->cfg.zyg.chdir)) != 0) {
		log_warnc(r, "admin: no default socket path: running without "
		    "one");
		return 0;
	}
	if (f->inherit_admin >= 0) {
		/* An upgrade: the old forkd's socket is ours now. */
		r = admin_adopt(&f->admin, path, f->inherit_admin,
		    admincmd_handle, admincmd_gate, f);
		f->inherit_admin = -1;
	} else
		r = admin_open(&f->admin, path, admincmd_handle,
		    admincmd_gate, f);
	if (r == 0) {
		log_info("admin socket %s", path);
		return 0;
	}
	if (r == -EADDRINUSE)
		fatalx(EXIT_SYSCALL, "admin socket %s: another forkd answers "
		    "there; stop it, or give this one --admin PATH", path);
	if (r == -EEXIST || r == -EPERM)
		fatalx(EXIT_SYSCALL, "admin socket %s: something that is not "
		    "this user's socket is there; forkd never removes it: "
		    "remove it, or give --admin PATH", path);
	if (what != NULL)
		fatalc(r, "admin socket %s", path);
	/* The default place is a convenience: a read-only app dir is fine. */
	log_warnc(r, "admin socket %s: running without one (--admin PATH "
	    "puts it elsewhere)", path);
	return 0;
}

void
admincmd_close(struct forkd *f)
{
	admin_close(f->admin);
	f->admin = NULL;
}
