/*
 * slots.c: the supervisor's worker slot table.  One slot per -w worker; a
 * slot asks the zygote for a process, learns its pid, and decides on its
 * exit whether to respawn it (after a backoff when it keeps dying young),
 * hold it (the app is broken) or retire it (forkd is stopping).
 *
 * It does not fork: workers are forked by the zygote and reparented to
 * the supervisor, which is a child subreaper (see doc/ARCHITECTURE.md).
 * What runs inside a worker is preload/worker.c.
 */
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "forkd.h"
#include "log.h"
#include "wstatus.h"

/* A worker that dies younger than this counts as a fast death. */
#define WORKER_YOUNG_MS	1000

int
slots_init(struct forkd *f)
{
	unsigned	i;

	f->nworkers = f->cfg.workers;
	if ((f->workers = calloc(f->nworkers, sizeof(*f->workers))) == NULL)
		return -errno;
	for (i = 0; i < f->nworkers; i++) {
		f->workers[i].id = i + 1;
		f->workers[i].pidfd = -1;
	}
	return 0;
}

static struct worker *
slots_by_id(struct forkd *f, unsigned id)
{
	if (id < 1 || id > f->nworkers)
		return NULL;
	return &f->workers[id - 1];
}

static struct worker *
slots_by_pid(struct forkd *f, pid_t pid)
{
	unsigned	i;

	for (i = 0; i < f->nworkers; i++)
		if (f->workers[i].pid == pid &&
		    f->workers[i].state == WORKER_RUNNING)
			return &f->workers[i];
	return NULL;
}

unsigned
slots_count_live(const struct forkd *f)
{
	unsigned	i, n = 0;

	for (i = 0; i < f->nworkers; i++)
		if (f->workers[i].state == WORKER_RUNNING ||
		    f->workers[i].state == WORKER_FORKING)
			n++;
	return n;
}

void
slots_tick(struct forkd *f, uint64_t now)
{
	struct worker	*w;
	unsigned	 i;
	int		 r;

	if (f->mode != MODE_RUN || f->zyg.state != ZYGOTE_READY)
		return;
	for (i = 0; i < f->nworkers; i++) {
		w = &f->workers[i];
		if (w->state != WORKER_EMPTY || w->respawn_ms > now)
			continue;
		if ((r = zyglink_send_fork(f, w)) != 0) {
			log_warnc(r, "worker %u: cannot order a fork", w->id);
			w->respawn_ms = now + 1000;
			continue;
		}
		w->state = WORKER_FORKING;
	}
}

static void
slots_close(struct forkd *f, struct worker *w)
{
	cow_worker_gone(f, w);
	if (w->pidfd >= 0)
		close(w->pidfd);
	w->pidfd = -1;
	w->pid = 0;
}

/* Handles the exit of the worker in slot w with wait status st. */
static void
slots_exited(struct forkd *f, struct worker *w, int st)
{
	char		 desc[64];
	uint64_t	 now = now_ms();
	enum verdict	 v;
	unsigned	 i;
	pid_t		 pid = w->pid;

	v = wstatus_verdict(st, f->mode != MODE_RUN);
	wstatus_describe(st, desc, sizeof(desc));
	slots_close(f, w);
	switch (v) {
	case VERDICT_RETIRE:
		log_debug("worker %u pid %d %s", w->id, (int)pid, desc);
		w->state = WORKER_EMPTY;
		break;
	case VERDICT_HOLD:
		log_warnx("worker %u pid %d %s: the app is broken, slot held "
		    "(no respawn)", w->id, (int)pid, desc);
		w->state = WORKER_HELD;
		break;
	case VERDICT_RESPAWN:
		if (now - w->started_ms < WORKER_YOUNG_MS)
			w->fast_deaths++;
		else
			w->fast_deaths = 0;
		if (w->fast_deaths >= FORKD_BOOT_FAILURES) {
			log_warnx("worker %u pid %d %s: it died within %u ms of "
			    "starting %u times in a row, stopping (the app is "
			    "broken)", w->id, (int)pid, desc, WORKER_YOUNG_MS,
			    w->fast_deaths);
			w->state = WORKER_EMPTY;
			forkd_stop(f, MODE_STOP_QUICK, EXIT_APP_BROKEN);
			return;
		}
		w->respawn_ms = now + wstatus_backoff_ms(w->fast_deaths);
		w->state = WORKER_EMPTY;
		f->respawns++;
		log_warnx("worker %u pid %d %s, respawning%s", w->id,
		    (int)pid, desc, w->fast_deaths > 1 ? " after a backoff" :
		    "");
		break;
	}
	if (f->mode != MODE_RUN) {
		forkd_check_done(f);
		return;
	}
	if (f->zyg.state == ZYGOTE_HELD && slots_count_live(f) == 0) {
		log_warnx("the last worker is gone and the zygote cannot start "
		    "(the app is broken): stopping");
		forkd_stop(f, MODE_STOP_QUICK, EXIT_APP_BROKEN);
		return;
	}
	for (i = 0; i < f->nworkers; i++)
		if (f->workers[i].state != WORKER_HELD)
			return;
	log_warnx("every worker slot is held: the app is broken, stopping");
	forkd_stop(f, MODE_STOP_QUICK, EXIT_APP_BROKEN);
}

