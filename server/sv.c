/*
 * sv.c: the supervisor's state machine (sv.h; the table of transitions
 * is in doc/supervisor.md).
 *
 * Generations: each zygote is one.  The serving generation forks the
 * workers; a reload starts a second one, and once it is ready every
 * slot's target becomes it: each slot forks its replacement, and the
 * old worker is told to stop only when the new one serves (it took its
 * status slot, so its post_fork hooks passed).  When every slot serves
 * the new generation, the old zygote is stopped.  If the new generation
 * fails at any step (its zygote exits, one of its workers dies before
 * serving), the slots go back to the old one, which never stopped.
 *
 * A worker dying while forkd runs is respawned after a backoff that
 * grows while it keeps dying young; a worker exiting 100 or 101 holds
 * its slot (the app is broken, looping would not help).
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "log.h"
#include "sv.h"
#include "wstatus.h"

static void	sv_stop(struct sv *, enum sv_mode, int, uint64_t);
static void	sv_claimed(struct sv *, pid_t, uint64_t);

static const char *const gen_state_names[] = {
	[GEN_FREE] = "free", [GEN_STARTING] = "starting",
	[GEN_READY] = "ready", [GEN_FAILED] = "failed", [GEN_LOST] = "lost",
	[GEN_RETIRING] = "retiring",
};
static const char *const gen_origin_names[] = {
	[ORIGIN_START] = "start", [ORIGIN_RELOAD] = "reload",
	[ORIGIN_RESPAWN] = "respawn",
};
static const char *const worker_state_names[] = {
	[WORKER_EMPTY] = "empty", [WORKER_FORKING] = "forking",
	[WORKER_BOOTING] = "booting", [WORKER_RUNNING] = "running",
	[WORKER_STOPPING] = "stopping", [WORKER_HELD] = "held",
};

const char *
sv_gen_state_name(enum gen_state s)
{
	return gen_state_names[s];
}

const char *
sv_gen_origin_name(enum gen_origin o)
{
	return gen_origin_names[o];
}

const char *
sv_worker_state_name(enum worker_state s)
{
	return worker_state_names[s];
}

static struct sv_action *
sv_act(struct sv *sv, enum sv_act_type type)
{
	struct sv_action	*a;

	/* sv_step reserved room for the most a step can produce. */
	if (sv->nact == sv->capact)
		abort();
	a = &sv->act[sv->nact++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	return a;
}

static void
sv_signal(struct sv *sv, const struct worker *w, int sig)
{
	struct sv_action	*a = sv_act(sv, SV_ACT_SIGNAL);

	a->pid = w->pid;
	a->sig = sig;
	a->w = *w;
}

static void
sv_why(struct sv *sv, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(sv->why, sizeof(sv->why), fmt, ap);
	va_end(ap);
}

static void
sv_empty(struct worker *w, unsigned id)
{
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->pidfd = -1;
}

/* Status page slots: the lowest free one, so few pages are touched. */
static unsigned
sv_ix_take(struct sv *sv)
{
	unsigned	i;

	for (i = 1; i <= SV_STATUS_SLOTS; i++)
		if (!sv->ix_used[i]) {
			sv->ix_used[i] = 1;
			return i;
		}
	return 0;	/* the worker runs without one */
}

static void
sv_ix_put(struct sv *sv, unsigned ix)
{
	if (ix >= 1 && ix <= SV_STATUS_SLOTS)
		sv->ix_used[ix] = 0;
}

struct generation *
sv_gen(struct sv *sv, unsigned id)
{
	unsigned	i;

	if (id == 0)
		return NULL;
	for (i = 0; i < SV_GENS; i++)
		if (sv->gen[i].id == id && sv->gen[i].state != GEN_FREE)
			return &sv->gen[i];
	return NULL;
}

unsigned
sv_gen_index(const struct sv *sv, const struct generation *g)
{
	return (unsigned)(g - sv->gen);
}

static struct generation *
sv_gen_by_pid(struct sv *sv, pid_t pid)
{
	unsigned	i;

	for (i = 0; i < SV_GENS; i++)
		if (sv->gen[i].state != GEN_FREE && sv->gen[i].pid == pid)
			return &sv->gen[i];
	return NULL;
}

static int
sv_gen_ready(struct sv *sv, unsigned id)
{
	struct generation	*g = sv_gen(sv, id);

	return g != NULL && g->state == GEN_READY;
}

static struct slot *
sv_slot(struct sv *sv, unsigned id)
{
	if (id < 1 || id > sv->nslots)
		return NULL;
	return &sv->slots[id - 1];
}

static int
sv_alive(const struct worker *w)
{
	return w->state == WORKER_FORKING || w->state == WORKER_BOOTING ||
	    w->state == WORKER_RUNNING || w->state == WORKER_STOPPING;
}

unsigned
sv_live(const struct sv *sv)
{
	unsigned	i, n = sv->ndrain;

	for (i = 0; i < sv->nslots; i++)
		n += sv_alive(&sv->slots[i].cur) + sv_alive(&sv->slots[i].repl);
	return n;
}

unsigned
sv_running_slots(const struct sv *sv)
{
	unsigned	i, n = 0;

	for (i = 0; i < sv->nslots; i++)
		n += sv->slots[i].intent == SLOT_RUN;
	return n;
}

unsigned
sv_gen_workers(const struct sv *sv, unsigned id)
{
	const struct slot	*s;
	unsigned		 i, n = 0;

	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slots[i];
		n += sv_alive(&s->cur) && s->cur.generation == id;
		n += sv_alive(&s->repl) && s->repl.generation == id;
	}
	for (i = 0; i < sv->ndrain; i++)
		n += sv->drain[i].generation == id;
	return n;
}

