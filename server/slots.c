/*
 * slots.c: what the supervisor's driver does for its workers, around the
 * decisions sv.c takes: a pidfd and a tracker for each new worker, the
 * signals sv.c orders, the status page read on every tick (who took its
 * slot and serves, who is past --timeout), the memory figures, and the
 * strays a dead zygote leaves.
 *
 * Workers are forked by a zygote and reparented to the supervisor, which
 * is a child subreaper (see doc/ARCHITECTURE.md).  What runs inside a
 * worker is preload/worker.c.
 */
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "forkd.h"
#include "log.h"

void
slots_watch(struct forkd *f, pid_t pid)
{
	struct worker	*w = sv_worker(&f->sv, pid);
	int		 fd;

	if (w == NULL)
		return;
	if ((fd = pidfd_get(pid)) < 0)
		log_warnc(fd, "worker %u pid %d: pidfd_open", w->id, (int)pid);
	else
		w->pidfd = fd;
	/* Jitter, so that workers started together are not all replaced
	 * together. */
	w->max_requests = f->cfg.max_requests;
	if (w->max_requests != 0 && f->cfg.max_requests_jitter != 0)
		w->max_requests += (uint64_t)random() %
		    (f->cfg.max_requests_jitter + 1);
	cow_worker_started(f, w);
}

void
slots_unwatch(struct forkd *f, struct worker *w)
{
	struct status_slot	*s = slots_status(f, w);

	/* Its page is reused later: its count goes to the total now. */
	if (s != NULL)
		f->requests_gone += __atomic_load_n(&s->requests,
		    __ATOMIC_RELAXED);
	cow_worker_gone(f, w);
	if (w->pidfd >= 0)
		close(w->pidfd);
	w->pidfd = -1;
}

/*
 * Through the pidfd when there is one.  Without, kill(2) is still safe:
 * a worker is our child, so its pid is not reused before we reap it, and
 * sv.c orders no signal to a worker it saw reaped.
 */
void
slots_signal(struct forkd *f, pid_t pid, int sig)
{
	struct worker	*w = sv_worker(&f->sv, pid);
	int		 r;

	if (w != NULL && w->pidfd >= 0)
		r = pidfd_signal(w->pidfd, sig);
	else
		r = kill(pid, sig) == -1 ? -errno : 0;
	if (r != 0 && r != -ESRCH)
		log_warnc(r, "pid %d: signal %s", (int)pid, sigabbrev_np(sig));
}

/*
 * Reads and logs each worker's RSS, PSS and USS (and the zygotes'), and
 * keeps them for the admin socket.  Called from the tick every
 * --stats-interval seconds.
 */
void
slots_stats(struct forkd *f)
{
	struct generation	*g;
	struct memstat		 z, *m;
	struct worker		*w;
	uint64_t		 total_pss = 0;
	unsigned		 i, it = 0, n = 0;

	for (i = 0; i < SV_GENS; i++) {
		g = &f->sv.gen[i];
		if (g->state == GEN_FREE || g->pid <= 0 ||
		    memstat_read(g->pid, &z) != 0)
			continue;
		total_pss += z.pss_kb;
		log_info("stats: zygote pid %d generation %u rss %.1f MiB pss "
		    "%.1f MiB uss %.1f MiB", (int)g->pid, g->id,
		    z.rss_kb / 1024.0, z.pss_kb / 1024.0, z.uss_kb / 1024.0);
	}
	while ((w = sv_next_worker(&f->sv, &it)) != NULL) {
		m = &w->mem;
		if (memstat_read(w->pid, m) != 0)
			continue;
		if (m->uss_kb > w->mem_peak.uss_kb)
			w->mem_peak = *m;
		total_pss += m->pss_kb;
		n++;
		log_info("stats: worker %u pid %d rss %.1f MiB pss %.1f MiB "
		    "uss %.1f MiB (peak %.1f)", w->id, (int)w->pid,
		    m->rss_kb / 1024.0, m->pss_kb / 1024.0, m->uss_kb / 1024.0,
		    w->mem_peak.uss_kb / 1024.0);
	}
	log_info("stats: %u workers, total pss %.1f MiB (zygote included)", n,
	    total_pss / 1024.0);
}

