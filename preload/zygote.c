/*
 * zygote.c: the zygote's control loop and its fork path.  It receives
 * PROTO_FORK orders, forks workers and reports their pids.  It holds no
 * Python state; it reaches the interpreter only through py.h.
 *
 * Workers must be the supervisor's children (so it gets their exit
 * status and they can die with it), so a worker is forked twice: the
 * zygote forks a short-lived middle process, which forks the worker and
 * exits at once; the orphaned worker is reparented to the supervisor,
 * a child subreaper.  glibc's fork() is kept for both (a raw
 * clone(CLONE_PARENT) would skip glibc's own after-fork repairs).
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "failmsg.h"
#include "log.h"
#include "proto.h"
#include "py.h"
#include "zygote.h"

static void
zygote_send_failed(const char *reason, const char *tb)
{
	struct proto_msg	m;

	proto_init(&m, PROTO_FAILED);
	(void)failmsg_set(&m, reason, tb);
	/* A zygote started by hand has no supervisor to tell. */
	(void)send(PROTO_CONTROL_FD, &m, proto_size(&m), MSG_NOSIGNAL);
}

int
zygote_failed(int code, const char *tb, const char *fmt, ...)
{
	char	reason[1024];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	zygote_send_failed(reason, tb);
	return code;
}

void
zygote_fatal(int code, const char *fmt, ...)
{
	char	reason[1024];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	zygote_send_failed(reason, NULL);
	fatalx(code, "%s", reason);
}

int
zygote_count_threads(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir("/proc/self/task")) == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * Forks the worker for slot id, which writes status page slot ix.  Returns its pid, or -errno.  The worker
 * itself never returns from here.  This is the one function that brackets
 * fork() with CPython's three PyOS_*Fork calls.
 */
static pid_t
zygote_fork(const struct zygote_opts *o, unsigned id, unsigned gen,
    unsigned ix)
{
	struct cow_reg	reg;
	pid_t		mid, pid;
	sigset_t	usr1, old;
	int		p[2], st, err;
	ssize_t		n;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -errno;
	/*
	 * The supervisor relays SIGUSR1 (reopen the access log) to a worker
	 * as soon as it knows its pid, which may be before the worker's
	 * signalfd exists: blocked from the fork on, it waits there instead
	 * of killing the worker with its default action.
	 */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	(void)sigprocmask(SIG_BLOCK, &usr1, &old);
	py_before_fork();
	mid = fork();
	if (mid == 0) {
		/* The middle process: fork the worker, report, vanish. */
		close(p[0]);
		pid = fork();
		if (pid == 0) {
			close(p[1]);
			/* First, so the tracker sees Python's own writes. */
			(void)cow_worker_register(o->cfg.cow, &reg);
			py_after_fork_child();
			worker_main(o, id, gen, ix, &reg);
		}
		if (pid == -1)
			pid = -errno;
		(void)!write(p[1], &pid, sizeof(pid));
		_exit(0);
	}
	err = errno;
	py_after_fork_parent();
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (mid == -1) {
		close(p[0]);
		return -err;
	}
	do
		n = read(p[0], &pid, sizeof(pid));
	while (n == -1 && errno == EINTR);
	close(p[0]);
	while (waitpid(mid, &st, 0) == -1 && errno == EINTR)
		;
	if (n != sizeof(pid))
		return -ECHILD;
	return pid;
}

static int
zygote_reply(int type, const struct proto_msg *order, pid_t pid, int err)
{
	struct proto_msg	m;

	proto_init(&m, type);
	m.worker_id = order->worker_id;
	m.index = order->index;
	m.generation = order->generation;
	m.pid = pid;
	m.err = err;
	if (send(PROTO_CONTROL_FD, &m, proto_size(&m), MSG_NOSIGNAL) == -1)
		return -errno;
	return 0;
}

int
zygote_serve(const struct zygote_opts *o)
{
	struct proto_msg	m;
	ssize_t			n;
	pid_t			pid;
	int			r;

	for (;;) {
		n = recv(PROTO_CONTROL_FD, &m, PROTO_MSG_MAX, MSG_TRUNC);
		if (n == 0)
			return 0;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (proto_check(&m, n) != 0 || m.type != PROTO_FORK)
			fatalx(EXIT_SYSCALL, "malformed order from the "
			    "supervisor");
		/* Checked at every fork: a post-import thread counts too. */
		if ((r = zygote_count_threads()) != 1) {
			log_warnx("refusing to fork: the process has %d "
			    "threads (the app started threads at import; "
			    "start them in a @forkd.post_fork hook)", r);
			py_log_threads();
			return -EDEADLK;
		}
		pid = zygote_fork(o, m.worker_id, m.generation, m.index);
		if (pid < 0)
			r = zygote_reply(PROTO_FORK_FAILED, &m, 0, pid);
		else
			r = zygote_reply(PROTO_FORKED, &m, pid, 0);
		if (r != 0)
			return r;
	}
}
