/*
 * main.c: the supervisor.  It parses the command line, binds the
 * listeners, starts the zygote and runs the io_uring loop over signals,
 * the zygote's control channel and a periodic tick until it is told to
 * stop.  It never links libpython: a crash or hang in the app cannot
 * take it down.
 *
 * Signals arrive through a signalfd read on the ring, so no handler code
 * exists.  SIGCHLD reaps every exited child: the zygote, the workers
 * (reparented to us, a child subreaper) and orphans the app left behind.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <fcntl.h>
#include <libgen.h>
#include <liburing.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exitcodes.h"
#include "forkd.h"
#include "listen.h"
#include "log.h"
#include "version.h"

/* The supervisor's own open-files limit, raised to hold parked
 * connections, and what it keeps for everything else. */
#define FORKD_NOFILE_MAX	65536
#define FORKD_NOFILE_SPARE	256

#define TICK_MS		100

uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
pidfd_get(pid_t pid)
{
	int	fd;

	if ((fd = syscall(SYS_pidfd_open, pid, 0)) == -1)
		return -errno;
	return fd;
}

int
pidfd_signal(int pidfd, int sig)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == -1)
		return -errno;
	return 0;
}

static void
forkd_close_listeners(struct forkd *f)
{
	size_t	i;

	for (i = 0; i < f->nlisten; i++)
		if (f->listen_fds[i] >= 0)
			close(f->listen_fds[i]);
	f->nlisten = 0;
}

/* Queues an event an action produced, taken once the actions ran. */
static void
forkd_later(struct forkd *f, const struct sv_event *ev)
{
	struct sv_event	*n;
	unsigned	 cap;

	if (f->npending == f->cappending) {
		cap = f->cappending ? 2 * f->cappending : 16;
		if ((n = realloc(f->pending, cap * sizeof(*n))) == NULL) {
			log_warnx("out of memory: an event is lost");
			return;
		}
		f->pending = n;
		f->cappending = cap;
	}
	f->pending[f->npending++] = *ev;
}

static void
forkd_act(struct forkd *f, struct sv_action *a)
{
	struct sv_event	ev;
	pid_t		pid;
	int		r;

	memset(&ev, 0, sizeof(ev));
	switch (a->type) {
	case SV_ACT_ZYGOTE_START:
		pid = zyglink_start(f, a->gen);
		ev.type = SV_EV_SPAWNED;
		ev.gen = a->gen;
		if (pid < 0)
			ev.err = pid;
		else
			ev.pid = pid;
		forkd_later(f, &ev);
		break;
	case SV_ACT_ZYGOTE_SIGNAL:
		zyglink_signal(f, a->gen, a->sig);
		break;
	case SV_ACT_FORK:
		if ((r = zyglink_send_fork(f, a->gen, a->slot, a->ix)) == 0)
			break;
		ev.type = SV_EV_FORK_FAILED;
		ev.gen = a->gen;
		ev.slot = a->slot;
		ev.ix = a->ix;
		ev.err = r;
		forkd_later(f, &ev);
		break;
	case SV_ACT_WATCH:
		slots_watch(f, a->pid);
		break;
	case SV_ACT_UNWATCH:
		slots_unwatch(f, &a->w);
		break;
	case SV_ACT_SIGNAL:
		slots_signal(f, a->pid, a->sig);
		break;
	case SV_ACT_STRAYS:
		slots_kill_strays(f, a->gen);
		break;
	case SV_ACT_CLOSE_LISTENERS:
		forkd_close_listeners(f);
		/* Parked connections close; workers close theirs. */
		park_close(f->park);
		f->park = NULL;
		break;
	case SV_ACT_GEN_READY:
		cow_zygote_ready(f, a->gen);
		break;
	}
}

/* Steps the events the actions queued after first, in order. */
static void
forkd_drain_pending(struct forkd *f, unsigned first)
{
	struct sv_event	next;

	while (f->npending > first) {
		next = f->pending[first];
		memmove(&f->pending[first], &f->pending[first + 1],
		    (f->npending - first - 1) * sizeof(next));
		f->npending--;
		(void)forkd_event(f, &next, NULL, 0);
	}
}

