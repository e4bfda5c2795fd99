/*
 * t0014-sv.c: unit test of server/sv.c, the supervisor's state machine,
 * without a process: each event goes in by hand and the actions that
 * come out are checked.  Start, respawn and its backoff, a reload that
 * succeeds (replacements serve before the old workers are told to
 * stop), reloads that fail at the zygote and at a worker (the old
 * generation keeps serving), HUPs coalescing, scale up and down,
 * recycling one at a time, --timeout, a zygote lost and restarted, and
 * the stops.
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>

#include "exitcodes.h"
#include "log.h"
#include "sv.h"
#include "tap.h"

static uint64_t	clk = 1000000;

static int
step(struct sv *sv, enum sv_ev_type type, unsigned gen, unsigned slot,
    unsigned ix, pid_t pid, int status, unsigned n)
{
	struct sv_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.now = clk;
	ev.gen = gen;
	ev.slot = slot;
	ev.ix = ix;
	ev.pid = pid;
	ev.status = status;
	ev.n = n;
	if (type == SV_EV_STOP)
		ev.err = status;
	return sv_step(sv, &ev);
}

/* How many actions of type (and, when not 0, for pid / with sig). */
static unsigned
count(const struct sv *sv, enum sv_act_type type, pid_t pid, int sig)
{
	unsigned	i, n = 0;

	for (i = 0; i < sv->nact; i++)
		if (sv->act[i].type == type &&
		    (pid == 0 || sv->act[i].pid == pid) &&
		    (sig == 0 || sv->act[i].sig == sig))
			n++;
	return n;
}

static const struct sv_action *
find(const struct sv *sv, enum sv_act_type type, unsigned nth)
{
	unsigned	i;

	for (i = 0; i < sv->nact; i++)
		if (sv->act[i].type == type && nth-- == 0)
			return &sv->act[i];
	return NULL;
}

/* Answers each FORK of the last step with FORKED pid base+slot, and
 * the worker takes its status slot at once. */
static void
fork_all(struct sv *sv, pid_t base)
{
	struct sv_action	forks[64];
	unsigned		i, n = 0;

	for (i = 0; i < sv->nact && n < 64; i++)
		if (sv->act[i].type == SV_ACT_FORK)
			forks[n++] = sv->act[i];
	for (i = 0; i < n; i++)
		step(sv, SV_EV_FORKED, forks[i].gen, forks[i].slot, forks[i].ix,
		    base + (pid_t)forks[i].slot, 0, 0);
	for (i = 0; i < n; i++)
		step(sv, SV_EV_CLAIMED, 0, 0, 0, base + (pid_t)forks[i].slot, 0,
		    0);
}

static void
start(struct sv *sv, unsigned workers)
{
	memset(sv, 0, sizeof(*sv));
	sv->workers = workers;
	sv->graceful_timeout = 30;
	if (sv_init(sv, clk) != 0)
		abort();
}

