/*
 * sv.h: the supervisor's decisions, as one state machine.
 *
 * struct sv holds the generations (a zygote each) and the worker slots;
 * sv_step() takes one event (a zygote is ready, a process was reaped, an
 * operator asked for a reload, a tick...) and appends the actions it
 * calls for (exec a zygote, order a fork, send a signal...) to sv->act.
 * It makes no system call but the log's write, so every transition is
 * unit-tested without processes (tests/t0014-sv.c); server/main.c turns
 * kernel completions into events and actions into system calls.  The
 * table of transitions is in doc/supervisor.md.
 */
#ifndef FORKD_SV_H
#define FORKD_SV_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "memstat.h"

/* Generation records: the serving one, a reload's, old ones draining. */
#define SV_GENS			8
/* Status page slots: a worker takes a free one (two per slot, and more
 * for workers draining after a reload). */
#define SV_STATUS_SLOTS		(3 * 4096)
/* Exits reaped before the zygote told us the pid (a race with FORKED). */
#define SV_EARLY_EXITS		16
/* Consecutive failed starts of the zygote or of one slot's worker after
 * which forkd stops with EXIT_APP_BROKEN rather than retry forever. */
#define SV_BOOT_FAILURES	10
/* A worker that dies younger than this counts as a fast death. */
#define SV_YOUNG_MS		1000
#define SV_QUICK_STOP_MS	2000
/* A reload's worker that has not served this long after its fork fails
 * the reload (it stays booting while its post_fork hooks run). */
#define SV_BOOT_MS		60000

enum gen_state {
	GEN_FREE = 0,
	GEN_STARTING,		/* exec'd: importing, warming, sealing */
	GEN_READY,		/* forks workers */
	GEN_FAILED,		/* exited before it was ready (kept to report) */
	GEN_LOST,		/* its zygote died after ready; workers serve */
	GEN_RETIRING,		/* superseded: zygote stopped, workers drain */
};

enum gen_origin {
	ORIGIN_START = 0,	/* forkd's first */
	ORIGIN_RELOAD,		/* HUP or the admin socket's reload */
	ORIGIN_RESPAWN,		/* the serving zygote died */
};

struct generation {
	unsigned	 id;		/* 1, 2, ...; 0: free record */
	enum gen_state	 state;
	enum gen_origin	 origin;
	pid_t		 pid;		/* the zygote, 0 once reaped */
	int		 channel;	/* its control socket is still open */
	int		 status;	/* wait status, once reaped */
	int		 held;		/* exited 100/101: the app is broken */
	uint64_t	 started_ms;
	uint64_t	 ready_ms;
	uint64_t	 done_ms;	/* a reload's: every slot serves it */
	char		 reason[256];	/* why it failed */
};

enum worker_state {
	WORKER_EMPTY = 0,	/* nobody: waits for its respawn time */
	WORKER_FORKING,		/* PROTO_FORK sent, no answer yet */
	WORKER_BOOTING,		/* forked; its post_fork hooks run */
	WORKER_RUNNING,		/* took its status slot: serves */
	WORKER_STOPPING,	/* told to stop; draining */
	WORKER_HELD,		/* exited 100/101: the slot is not refilled */
};

struct cow_track;

struct worker {
	unsigned		 id;		/* its slot, 1-based */
	unsigned		 ix;		/* its status page slot, 1-based */
	enum worker_state	 state;
	pid_t			 pid;
	unsigned		 generation;
	uint64_t		 started_ms;
	uint64_t		 kill_ms;	/* SIGKILL due then; ~0: sent */
	/* The driver's (server/main.c); sv only carries them along. */
	int			 pidfd;
	uint64_t		 max_requests;	/* --max-requests, jittered */
	struct memstat		 mem;		/* at the last stats tick */
	struct memstat		 mem_peak;	/* highest USS seen */
	struct cow_track	*cow;
};

enum slot_intent {
	SLOT_RUN = 0,
	SLOT_RETIRE,		/* scale down: removed once empty */
};

struct slot {
	unsigned		 id;
	unsigned		 target;	/* the generation it should run */
	enum slot_intent	 intent;
	int			 recycle;	/* replace the worker (recycling) */
	uint64_t		 respawn_ms;	/* earliest refill */
	unsigned		 fast_deaths;	/* consecutive, < SV_YOUNG_MS */
	struct worker		 cur;		/* the slot's worker */
	struct worker		 repl;		/* its replacement, forking */
};

enum sv_mode {
	SV_RUN = 0,
	SV_STOP_GRACEFUL,
	SV_STOP_QUICK,
};

enum sv_ev_type {
	SV_EV_SPAWNED = 1,	/* gen: the zygote's pid, or err */
	SV_EV_READY,		/* gen */
	SV_EV_MALFORMED,	/* gen sent what proto_check refuses */
	SV_EV_FORKED,		/* gen, slot, ix, pid */
	SV_EV_FORK_FAILED,	/* gen, slot, ix, err */
	SV_EV_CHANNEL_CLOSED,	/* gen: every message it sent was read */
	SV_EV_REAPED,		/* pid, status; n: how much the memory cgroup's
				   OOM kill count grew (err -ENOENT: unknown) */
	SV_EV_CLAIMED,		/* pid: took its status slot, serves */
	SV_EV_TIMEOUT,		/* pid: on one request past --timeout */
	SV_EV_TICK,
	SV_EV_RELOAD,		/* n: 1 from a signal (coalesces), 0 admin */
	SV_EV_SCALE,		/* n: the number of workers wanted */
	SV_EV_RECYCLE,		/* pid: --max-requests, --max-worker-memory */
	SV_EV_STOP,		/* n: enum sv_mode; err: the exit code */
};

