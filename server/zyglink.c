/*
 * zyglink.c: starts the zygote (fork + exec of forkd-zygote with the
 * control socket on fd 3 and the listeners after it) and speaks proto.h
 * with it.  It does not interpret worker exits; slots.c does.  The
 * zygote's own side of the link is preload/zygote.c.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "forkd.h"
#include "log.h"
#include "wstatus.h"

#define ZYGOTE_MAX_ARGS	(48 + 2 * CONFIG_MAX_PYPATHS)

static void	zyglink_recv_done(struct op *, int, uint32_t);

static int
zyglink_arm(struct forkd *f)
{
	f->zyg.recv_op.done = zyglink_recv_done;
	/* MSG_TRUNC: a packet longer than any message shows as such. */
	return loop_recv(&f->zyg.recv_op, f->zyg.ctl, &f->zyg.msg,
	    PROTO_MSG_MAX);
}

/* Runs in the forked child: never returns. */
static void __attribute__((noreturn))
zyglink_exec(struct forkd *f, int ctl, pid_t supervisor)
{
	const char	*argv[ZYGOTE_MAX_ARGS];
	char		 nlisten[16], spid[16], gen[16], grace[16], http[256];
	char		 ranges[PATH_MAX], index[PATH_MAX];
	int		 moved[CONFIG_MAX_BINDS + 1], status;
	size_t		 i, n = 0;
	sigset_t	 all;
	/* Options the zygote takes only when given. */
	const struct {
		const char	*flag;
		const char	*value;
	} optional[] = {
		{ "--chdir", f->cfg.chdir },
		{ "--warmup", f->cfg.warmup },
		{ "--warmup-rounds", f->cfg.warmup_rounds },
		{ "--warmup-time", f->cfg.warmup_time },
		{ "--seal", f->cfg.seal },
		{ "--fill-holes", f->cfg.fill_holes },
		{ "--pack-code", f->cfg.pack_code },
		{ "--access-log", f->cfg.access_log },
		{ "--access-log-format", f->cfg.access_log_format },
	};

	/* Terminal signals go to the supervisor alone; it relays them. */
	(void)setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != supervisor)
		_exit(EXIT_SYSCALL);
	sigfillset(&all);
	(void)sigprocmask(SIG_UNBLOCK, &all, NULL);

	/* Move every fd out of the way before placing them at 3, 4, ... */
	moved[0] = fcntl(ctl, F_DUPFD_CLOEXEC, 64);
	for (i = 0; i < f->nlisten; i++)
		moved[i + 1] = fcntl(f->listen_fds[i], F_DUPFD_CLOEXEC, 64);
	status = fcntl(f->status_fd, F_DUPFD_CLOEXEC, 64);
	for (i = 0; i <= f->nlisten; i++)
		if (moved[i] == -1 ||
		    dup2(moved[i], PROTO_CONTROL_FD + (int)i) == -1)
			_exit(EXIT_SYSCALL);
	if (status == -1 || dup2(status, PROTO_STATUS_FD) == -1)
		_exit(EXIT_SYSCALL);
	(void)close_range(PROTO_CONTROL_FD + f->nlisten + 1,
	    PROTO_STATUS_FD - 1, 0);
	(void)close_range(PROTO_STATUS_FD + 1, ~0U, 0);

	snprintf(nlisten, sizeof(nlisten), "%zu", f->nlisten);
	snprintf(spid, sizeof(spid), "%d", (int)supervisor);
	snprintf(gen, sizeof(gen), "%u", f->zyg.generation);
	snprintf(grace, sizeof(grace), "%u", f->cfg.graceful_timeout);
	httpopts_format(&f->cfg.http, http, sizeof(http));
	argv[n++] = f->zygote_path;
	argv[n++] = "--app";
	argv[n++] = f->cfg.app;
	argv[n++] = "--listeners";
	argv[n++] = nlisten;
	argv[n++] = "--supervisor-pid";
	argv[n++] = spid;
	argv[n++] = "--generation";
	argv[n++] = gen;
	argv[n++] = "--graceful-timeout";
	argv[n++] = grace;
	argv[n++] = "--http";
	argv[n++] = http;
	argv[n++] = "--forwarded-allow-ips";
	argv[n++] = f->cfg.forwarded_allow_ips;
	argv[n++] = "--log-level";
	argv[n++] = f->cfg.log_level;
	for (i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		if (optional[i].value == NULL)
			continue;
		argv[n++] = optional[i].flag;
		argv[n++] = optional[i].value;
	}
	if (f->cfg.warmup_strict)
		argv[n++] = "--warmup-strict";
	if (f->cfg.ksm)
		argv[n++] = "--ksm";
	if (f->cfg.watch_types)
		argv[n++] = "--watch-types";
	argv[n++] = "--cow";
	argv[n++] = cow_mode_name(f->cfg.cow);
	if (cow_ranges_path(f, f->zyg.generation, ranges,
	    sizeof(ranges)) == 0) {
		argv[n++] = "--cow-ranges";
		argv[n++] = ranges;
	}
	if (cow_index_path(f, f->zyg.generation, index, sizeof(index)) == 0) {
		argv[n++] = "--cow-index";
		argv[n++] = index;
	}
	for (i = 0; i < f->cfg.npythonpath; i++) {
		argv[n++] = "--pythonpath";
		argv[n++] = f->cfg.pythonpath[i];
	}
	argv[n] = NULL;
	execv(f->zygote_path, (char *const *)argv);
	fprintf(stderr, "forkd[%d]: exec %s: %s\n", (int)getpid(),
	    f->zygote_path, strerror(errno));
	_exit(EXIT_SYSCALL);
}