static void
test_start_and_respawn(void)
{
	struct sv		 sv;
	const struct sv_action	*a;
	struct worker		*w;

	start(&sv, 2);
	ok(sv.nact == 1 && sv.act[0].type == SV_ACT_ZYGOTE_START &&
	    sv.act[0].gen == 1, "init orders generation 1's zygote");
	step(&sv, SV_EV_SPAWNED, 1, 0, 0, 100, 0, 0);
	ok(sv_gen(&sv, 1)->pid == 100 && sv.nact == 0,
	    "spawned: the zygote's pid is known, nothing forks yet");
	step(&sv, SV_EV_READY, 1, 0, 0, 0, 0, 0);
	ok(count(&sv, SV_ACT_FORK, 0, 0) == 2 &&
	    count(&sv, SV_ACT_GEN_READY, 0, 0) == 1 && sv.serving == 1,
	    "ready: a fork per slot, generation 1 serves");
	a = find(&sv, SV_ACT_FORK, 1);
	ok(a != NULL && a->slot == 2 && a->ix == 2 && a->gen == 1,
	    "each fork names its slot, status slot and generation");
	fork_all(&sv, 200);
	w = sv_worker(&sv, 201);
	ok(w != NULL && w->state == WORKER_RUNNING && sv_live(&sv) == 2,
	    "forked and claimed: two workers run");

	clk += 5000;
	step(&sv, SV_EV_REAPED, 0, 0, 0, 201, W_EXITCODE(0, SIGKILL), 0);
	ok(count(&sv, SV_ACT_UNWATCH, 201, 0) == 1 &&
	    count(&sv, SV_ACT_FORK, 0, 0) == 1 && sv.respawns == 1,
	    "a worker killed after 5 s is respawned at once");
	fork_all(&sv, 300);
	clk += 10;
	step(&sv, SV_EV_REAPED, 0, 0, 0, 301, W_EXITCODE(0, SIGSEGV), 0);
	ok(count(&sv, SV_ACT_FORK, 0, 0) == 0,
	    "one that dies young waits for its backoff");
	clk += 10000;
	step(&sv, SV_EV_TICK, 0, 0, 0, 0, 0, 0);
	ok(count(&sv, SV_ACT_FORK, 0, 0) == 1, "and is forked after it");
	fork_all(&sv, 400);

	clk += 5000;
	step(&sv, SV_EV_REAPED, 0, 0, 0, 401, W_EXITCODE(EXIT_APP_BROKEN, 0),
	    0);
	ok(sv.slots[0].cur.state == WORKER_HELD &&
	    count(&sv, SV_ACT_FORK, 0, 0) == 0 && sv.mode == SV_RUN,
	    "exit 101 holds the slot; the other still serves");
	step(&sv, SV_EV_REAPED, 0, 0, 0, 202, W_EXITCODE(EXIT_APP_BROKEN, 0),
	    0);
	ok(sv.mode == SV_STOP_QUICK && sv.exit_code == EXIT_APP_BROKEN &&
	    count(&sv, SV_ACT_ZYGOTE_SIGNAL, 100, SIGTERM) == 1,
	    "every slot held: stop with 101, the zygote told to stop");
	step(&sv, SV_EV_REAPED, 0, 0, 0, 100, W_EXITCODE(0, 0), 0);
	ok(sv.done, "done once the zygote is reaped too");
	sv_free(&sv);
}

/* A serving tree: generation 1, zygote pid 100, workers 201 and 202. */
static void
serving(struct sv *sv)
{
	start(sv, 2);
	step(sv, SV_EV_SPAWNED, 1, 0, 0, 100, 0, 0);
	step(sv, SV_EV_READY, 1, 0, 0, 0, 0, 0);
	fork_all(sv, 200);
}