struct sv_event {
	enum sv_ev_type	 type;
	uint64_t	 now;		/* ms, CLOCK_MONOTONIC */
	unsigned	 gen;		/* a generation's id */
	unsigned	 slot;
	unsigned	 ix;
	pid_t		 pid;
	int		 status;	/* SV_EV_REAPED */
	int		 err;		/* -errno; SV_EV_STOP: exit code */
	unsigned	 n;
};

enum sv_act_type {
	SV_ACT_ZYGOTE_START = 1, /* gen: exec its zygote, then SV_EV_SPAWNED */
	SV_ACT_ZYGOTE_SIGNAL,	/* gen, sig */
	SV_ACT_FORK,		/* gen, slot, ix: send PROTO_FORK */
	SV_ACT_WATCH,		/* pid: a new worker (pidfd, tracker) */
	SV_ACT_UNWATCH,		/* w: reaped (its pidfd, its tracker) */
	SV_ACT_SIGNAL,		/* pid, sig */
	SV_ACT_STRAYS,		/* gen: kill workers it forked, never told */
	SV_ACT_CLOSE_LISTENERS,
	SV_ACT_GEN_READY,	/* gen: the tracker loads its ranges */
};

struct sv_action {
	enum sv_act_type type;
	unsigned	 gen;
	unsigned	 slot;
	unsigned	 ix;
	pid_t		 pid;
	int		 sig;
	struct worker	 w;		/* SV_ACT_UNWATCH, SV_ACT_SIGNAL */
};

struct sv {
	/* Set before sv_init. */
	unsigned		 workers;
	unsigned		 graceful_timeout;	/* s */
	int			 seccomp_strict;	/* for the words of SIGSYS */

	struct generation	 gen[SV_GENS];
	unsigned		 next_gen;	/* the next id */
	unsigned		 serving;	/* id, 0 before the first ready */
	unsigned		 reloading;	/* id of a reload's, or 0 */
	int			 reload_again;	/* a HUP came during a reload */
	unsigned		 zygote_restarts;	/* consecutive */
	uint64_t		 zygote_restart_ms;

	struct slot		*slots;
	unsigned		 nslots;	/* including retiring ones */
	unsigned		 capslots;
	struct worker		*drain;		/* told to stop, not reaped */
	unsigned		 ndrain;
	unsigned		 capdrain;
	unsigned char		 ix_used[SV_STATUS_SLOTS + 1];

	struct {
		pid_t		 pid;
		int		 status;
		uint64_t	 ms;
	}			 early[SV_EARLY_EXITS];
	unsigned		 nearly;

	enum sv_mode		 mode;
	int			 exit_code;
	uint64_t		 stop_deadline_ms;
	int			 stop_killed;
	int			 done;		/* nothing left: exit */

	/* Counters for stats and metrics. */
	uint64_t		 respawns;
	uint64_t		 timeouts;
	uint64_t		 recycled;
	uint64_t		 reloads;	/* completed */
	uint64_t		 reloads_failed;

	/* Actions of the last sv_step, and its answer for the caller. */
	struct sv_action	*act;
	unsigned		 nact;
	unsigned		 capact;
	char			 why[256];
	int			 oom_kills;	/* the last SV_EV_REAPED's n */
};

/*
 * Makes sv->workers slots; returns 0 or -ENOMEM.  The first zygote's
 * start is ordered in sv->act.
 */
int	sv_init(struct sv *, uint64_t now);
void	sv_free(struct sv *);
/*
 * Takes one event.  The actions are in sv->act[0 .. nact), replacing the
 * last call's.  Returns 0, or for SV_EV_RELOAD and SV_EV_SCALE a refusal
 * (-EBUSY, -EAGAIN, -EINVAL) with the reason in sv->why; SV_EV_RELOAD
 * puts the new generation's id in sv->why too ("generation N").
 */
int	sv_step(struct sv *, const struct sv_event *);

struct generation *sv_gen(struct sv *, unsigned id);
/* Record index (0 .. SV_GENS) of a generation, for the driver's tables. */
unsigned sv_gen_index(const struct sv *, const struct generation *);
/* The live worker with pid (in a slot or draining), or NULL. */
struct worker *sv_worker(struct sv *, pid_t pid);
/* Iterates the workers with a pid: *it starts at 0; NULL at the end. */
struct worker *sv_next_worker(struct sv *, unsigned *it);
/* Workers forking, booting, running or stopping. */
unsigned sv_live(const struct sv *);
/* Slots that run (not retiring). */
unsigned sv_running_slots(const struct sv *);
/* Workers of generation id. */
unsigned sv_gen_workers(const struct sv *, unsigned id);

const char *sv_gen_state_name(enum gen_state);
const char *sv_gen_origin_name(enum gen_origin);
const char *sv_worker_state_name(enum worker_state);

#endif