struct worker *
sv_next_worker(struct sv *sv, unsigned *it)
{
	struct worker	*w;
	unsigned	 i;

	while ((i = (*it)++) < 2 * sv->nslots + sv->ndrain) {
		if (i < 2 * sv->nslots)
			w = i % 2 == 0 ? &sv->slots[i / 2].cur :
			    &sv->slots[i / 2].repl;
		else
			w = &sv->drain[i - 2 * sv->nslots];
		if (w->pid > 0)
			return w;
	}
	return NULL;
}

struct worker *
sv_worker(struct sv *sv, pid_t pid)
{
	struct worker	*w;
	unsigned	 it = 0;

	if (pid <= 0)
		return NULL;
	while ((w = sv_next_worker(sv, &it)) != NULL)
		if (w->pid == pid)
			return w;
	return NULL;
}

/*
 * A new generation record, or NULL when all are in use: a free one, else
 * the oldest failed one nothing refers to any more.
 */
static struct generation *
sv_gen_new(struct sv *sv, enum gen_origin origin, uint64_t now)
{
	struct generation	*g = NULL, *c;
	struct sv_action	*a;
	unsigned		 i;

	for (i = 0; i < SV_GENS && g == NULL; i++)
		if (sv->gen[i].state == GEN_FREE)
			g = &sv->gen[i];
	for (i = 0; i < SV_GENS; i++) {
		c = &sv->gen[i];
		if (c->state == GEN_FAILED && c->pid == 0 && !c->channel &&
		    (g == NULL || (g->state == GEN_FAILED && c->id < g->id)))
			g = c;
	}
	if (g == NULL)
		return NULL;
	memset(g, 0, sizeof(*g));
	g->id = ++sv->next_gen;
	g->state = GEN_STARTING;
	g->origin = origin;
	g->started_ms = now;
	a = sv_act(sv, SV_ACT_ZYGOTE_START);
	a->gen = g->id;
	return g;
}

static void
sv_zygote_signal(struct sv *sv, struct generation *g, int sig)
{
	struct sv_action	*a;

	if (g->pid <= 0)
		return;
	a = sv_act(sv, SV_ACT_ZYGOTE_SIGNAL);
	a->gen = g->id;
	a->pid = g->pid;
	a->sig = sig;
}

/* Moves *w (which has a pid) to the drain list and tells it to stop. */
static void
sv_drain(struct sv *sv, struct worker *w, uint64_t now)
{
	struct worker	*d;

	/* sv_step reserved a drain entry for every live worker. */
	d = &sv->drain[sv->ndrain++];
	*d = *w;
	d->state = WORKER_STOPPING;
	if (sv->mode == SV_STOP_QUICK) {
		sv_signal(sv, d, SIGQUIT);
		d->kill_ms = now + SV_QUICK_STOP_MS;
	} else {
		sv_signal(sv, d, SIGTERM);
		d->kill_ms = now + sv->graceful_timeout * 1000ULL;
	}
	sv_empty(w, w->id);
}

/* Slot s's workers are told to stop and drain; a held slot is emptied.
 * Orders on their way stay: their workers are drained once forked. */
static void
sv_vacate(struct sv *sv, struct slot *s, uint64_t now)
{
	if (s->cur.pid > 0)
		sv_drain(sv, &s->cur, now);
	else if (s->cur.state == WORKER_HELD)
		sv_empty(&s->cur, s->id);
	if (s->repl.pid > 0)
		sv_drain(sv, &s->repl, now);
}

static void
sv_fork(struct sv *sv, struct slot *s, struct worker *w, unsigned gen)
{
	struct sv_action	*a;

	sv_empty(w, s->id);
	w->ix = sv_ix_take(sv);
	w->state = WORKER_FORKING;
	w->generation = gen;
	a = sv_act(sv, SV_ACT_FORK);
	a->gen = gen;
	a->slot = s->id;
	a->ix = w->ix;
}

/* Forks what slot s lacks: its worker, or its worker's replacement. */
static void
sv_fill(struct sv *sv, struct slot *s, uint64_t now)
{
	unsigned	gen;

	if (sv->mode != SV_RUN || s->intent != SLOT_RUN ||
	    s->cur.state == WORKER_HELD || s->respawn_ms > now)
		return;
	gen = s->target;
	if (!sv_gen_ready(sv, gen) && sv_gen_ready(sv, sv->serving) &&
	    (s->cur.state == WORKER_EMPTY || s->recycle)) {
		/*
		 * Its generation's zygote is gone: the serving one forks.  A
		 * worker of that generation that runs is left to run.
		 */
		gen = s->target = sv->serving;
	}
	if (!sv_gen_ready(sv, gen))
		return;
	if (s->cur.state == WORKER_EMPTY)
		sv_fork(sv, s, &s->cur, gen);
	else if ((s->cur.state == WORKER_BOOTING ||
	    s->cur.state == WORKER_RUNNING) && s->repl.state == WORKER_EMPTY &&
	    (s->cur.generation != gen || s->recycle))
		sv_fork(sv, s, &s->repl, gen);
}

/* Drops the worker record *w, which was reaped, and frees what it held. */
static void
sv_gone(struct sv *sv, struct worker *w)
{
	struct sv_action	*a = sv_act(sv, SV_ACT_UNWATCH);

	a->pid = w->pid;
	a->w = *w;
	sv_ix_put(sv, w->ix);
}