static void
test_reload(void)
{
	struct sv		 sv;
	const struct sv_action	*a;
	unsigned		 ix1, ix2;

	serving(&sv);
	ok(step(&sv, SV_EV_RELOAD, 0, 0, 0, 0, 0, 0) == 0 &&
	    count(&sv, SV_ACT_ZYGOTE_START, 0, 0) == 1 && sv.reloading == 2 &&
	    strcmp(sv.why, "generation 2") == 0,
	    "reload: generation 2's zygote starts");
	ok(step(&sv, SV_EV_RELOAD, 0, 0, 0, 0, 0, 0) == -EBUSY &&
	    strstr(sv.why, "in progress") != NULL && sv.nact == 0,
	    "a second reload from the admin socket is refused, with why");
	ok(step(&sv, SV_EV_RELOAD, 0, 0, 0, 0, 0, 1) == 0 && sv.reload_again,
	    "a HUP during it is kept for after it");
	ok(step(&sv, SV_EV_RELOAD, 0, 0, 0, 0, 0, 1) == 0 && sv.nact == 0,
	    "more HUPs coalesce into that one");
	step(&sv, SV_EV_SPAWNED, 2, 0, 0, 110, 0, 0);
	clk += 1500;
	step(&sv, SV_EV_READY, 2, 0, 0, 0, 0, 0);
	a = find(&sv, SV_ACT_FORK, 0);
	ok(count(&sv, SV_ACT_FORK, 0, 0) == 2 && a->gen == 2 &&
	    count(&sv, SV_ACT_SIGNAL, 0, 0) == 0,
	    "ready: each slot forks its replacement; no old worker is told "
	    "to stop");
	ix1 = a->ix;
	ix2 = find(&sv, SV_ACT_FORK, 1)->ix;
	ok(ix1 != 1 && ix1 != 2 && ix2 != ix1,
	    "replacements get status slots of their own");
	step(&sv, SV_EV_FORKED, 2, 1, ix1, 501, 0, 0);
	step(&sv, SV_EV_FORKED, 2, 2, ix2, 502, 0, 0);
	ok(count(&sv, SV_ACT_SIGNAL, 201, 0) == 0 && sv_live(&sv) == 4,
	    "forked is not enough: the old workers keep serving");
	step(&sv, SV_EV_CLAIMED, 0, 0, 0, 501, 0, 0);
	ok(count(&sv, SV_ACT_SIGNAL, 201, SIGTERM) == 1 &&
	    sv.reloading == 2 && sv.serving == 1,
	    "a replacement that serves: its old worker is told to stop");
	step(&sv, SV_EV_CLAIMED, 0, 0, 0, 502, 0, 0);
	ok(count(&sv, SV_ACT_SIGNAL, 202, SIGTERM) == 1 &&
	    count(&sv, SV_ACT_ZYGOTE_SIGNAL, 100, SIGTERM) == 1 &&
	    sv.serving == 2 && sv.reloads == 1 &&
	    sv_gen(&sv, 1)->state == GEN_RETIRING,
	    "all serve: generation 2 serves, generation 1's zygote stops");
	ok(count(&sv, SV_ACT_ZYGOTE_START, 0, 0) == 1 && sv.reloading == 3,
	    "the HUP that came during it starts generation 3");
	step(&sv, SV_EV_REAPED, 0, 0, 0, 201, W_EXITCODE(0, 0), 0);
	ok(count(&sv, SV_ACT_UNWATCH, 201, 0) == 1 &&
	    count(&sv, SV_ACT_FORK, 0, 0) == 0,
	    "a stopped old worker is reaped, not respawned");
	step(&sv, SV_EV_REAPED, 0, 0, 0, 202, W_EXITCODE(0, 0), 0);
	step(&sv, SV_EV_REAPED, 0, 0, 0, 100, W_EXITCODE(0, 0), 0);
	step(&sv, SV_EV_CHANNEL_CLOSED, 1, 0, 0, 0, 0, 0);
	ok(sv_gen(&sv, 1) == NULL, "generation 1 is gone with its last "
	    "process");

	/* Generation 3's zygote fails to import the new code. */
	step(&sv, SV_EV_SPAWNED, 3, 0, 0, 120, 0, 0);
	step(&sv, SV_EV_REAPED, 0, 0, 0, 120, W_EXITCODE(EXIT_APP_BROKEN, 0),
	    0);
	ok(sv_gen(&sv, 3)->state == GEN_FAILED && sv.reloading == 0 &&
	    sv.serving == 2 && sv.reloads_failed == 1 &&
	    strstr(sv_gen(&sv, 3)->reason, "before it was ready") != NULL,
	    "a zygote that cannot import: generation 3 failed, and why");
	ok(count(&sv, SV_ACT_SIGNAL, 0, 0) == 0 && sv.mode == SV_RUN &&
	    sv_live(&sv) == 2, "generation 2 keeps serving, untouched");

	/* Generation 4: a worker dies in its post_fork hook. */
	step(&sv, SV_EV_RELOAD, 0, 0, 0, 0, 0, 0);
	ok(sv.reloading == 4, "the next reload is generation 4");
	step(&sv, SV_EV_SPAWNED, 4, 0, 0, 130, 0, 0);
	step(&sv, SV_EV_READY, 4, 0, 0, 0, 0, 0);
	a = find(&sv, SV_ACT_FORK, 0);
	ix1 = a->ix;
	ix2 = find(&sv, SV_ACT_FORK, 1)->ix;
	step(&sv, SV_EV_FORKED, 4, 1, ix1, 701, 0, 0);
	step(&sv, SV_EV_FORKED, 4, 2, ix2, 702, 0, 0);
	step(&sv, SV_EV_REAPED, 0, 0, 0, 701, W_EXITCODE(EXIT_APP_BROKEN, 0),
	    0);
	ok(sv_gen(&sv, 4)->state == GEN_FAILED &&
	    strstr(sv_gen(&sv, 4)->reason, "before it served") != NULL &&
	    count(&sv, SV_ACT_SIGNAL, 702, SIGTERM) == 1 &&
	    count(&sv, SV_ACT_ZYGOTE_SIGNAL, 130, SIGTERM) == 1,
	    "a new worker dies before serving: generation 4 failed, its "
	    "other worker and zygote stop");
	ok(count(&sv, SV_ACT_SIGNAL, 501, 0) == 0 &&
	    count(&sv, SV_ACT_SIGNAL, 502, 0) == 0 && sv.serving == 2 &&
	    sv.slots[0].cur.pid == 501 && sv.slots[0].target == 2,
	    "the old workers never stopped, and stay the slots' target");
	ok(sv.mode == SV_RUN, "forkd runs on");

	/* Generation 5: a worker whose post_fork hook hangs. */
	step(&sv, SV_EV_REAPED, 0, 0, 0, 701, W_EXITCODE(0, 0), 0);
	step(&sv, SV_EV_REAPED, 0, 0, 0, 702, W_EXITCODE(0, 0), 0);
	step(&sv, SV_EV_RELOAD, 0, 0, 0, 0, 0, 0);
	step(&sv, SV_EV_SPAWNED, 5, 0, 0, 140, 0, 0);
	step(&sv, SV_EV_READY, 5, 0, 0, 0, 0, 0);
	a = find(&sv, SV_ACT_FORK, 0);
	step(&sv, SV_EV_FORKED, 5, a->slot, a->ix, 801, 0, 0);
	clk += SV_BOOT_MS - 1000;
	step(&sv, SV_EV_TICK, 0, 0, 0, 0, 0, 0);
	ok(sv.reloading == 5, "a booting worker is waited for...");
	clk += 2000;
	step(&sv, SV_EV_TICK, 0, 0, 0, 0, 0, 0);
	ok(sv_gen(&sv, 5)->state == GEN_FAILED && sv.reloading == 0 &&
	    strstr(sv_gen(&sv, 5)->reason, "did not serve within") != NULL &&
	    count(&sv, SV_ACT_SIGNAL, 801, SIGTERM) == 1,
	    "...for SV_BOOT_MS, then the reload fails and it is stopped");
	ok(step(&sv, SV_EV_RELOAD, 0, 0, 0, 0, 0, 0) == 0 && sv.reloading == 6,
	    "and the next reload may start");
	sv_free(&sv);
}