int
forkd_event(struct forkd *f, struct sv_event *ev, char *why, size_t len)
{
	unsigned	i, first = f->npending;
	int		r;

	if (ev->now == 0)
		ev->now = now_ms();
	r = sv_step(&f->sv, ev);
	if (why != NULL)
		snprintf(why, len, "%s", f->sv.why);
	if (r == -ENOMEM)
		log_warnx("out of memory: an event (type %d) is lost",
		    ev->type);
	/* An action never steps: what it learns waits in f->pending. */
	for (i = 0; i < f->sv.nact; i++)
		forkd_act(f, &f->sv.act[i]);
	forkd_drain_pending(f, first);
	/* systemd hears of a reload or a stop as it happens. */
	notify_tick(f, ev->now);
	if (f->sv.done)
		f->done = 1;
	return r;
}

void
forkd_stop(struct forkd *f, enum sv_mode mode, int exit_code)
{
	struct sv_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SV_EV_STOP;
	ev.n = mode;
	ev.err = exit_code;
	(void)forkd_event(f, &ev, NULL, 0);
}

/* How much the memory cgroup's OOM kill count grew since last asked. */
static void
forkd_oom_kills(struct forkd *f, struct sv_event *ev)
{
	char		 cg[4096];
	uint64_t	 n;
	ssize_t		 len;
	int		 fd;

	ev->err = -ENOENT;
	if ((fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC)) == -1)
		return;
	len = read(fd, cg, sizeof(cg) - 1);
	close(fd);
	if (len <= 0)
		return;
	cg[len] = '\0';
	if (memstat_oom_kills(cg, &n) != 0)
		return;
	ev->err = 0;
	ev->n = n > f->oom_kills ? (unsigned)(n - f->oom_kills) : 0;
	f->oom_kills = n;
}

static void
forkd_reap(struct forkd *f)
{
	struct sv_event	ev;
	pid_t		pid;
	int		st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (upgrade_reaped(f, pid, st))
			continue;
		zyglink_reaped(f, pid);
		memset(&ev, 0, sizeof(ev));
		ev.type = SV_EV_REAPED;
		ev.pid = pid;
		ev.status = st;
		/* Fault S7: was a SIGKILL the kernel's OOM killer's? */
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			forkd_oom_kills(f, &ev);
		(void)forkd_event(f, &ev, NULL, 0);
	}
}

/* HUP, TTIN, TTOU: what the admin socket's reload and scale do. */
static void
forkd_operator(struct forkd *f, int sig)
{
	struct sv_event	ev;
	char		why[256];
	unsigned	n = sv_running_slots(&f->sv);

	memset(&ev, 0, sizeof(ev));
	if (sig == SIGHUP) {
		ev.type = SV_EV_RELOAD;
		ev.n = 1;
	} else {
		if (sig == SIGTTOU && n <= 1) {
			log_info("SIGTTOU: one worker already, the least");
			return;
		}
		ev.type = SV_EV_SCALE;
		ev.n = sig == SIGTTIN ? n + 1 : n - 1;
	}
	if (forkd_event(f, &ev, why, sizeof(why)) != 0)
		log_warnx("%s: refused: %s", sigabbrev_np(sig), why);
}

static void
forkd_signal_workers(struct forkd *f, int sig)
{
	struct worker	*w;
	unsigned	 it = 0;

	while ((w = sv_next_worker(&f->sv, &it)) != NULL)
		slots_signal(f, w->pid, sig);
}

/*
 * SIGUSR1, gunicorn's "reopen the log files": the access log is the
 * workers' file, so each reopens it in its own loop, between requests.
 * The supervisor's own log is stderr, which it never reopens.  Signals
 * coalesce, so a storm costs each worker a few reopens at most.
 */
static void
forkd_reopen(struct forkd *f)
{
	if (f->cfg.zyg.access_log == NULL ||
	    strcmp(f->cfg.zyg.access_log, "-") == 0) {
		log_info("SIGUSR1: no access log file, nothing to reopen");
		return;
	}
	log_info("SIGUSR1: workers reopen their access logs");
	forkd_signal_workers(f, SIGUSR1);
}

static void
forkd_sig_done(struct op *op, int res, uint32_t flags)
{
	struct forkd	*f = container_of(op, struct forkd, sig_op);
	int		 r;

	(void)flags;
	if (res == (int)sizeof(f->si)) {
		switch (f->si.ssi_signo) {
		case SIGCHLD:
			forkd_reap(f);
			break;
		case SIGTERM:
			forkd_stop(f, SV_STOP_GRACEFUL, EXIT_CLEAN);
			break;
		case SIGINT:
		case SIGQUIT:
			forkd_stop(f, SV_STOP_QUICK, EXIT_CLEAN);
			break;
		case SIGHUP:
		case SIGTTIN:
		case SIGTTOU:
			forkd_operator(f, (int)f->si.ssi_signo);
			break;
		case SIGUSR1:
			forkd_reopen(f);
			break;
		case SIGUSR2:
			upgrade_start(f);
			break;
		}
	} else if (res < 0)
		log_warnc(res, "signalfd read");
	if ((r = loop_read(&f->sig_op, f->sigfd, &f->si, sizeof(f->si))) != 0)
		log_warnc(r, "cannot re-arm the signalfd");
}