/*
 * The reload's generation failed (why says how): the slots go back to
 * the serving generation, whose workers never stopped; the new one's
 * zygote and workers are stopped.
 */
static void
sv_reload_failed(struct sv *sv, struct generation *g, uint64_t now,
    const char *fmt, ...)
{
	struct generation	*old = sv_gen(sv, sv->serving);
	struct slot		*s;
	va_list			 ap;
	unsigned		 i;

	va_start(ap, fmt);
	vsnprintf(sv->why, sizeof(sv->why), fmt, ap);
	va_end(ap);
	snprintf(g->reason, sizeof(g->reason), "%s", sv->why);
	log_warnx("reload: generation %u failed: %s; %s", g->id, sv->why,
	    old != NULL && old->state == GEN_READY ? "the old generation "
	    "keeps serving" : "the workers running keep serving");
	sv->reloading = 0;
	sv->reload_again = 0;
	sv->reloads_failed++;
	if (g->state == GEN_STARTING || g->state == GEN_READY)
		g->state = GEN_FAILED;
	sv_zygote_signal(sv, g, SIGTERM);
	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slots[i];
		if (s->target == g->id)
			s->target = sv->serving;
		if (s->repl.generation == g->id && s->repl.pid > 0)
			sv_drain(sv, &s->repl, now);
	}
	/* The serving zygote died while this one started: replace it. */
	if (sv->mode == SV_RUN && (old == NULL || old->state != GEN_READY)) {
		sv->zygote_restart_ms = now;
		if (sv_gen_new(sv, ORIGIN_RESPAWN, now) == NULL)
			log_warnx("no generation record free for a new zygote");
	}
}

/* Stops forkd when no worker can ever serve again. */
static void
sv_check_broken(struct sv *sv, uint64_t now)
{
	struct generation	*g;
	unsigned		 i, forkable = 0;

	if (sv->mode != SV_RUN)
		return;
	for (i = 0; i < SV_GENS; i++) {
		g = &sv->gen[i];
		forkable += g->state == GEN_READY || g->state == GEN_STARTING;
	}
	forkable += sv->zygote_restart_ms != 0;
	if (forkable == 0 && sv_live(sv) == 0) {
		log_warnx("the last worker is gone and the zygote cannot start "
		    "(the app is broken): stopping");
		sv_stop(sv, SV_STOP_QUICK, EXIT_APP_BROKEN, now);
		return;
	}
	for (i = 0; i < sv->nslots; i++)
		if (sv->slots[i].intent == SLOT_RUN &&
		    sv->slots[i].cur.state != WORKER_HELD)
			return;
	if (sv->nslots == 0)
		return;
	log_warnx("every worker slot is held: the app is broken, stopping");
	sv_stop(sv, SV_STOP_QUICK, EXIT_APP_BROKEN, now);
}

/*
 * wstatus_describe, and for a SIGKILL forkd did not send (fault S7),
 * whether the kernel's OOM killer sent it: the event said how much the
 * memory cgroup's oom_kill count grew.
 */
static void
sv_describe(const struct sv *sv, const struct worker *w, int st, char *buf,
    size_t len)
{
	size_t	n;

	wstatus_describe(st, buf, len);
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS && sv->seccomp_strict) {
		n = strlen(buf);
		/* Its own last line names the call, when it could say it. */
		snprintf(buf + n, len - n, ": a system call --seccomp strict "
		    "denies (running a program, or a process)");
		return;
	}
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL ||
	    w->kill_ms == UINT64_MAX)
		return;
	n = strlen(buf);
	if (sv->oom_kills > 0)
		snprintf(buf + n, len - n, " from the kernel's OOM killer (the "
		    "memory cgroup counted %d more OOM kills)", sv->oom_kills);
	else if (sv->oom_kills == 0)
		snprintf(buf + n, len - n, ", not from forkd nor from the OOM "
		    "killer of forkd's memory cgroup");
	else
		snprintf(buf + n, len - n, ", not from forkd (possibly the "
		    "kernel's OOM killer)");
}

