/*
 * upgrade.c: replacing the forkd binary without a dropped request (fault
 * S11), as nginx's and gunicorn's SIGUSR2 do.
 *
 * On SIGUSR2 forkd (the old one) forks and execs its own binary path
 * again, which now names the new binary, with the same arguments.  The
 * new forkd inherits the listening sockets and the admin socket (at fds
 * 3, 4, ..., named in FORKD_UPGRADE_LISTEN and FORKD_UPGRADE_ADMIN)
 * instead of binding, and a pipe (FORKD_UPGRADE_NOTIFY).  It starts its
 * own zygote and workers, which accept beside the old ones, and once
 * every one of its workers serves it writes "R" on the pipe.  The old
 * forkd then stops gracefully and leaves the sockets, which are the new
 * one's now.  If the new forkd exits first, or closes the pipe without
 * "R", the old one serves on and says why.
 *
 * Under systemd the old forkd sends MAINPID= with the new one's pid
 * before it stops (notify.c).  Not done: keep-alive connections the old
 * supervisor holds parked are closed with it.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "forkd.h"
#include "log.h"
#include "wstatus.h"

#define UPGRADE_FIRST_FD	3

static void	upgrade_read_done(struct op *, int, uint32_t);

/* The descriptor in environment variable name, taken out of it; or -1. */
static int
upgrade_env_fd(const char *name)
{
	const char	*v = getenv(name);
	char		*end;
	long		 n;

	if (v == NULL)
		return -1;
	n = strtol(v, &end, 10);
	(void)unsetenv(name);
	if (*v == '\0' || *end != '\0' || n < 0 || n > 65535 ||
	    fcntl((int)n, F_GETFD) == -1)
		return -1;
	(void)fcntl((int)n, F_SETFD, FD_CLOEXEC);
	return (int)n;
}

void
upgrade_inherit(struct forkd *f)
{
	const char	*v = getenv("FORKD_UPGRADE_LISTEN");
	int		 n = v != NULL ? atoi(v) : -1, i;

	f->inherit_listen = -1;
	f->inherit_admin = upgrade_env_fd("FORKD_UPGRADE_ADMIN");
	f->upgrade_notify = upgrade_env_fd("FORKD_UPGRADE_NOTIFY");
	(void)unsetenv("FORKD_UPGRADE_LISTEN");
	if (n < 0 || n > CONFIG_MAX_BINDS)
		return;
	for (i = 0; i < n; i++)
		if (fcntl(UPGRADE_FIRST_FD + i, F_SETFD, FD_CLOEXEC) == -1)
			return;
	f->inherit_listen = n;
}

/*
 * The new forkd, in the child: its descriptors at 3, 4, ... (listeners,
 * then the admin socket, then the pipe), everything else closed, and
 * exec.  Never returns.
 */
static void __attribute__((noreturn))
upgrade_exec(struct forkd *f, int notify)
{
	int	src[CONFIG_MAX_BINDS + 2], n = 0, i, admin = admin_fd(f->admin);
	char	num[16];
	sigset_t all;

	for (i = 0; i < (int)f->nlisten; i++)
		src[n++] = f->listen_fds[i];
	if (admin >= 0)
		src[n++] = admin;
	src[n++] = notify;
	/* Out of the way first: a source may sit at a target. */
	for (i = 0; i < n; i++)
		if ((src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 64 + n)) == -1)
			_exit(EXIT_SYSCALL);
	for (i = 0; i < n; i++)
		if (dup2(src[i], UPGRADE_FIRST_FD + i) == -1)
			_exit(EXIT_SYSCALL);
	(void)close_range(UPGRADE_FIRST_FD + n, ~0U, 0);
	snprintf(num, sizeof(num), "%zu", f->nlisten);
	(void)setenv("FORKD_UPGRADE_LISTEN", num, 1);
	snprintf(num, sizeof(num), "%d", admin >= 0 ?
	    UPGRADE_FIRST_FD + n - 2 : -1);
	if (admin >= 0)
		(void)setenv("FORKD_UPGRADE_ADMIN", num, 1);
	snprintf(num, sizeof(num), "%d", UPGRADE_FIRST_FD + n - 1);
	(void)setenv("FORKD_UPGRADE_NOTIFY", num, 1);
	if (notify_socket() != NULL)
		(void)setenv("NOTIFY_SOCKET", notify_socket(), 1);
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	execv(f->exe_path, f->argv);
	fprintf(stderr, "forkd[%d]: upgrade: exec %s: %s\n", (int)getpid(),
	    f->exe_path, strerror(errno));
	_exit(EXIT_SYSCALL);
}

