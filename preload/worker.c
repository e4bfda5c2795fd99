/*
 * worker.c: a worker's life, from the moment it is forked from the
 * zygote to its _exit().  It ties itself to the supervisor, resets what
 * the zygote left (signals, fds), lets the app run its post_fork hooks,
 * then runs the HTTP connection loop with the WSGI bridge as handler.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exitcodes.h"
#include "http_conn.h"
#include "log.h"
#include "proctitle.h"
#include "proto.h"
#include "py.h"
#include "sandbox.h"
#include "zygote.h"

/* A keep-alive connection idle this long is parked with the supervisor:
 * an idle connection then costs no worker its buffers. */
#define WORKER_PARK_IDLE_MS	1000

#define WORKER_REPARENT_WAIT_MS	5000

static void
worker_quit(int sig)
{
	(void)sig;
	_exit(EXIT_CLEAN);	/* quick stop: async-signal-safe */
}

/* Waits for the middle process to exit and hand us to the supervisor. */
static void
worker_adopt(const struct zygote_opts *o)
{
	struct timespec	ts = { 0, 200000 };
	int		i;

	for (i = 0; getppid() != o->cfg.supervisor; i++) {
		if (i * 200 / 1000 > WORKER_REPARENT_WAIT_MS)
			fatalx(EXIT_SYSCALL, "not adopted by the supervisor "
			    "(pid %d): is it a child subreaper?",
			    (int)o->cfg.supervisor);
		nanosleep(&ts, NULL);
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		fatal("prctl(PR_SET_PDEATHSIG)");
	/* The supervisor may have died before the line above. */
	if (getppid() != o->cfg.supervisor)
		_exit(EXIT_CLEAN);
}

static void
worker_signals(void)
{
	struct sigaction	sa;
	sigset_t		set;
	int			sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = worker_quit;
	(void)sigaction(SIGQUIT, &sa, NULL);
	/*
	 * TERM, INT, HUP and USR1 reach the connection loop through a
	 * signalfd; every other signal is unblocked.  One call: USR1, whose
	 * default action kills, was blocked since the fork (zygote.c) and
	 * never comes unblocked, even for an instant.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	(void)sigprocmask(SIG_SETMASK, &set, NULL);
}

/* Says what the copy-on-write tracker's registration did at fork. */
static void
worker_log_cow(const struct cow_reg *reg)
{
	if (reg->forced)
		log_info("cow: FORKD_COW_METHOD=pagemap: no userfaultfd, the "
		    "supervisor reads pagemap");
	else if (reg->err != 0)
		log_info("cow: userfaultfd write-protect unavailable (%s): "
		    "the supervisor reads pagemap", strerror(-reg->err));
	else if (reg->mode != COW_OFF)
		log_debug("cow: %u mappings registered (%.1f MiB), %u "
		    "refused, in %.2f ms", reg->mappings,
		    reg->bytes / 1048576.0, reg->refused, reg->ms);
	if (reg->mode == COW_ATTRIBUTE && reg->refused > 0)
		log_info("cow: %u private file mappings (libpython's .data "
		    "among them) refuse synchronous write-protect: attribute "
		    "mode does not see their writes", reg->refused);
	if (reg->downgraded)
		log_info("cow: attribute mode needs a userfaultfd that takes "
		    "kernel-mode faults (CAP_SYS_PTRACE, "
		    "vm.unprivileged_userfaultfd=1 or /dev/userfaultfd): "
		    "counting instead");
}

void
worker_main(const struct zygote_opts *o, unsigned id, unsigned gen,
    unsigned ix, const struct cow_reg *reg)
{
	struct http_serve_opts	 so;
	struct http_stats	 stats;
	struct accesslog	 al;
	int			 fds[16];
	char			 role[32];
	void			*handler_arg;
	size_t			 i;
	int			 r;

	snprintf(role, sizeof(role), "worker.%u", id);
	log_set_role(role);
	proctitle_set("forkd-worker", "forkd: worker %u generation %u, app %s",
	    id, gen, o->cfg.app);
	worker_log_cow(reg);
	worker_adopt(o);
	close(PROTO_CONTROL_FD);	/* only the zygote talks to the supervisor */
	worker_signals();
	if ((handler_arg = py_worker_start(id, gen)) == NULL) {
		py_flush_stdio();
		_exit(EXIT_APP_BROKEN);
	}
	for (i = 0; i < o->cfg.nlisten && i < 16; i++)
		fds[i] = PROTO_FIRST_LISTEN_FD + (int)i;
	memset(&so, 0, sizeof(so));
	so.listen_fds = fds;
	so.nlisten = i;
	so.keepalive_ms = o->cfg.http.keepalive * 1000;
	so.head_timeout_ms = o->cfg.http.header_timeout * 1000;
	so.body_timeout_ms = o->cfg.http.body_timeout * 1000;
	so.max_requests_per_conn = o->cfg.http.max_requests;
	so.max_body = o->cfg.http.max_body;
	so.spill_threshold = 1 << 20;
	so.limits.max_line = o->cfg.http.max_line;
	so.limits.max_field = o->cfg.http.max_field;
	so.limits.max_fields = o->cfg.http.max_fields;
	so.limits.max_head = o->cfg.http.max_head;
	so.forwarded_allow_ips = o->cfg.forwarded_allow_ips;
	so.max_conns = 1024;
	/* Balanced keep-alive, when the supervisor gave the sockets. */
	so.park_fd = so.queue_fd = -1;
	if (fcntl(PROTO_PARK_FD, F_GETFD) != -1 &&
	    fcntl(PROTO_QUEUE_FD, F_GETFD) != -1) {
		so.park_fd = PROTO_PARK_FD;
		so.queue_fd = PROTO_QUEUE_FD;
	}
	so.park_busy_ms = (unsigned)o->cfg.http.park_after;
	so.park_idle_ms = WORKER_PARK_IDLE_MS;
	so.parent = o->cfg.supervisor;
	so.status = status_slot(o->status, ix);
	status_claim(so.status, getpid());
	if (o->cfg.access_log != NULL) {
		/* Each worker opens its own descriptor, after the fork. */
		r = accesslog_open(&al, o->cfg.access_log, o->access_fmt);
		if (r != 0)
			log_warnc(r, "access log %s: cannot open; this worker "
			    "logs no request until SIGUSR1 reopens it",
			    o->cfg.access_log);
		so.access_log = &al;
	}
	/* After the post_fork hooks, for every thread they started. */
	if ((r = sandbox_load(o->cfg.seccomp)) != 0) {
		log_warnc(r, "seccomp: cannot load the filter%s",
		    o->cfg.seccomp == SANDBOX_STRICT ? ": stopping" :
		    ": serving without it");
		if (o->cfg.seccomp == SANDBOX_STRICT)
			_exit(EXIT_SYSCALL);
	}
	py_release_gil();
	r = http_serve(&so, py_wsgi_handle, handler_arg, &stats);
	py_acquire_gil();
	py_flush_stdio();
	if (r != 0 && r != -ESRCH)
		log_warnc(r, "connection loop failed");
	log_debug("exiting after %llu requests on %llu connections",
	    (unsigned long long)stats.requests,
	    (unsigned long long)stats.connections);
	/* No Py_Finalize: it would walk, and copy, the whole shared heap. */
	_exit(r == 0 ? EXIT_CLEAN : EXIT_SYSCALL);
}