/* The worker *w of slot s (its cur or its repl) exited with status st. */
static void
sv_worker_exited(struct sv *sv, struct slot *s, struct worker *w, int st,
    uint64_t now)
{
	struct generation	*g = sv_gen(sv, w->generation);
	char			 desc[160];
	enum verdict		 v;
	int			 booting = w->state == WORKER_BOOTING;
	int			 young = now - w->started_ms < SV_YOUNG_MS;
	unsigned		 id = s->id;
	pid_t			 pid = w->pid;

	v = wstatus_verdict(st, sv->mode != SV_RUN || s->intent != SLOT_RUN);
	sv_describe(sv, w, st, desc, sizeof(desc));
	sv_gone(sv, w);
	if (w == &s->repl) {
		sv_empty(w, id);
		if (g != NULL && g->id == sv->reloading && v != VERDICT_RETIRE) {
			sv_reload_failed(sv, g, now, "worker %u pid %d %s "
			    "before it served", id, (int)pid, desc);
			return;
		}
		s->recycle = 0;
		if (v != VERDICT_RETIRE)
			log_warnx("worker %u pid %d %s before it served; the "
			    "worker it was to replace keeps serving", id,
			    (int)pid, desc);
		return;
	}
	if (s->repl.state != WORKER_EMPTY) {
		/* Its replacement was on its way: it takes the slot now. */
		s->cur = s->repl;
		sv_empty(&s->repl, id);
		s->recycle = 0;
		if (v != VERDICT_RETIRE)
			log_warnx("worker %u pid %d %s; its replacement takes "
			    "the slot", id, (int)pid, desc);
		return;
	}
	sv_empty(w, id);
	if ((booting || v == VERDICT_HOLD) && g != NULL &&
	    g->id == sv->reloading && v != VERDICT_RETIRE) {
		sv_reload_failed(sv, g, now, "worker %u pid %d %s before it "
		    "served", id, (int)pid, desc);
		return;
	}
	switch (v) {
	case VERDICT_RETIRE:
		log_debug("worker %u pid %d %s", id, (int)pid, desc);
		break;
	case VERDICT_HOLD:
		log_warnx("worker %u pid %d %s: the app is broken, slot held "
		    "(no respawn)", id, (int)pid, desc);
		w->state = WORKER_HELD;
		break;
	case VERDICT_RESPAWN:
		if (young || booting)
			s->fast_deaths++;
		else
			s->fast_deaths = 0;
		if (s->fast_deaths >= SV_BOOT_FAILURES) {
			log_warnx("worker %u pid %d %s: it died within %u ms of "
			    "starting %u times in a row, stopping (the app is "
			    "broken)", id, (int)pid, desc, SV_YOUNG_MS,
			    s->fast_deaths);
			sv_stop(sv, SV_STOP_QUICK, EXIT_APP_BROKEN, now);
			return;
		}
		s->respawn_ms = now + wstatus_backoff_ms(s->fast_deaths);
		sv->respawns++;
		log_warnx("worker %u pid %d %s, respawning%s", id, (int)pid,
		    desc, s->fast_deaths > 1 ? " after a backoff" : "");
		break;
	}
	sv_check_broken(sv, now);
}

/* The zygote of g was reaped with status st. */
static void
sv_zygote_exited(struct sv *sv, struct generation *g, int st, uint64_t now)
{
	enum gen_state	was = g->state;
	char		desc[64], zyg[128];
	unsigned	delay;

	wstatus_describe(st, desc, sizeof(desc));
	if (g->pid > 0)
		snprintf(zyg, sizeof(zyg), "zygote pid %d (generation %u) %s",
		    (int)g->pid, g->id, desc);
	else
		snprintf(zyg, sizeof(zyg), "zygote (generation %u) %s", g->id,
		    desc);
	g->pid = 0;
	g->status = st;
	g->held = wstatus_verdict(st, 0) == VERDICT_HOLD;
	if (sv->mode != SV_RUN || was == GEN_RETIRING || was == GEN_FAILED) {
		log_debug("%s", zyg);
		return;
	}
	if (was == GEN_READY && g->id == sv->reloading) {
		sv_reload_failed(sv, g, now, "its zygote %s while its workers "
		    "started", desc);
		return;
	}
	if (was == GEN_STARTING) {
		g->state = GEN_FAILED;
		if (g->origin == ORIGIN_START) {
			log_warnx("%s before it was ready: %s", zyg,
			    wstatus_startup_code(st) == EXIT_APP_BROKEN ?
			    "the app is broken (see the traceback above)" :
			    "cannot start");
			sv_stop(sv, SV_STOP_QUICK, wstatus_startup_code(st),
			    now);
			return;
		}
		if (g->origin == ORIGIN_RELOAD) {
			sv_reload_failed(sv, g, now, "its zygote %s before it "
			    "was ready%s", desc, g->held ? " (the app is "
			    "broken: see the traceback above)" : "");
			return;
		}
		if (g->held) {
			/* A respawn: a later reload may bring fixed code. */
			log_warnx("%s while restarting: the app is "
			    "broken; %u workers keep serving, no new worker "
			    "can start", zyg, sv_live(sv));
			sv_check_broken(sv, now);
			return;
		}
	} else {
		/* The serving zygote: its workers keep serving. */
		g->state = GEN_LOST;
		if (sv->reloading != 0) {
			log_warnx("%s; the reload under way replaces it",
			    zyg);
			return;
		}
	}
	if (++sv->zygote_restarts >= SV_BOOT_FAILURES) {
		log_warnx("%s: it failed to start %u times in a row, "
		    "stopping (the app is broken, or the machine cannot run "
		    "it)", zyg, sv->zygote_restarts);
		sv_stop(sv, SV_STOP_QUICK, EXIT_APP_BROKEN, now);
		return;
	}
	delay = wstatus_backoff_ms(sv->zygote_restarts);
	sv->zygote_restart_ms = now + delay;
	log_warnx("%s, restarting in %u ms", zyg, delay);
}

static void
sv_reaped(struct sv *sv, pid_t pid, int st, uint64_t now)
{
	struct generation	*g;
	struct slot		*s;
	struct worker		*w;
	char			 desc[64];
	unsigned		 i;

	if (pid <= 0)
		return;
	if ((g = sv_gen_by_pid(sv, pid)) != NULL) {
		sv_zygote_exited(sv, g, st, now);
		return;
	}
	for (i = 0; i < sv->ndrain; i++) {
		w = &sv->drain[i];
		if (w->pid != pid)
			continue;
		wstatus_describe(st, desc, sizeof(desc));
		log_debug("worker %u pid %d (stopping) %s", w->id, (int)pid,
		    desc);
		sv_gone(sv, w);
		sv->drain[i] = sv->drain[--sv->ndrain];
		return;
	}
	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slots[i];
		if (s->cur.pid == pid && s->cur.pid > 0) {
			sv_worker_exited(sv, s, &s->cur, st, now);
			return;
		}
		if (s->repl.pid == pid) {
			sv_worker_exited(sv, s, &s->repl, st, now);
			return;
		}
	}
	/*
	 * Possibly a worker whose FORKED message is still queued, or an
	 * orphan the app left behind: remember the last few.
	 */
	sv->early[sv->nearly].pid = pid;
	sv->early[sv->nearly].status = st;
	sv->early[sv->nearly].ms = now;
	sv->nearly = (sv->nearly + 1) % SV_EARLY_EXITS;
	log_debug("reaped pid %d, not a worker", (int)pid);
}