void
upgrade_start(struct forkd *f)
{
	int	p[2], r;
	pid_t	pid;

	if (f->sv.mode != SV_RUN) {
		log_warnx("SIGUSR2: forkd is stopping: no upgrade");
		return;
	}
	if (f->upgrade_pid > 0) {
		log_warnx("SIGUSR2: an upgrade is under way (forkd pid %d): "
		    "wait for it", (int)f->upgrade_pid);
		return;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warnc(-errno, "upgrade: pipe");
		return;
	}
	if ((pid = fork()) == -1) {
		log_warnc(-errno, "upgrade: fork");
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0)
		upgrade_exec(f, p[1]);
	close(p[1]);
	f->upgrade_pid = pid;
	f->upgrade_fd = p[0];
	f->upgrade_op.done = upgrade_read_done;
	if ((r = loop_read(&f->upgrade_op, p[0], f->upgrade_buf, 1)) != 0)
		log_warnc(r, "upgrade: cannot watch the new forkd");
	log_info("upgrade: forkd pid %d starting from %s; this one serves "
	    "until its workers do", (int)pid, f->exe_path);
}

static void
upgrade_read_done(struct op *op, int res, uint32_t flags)
{
	struct forkd	*f = container_of(op, struct forkd, upgrade_op);

	(void)flags;
	close(f->upgrade_fd);
	f->upgrade_fd = -1;
	if (res == 1 && f->upgrade_buf[0] == 'R') {
		log_info("upgrade: forkd pid %d serves: this one stops, and "
		    "leaves it the sockets", (int)f->upgrade_pid);
		admin_disown(f->admin);
		/* systemd: the unit's main process is the new forkd now. */
		notify_mainpid(f->upgrade_pid);
		f->handed_over = 1;
		forkd_stop(f, SV_STOP_GRACEFUL, EXIT_CLEAN);
		return;
	}
	log_warnx("upgrade: forkd pid %d gave up before it served; this one "
	    "serves on", (int)f->upgrade_pid);
}

int
upgrade_reaped(struct forkd *f, pid_t pid, int st)
{
	char	desc[64];

	if (pid != f->upgrade_pid || pid <= 0)
		return 0;
	f->upgrade_pid = 0;
	if (f->handed_over)
		return 1;
	wstatus_describe(st, desc, sizeof(desc));
	log_warnx("upgrade: forkd pid %d %s before it served; this one "
	    "serves on", (int)pid, desc);
	return 1;
}

void
upgrade_tick(struct forkd *f)
{
	struct slot	*s;
	unsigned	 i;

	if (f->upgrade_notify < 0 || f->sv.serving == 0)
		return;
	for (i = 0; i < f->sv.nslots; i++) {
		s = &f->sv.slots[i];
		if (s->intent == SLOT_RUN && s->cur.state != WORKER_RUNNING)
			return;
	}
	/* Every worker serves: the old forkd may go. */
	if (write(f->upgrade_notify, "R", 1) != 1)
		log_warnc(-errno, "upgrade: cannot tell the old forkd");
	else
		log_info("upgrade: every worker serves: forkd pid %d stops",
		    (int)getppid());
	close(f->upgrade_notify);
	f->upgrade_notify = -1;
}