/* The generation in pid's title ("forkd: worker 2 generation 3, ..."). */
static unsigned
slots_title_gen(pid_t pid)
{
	char		 path[64], buf[256], *p;
	ssize_t		 n;
	unsigned	 gen = 0;
	int		 fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strstr(buf, " generation ")) != NULL)
		gen = (unsigned)strtoul(p + 12, NULL, 10);
	return gen;
}

/*
 * After the zygote of generation gen died and its channel is drained: a
 * worker it forked but never reported runs untracked (the zygote died
 * between the fork and its FORKED message).  Such a process is our
 * child, named forkd-worker (or still forkd-zygote, if it had not
 * renamed itself yet), of that generation, and in no slot: stop it, and
 * let its slot's respawn replace it.  Other generations' zygotes and
 * workers on their way are left alone.
 */
void
slots_kill_strays(struct forkd *f, unsigned gen)
{
	char		 path[64], buf[512], *rp;
	struct dirent	*de;
	DIR		*d;
	FILE		*fp;
	pid_t		 pid, self = getpid();
	int		 ppid;
	char		 state;
	unsigned	 i;

	if ((d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if ((pid = (pid_t)atoi(de->d_name)) <= 0 ||
		    sv_worker(&f->sv, pid) != NULL)
			continue;
		for (i = 0; i < SV_GENS; i++)
			if (f->sv.gen[i].pid == pid)
				break;
		if (i < SV_GENS)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), fp) == NULL)
			buf[0] = '\0';
		fclose(fp);
		/* "pid (comm) S ppid ...": comm may hold spaces. */
		if ((rp = strrchr(buf, ')')) == NULL ||
		    sscanf(rp + 1, " %c %d", &state, &ppid) != 2 ||
		    ppid != self || state == 'Z')
			continue;
		if (strstr(buf, "(forkd-worker)") == NULL &&
		    strstr(buf, "(forkd-zygote)") == NULL)
			continue;
		if (slots_title_gen(pid) != gen)
			continue;
		log_warnx("pid %d: a worker the dead zygote never reported, "
		    "stopping it", (int)pid);
		(void)kill(pid, SIGTERM);
	}
	closedir(d);
}

/*
 * A booting worker serves once it takes its status slot (after its
 * post_fork hooks): sv.c lets the worker it replaces go only then.
 */
void
slots_claims(struct forkd *f)
{
	struct status_slot	*s;
	struct sv_event		 ev;
	struct worker		*w;
	pid_t			 pids[64];
	unsigned		 it = 0, n = 0, i;

	while ((w = sv_next_worker(&f->sv, &it)) != NULL && n < 64) {
		if (w->state != WORKER_BOOTING)
			continue;
		s = status_slot(f->status, w->ix);
		if (s == NULL ||
		    __atomic_load_n(&s->pid, __ATOMIC_ACQUIRE) == w->pid)
			pids[n++] = w->pid;
	}
	/* Each event may move workers: the pids were taken first. */
	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = SV_EV_CLAIMED;
		ev.pid = pids[i];
		(void)forkd_event(f, &ev, NULL, 0);
	}
}

/*
 * --timeout (fault S3): a worker busy on one request for longer is told
 * to dump its Python traceback (SIGUSR2, which faulthandler handles in
 * every worker) and is killed a second later; its slot respawns as after
 * any death.  Idle workers, and workers between requests, are never
 * killed.  After the supervisor's own loop stalled (stopped and
 * continued, a paused machine), requests get as long again before a kill
 * (S6): their clocks ran on while nobody watched.
 */