static void
test_scale_recycle_timeout(void)
{
	struct sv	sv;
	unsigned	i, ix;

	serving(&sv);
	ok(step(&sv, SV_EV_SCALE, 0, 0, 0, 0, 0, 4) == 0 &&
	    count(&sv, SV_ACT_FORK, 0, 0) == 2 && sv.nslots == 4,
	    "scale 4: two new slots fork");
	fork_all(&sv, 200);
	ok(step(&sv, SV_EV_SCALE, 0, 0, 0, 0, 0, 0) == -EINVAL &&
	    step(&sv, SV_EV_SCALE, 0, 0, 0, 0, 0, 5000) == -EINVAL,
	    "scale 0 and 5000 are refused");
	step(&sv, SV_EV_SCALE, 0, 0, 0, 0, 0, 1);
	ok(count(&sv, SV_ACT_SIGNAL, 0, SIGTERM) == 3 &&
	    count(&sv, SV_ACT_SIGNAL, 201, 0) == 0 && sv.nslots == 1 &&
	    sv_running_slots(&sv) == 1,
	    "scale 1: the three highest slots' workers stop, slot 1 stays");
	for (i = 2; i <= 4; i++)
		step(&sv, SV_EV_REAPED, 0, 0, 0, 200 + (pid_t)i,
		    W_EXITCODE(0, 0), 0);
	ok(sv_live(&sv) == 1 && count(&sv, SV_ACT_FORK, 0, 0) == 0,
	    "they are reaped, not respawned");

	clk += 60000;
	ok(step(&sv, SV_EV_RECYCLE, 0, 0, 0, 201, 0, 0) == 0 &&
	    count(&sv, SV_ACT_FORK, 0, 0) == 1 &&
	    count(&sv, SV_ACT_SIGNAL, 201, 0) == 0,
	    "recycle: a replacement forks first");
	ix = find(&sv, SV_ACT_FORK, 0)->ix;
	step(&sv, SV_EV_SCALE, 0, 0, 0, 0, 0, 2);
	fork_all(&sv, 800);
	ok(step(&sv, SV_EV_RECYCLE, 0, 0, 0, 802, 0, 0) == -EBUSY,
	    "a second recycle waits: one at a time");
	step(&sv, SV_EV_FORKED, 1, 1, ix, 801, 0, 0);
	step(&sv, SV_EV_CLAIMED, 0, 0, 0, 801, 0, 0);
	ok(sv.slots[0].cur.pid == 801 &&
	    sv.drain[sv.ndrain - 1].pid == 201 && sv.recycled == 1,
	    "the replacement serves; the old one drains");

	step(&sv, SV_EV_TIMEOUT, 0, 0, 0, 801, 0, 0);
	ok(count(&sv, SV_ACT_SIGNAL, 801, SIGUSR2) == 1 && sv.timeouts == 1,
	    "--timeout: SIGUSR2 for the traceback");
	step(&sv, SV_EV_TIMEOUT, 0, 0, 0, 801, 0, 0);
	ok(sv.nact == 0, "only once");
	clk += 1000;
	step(&sv, SV_EV_TICK, 0, 0, 0, 0, 0, 0);
	ok(count(&sv, SV_ACT_SIGNAL, 801, SIGKILL) == 1,
	    "SIGKILL a second later");
	clk += 31000;
	step(&sv, SV_EV_TICK, 0, 0, 0, 0, 0, 0);
	ok(count(&sv, SV_ACT_SIGNAL, 201, SIGKILL) == 1,
	    "a draining worker past --graceful-timeout is killed");

	step(&sv, SV_EV_STOP, 0, 0, 0, 0, EXIT_CLEAN, SV_STOP_GRACEFUL);
	ok(count(&sv, SV_ACT_CLOSE_LISTENERS, 0, 0) == 1 &&
	    count(&sv, SV_ACT_SIGNAL, 802, SIGTERM) == 1 &&
	    count(&sv, SV_ACT_ZYGOTE_SIGNAL, 100, SIGTERM) == 1 &&
	    !sv.done, "TERM: listeners close, workers and zygote told");
	ok(step(&sv, SV_EV_RELOAD, 0, 0, 0, 0, 0, 0) == -EAGAIN &&
	    step(&sv, SV_EV_SCALE, 0, 0, 0, 0, 0, 3) == -EAGAIN,
	    "no reload nor scale while stopping");
	step(&sv, SV_EV_REAPED, 0, 0, 0, 801, W_EXITCODE(0, SIGKILL), 0);
	step(&sv, SV_EV_REAPED, 0, 0, 0, 802, W_EXITCODE(0, 0), 0);
	step(&sv, SV_EV_REAPED, 0, 0, 0, 201, W_EXITCODE(0, SIGKILL), 0);
	ok(!sv.done && count(&sv, SV_ACT_FORK, 0, 0) == 0,
	    "no respawn while stopping; the zygote is still there");
	step(&sv, SV_EV_REAPED, 0, 0, 0, 100, W_EXITCODE(0, 0), 0);
	ok(sv.done && sv.exit_code == EXIT_CLEAN, "done, exit 0");
	sv_free(&sv);
}