int
zyglink_start(struct forkd *f)
{
	int	sv[2], r;
	pid_t	pid, self = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -errno;
	f->zyg.generation++;
	/* Without it the zygote still starts: arenas count as "other". */
	if ((r = cow_zygote_starting(f)) != 0)
		log_warnc(r, "cow: cannot make a private directory");
	if ((pid = fork()) == -1) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0)
		zyglink_exec(f, sv[1], self);
	close(sv[1]);
	f->zyg.pid = pid;
	f->zyg.last_pid = pid;
	f->zyg.ctl = sv[0];
	f->zyg.state = ZYGOTE_STARTING;
	if ((f->zyg.pidfd = pidfd_get(pid)) < 0)
		f->zyg.pidfd = -1;
	if ((r = zyglink_arm(f)) != 0)
		return r;
	log_info("zygote pid %d starting (generation %u): importing %s",
	    (int)pid, f->zyg.generation, f->cfg.app);
	return 0;
}

int
zyglink_send_fork(struct forkd *f, struct worker *w)
{
	struct proto_msg	m;

	if (f->zyg.state != ZYGOTE_READY)
		return -EAGAIN;
	proto_init(&m, PROTO_FORK);
	m.worker_id = w->id;
	m.generation = f->zyg.generation;
	if (send(f->zyg.ctl, &m, proto_size(&m), MSG_NOSIGNAL | MSG_DONTWAIT)
	    == -1)
		return -errno;
	return 0;
}

static void
zyglink_recv_done(struct op *op, int res, uint32_t flags)
{
	struct forkd	*f = container_of(op, struct forkd, zyg.recv_op);
	struct proto_msg *m = &f->zyg.msg;

	(void)flags;
	if (res <= 0) {
		/*
		 * End of the channel: every message the zygote sent has been
		 * read, so the orders it never answered can be given up now
		 * (not at its SIGCHLD, which may come first).
		 */
		if (res < 0 && res != -ECANCELED)
			log_warnc(res, "zygote control channel");
		close(f->zyg.ctl);
		f->zyg.ctl = -1;
		slots_zygote_lost(f);
		if (f->mode == MODE_RUN)
			slots_kill_strays(f, f->zyg.last_pid);
		return;
	}
	if (proto_check(m, res) != 0) {
		log_warnx("zygote pid %d sent a malformed message, killing it",
		    (int)f->zyg.pid);
		zyglink_stop(f, SIGKILL);
	} else {
		switch (m->type) {
		case PROTO_READY:
			f->zyg.state = ZYGOTE_READY;
			f->zyg.restarts = 0;
			f->ever_ready = 1;
			zyglink_ready(f, m);
			cow_zygote_ready(f);
			slots_tick(f, now_ms());
			break;
		case PROTO_FORKED:
			slots_forked(f, m);
			break;
		case PROTO_FORK_FAILED:
			slots_fork_failed(f, m);
			break;
		case PROTO_FAILED:
			zyglink_failed(f, m);
			break;
		default:
			log_warnx("zygote sent unexpected message type %u",
			    m->type);
		}
	}
	if (zyglink_arm(f) != 0)
		log_warnx("cannot re-arm the zygote control channel");
}