/* The seat of slot id waiting for the fork that got status slot ix. */
static struct worker *
sv_forking(struct sv *sv, unsigned id, unsigned ix, struct slot **ret)
{
	struct slot	*s;

	if ((s = sv_slot(sv, id)) == NULL)
		return NULL;
	*ret = s;
	if (s->cur.state == WORKER_FORKING && s->cur.ix == ix)
		return &s->cur;
	if (s->repl.state == WORKER_FORKING && s->repl.ix == ix)
		return &s->repl;
	return NULL;
}

static void
sv_forked(struct sv *sv, const struct sv_event *ev)
{
	struct generation	*g;
	struct sv_action	*a;
	struct worker		*w;
	struct slot		*s = NULL;
	unsigned		 i;
	int			 st;

	if ((w = sv_forking(sv, ev->slot, ev->ix, &s)) == NULL ||
	    ev->pid <= 0) {
		/* Our child (reparented), so its pid cannot be reused yet. */
		log_warnx("zygote reported a fork for slot %u that was not "
		    "ordered: stopping pid %d", ev->slot, (int)ev->pid);
		if (ev->pid > 0) {
			struct worker	tmp;

			sv_empty(&tmp, ev->slot);
			tmp.pid = ev->pid;
			sv_signal(sv, &tmp, SIGTERM);
		}
		return;
	}
	w->state = WORKER_BOOTING;
	w->pid = ev->pid;
	w->started_ms = ev->now;
	w->kill_ms = 0;
	for (i = 0; i < SV_EARLY_EXITS; i++) {
		/* Old entries may be a reused pid's: only recent ones count. */
		if (sv->early[i].pid != ev->pid ||
		    ev->now - sv->early[i].ms > 5000)
			continue;
		st = sv->early[i].status;
		sv->early[i].pid = 0;
		sv->oom_kills = -1;	/* not known any more */
		sv_worker_exited(sv, s, w, st, ev->now);
		return;
	}
	a = sv_act(sv, SV_ACT_WATCH);
	a->pid = ev->pid;
	log_info("worker %u pid %d started (generation %u)", w->id, w->pid,
	    w->generation);
	g = sv_gen(sv, w->generation);
	if (sv->mode != SV_RUN || s->intent != SLOT_RUN ||
	    (g != NULL && g->state == GEN_FAILED))
		sv_drain(sv, w, ev->now);
	else if (w->ix == 0)
		sv_claimed(sv, w->pid, ev->now);	/* nothing to wait for */
}

static void
sv_fork_failed(struct sv *sv, const struct sv_event *ev)
{
	struct worker	*w;
	struct slot	*s = NULL;

	if ((w = sv_forking(sv, ev->slot, ev->ix, &s)) == NULL)
		return;
	log_warnc(ev->err, "worker %u: zygote could not fork", s->id);
	sv_ix_put(sv, w->ix);
	sv_empty(w, s->id);
	s->fast_deaths++;
	s->respawn_ms = ev->now + wstatus_backoff_ms(s->fast_deaths);
}

/* Orders the dead zygote of generation id never answered are given up. */
static void
sv_channel_closed(struct sv *sv, const struct sv_event *ev)
{
	struct generation	*g = sv_gen(sv, ev->gen);
	struct sv_action	*a;
	struct slot		*s;
	unsigned		 i;

	if (g != NULL)
		g->channel = 0;
	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slots[i];
		if (s->repl.state == WORKER_FORKING &&
		    s->repl.generation == ev->gen) {
			sv_ix_put(sv, s->repl.ix);
			sv_empty(&s->repl, s->id);
		}
		if (s->cur.state == WORKER_FORKING &&
		    s->cur.generation == ev->gen) {
			sv_ix_put(sv, s->cur.ix);
			sv_empty(&s->cur, s->id);
			s->respawn_ms = 0;
		}
	}
	/* Stopping too: such a worker would outlive forkd a moment. */
	a = sv_act(sv, SV_ACT_STRAYS);
	a->gen = ev->gen;
}

static void
sv_ready(struct sv *sv, struct generation *g, uint64_t now)
{
	struct sv_action	*a;
	struct slot		*s;
	unsigned		 i;

	if (g->state != GEN_STARTING)
		return;
	g->state = GEN_READY;
	g->ready_ms = now;
	sv->zygote_restarts = 0;
	a = sv_act(sv, SV_ACT_GEN_READY);
	a->gen = g->id;
	if (g->origin != ORIGIN_RELOAD) {
		/* Running workers stay; new ones come from g. */
		sv->serving = g->id;
		for (i = 0; i < sv->nslots; i++) {
			s = &sv->slots[i];
			if (s->cur.state != WORKER_BOOTING &&
			    s->cur.state != WORKER_RUNNING)
				s->target = g->id;
		}
		return;
	}
	log_info("reload: generation %u is ready in %.1f s: its workers "
	    "start", g->id, (now - g->started_ms) / 1000.0);
	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slots[i];
		if (s->intent != SLOT_RUN)
			continue;
		s->target = g->id;
		s->fast_deaths = 0;
		s->respawn_ms = 0;
		if (s->cur.state == WORKER_HELD)
			sv_empty(&s->cur, s->id);
	}
}