void
slots_forked(struct forkd *f, const struct proto_msg *m)
{
	struct worker	*w;
	unsigned	 i;
	int		 fd, st;

	if ((w = slots_by_id(f, m->worker_id)) == NULL ||
	    w->state != WORKER_FORKING || m->pid <= 0) {
		/* Our child (reparented), so its pid cannot be reused yet. */
		log_warnx("zygote reported a fork for slot %u that was not "
		    "ordered: stopping pid %d", m->worker_id, (int)m->pid);
		if (m->pid > 0)
			(void)kill(m->pid, SIGTERM);
		return;
	}
	w->state = WORKER_RUNNING;
	w->pid = m->pid;
	w->generation = m->generation;
	w->started_ms = now_ms();
	w->kill_ms = 0;
	for (i = 0; i < FORKD_EARLY_EXITS; i++) {
		/* Old entries may be a reused pid's: only recent ones count. */
		if (f->early[i].pid != m->pid ||
		    w->started_ms - f->early[i].ms > 5000)
			continue;
		st = f->early[i].status;
		f->early[i].pid = 0;
		slots_exited(f, w, st);
		return;
	}
	if ((fd = pidfd_get(w->pid)) < 0)
		log_warnc(fd, "worker %u pid %d: pidfd_open", w->id, w->pid);
	else
		w->pidfd = fd;
	cow_worker_started(f, w);
	log_info("worker %u pid %d started (generation %u)", w->id, w->pid,
	    w->generation);
	if (f->mode != MODE_RUN && w->pidfd >= 0)
		(void)pidfd_signal(w->pidfd,
		    f->mode == MODE_STOP_QUICK ? SIGQUIT : SIGTERM);
}

void
slots_fork_failed(struct forkd *f, const struct proto_msg *m)
{
	struct worker	*w;

	if ((w = slots_by_id(f, m->worker_id)) == NULL ||
	    w->state != WORKER_FORKING)
		return;
	log_warnc(m->err, "worker %u: zygote could not fork", w->id);
	w->state = WORKER_EMPTY;
	w->fast_deaths++;
	w->respawn_ms = now_ms() + wstatus_backoff_ms(w->fast_deaths);
	if (f->mode != MODE_RUN)
		forkd_check_done(f);
}

/* Returns 1 when pid was one of ours (handled), 0 if unknown. */
int
slots_reaped(struct forkd *f, pid_t pid, int st)
{
	struct worker	*w;

	if ((w = slots_by_pid(f, pid)) == NULL) {
		/*
		 * Possibly a worker whose FORKED message is still queued, or
		 * an orphan the app left behind: remember the last few.
		 */
		f->early[f->nearly].pid = pid;
		f->early[f->nearly].status = st;
		f->early[f->nearly].ms = now_ms();
		f->nearly = (f->nearly + 1) % FORKD_EARLY_EXITS;
		return 0;
	}
	slots_exited(f, w, st);
	return 1;
}