static void
zyglink_close(struct forkd *f)
{
	/* The control socket stays open until its last message is read. */
	if (f->zyg.pidfd >= 0)
		close(f->zyg.pidfd);
	f->zyg.pidfd = -1;
	f->zyg.pid = 0;
}

/* Returns 1 when pid was the zygote (handled), 0 otherwise. */
int
zyglink_reaped(struct forkd *f, pid_t pid, int st)
{
	char			desc[64];
	enum zygote_state	was = f->zyg.state;
	unsigned		delay;

	if (pid != f->zyg.pid || pid == 0)
		return 0;
	zyglink_close(f);
	f->zyg.state = ZYGOTE_NONE;
	wstatus_describe(st, desc, sizeof(desc));
	if (f->mode != MODE_RUN) {
		log_debug("zygote %s", desc);
		forkd_check_done(f);
		return 1;
	}
	if (was == ZYGOTE_STARTING && !f->ever_ready) {
		log_warnx("zygote %s before it was ready: %s", desc,
		    wstatus_startup_code(st) == EXIT_APP_BROKEN ?
		    "the app is broken (see the traceback above)" :
		    "cannot start");
		forkd_stop(f, MODE_STOP_QUICK, wstatus_startup_code(st));
		return 1;
	}
	if (was == ZYGOTE_STARTING &&
	    wstatus_verdict(st, 0) == VERDICT_HOLD) {
		log_warnx("zygote %s while restarting: the app is broken; %u "
		    "workers keep serving, no new worker can start", desc,
		    slots_count_live(f));
		f->zyg.state = ZYGOTE_HELD;
		if (slots_count_live(f) == 0)
			forkd_stop(f, MODE_STOP_QUICK, EXIT_APP_BROKEN);
		return 1;
	}
	if (++f->zyg.restarts >= FORKD_BOOT_FAILURES) {
		log_warnx("zygote %s: it failed to start %u times in a row, "
		    "stopping (the app is broken, or the machine cannot run "
		    "it)", desc, f->zyg.restarts);
		forkd_stop(f, MODE_STOP_QUICK, EXIT_APP_BROKEN);
		return 1;
	}
	delay = wstatus_backoff_ms(f->zyg.restarts);
	f->zyg.restart_ms = now_ms() + delay;
	log_warnx("zygote %s, restarting in %u ms", desc, delay);
	return 1;
}

void
zyglink_tick(struct forkd *f, uint64_t now)
{
	int	r;

	/* A new zygote waits until the old one's channel is drained. */
	if (f->mode != MODE_RUN || f->zyg.state != ZYGOTE_NONE ||
	    f->zyg.ctl >= 0 || f->zyg.restart_ms > now)
		return;
	if ((r = zyglink_start(f)) != 0) {
		log_warnc(r, "cannot start the zygote");
		f->zyg.restart_ms = now + wstatus_backoff_ms(++f->zyg.restarts);
	}
}

void
zyglink_stop(struct forkd *f, int sig)
{
	if (f->zyg.pid <= 0)
		return;
	if (f->zyg.pidfd >= 0)
		(void)pidfd_signal(f->zyg.pidfd, sig);
	else
		(void)kill(f->zyg.pid, sig);
}