/* A reload is done once every slot's worker serves the new generation. */
static void
sv_check_reloaded(struct sv *sv, uint64_t now)
{
	struct generation	*g = sv_gen(sv, sv->reloading), *old;
	struct slot		*s;
	unsigned		 i, n = 0;

	if (g == NULL || g->state != GEN_READY)
		return;
	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slots[i];
		if (s->intent != SLOT_RUN)
			continue;
		if (s->cur.state != WORKER_RUNNING ||
		    s->cur.generation != g->id || s->repl.state != WORKER_EMPTY)
			return;
		n++;
	}
	if ((old = sv_gen(sv, sv->serving)) != NULL) {
		if (old->state == GEN_READY)
			old->state = GEN_RETIRING;
		sv_zygote_signal(sv, old, SIGTERM);
	}
	sv->serving = g->id;
	sv->reloading = 0;
	sv->reloads++;
	g->done_ms = now;
	log_info("reload: generation %u serves with %u workers, %.1f s after "
	    "the reload began", g->id, n, (now - g->started_ms) / 1000.0);
	if (sv->reload_again) {
		sv->reload_again = 0;
		if ((g = sv_gen_new(sv, ORIGIN_RELOAD, now)) != NULL) {
			sv->reloading = g->id;
			log_info("reload: generation %u starting (SIGHUP during "
			    "the last one)", g->id);
		}
	}
}

/*
 * A replacement that serves takes the slot: the worker it replaces is
 * told to stop, and finishes the requests it has.
 */
static void
sv_claimed(struct sv *sv, pid_t pid, uint64_t now)
{
	struct slot	*s;
	unsigned	 i;

	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slots[i];
		if (s->cur.pid == pid && s->cur.state == WORKER_BOOTING) {
			s->cur.state = WORKER_RUNNING;
			return;
		}
		if (s->repl.pid != pid || s->repl.state != WORKER_BOOTING)
			continue;
		if (s->cur.pid > 0)
			sv_drain(sv, &s->cur, now);
		s->cur = s->repl;
		s->cur.state = WORKER_RUNNING;
		sv_empty(&s->repl, s->id);
		s->recycle = 0;
		return;
	}
}

static int
sv_reload(struct sv *sv, int from_signal, uint64_t now)
{
	struct generation	*g;
	unsigned		 i;

	if (sv->mode != SV_RUN) {
		sv_why(sv, "forkd is stopping");
		return -EAGAIN;
	}
	if (sv->reloading != 0) {
		if (from_signal) {
			sv->reload_again = 1;
			sv_why(sv, "generation %u", sv->reloading);
			log_info("reload: generation %u is under way; another "
			    "reload follows it", sv->reloading);
			return 0;
		}
		sv_why(sv, "a reload is in progress (generation %u): wait for "
		    "it, then reload again", sv->reloading);
		return -EBUSY;
	}
	for (i = 0; i < SV_GENS; i++) {
		g = &sv->gen[i];
		if (g->state == GEN_STARTING) {
			sv_why(sv, "generation %u is starting (%s): wait until "
			    "it is ready", g->id, gen_origin_names[g->origin]);
			return -EBUSY;
		}
	}
	if ((g = sv_gen_new(sv, ORIGIN_RELOAD, now)) == NULL) {
		sv_why(sv, "%u generations are still stopping: try again when "
		    "their workers are gone", SV_GENS);
		return -EAGAIN;
	}
	sv->reloading = g->id;
	/* A zygote restart waiting for its backoff is this reload now. */
	sv->zygote_restart_ms = 0;
	sv_why(sv, "generation %u", g->id);
	log_info("reload: generation %u starting (%s)", g->id,
	    from_signal ? "SIGHUP" : "admin socket");
	return 0;
}

static int
sv_grow(void **p, unsigned *cap, unsigned want, size_t size)
{
	void		*n;
	unsigned	 c = *cap ? *cap : 8;

	if (want <= *cap)
		return 0;
	while (c < want)
		c *= 2;
	if ((n = realloc(*p, (size_t)c * size)) == NULL)
		return -ENOMEM;
	*p = n;
	*cap = c;
	return 0;
}

static int
sv_scale(struct sv *sv, unsigned n, uint64_t now)
{
	struct slot	*s;
	unsigned	 i, have = sv_running_slots(sv), was = have;

	if (n < 1 || n > 4096) {
		sv_why(sv, "scale %u: want 1 to 4096 workers", n);
		return -EINVAL;
	}
	if (sv->mode != SV_RUN) {
		sv_why(sv, "forkd is stopping");
		return -EAGAIN;
	}
	if (sv_grow((void **)&sv->slots, &sv->capslots, n, sizeof(*s)) != 0) {
		sv_why(sv, "out of memory");
		return -ENOMEM;
	}
	/* Slots retiring but not yet gone come back first, lowest first. */
	for (i = 0; i < sv->nslots && have < n; i++) {
		s = &sv->slots[i];
		if (s->intent == SLOT_RETIRE) {
			s->intent = SLOT_RUN;
			s->fast_deaths = 0;
			s->respawn_ms = 0;
			have++;
		}
	}
	while (have < n) {
		s = &sv->slots[sv->nslots++];
		memset(s, 0, sizeof(*s));
		s->id = sv->nslots;
		s->target = sv->serving;
		sv_empty(&s->cur, s->id);
		sv_empty(&s->repl, s->id);
		have++;
	}
	for (i = sv->nslots; i-- > 0 && have > n;) {
		s = &sv->slots[i];
		if (s->intent != SLOT_RUN)
			continue;
		s->intent = SLOT_RETIRE;
		s->recycle = 0;
		sv_vacate(sv, s, now);
		have--;
	}
	sv->workers = n;
	sv_why(sv, "%u workers (were %u)", n, was);
	if (n != was && was != 0)
		log_info("scale: %u workers (were %u)", n, was);
	return 0;
}