void
slots_zygote_lost(struct forkd *f)
{
	unsigned	i;

	/* Orders the dead zygote never answered are given up. */
	for (i = 0; i < f->nworkers; i++)
		if (f->workers[i].state == WORKER_FORKING) {
			f->workers[i].state = WORKER_EMPTY;
			f->workers[i].respawn_ms = 0;
		}
}

void
slots_signal_all(struct forkd *f, int sig)
{
	unsigned	 i;
	struct worker	*w;
	int		 r;

	for (i = 0; i < f->nworkers; i++) {
		w = &f->workers[i];
		if (w->state != WORKER_RUNNING || w->pidfd < 0)
			continue;
		if ((r = pidfd_signal(w->pidfd, sig)) != 0 && r != -ESRCH)
			log_warnc(r, "worker %u pid %d: signal %d", w->id,
			    w->pid, sig);
	}
}

/*
 * Reads and logs each worker's RSS, PSS and USS (and the zygote's), and
 * keeps them in the slot for the admin socket.  Called from the tick
 * every --stats-interval seconds.
 */
void
slots_stats(struct forkd *f)
{
	struct memstat	 z, *m;
	struct worker	*w;
	uint64_t	 total_pss = 0;
	unsigned	 i, n = 0;

	if (f->zyg.pid > 0 && memstat_read(f->zyg.pid, &z) == 0) {
		total_pss += z.pss_kb;
		log_info("stats: zygote pid %d rss %.1f MiB pss %.1f MiB "
		    "uss %.1f MiB", (int)f->zyg.pid, z.rss_kb / 1024.0,
		    z.pss_kb / 1024.0, z.uss_kb / 1024.0);
	}
	for (i = 0; i < f->nworkers; i++) {
		w = &f->workers[i];
		m = &w->mem;
		if (w->state != WORKER_RUNNING || memstat_read(w->pid, m) != 0)
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

/*
 * After a zygote died and its channel is drained: a worker it forked but
 * never reported runs untracked (the zygote died between the fork and
 * its FORKED message).  Such a process is our child, named forkd-worker
 * (or still forkd-zygote, if it had not renamed itself yet), and in no
 * slot: stop it, and let its slot's respawn replace it.
 */
void
slots_kill_strays(struct forkd *f, pid_t zygote)
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
		if ((pid = (pid_t)atoi(de->d_name)) <= 0 || pid == zygote ||
		    pid == f->zyg.pid)
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
		for (i = 0; i < f->nworkers; i++)
			if (f->workers[i].pid == pid)
				break;
		if (i < f->nworkers)
			continue;
		log_warnx("pid %d: a worker the dead zygote never reported, "
		    "stopping it", (int)pid);
		(void)kill(pid, SIGTERM);
	}
	closedir(d);
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
	struct worker		*w;
	uint64_t		 t0, ns = status_now_ns();
	char			 line[STATUS_LINE];
	unsigned		 i;

	if (f->cfg.timeout == 0 || f->status == NULL)
		return;
	for (i = 0; i < f->nworkers; i++) {
		w = &f->workers[i];
		if (w->state != WORKER_RUNNING || w->pidfd < 0)
			continue;
		if (w->kill_ms != 0) {
			if (now >= w->kill_ms && w->kill_ms != UINT64_MAX) {
				(void)pidfd_signal(w->pidfd, SIGKILL);
				w->kill_ms = UINT64_MAX;
			}
			continue;
		}
		if (now < f->stall_end_ms || (s = slots_status(f, w)) == NULL)
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
		(void)pidfd_signal(w->pidfd, SIGUSR2);
		w->kill_ms = now + 1000;
		f->timeouts++;
	}
}

struct status_slot *
slots_status(struct forkd *f, const struct worker *w)
{
	struct status_slot	*s = status_slot(f->status, w->id);

	/* A respawned slot's page may still hold its predecessor's. */
	if (s == NULL || w->state != WORKER_RUNNING ||
	    __atomic_load_n(&s->pid, __ATOMIC_ACQUIRE) != w->pid)
		return NULL;
	return s;
}

uint64_t
slots_requests(struct forkd *f)
{
	struct status_slot	*s;
	uint64_t		 n = 0;
	unsigned		 i;

	for (i = 0; i < f->nworkers; i++)
		if ((s = slots_status(f, &f->workers[i])) != NULL)
			n += __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
	return n;
}