static void
test_zygote_faults(void)
{
	struct sv	sv;
	unsigned	i;

	start(&sv, 1);
	step(&sv, SV_EV_SPAWNED, 1, 0, 0, 100, 0, 0);
	ok(step(&sv, SV_EV_RELOAD, 0, 0, 0, 0, 0, 1) == -EBUSY,
	    "no reload before the first generation is ready");
	step(&sv, SV_EV_REAPED, 0, 0, 0, 100, W_EXITCODE(EXIT_APP_BROKEN, 0),
	    0);
	ok(sv.mode == SV_STOP_QUICK && sv.exit_code == EXIT_APP_BROKEN &&
	    sv.done, "the first zygote fails to import: stop with 101");
	sv_free(&sv);

	serving(&sv);
	clk += 5000;
	step(&sv, SV_EV_REAPED, 0, 0, 0, 100, W_EXITCODE(0, SIGKILL), 0);
	ok(sv_gen(&sv, 1)->state == GEN_LOST && sv_live(&sv) == 2 &&
	    count(&sv, SV_ACT_SIGNAL, 0, 0) == 0,
	    "the serving zygote killed: its workers keep serving");
	clk += 200;
	step(&sv, SV_EV_TICK, 0, 0, 0, 0, 0, 0);
	ok(count(&sv, SV_ACT_ZYGOTE_START, 0, 0) == 1 &&
	    sv_gen(&sv, 2)->origin == ORIGIN_RESPAWN,
	    "after the backoff a new zygote starts (generation 2, respawn)");
	step(&sv, SV_EV_SPAWNED, 2, 0, 0, 110, 0, 0);
	step(&sv, SV_EV_READY, 2, 0, 0, 0, 0, 0);
	ok(sv.serving == 2 && count(&sv, SV_ACT_FORK, 0, 0) == 0,
	    "ready: it serves; the running workers are not replaced");
	clk += 5000;
	step(&sv, SV_EV_REAPED, 0, 0, 0, 201, W_EXITCODE(0, SIGKILL), 0);
	ok(count(&sv, SV_ACT_FORK, 0, 0) == 1 &&
	    find(&sv, SV_ACT_FORK, 0)->gen == 2,
	    "a slot refilled later forks from generation 2");
	sv_free(&sv);

	/* A worker that dies at every start. */
	serving(&sv);
	clk += 5000;
	step(&sv, SV_EV_REAPED, 0, 0, 0, 201, W_EXITCODE(0, SIGSEGV), 0);
	for (i = 0; i < 2 * SV_BOOT_FAILURES && sv.mode == SV_RUN; i++) {
		if (count(&sv, SV_ACT_FORK, 0, 0) == 0) {
			clk += 20000;
			step(&sv, SV_EV_TICK, 0, 0, 0, 0, 0, 0);
		}
		fork_all(&sv, 1000 + 10 * (pid_t)i);
		clk += 10;
		step(&sv, SV_EV_REAPED, 0, 0, 0, sv.slots[0].cur.pid,
		    W_EXITCODE(0, SIGSEGV), 0);
	}
	ok(sv.mode == SV_STOP_QUICK && sv.exit_code == EXIT_APP_BROKEN &&
	    sv.slots[0].fast_deaths == SV_BOOT_FAILURES,
	    "ten young deaths in a row: stop with 101");
	sv_free(&sv);

	/* Orders a dead zygote never answered. */
	start(&sv, 2);
	step(&sv, SV_EV_SPAWNED, 1, 0, 0, 100, 0, 0);
	step(&sv, SV_EV_READY, 1, 0, 0, 0, 0, 0);
	clk += 5000;
	step(&sv, SV_EV_REAPED, 0, 0, 0, 100, W_EXITCODE(0, SIGKILL), 0);
	ok(sv.slots[0].cur.state == WORKER_FORKING, "an order stays open "
	    "until the channel is drained");
	step(&sv, SV_EV_CHANNEL_CLOSED, 1, 0, 0, 0, 0, 0);
	ok(sv.slots[0].cur.state == WORKER_EMPTY &&
	    count(&sv, SV_ACT_STRAYS, 0, 0) == 1 && sv.ix_used[1] == 0,
	    "then it is given up, its status slot freed, strays looked for");
	sv_free(&sv);
}

