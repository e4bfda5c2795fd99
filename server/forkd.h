/*
 * forkd.h: the supervisor's state, passed as one struct forkd * to every
 * part of it (as OpenBSD httpd passes struct httpd *env).
 */
#ifndef FORKD_FORKD_H
#define FORKD_FORKD_H

#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>

#include "admin.h"
#include "config.h"
#include "cow.h"
#include "loop.h"
#include "memstat.h"
#include "park.h"
#include "proto.h"
#include "status.h"
#include "sv.h"

/*
 * The driver's side of one generation (same index as its record in
 * sv.gen): the zygote's control socket and what it said.
 */
struct zyglink {
	struct forkd		*f;
	unsigned		 gen;		/* its generation's id */
	pid_t			 pid;
	int			 pidfd;
	int			 ctl;		/* our end of the socketpair */
	struct op		 recv_op;
	struct proto_msg	 msg;		/* recv buffer */
	char			*ready;		/* READY's JSON, or NULL */
	char			*failed;	/* FAILED's text, or NULL */
};

#define FORKD_RATE_SAMPLES	11

struct forkd {
	struct config		 cfg;
	char			 zygote_path[PATH_MAX];
	char			 exe_path[PATH_MAX];	/* for an upgrade */
	char			**argv;
	int			 listen_fds[CONFIG_MAX_BINDS];
	size_t			 nlisten;

	int			 sigfd;
	struct op		 sig_op;
	struct signalfd_siginfo	 si;
	struct op		 tick_op;
	struct __kernel_timespec tick_ts;

	struct sv		 sv;		/* every decision: sv.h */
	struct zyglink		 link[SV_GENS];
	struct sv_event		*pending;	/* results of the last actions */
	unsigned		 npending;
	unsigned		 cappending;
	int			 done;
	uint64_t		 next_stats_ms;
	uint64_t		 started_ms;
	struct cow		*cow;		/* --cow: NULL when off */
	struct admin		*admin;		/* NULL: no admin socket */
	struct park		*park;		/* balanced keep-alive, or NULL */
	struct rlimit		 nofile;	/* as started: the zygote's */
	unsigned		 park_max;	/* connections it may hold */
	int			 drop;		/* --user: run the app as */
	uid_t			 run_uid;
	gid_t			 run_gid;
	int			 status_fd;	/* the workers' status page */
	struct status_page	*status;
	uint64_t		 last_tick_ms;	/* to see the loop stall */
	uint64_t		 stall_end_ms;	/* no timeout kills before */
	uint64_t		 requests_gone;	/* by workers reaped */
	/* Binary upgrade (upgrade.c): what this forkd inherited... */
	int			 inherit_listen;	/* count, or -1 */
	int			 inherit_admin;		/* fd, or -1 */
	int			 upgrade_notify;	/* fd, or -1 */
	/* ... and the new forkd this one started. */
	pid_t			 upgrade_pid;
	int			 upgrade_fd;
	struct op		 upgrade_op;
	char			 upgrade_buf[1];
	int			 handed_over;
	uint64_t		 next_mem_ms;	/* --max-worker-memory's read */
	uint64_t		 oom_kills;	/* the memory cgroup's, last read */
	/* Requests answered, sampled each second for the last 10 (req/s). */
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

/* slots.c: what the driver reads and does for the workers. */
void	slots_watch(struct forkd *, pid_t);
void	slots_unwatch(struct forkd *, struct worker *);
void	slots_signal(struct forkd *, pid_t, int sig);
void	slots_stats(struct forkd *);
void	slots_kill_strays(struct forkd *, unsigned gen);
void	slots_claims(struct forkd *);
void	slots_timeouts(struct forkd *, uint64_t now);
void	slots_recycle(struct forkd *, uint64_t now);
/* The status page's slot of a live worker, or NULL. */
struct status_slot *slots_status(struct forkd *, const struct worker *);
/* Requests answered since forkd started (the status page's, and the
 * counts of workers reaped). */
uint64_t slots_requests(struct forkd *);

/* zyglink.c: the zygotes and their control channels. */
/*
 * Forks and execs generation gen's zygote, its options sent first
 * (PROTO_CONFIG): its pid, or -errno.
 */
pid_t	zyglink_start(struct forkd *, unsigned gen);
/*
 * Whether the zygote's options fit one PROTO_CONFIG at any start:
 * returns 0, -EMSGSIZE, -EILSEQ (a string is not UTF-8) or -ENOMEM.
 */
int	zyglink_check(struct forkd *);
int	zyglink_send_fork(struct forkd *, unsigned gen, unsigned slot,
	    unsigned ix);
void	zyglink_signal(struct forkd *, unsigned gen, int sig);
/* pid was reaped: if it was a zygote, closes its pidfd. */
void	zyglink_reaped(struct forkd *, pid_t);
/* The link of generation gen, or NULL. */
struct zyglink *zyglink_of(struct forkd *, unsigned gen);

/* zygfail.c: keeps a PROTO_FAILED's text in the link's failed. */
void	zyglink_failed(struct zyglink *, struct proto_msg *);

/* zygready.c: keeps READY's JSON in the link's ready, logs "ready:". */
void	zyglink_ready(struct zyglink *, struct proto_msg *);
/* The log line's short text for READY's JSON (the text itself if not). */
const char *zygready_summary(const char *json, char *buf, size_t len);

/* upgrade.c: a new binary, started beside this one (fault S11). */
void	upgrade_inherit(struct forkd *);
void	upgrade_start(struct forkd *);
/* Returns 1 when pid was the new forkd's (handled). */
int	upgrade_reaped(struct forkd *, pid_t, int status);
void	upgrade_tick(struct forkd *);

/* notify.c: systemd's notify protocol, when $NOTIFY_SOCKET is set. */
void	notify_init(void);
void	notify_tick(struct forkd *, uint64_t now);
void	notify_mainpid(pid_t);
/* $NOTIFY_SOCKET as it was (an upgrade passes it on), or NULL. */
const char *notify_socket(void);

/* doctor.c: "forkd doctor"; its exit status. */
int	doctor_run(struct forkd *);
/* The first line of a file, without its newline; "" if unreadable. */
void	doctor_read(const char *path, char *buf, size_t len);

/* admincmd.c: the admin socket and its commands (doc/admin.md). */
int	admincmd_open(struct forkd *);
void	admincmd_close(struct forkd *);

/* main.c */
/*
 * Hands ev to the state machine (ev->now is filled in) and carries out
 * the actions; returns sv_step's answer, its reason in why (may be NULL).
 */
int	forkd_event(struct forkd *, struct sv_event *, char *why, size_t len);
void	forkd_stop(struct forkd *, enum sv_mode, int exit_code);

#endif
