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
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <errno.h>
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

#define TICK_MS		100
#define QUICK_STOP_MS	2000

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

void
forkd_check_done(struct forkd *f)
{
	if (f->mode == MODE_RUN || f->zyg.pid != 0 || slots_count_live(f) > 0)
		return;
	f->done = 1;
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

/*
 * Starts a stop.  Graceful: workers finish the requests they have and
 * exit, with SIGKILL after --graceful-timeout.  Quick: SIGQUIT now,
 * SIGKILL after two seconds.  A quick stop may follow a graceful one;
 * nothing goes the other way.
 */
void
forkd_stop(struct forkd *f, enum forkd_mode mode, int exit_code)
{
	uint64_t	now = now_ms();

	if (f->mode == MODE_STOP_QUICK ||
	    (f->mode == MODE_STOP_GRACEFUL && mode == MODE_STOP_GRACEFUL))
		return;
	if (f->mode == MODE_RUN)
		f->exit_code = exit_code;
	f->mode = mode;
	forkd_close_listeners(f);
	zyglink_stop(f, SIGTERM);
	if (mode == MODE_STOP_GRACEFUL) {
		log_info("stopping gracefully: %u workers get %u s to finish",
		    slots_count_live(f), f->cfg.graceful_timeout);
		f->stop_deadline_ms = now + f->cfg.graceful_timeout * 1000ULL;
		slots_signal_all(f, SIGTERM);
	} else {
		log_info("stopping quickly");
		f->stop_deadline_ms = now + QUICK_STOP_MS;
		slots_signal_all(f, SIGQUIT);
	}
	forkd_check_done(f);
}

static void
forkd_reap(struct forkd *f)
{
	pid_t	pid;
	int	st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (zyglink_reaped(f, pid, st))
			continue;
		if (!slots_reaped(f, pid, st))
			log_debug("reaped pid %d, not a worker", (int)pid);
	}
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
	if (f->cfg.access_log == NULL || strcmp(f->cfg.access_log, "-") == 0) {
		log_info("SIGUSR1: no access log file, nothing to reopen");
		return;
	}
	log_info("SIGUSR1: workers reopen their access logs");
	slots_signal_all(f, SIGUSR1);
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
			forkd_stop(f, MODE_STOP_GRACEFUL, EXIT_CLEAN);
			break;
		case SIGINT:
		case SIGQUIT:
			forkd_stop(f, MODE_STOP_QUICK, EXIT_CLEAN);
			break;
		case SIGHUP:
		case SIGTTIN:
		case SIGTTOU:
			log_warnx("%s: not implemented yet, ignored",
			    sigabbrev_np(f->si.ssi_signo));
			break;
		case SIGUSR1:
			forkd_reopen(f);
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
	if (f->mode == MODE_RUN) {
		slots_timeouts(f, now);
		zyglink_tick(f, now);
		slots_tick(f, now);
		cow_tick(f);
		if (f->admin != NULL)
			admin_tick(f->admin, now);
		if (f->cfg.stats_interval > 0 && now >= f->next_stats_ms) {
			slots_stats(f);
			cow_stats(f);
			f->next_stats_ms = now + f->cfg.stats_interval * 1000ULL;
		}
	} else if (now >= f->stop_deadline_ms && !f->stop_killed) {
		log_warnx("stop timeout: killing %u workers that are still "
		    "running", slots_count_live(f));
		f->stop_killed = 1;
		slots_signal_all(f, SIGKILL);
		zyglink_stop(f, SIGKILL);
	}
	forkd_check_done(f);
	if ((r = loop_timeout(&f->tick_op, &f->tick_ts)) != 0)
		log_warnc(r, "cannot re-arm the tick");
}