static void
test_early_exit(void)
{
	struct sv		 sv;
	const struct sv_action	*a;

	start(&sv, 1);
	step(&sv, SV_EV_SPAWNED, 1, 0, 0, 100, 0, 0);
	step(&sv, SV_EV_READY, 1, 0, 0, 0, 0, 0);
	a = find(&sv, SV_ACT_FORK, 0);
	clk += 10;
	step(&sv, SV_EV_REAPED, 0, 0, 0, 201, W_EXITCODE(1, 0), 0);
	ok(sv.nact == 0, "an exit before its FORKED message is remembered");
	step(&sv, SV_EV_FORKED, 1, 1, 1, 201, 0, 0);
	ok(count(&sv, SV_ACT_UNWATCH, 201, 0) == 1 &&
	    sv.slots[0].cur.state == WORKER_EMPTY,
	    "FORKED then finds it dead: the slot waits for its respawn");
	(void)a;
	step(&sv, SV_EV_FORKED, 1, 1, 9, 250, 0, 0);
	ok(count(&sv, SV_ACT_SIGNAL, 250, SIGTERM) == 1,
	    "a fork nobody ordered is stopped");
	sv_free(&sv);
}

int
main(void)
{
	log_init("t0014", LOG_LEVEL_ERROR);	/* the warnings are expected */
	plan(59);
	test_start_and_respawn();
	test_reload();
	test_scale_recycle_timeout();
	test_zygote_faults();
	test_early_exit();
	return done();
}
