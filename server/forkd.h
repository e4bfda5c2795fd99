/*
 * forkd.h: the supervisor's state, passed as one struct forkd * to every
 * part of it (as OpenBSD httpd passes struct httpd *env).
 */
#ifndef FORKD_FORKD_H
#define FORKD_FORKD_H

#include <sys/signalfd.h>
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>

#include "admin.h"
#include "config.h"
#include "cow.h"
#include "loop.h"
#include "memstat.h"
#include "proto.h"
#include "status.h"

enum worker_state {
	WORKER_EMPTY = 0,	/* waits for its respawn time */
	WORKER_FORKING,		/* PROTO_FORK sent, no answer yet */
	WORKER_RUNNING,
	WORKER_HELD,		/* exited 101: not respawned */
};

struct worker {
	unsigned		 id;		/* 1-based slot number */
	enum worker_state	 state;
	pid_t			 pid;
	int			 pidfd;
	unsigned		 generation;
	uint64_t		 started_ms;
	uint64_t		 respawn_ms;	/* earliest respawn time */
	unsigned		 fast_deaths;	/* consecutive deaths < 1 s old */
	struct memstat		 mem;		/* at the last stats tick */
	struct memstat		 mem_peak;	/* highest USS seen */
	struct cow_track	*cow;		/* the write tracker's, or NULL */
	uint64_t		 kill_ms;	/* --timeout: SIGKILL due then */
};

enum zygote_state {
	ZYGOTE_NONE = 0,
	ZYGOTE_STARTING,	/* exec'd, importing the app */
	ZYGOTE_READY,
	ZYGOTE_HELD,		/* could not start: the app is broken */
};

struct zygote {
	enum zygote_state	 state;
	pid_t			 pid;
	int			 pidfd;
	int			 ctl;		/* our end of the socketpair */
	pid_t			 last_pid;	/* of the zygote ctl belongs to */
	unsigned		 generation;
	unsigned		 restarts;	/* consecutive failed starts */
	uint64_t		 restart_ms;
	struct op		 recv_op;
	struct proto_msg	 msg;		/* recv buffer */
	char			*failed_text;	/* PROTO_FAILED text, or NULL */
	char			*ready_json;	/* READY's JSON, or NULL */
};

enum forkd_mode {
	MODE_RUN = 0,
	MODE_STOP_GRACEFUL,
	MODE_STOP_QUICK,
};

#define FORKD_RATE_SAMPLES	11

/* Consecutive failed starts of the zygote or of one slot's worker after
 * which forkd stops with EXIT_APP_BROKEN rather than retry forever. */
#define FORKD_BOOT_FAILURES	10

/* Exits reaped before the zygote told us the pid (a race with FORKED). */
#define FORKD_EARLY_EXITS	16
struct early_exit {
	pid_t		pid;
	int		status;
	uint64_t	ms;	/* when it was reaped */
};

struct forkd {
	struct config		 cfg;
	char			 zygote_path[PATH_MAX];
	int			 listen_fds[CONFIG_MAX_BINDS];
	size_t			 nlisten;

	int			 sigfd;
	struct op		 sig_op;
	struct signalfd_siginfo	 si;
	struct op		 tick_op;
	struct __kernel_timespec tick_ts;

	struct zygote		 zyg;
	struct worker		*workers;
	unsigned		 nworkers;
	struct early_exit	 early[FORKD_EARLY_EXITS];
	unsigned		 nearly;	/* next slot to overwrite */

	enum forkd_mode		 mode;
	uint64_t		 stop_deadline_ms;
	int			 stop_killed;	/* SIGKILL already sent */
	int			 ever_ready;	/* a zygote reached READY */
	int			 exit_code;
	int			 done;
	uint64_t		 next_stats_ms;
	uint64_t		 started_ms;
	struct cow		*cow;		/* --cow: NULL when off */
	struct admin		*admin;		/* NULL: no admin socket */
	int			 status_fd;	/* the workers' status page */
	struct status_page	*status;
	uint64_t		 last_tick_ms;	/* to see the loop stall */
	uint64_t		 stall_end_ms;	/* no timeout kills before */
	/* Requests answered, sampled each second for the last 10 (req/s). */
	uint64_t		 timeouts;	/* workers killed by --timeout */
	uint64_t		 respawns;	/* worker deaths respawned */
	uint64_t		 rate_n[FORKD_RATE_SAMPLES];
	uint64_t		 rate_ms[FORKD_RATE_SAMPLES];
	unsigned		 rate_next;
};

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t now_ms(void);
/* Sends sig through the pidfd; returns 0 or -errno. */
int	pidfd_signal(int pidfd, int sig);
/* Returns a new pidfd for pid, or -errno. */
int	pidfd_get(pid_t pid);

/* slots.c: the worker slot table. */
int	slots_init(struct forkd *);
void	slots_tick(struct forkd *, uint64_t now);
void	slots_forked(struct forkd *, const struct proto_msg *);
void	slots_fork_failed(struct forkd *, const struct proto_msg *);
int	slots_reaped(struct forkd *, pid_t, int status);
void	slots_signal_all(struct forkd *, int sig);
unsigned slots_count_live(const struct forkd *);
void	slots_zygote_lost(struct forkd *);
void	slots_stats(struct forkd *);
void	slots_kill_strays(struct forkd *, pid_t zygote);
void	slots_timeouts(struct forkd *, uint64_t now);
/* The status page's slot of a running worker, or NULL. */
struct status_slot *slots_status(struct forkd *, const struct worker *);
/* Requests the running workers answered, from the status page. */
uint64_t slots_requests(struct forkd *);

/* zyglink.c: the zygote process and its control channel. */
int	zyglink_start(struct forkd *);
int	zyglink_send_fork(struct forkd *, struct worker *);
int	zyglink_reaped(struct forkd *, pid_t, int status);
void	zyglink_tick(struct forkd *, uint64_t now);
void	zyglink_stop(struct forkd *, int sig);

/* zygfail.c: keeps a PROTO_FAILED's text in f->zyg.failed_text. */
void	zyglink_failed(struct forkd *, struct proto_msg *);

/* zygready.c: keeps READY's JSON in f->zyg.ready_json, logs "ready:". */
void	zyglink_ready(struct forkd *, struct proto_msg *);
/* The log line's short text for READY's JSON (the text itself if not). */
const char *zygready_summary(const char *json, char *buf, size_t len);

/* admincmd.c: the admin socket and its commands (doc/admin.md). */
int	admincmd_open(struct forkd *);
void	admincmd_close(struct forkd *);

/* main.c */
void	forkd_stop(struct forkd *, enum forkd_mode, int exit_code);
void	forkd_check_done(struct forkd *);

#endif