static void
forkd_find_zygote(struct forkd *f)
{
	char	self[PATH_MAX];
	ssize_t	n;

	if (f->cfg.zygote != NULL) {
		snprintf(f->zygote_path, sizeof(f->zygote_path), "%s",
		    f->cfg.zygote);
		return;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		fatal("readlink /proc/self/exe");
	self[n] = '\0';
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
	FILE		*thp;
	char		 thpmode[128] = "unknown";
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
	if ((thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled",
	    "r")) != NULL) {
		if (fgets(thpmode, sizeof(thpmode), thp) != NULL)
			thpmode[strcspn(thpmode, "\n")] = '\0';
		fclose(thp);
	}
	printf("transparent huge pages: %s\n", thpmode);
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
	const char	*path = f->cfg.access_log;
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
	if (fd == -1)
		fatalx(EXIT_USAGE, "--access-log %s: %s", f->cfg.access_log,
		    strerror(errno));
	close(fd);
	f->cfg.access_log = path;
}

static void
forkd_listen(struct forkd *f)
{
	struct listen_spec	ls;
	char			desc[300];
	size_t			i;
	int			fd;

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
	int		r;

	memset(&f, 0, sizeof(f));
	f.status_fd = -1;
	f.zyg.ctl = -1;
	f.zyg.pidfd = -1;
	log_init("forkd", LOG_LEVEL_INFO);
	if (config_parse(argc, argv, &f.cfg, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		fprintf(stderr, "try 'forkd --help'\n");
		return EXIT_USAGE;
	}
	if (f.cfg.help) {
		config_usage(stdout);
		return EXIT_CLEAN;
	}
	forkd_find_zygote(&f);
	if (f.cfg.version)
		forkd_version(&f);
	if (log_parse_level(f.cfg.log_level, &level) == 0)
		log_init("forkd", level);
	if (access(f.zygote_path, X_OK) != 0)
		fatal("zygote program %s", f.zygote_path);
	/* The zygote changes directory before it reads the file. */
	if (f.cfg.warmup != NULL) {
		char	*abs;

		if ((abs = realpath(f.cfg.warmup, NULL)) == NULL)
			fatalx(EXIT_USAGE, "--warmup %s: %s", f.cfg.warmup,
			    strerror(errno));
		f.cfg.warmup = abs;	/* lives as long as the process */
	}
	forkd_access_log(&f);

	/* Workers are forked by the zygote and reparented to us. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		fatal("prctl(PR_SET_CHILD_SUBREAPER)");
	forkd_setup_signals(&f);
	forkd_listen(&f);
	if ((r = slots_init(&f)) != 0)
		fatalc(r, "worker table");
	/* Room for every slot -w allows, so scaling needs no new page. */
	if ((r = status_create(4096, &f.status_fd, &f.status)) != 0)
		fatalc(r, "the workers' status page");
	if ((r = loop_init(64)) != 0)
		fatalc(r, "io_uring_queue_init");
	f.sig_op.done = forkd_sig_done;
	f.tick_op.done = forkd_tick_done;
	f.tick_ts.tv_sec = 0;
	f.tick_ts.tv_nsec = TICK_MS * 1000000LL;
	if ((r = loop_read(&f.sig_op, f.sigfd, &f.si, sizeof(f.si))) != 0 ||
	    (r = loop_timeout(&f.tick_op, &f.tick_ts)) != 0)
		fatalc(r, "cannot arm the loop");
	f.started_ms = now_ms();
	f.next_stats_ms = f.started_ms + f.cfg.stats_interval * 1000ULL;
	(void)admincmd_open(&f);
	if ((r = cow_init(&f)) != 0)
		fatalc(r, "--cow");
	if ((r = zyglink_start(&f)) != 0) {
		cow_fini(&f);
		fatalc(r, "cannot start the zygote");
	}
	log_info("forkd %s: pid %d, %u workers, app %s", FORKD_VERSION,
	    (int)getpid(), f.nworkers, f.cfg.app);

	while (!f.done) {
		if ((r = loop_run_once()) != 0) {
			/* Nothing can be supervised without the ring. */
			log_warnc(r, "io_uring wait failed, stopping");
			slots_signal_all(&f, SIGKILL);
			zyglink_stop(&f, SIGKILL);
			cow_fini(&f);
			admincmd_close(&f);
			return EXIT_SYSCALL;
		}
	}
	admincmd_close(&f);
	cow_fini(&f);
	loop_fini();
	log_info("stopped, exit %d", f.exit_code);
	return f.exit_code;
}