void
slots_timeouts(struct forkd *f, uint64_t now)
{
	struct status_slot	*s;
	struct sv_event		 ev;
	struct worker		*w;
	uint64_t		 t0, ns = status_now_ns();
	char			 line[STATUS_LINE];
	unsigned		 it = 0;

	if (f->cfg.timeout == 0 || f->status == NULL || now < f->stall_end_ms)
		return;
	while ((w = sv_next_worker(&f->sv, &it)) != NULL) {
		if (w->state != WORKER_RUNNING || w->kill_ms != 0 ||
		    (s = slots_status(f, w)) == NULL)
			continue;
		t0 = __atomic_load_n(&s->started_ns, __ATOMIC_ACQUIRE);
		if (t0 == 0 || ns < t0 ||
		    (ns - t0) / 1000000 < f->cfg.timeout * 1000ULL)
			continue;
		status_read_line(s, line, sizeof(line));
		log_warnx("worker %u pid %d: WORKER TIMEOUT: '%s' has run "
		    "%.1f s, over --timeout %u s: its traceback follows, then "
		    "it is killed", w->id, (int)w->pid, line,
		    (ns - t0) / 1e9, f->cfg.timeout);
		memset(&ev, 0, sizeof(ev));
		ev.type = SV_EV_TIMEOUT;
		ev.pid = w->pid;
		/* Marks this worker only: the walk goes on. */
		(void)forkd_event(f, &ev, NULL, 0);
	}
}

/*
 * --max-requests and --max-worker-memory (fault S9): a worker past
 * either is replaced, its replacement serving before it is told to stop,
 * one worker at a time (sv.c refuses a second while one is under way, or
 * during a reload: it is asked again at the next tick).  Memory is read
 * once a second.
 */
void
slots_recycle(struct forkd *f, uint64_t now)
{
	struct status_slot	*st;
	struct sv_event		 ev;
	struct worker		*w;
	struct memstat		 m;
	char			 why[96];
	uint64_t		 n;
	unsigned		 i;
	int			 mem;

	if (f->cfg.max_requests == 0 && f->cfg.max_worker_memory == 0)
		return;
	mem = f->cfg.max_worker_memory != 0 && now >= f->next_mem_ms;
	if (mem)
		f->next_mem_ms = now + 1000;
	for (i = 0; i < f->sv.nslots; i++) {
		w = &f->sv.slots[i].cur;
		if (w->state != WORKER_RUNNING ||
		    f->sv.slots[i].repl.state != WORKER_EMPTY)
			continue;
		why[0] = '\0';
		if (w->max_requests != 0 && (st = slots_status(f, w)) != NULL &&
		    (n = __atomic_load_n(&st->requests, __ATOMIC_RELAXED)) >=
		    w->max_requests)
			snprintf(why, sizeof(why), "answered %" PRIu64 " "
			    "requests (--max-requests %" PRIu64 ")", n,
			    w->max_requests);
		else if (mem && memstat_read(w->pid, &m) == 0 &&
		    m.uss_kb > f->cfg.max_worker_memory * 1024)
			snprintf(why, sizeof(why), "its USS is %.1f MiB "
			    "(--max-worker-memory %" PRIu64 ")",
			    m.uss_kb / 1024.0, f->cfg.max_worker_memory);
		if (why[0] == '\0')
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.type = SV_EV_RECYCLE;
		ev.pid = w->pid;
		ev.now = now;
		n = w->id;
		if (forkd_event(f, &ev, NULL, 0) != 0)
			return;		/* busy: asked again next tick */
		log_info("worker %u pid %d: %s: replacing it, the new one "
		    "serving first", (unsigned)n, (int)ev.pid, why);
		return;
	}
}

struct status_slot *
slots_status(struct forkd *f, const struct worker *w)
{
	struct status_slot	*s = status_slot(f->status, w->ix);

	/* A reused status slot may still hold its predecessor's. */
	if (s == NULL || w->pid <= 0 ||
	    __atomic_load_n(&s->pid, __ATOMIC_ACQUIRE) != w->pid)
		return NULL;
	return s;
}

uint64_t
slots_requests(struct forkd *f)
{
	struct status_slot	*s;
	struct worker		*w;
	uint64_t		 n = f->requests_gone;
	unsigned		 it = 0;

	while ((w = sv_next_worker(&f->sv, &it)) != NULL)
		if ((s = slots_status(f, w)) != NULL)
			n += __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
	return n;
}