static int
sv_recycle(struct sv *sv, pid_t pid)
{
	struct slot	*s;
	unsigned	 i;

	if (sv->mode != SV_RUN || sv->reloading != 0) {
		sv_why(sv, "forkd is %s", sv->mode != SV_RUN ? "stopping" :
		    "reloading");
		return -EAGAIN;
	}
	for (i = 0; i < sv->nslots; i++)
		if (sv->slots[i].recycle ||
		    sv->slots[i].repl.state != WORKER_EMPTY) {
			sv_why(sv, "worker %u is being replaced: one at a time",
			    sv->slots[i].id);
			return -EBUSY;
		}
	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slots[i];
		if (s->cur.pid == pid && s->cur.state == WORKER_RUNNING &&
		    s->intent == SLOT_RUN) {
			s->recycle = 1;
			sv->recycled++;
			return 0;
		}
	}
	sv_why(sv, "pid %d is no running worker", (int)pid);
	return -ESRCH;
}

static void
sv_timeout(struct sv *sv, pid_t pid, uint64_t now)
{
	struct worker	*w = sv_worker(sv, pid);

	if (w == NULL || w->state != WORKER_RUNNING || w->kill_ms != 0)
		return;
	sv_signal(sv, w, SIGUSR2);
	w->kill_ms = now + 1000;
	sv->timeouts++;
}

/*
 * Starts a stop.  Graceful: workers finish the requests they have and
 * exit, with SIGKILL after --graceful-timeout.  Quick: SIGQUIT now,
 * SIGKILL after two seconds.  A quick stop may follow a graceful one;
 * nothing goes the other way.
 */
static void
sv_stop(struct sv *sv, enum sv_mode mode, int code, uint64_t now)
{
	unsigned	i;

	if (sv->mode == SV_STOP_QUICK ||
	    (sv->mode == SV_STOP_GRACEFUL && mode == SV_STOP_GRACEFUL))
		return;
	if (sv->mode == SV_RUN) {
		sv->exit_code = code;
		sv_act(sv, SV_ACT_CLOSE_LISTENERS);
	}
	sv->mode = mode;
	for (i = 0; i < SV_GENS; i++)
		sv_zygote_signal(sv, &sv->gen[i], SIGTERM);
	if (mode == SV_STOP_GRACEFUL) {
		log_info("stopping gracefully: %u workers get %u s to finish",
		    sv_live(sv), sv->graceful_timeout);
		sv->stop_deadline_ms = now + sv->graceful_timeout * 1000ULL;
	} else {
		log_info("stopping quickly");
		sv->stop_deadline_ms = now + SV_QUICK_STOP_MS;
		for (i = 0; i < sv->ndrain; i++)
			sv_signal(sv, &sv->drain[i], SIGQUIT);
	}
	for (i = 0; i < sv->nslots; i++)
		sv_vacate(sv, &sv->slots[i], now);
}

static void
sv_tick(struct sv *sv, uint64_t now)
{
	struct generation	*g;
	struct worker		*w;
	unsigned		 i, it = 0;

	while ((w = sv_next_worker(sv, &it)) != NULL) {
		if (w->kill_ms == 0 || w->kill_ms == UINT64_MAX ||
		    now < w->kill_ms || sv->mode != SV_RUN)
			continue;
		if (w->state == WORKER_STOPPING)
			log_warnx("worker %u pid %d did not stop within %u s, "
			    "killing it", w->id, (int)w->pid,
			    sv->graceful_timeout);
		sv_signal(sv, w, SIGKILL);
		w->kill_ms = UINT64_MAX;
	}
	if (sv->mode != SV_RUN) {
		if (now < sv->stop_deadline_ms || sv->stop_killed)
			return;
		log_warnx("stop timeout: killing %u workers that are still "
		    "running", sv_live(sv));
		sv->stop_killed = 1;
		it = 0;
		while ((w = sv_next_worker(sv, &it)) != NULL)
			sv_signal(sv, w, SIGKILL);
		for (i = 0; i < SV_GENS; i++)
			sv_zygote_signal(sv, &sv->gen[i], SIGKILL);
		return;
	}
	if ((g = sv_gen(sv, sv->reloading)) != NULL && g->state == GEN_READY) {
		it = 0;
		while ((w = sv_next_worker(sv, &it)) != NULL) {
			if (w->state != WORKER_BOOTING || w->generation != g->id ||
			    now - w->started_ms < SV_BOOT_MS)
				continue;
			sv_reload_failed(sv, g, now, "worker %u pid %d did not "
			    "serve within %u s of its fork (its post_fork hooks "
			    "hang?)", w->id, (int)w->pid, SV_BOOT_MS / 1000);
			break;
		}
	}
	if (sv->zygote_restart_ms != 0 && now >= sv->zygote_restart_ms) {
		for (i = 0; i < SV_GENS; i++) {
			g = &sv->gen[i];
			if (g->state == GEN_STARTING || g->state == GEN_READY)
				break;
		}
		if (i < SV_GENS)
			sv->zygote_restart_ms = 0;	/* one is there */
		else if (sv_gen_new(sv, ORIGIN_RESPAWN, now) != NULL)
			sv->zygote_restart_ms = 0;
		else
			sv->zygote_restart_ms = now + 1000;
	}
}