static void
forkd_tick_done(struct op *op, int res, uint32_t flags)
{
	struct forkd	*f = container_of(op, struct forkd, tick_op);
	struct sv_event	 ev;
	uint64_t	 now = now_ms();
	int		 r;

	(void)res;
	(void)flags;
	/* SIGCHLD is coalesced; a periodic reap costs one syscall. */
	forkd_reap(f);
	if (f->last_tick_ms != 0 && now - f->last_tick_ms > 10 * TICK_MS) {
		/* Stopped and continued, or the machine paused. */
		log_info("the loop stalled for %.1f s", (now - f->last_tick_ms)
		    / 1000.0);
		f->stall_end_ms = now + (now - f->last_tick_ms);
	}
	f->last_tick_ms = now;
	if (now - f->rate_ms[(f->rate_next + FORKD_RATE_SAMPLES - 1) %
	    FORKD_RATE_SAMPLES] >= 1000) {
		f->rate_n[f->rate_next] = slots_requests(f);
		f->rate_ms[f->rate_next] = now;
		f->rate_next = (f->rate_next + 1) % FORKD_RATE_SAMPLES;
	}
	if (f->sv.mode == SV_RUN) {
		upgrade_tick(f);
		slots_claims(f);
		slots_timeouts(f, now);
		slots_recycle(f, now);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = SV_EV_TICK;
	ev.now = now;
	(void)forkd_event(f, &ev, NULL, 0);
	park_tick(f->park, now);
	notify_tick(f, now);
	if (f->sv.mode == SV_RUN) {
		cow_tick(f);
		if (f->admin != NULL)
			admin_tick(f->admin, now);
		if (f->cfg.stats_interval > 0 && now >= f->next_stats_ms) {
			slots_stats(f);
			cow_stats(f);
			f->next_stats_ms = now + f->cfg.stats_interval * 1000ULL;
		}
	}
	if ((r = loop_timeout(&f->tick_op, &f->tick_ts)) != 0)
		log_warnc(r, "cannot re-arm the tick");
}

static void
forkd_find_zygote(struct forkd *f)
{
	char	self[PATH_MAX];
	ssize_t	n;

	/* The path, not the file: an upgrade execs what it names then. */
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		fatal("readlink /proc/self/exe");
	self[n] = '\0';
	snprintf(f->exe_path, sizeof(f->exe_path), "%s", self);
	if (f->cfg.zygote != NULL) {
		snprintf(f->zygote_path, sizeof(f->zygote_path), "%s",
		    f->cfg.zygote);
		return;
	}
	snprintf(f->zygote_path, sizeof(f->zygote_path), "%s/forkd-zygote",
	    dirname(self));
}

static void
forkd_version(struct forkd *f)
{
	struct utsname	u;
	struct io_uring	ring;
	int		r;
	char		*argv[3];
	char		 thpmode[128];
	char		 cow[192];

	uname(&u);
	printf("forkd %s\n", FORKD_VERSION);
	printf("kernel: %s %s\n", u.sysname, u.release);
	r = io_uring_queue_init(4, &ring, 0);
	printf("io_uring: %s\n", r == 0 ? "yes" : strerror(-r));
	if (r == 0)
		io_uring_queue_exit(&ring);
	r = pidfd_get(getpid());
	printf("pidfd: %s\n", r >= 0 ? "yes" : strerror(-r));
	if (r >= 0)
		close(r);
	doctor_read("/sys/kernel/mm/transparent_hugepage/enabled", thpmode,
	    sizeof(thpmode));
	printf("transparent huge pages: %s\n", thpmode[0] != '\0' ? thpmode :
	    "unknown");
	cow_probe(cow, sizeof(cow));
	printf("copy-on-write tracker: %s\n", cow);
	fflush(stdout);
	argv[0] = f->zygote_path;
	argv[1] = "--version";
	argv[2] = NULL;
	execv(f->zygote_path, argv);
	printf("python: unavailable (%s: %s)\n", f->zygote_path,
	    strerror(errno));
	exit(EXIT_SYSCALL);
}

/*
 * Makes --access-log absolute (the zygote changes directory, and each
 * worker opens the file) and opens it once, so that a path forkd cannot
 * write stops it now rather than leaving every worker without a log.
 */
static void
forkd_access_log(struct forkd *f)
{
	const char	*path = f->cfg.zyg.access_log;
	char		 cwd[PATH_MAX], *abs;
	int		 fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return;
	if (path[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			fatal("getcwd");
		if (asprintf(&abs, "%s/%s", cwd, path) == -1)
			fatal("asprintf");
		path = abs;	/* lives as long as the process */
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	/* The workers open it again, as --user. */
	if (fd != -1 && f->drop && fchown(fd, f->run_uid, f->run_gid) == -1)
		log_warnc(-errno, "--access-log %s: chown", path);
	if (fd == -1)
		fatalx(EXIT_USAGE, "--access-log %s: %s",
		    f->cfg.zyg.access_log, strerror(errno));
	close(fd);
	f->cfg.zyg.access_log = path;
}

/*
 * Listening sockets forkd did not bind: count of them from fd 3 up, of
 * an upgrade's old forkd (from) or systemd's socket activation.
 */
static void
forkd_adopt(struct forkd *f, int count, const char *from, const char *names)
{
	struct listen_spec	ls;
	char			desc[300], name[64];
	int			i, fd;
	size_t			n;

	if (count > CONFIG_MAX_BINDS)
		fatalx(EXIT_USAGE, "%s: %d listening sockets, forkd takes at "
		    "most %d", from, count, CONFIG_MAX_BINDS);
	for (i = 0; i < count; i++) {
		memset(&ls, 0, sizeof(ls));
		ls.kind = LISTEN_FD;
		ls.fd = 3 + i;
		if ((fd = listen_open(&ls, f->cfg.backlog)) < 0)
			fatalc(fd, "%s: fd %d", from, 3 + i);
		f->listen_fds[f->nlisten++] = fd;
		/* LISTEN_FDNAMES: colon-separated, the unit's FileDescriptorName=. */
		name[0] = '\0';
		if (names != NULL) {
			n = strcspn(names, ":");
			snprintf(name, sizeof(name), " \"%.*s\"", (int)n, names);
			names = names[n] == ':' ? names + n + 1 : NULL;
		}
		if (listen_describe(fd, desc, sizeof(desc)) != 0)
			snprintf(desc, sizeof(desc), "fd %d", fd);
		log_info("listening on %s (%s%s)", desc, from, name);
	}
}

static void
forkd_listen(struct forkd *f)
{
	struct listen_spec	ls;
	char			desc[300];
	const char		*pid = getenv("LISTEN_PID");
	const char		*fds = getenv("LISTEN_FDS");
	size_t			i;
	int			fd, n;

	/* sd_listen_fds(3): for this process only; not for its children. */
	n = pid != NULL && fds != NULL && atol(pid) == (long)getpid() ?
	    atoi(fds) : 0;
	if (f->inherit_listen >= 0) {
		forkd_adopt(f, f->inherit_listen, "the upgraded forkd's socket",
		    NULL);
		n = 0;
	} else if (n > 0) {
		if (f->cfg.binds_given)
			log_info("systemd passed %d listening sockets: -b is "
			    "ignored", n);
		forkd_adopt(f, n, "systemd's socket", getenv("LISTEN_FDNAMES"));
	}
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
	if (f->nlisten > 0)
		return;
	for (i = 0; i < f->cfg.nbinds; i++) {
		if (listen_parse(f->cfg.binds[i], &ls) != 0)
			fatalx(EXIT_USAGE, "-b %s: want HOST:PORT, [V6]:PORT, "
			    "unix:PATH or fd://N", f->cfg.binds[i]);
		if ((fd = listen_open(&ls, f->cfg.backlog)) < 0)
			fatalc(fd, "cannot listen on %s", f->cfg.binds[i]);
		f->listen_fds[f->nlisten++] = fd;
		(void)listen_bound_port(fd, &ls);
		log_info("listening on %s",
		    listen_format(&ls, desc, sizeof(desc)));
	}
}

/*
 * The zygote parks descriptors at fixed numbers from PROTO_COW_FD (1000)
 * up: under a lower "ulimit -n" it could not start.  A soft limit below
 * 1024, the usual default, is raised to it if the hard one allows.
 */
static void
forkd_nofile(struct forkd *f)
{
	struct rlimit	rl;
	rlim_t		need = 1024, was;	/* the usual default */

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < need) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
			fatalx(EXIT_SYSCALL, "ulimit -n is %llu, at most %llu: "
			    "forkd needs %llu open files (its zygote's "
			    "descriptors %d to %d)",
			    (unsigned long long)rl.rlim_cur,
			    (unsigned long long)rl.rlim_max,
			    (unsigned long long)need, PROTO_COW_FD,
			    PROTO_QUEUE_FD);
		was = rl.rlim_cur;
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			fatal("setrlimit(RLIMIT_NOFILE)");
		log_info("ulimit -n raised from %llu to %llu: the zygote "
		    "needs descriptors %d to %d", (unsigned long long)was,
		    (unsigned long long)need, PROTO_COW_FD, PROTO_QUEUE_FD);
	}
	/* The zygote and the workers get this; the app may use select(). */
	f->nofile = rl;
	/*
	 * The supervisor itself holds the parked keep-alive connections:
	 * as many as the hard limit allows, up to FORKD_NOFILE_MAX.
	 */
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
	    rl.rlim_max > FORKD_NOFILE_MAX ? FORKD_NOFILE_MAX : rl.rlim_max;
	if (rl.rlim_cur > f->nofile.rlim_cur &&
	    setrlimit(RLIMIT_NOFILE, &rl) == -1)
		rl.rlim_cur = f->nofile.rlim_cur;
	f->park_max = rl.rlim_cur > 2 * FORKD_NOFILE_SPARE ?
	    (unsigned)(rl.rlim_cur - FORKD_NOFILE_SPARE) :
	    (unsigned)(rl.rlim_cur / 2);
}

/*
 * --user, --group: the zygote and its workers run as them, so the app
 * never holds root; forkd itself binds the sockets first, and stays the
 * one that can signal and watch them.
 */
static void
forkd_user(struct forkd *f)
{
	struct passwd	*pw = NULL;
	struct group	*gr;
	char		*end;
	unsigned long	 n;

	if (f->cfg.user == NULL && f->cfg.group == NULL)
		return;
	if (geteuid() != 0)
		fatalx(EXIT_USAGE, "--user and --group need forkd started as "
		    "root");
	if (f->cfg.user != NULL) {
		n = strtoul(f->cfg.user, &end, 10);
		pw = *end == '\0' ? getpwuid((uid_t)n) : getpwnam(f->cfg.user);
		if (pw == NULL)
			fatalx(EXIT_USAGE, "--user %s: no such user",
			    f->cfg.user);
		f->run_uid = pw->pw_uid;
		f->run_gid = pw->pw_gid;
	}
	if (f->cfg.group != NULL) {
		n = strtoul(f->cfg.group, &end, 10);
		gr = *end == '\0' ? getgrgid((gid_t)n) : getgrnam(f->cfg.group);
		if (gr == NULL)
			fatalx(EXIT_USAGE, "--group %s: no such group",
			    f->cfg.group);
		f->run_gid = gr->gr_gid;
	}
	f->drop = 1;
	log_info("the zygote and workers run as uid %u gid %u",
	    (unsigned)f->run_uid, (unsigned)f->run_gid);
}

static void
forkd_setup_signals(struct forkd *f)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	/* Their default actions would stop or kill the supervisor. */
	sigaddset(&set, SIGTTIN);
	sigaddset(&set, SIGTTOU);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	if ((f->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	/* A worker writing to a closed pipe must not take us down. */
	signal(SIGPIPE, SIG_IGN);
}

int
main(int argc, char *argv[])
{
	struct forkd	f;
	enum log_level	level;
	char		err[256];
	unsigned	i;
	int		r;

	memset(&f, 0, sizeof(f));
	f.status_fd = -1;
	f.upgrade_fd = -1;
	for (i = 0; i < SV_GENS; i++) {
		f.link[i].ctl = -1;
		f.link[i].pidfd = -1;
	}
	log_init("forkd", LOG_LEVEL_INFO);
	/* forkd doctor: the host's checks, nothing started. */
	if (argc == 2 && strcmp(argv[1], "doctor") == 0) {
		forkd_find_zygote(&f);
		return doctor_run(&f);
	}
	if (config_parse(argc, argv, &f.cfg, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		fprintf(stderr, "try 'forkd --help'\n");
		return EXIT_USAGE;
	}
	if (f.cfg.help) {
		config_usage(stdout);
		return EXIT_CLEAN;
	}
	f.argv = argv;
	upgrade_inherit(&f);
	notify_init();
	forkd_find_zygote(&f);
	if (f.cfg.version)
		forkd_version(&f);
	if (log_parse_level(f.cfg.zyg.log_level, &level) == 0)
		log_init("forkd", level);
	if (access(f.zygote_path, X_OK) != 0)
		fatal("zygote program %s", f.zygote_path);
	/* The zygote changes directory before it reads the file. */
	if (f.cfg.zyg.warmup != NULL) {
		char	*abs;

		if ((abs = realpath(f.cfg.zyg.warmup, NULL)) == NULL)
			fatalx(EXIT_USAGE, "--warmup %s: %s",
			    f.cfg.zyg.warmup, strerror(errno));
		f.cfg.zyg.warmup = abs;	/* lives as long as the process */
	}
	forkd_user(&f);
	forkd_access_log(&f);

	forkd_nofile(&f);
	/* Workers are forked by the zygote and reparented to us. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		fatal("prctl(PR_SET_CHILD_SUBREAPER)");
	forkd_setup_signals(&f);
	forkd_listen(&f);
	/* Room for every worker scaling allows: it is never remapped. */
	if ((r = status_create(SV_STATUS_SLOTS, &f.status_fd, &f.status)) != 0)
		fatalc(r, "the workers' status page");
	if ((r = loop_init(64)) != 0)
		fatalc(r, "io_uring_queue_init");
	if (f.cfg.zyg.http.park_after != 0 && (r = park_open(&f.park,
	    f.park_max)) != 0)
		log_warnc(r, "keep-alive: workers keep their connections");
	f.sig_op.done = forkd_sig_done;
	f.tick_op.done = forkd_tick_done;
	f.tick_ts.tv_sec = 0;
	f.tick_ts.tv_nsec = TICK_MS * 1000000LL;
	if ((r = loop_read(&f.sig_op, f.sigfd, &f.si, sizeof(f.si))) != 0 ||
	    (r = loop_timeout(&f.tick_op, &f.tick_ts)) != 0)
		fatalc(r, "cannot arm the loop");
	f.started_ms = now_ms();
	srandom((unsigned)(f.started_ms ^ (uint64_t)getpid() << 16));
	{
		struct sv_event	ev;

		memset(&ev, 0, sizeof(ev));
		forkd_oom_kills(&f, &ev);	/* the count so far */
	}
	f.next_stats_ms = f.started_ms + f.cfg.stats_interval * 1000ULL;
	if ((r = cow_init(&f)) != 0)
		fatalc(r, "--cow");
	/* Refused now, not at each start of a zygote. */
	if ((r = zyglink_check(&f)) == -EMSGSIZE)
		fatalx(EXIT_USAGE, "the zygote's options take more than the "
		    "%d bytes of a message: shorten --app, --chdir, "
		    "--pythonpath or the paths", PROTO_PAYLOAD_MAX);
	if (r == -EILSEQ)
		fatalx(EXIT_USAGE, "the zygote's options must be UTF-8 text: "
		    "the current directory, TMPDIR or FORWARDED_ALLOW_IPS is "
		    "not");
	if (r != 0)
		fatalc(r, "the zygote's options");
	(void)admincmd_open(&f);
	log_info("forkd %s: pid %d, %u workers, app %s", FORKD_VERSION,
	    (int)getpid(), f.cfg.workers, f.cfg.zyg.app);
	f.sv.workers = f.cfg.workers;
	f.sv.graceful_timeout = f.cfg.zyg.graceful_timeout;
	f.sv.seccomp_strict = f.cfg.zyg.seccomp == SANDBOX_STRICT;
	if ((r = sv_init(&f.sv, now_ms())) != 0)
		fatalc(r, "the worker table");
	/* sv_init ordered the first zygote. */
	for (i = 0; i < f.sv.nact; i++)
		forkd_act(&f, &f.sv.act[i]);
	forkd_drain_pending(&f, 0);

	while (!f.done) {
		if ((r = loop_run_once()) != 0) {
			/* Nothing can be supervised without the ring. */
			log_warnc(r, "io_uring wait failed, stopping");
			forkd_signal_workers(&f, SIGKILL);
			for (i = 0; i < SV_GENS; i++)
				zyglink_signal(&f, f.sv.gen[i].id, SIGKILL);
			cow_fini(&f);
			admincmd_close(&f);
			return EXIT_SYSCALL;
		}
	}
	admincmd_close(&f);
	cow_fini(&f);
	loop_fini();
	log_info("stopped, exit %d", f.sv.exit_code);
	return f.sv.exit_code;
}