/* What every step ends with: forks due, reloads done, records freed. */
static void
sv_settle(struct sv *sv, uint64_t now)
{
	struct generation	*g;
	struct slot		*s;
	unsigned		 i;

	if (sv->mode == SV_RUN) {
		for (i = 0; i < sv->nslots; i++)
			sv_fill(sv, &sv->slots[i], now);
		sv_check_reloaded(sv, now);
	}
	/* Retiring slots at the top go once nothing is on its way there. */
	while (sv->nslots > 0) {
		s = &sv->slots[sv->nslots - 1];
		if (s->intent != SLOT_RETIRE || s->cur.state != WORKER_EMPTY ||
		    s->repl.state != WORKER_EMPTY)
			break;
		sv->nslots--;
	}
	for (i = 0; i < SV_GENS; i++) {
		g = &sv->gen[i];
		if ((g->state == GEN_RETIRING || g->state == GEN_LOST) &&
		    g->pid == 0 && !g->channel && g->id != sv->serving &&
		    sv_gen_workers(sv, g->id) == 0)
			memset(g, 0, sizeof(*g));
	}
	if (sv->mode == SV_RUN)
		return;
	for (i = 0; i < SV_GENS; i++)
		if (sv->gen[i].state != GEN_FREE && sv->gen[i].pid > 0)
			return;
	if (sv_live(sv) == 0)
		sv->done = 1;
}

int
sv_step(struct sv *sv, const struct sv_event *ev)
{
	struct generation	*g = NULL;
	unsigned		 want, live = sv_live(sv);
	int			 r = 0;

	sv->nact = 0;
	sv->why[0] = '\0';
	/* Room for the most this step can do, so no action is lost. */
	want = 4 * (sv->nslots > ev->n ? sv->nslots : ev->n) + 2 * live +
	    4 * SV_GENS + 16;
	if (sv_grow((void **)&sv->act, &sv->capact, want,
	    sizeof(*sv->act)) != 0 ||
	    sv_grow((void **)&sv->drain, &sv->capdrain, sv->ndrain + 2 *
	    (sv->nslots > ev->n ? sv->nslots : ev->n) + 2,
	    sizeof(*sv->drain)) != 0) {
		sv_why(sv, "out of memory");
		return -ENOMEM;
	}
	switch (ev->type) {
	case SV_EV_SPAWNED:
		if ((g = sv_gen(sv, ev->gen)) == NULL)
			break;
		if (ev->err == 0) {
			g->pid = ev->pid;
			g->channel = 1;
			log_info("zygote pid %d starting (generation %u): "
			    "importing the app", (int)ev->pid, g->id);
			break;
		}
		log_warnc(ev->err, "cannot start the zygote of generation %u",
		    g->id);
		/* As if it had exited at once, unable to start. */
		g->pid = -1;
		sv_zygote_exited(sv, g, EXIT_SYSCALL << 8, ev->now);
		break;
	case SV_EV_READY:
		if ((g = sv_gen(sv, ev->gen)) != NULL)
			sv_ready(sv, g, ev->now);
		break;
	case SV_EV_MALFORMED:
		if ((g = sv_gen(sv, ev->gen)) == NULL)
			break;
		log_warnx("zygote pid %d sent a malformed message, killing it",
		    (int)g->pid);
		sv_zygote_signal(sv, g, SIGKILL);
		break;
	case SV_EV_FORKED:
		sv_forked(sv, ev);
		break;
	case SV_EV_FORK_FAILED:
		sv_fork_failed(sv, ev);
		break;
	case SV_EV_CHANNEL_CLOSED:
		sv_channel_closed(sv, ev);
		break;
	case SV_EV_REAPED:
		sv->oom_kills = ev->err != 0 ? -1 : (int)ev->n;
		sv_reaped(sv, ev->pid, ev->status, ev->now);
		break;
	case SV_EV_CLAIMED:
		sv_claimed(sv, ev->pid, ev->now);
		break;
	case SV_EV_TIMEOUT:
		sv_timeout(sv, ev->pid, ev->now);
		break;
	case SV_EV_TICK:
		sv_tick(sv, ev->now);
		break;
	case SV_EV_RELOAD:
		r = sv_reload(sv, ev->n, ev->now);
		break;
	case SV_EV_SCALE:
		r = sv_scale(sv, ev->n, ev->now);
		break;
	case SV_EV_RECYCLE:
		r = sv_recycle(sv, ev->pid);
		break;
	case SV_EV_STOP:
		sv_stop(sv, (enum sv_mode)ev->n, ev->err, ev->now);
		break;
	}
	sv_settle(sv, ev->now);
	return r;
}

int
sv_init(struct sv *sv, uint64_t now)
{
	if (sv_grow((void **)&sv->act, &sv->capact, 4 * sv->workers +
	    4 * SV_GENS + 16, sizeof(*sv->act)) != 0)
		return -ENOMEM;
	sv->nact = 0;
	if (sv_scale(sv, sv->workers, now) != 0 ||
	    sv_grow((void **)&sv->drain, &sv->capdrain, 2 * sv->workers + 2,
	    sizeof(*sv->drain)) != 0)
		return -ENOMEM;
	(void)sv_gen_new(sv, ORIGIN_START, now);
	return 0;
}

void
sv_free(struct sv *sv)
{
	free(sv->slots);
	free(sv->drain);
	free(sv->act);
	sv->slots = NULL;
	sv->drain = NULL;
	sv->act = NULL;
}
