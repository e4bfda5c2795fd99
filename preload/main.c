/*
 * main.c: forkd-zygote.  Started by the supervisor with the control
 * socket on fd 3 and the listeners from fd 4, it reads its options from
 * the PROTO_CONFIG waiting on fd 3, imports the app once, runs the
 * pre_fork hooks, freezes the heap, says READY and forks workers on
 * order.  "forkd-zygote --version" prints what the embedded Python can
 * do; it is the one flag, the rest of argv is room for the title.
 *
 * Exit codes: 100 bad options (or no PROTO_CONFIG: run by hand), 101 the
 * app is broken (import, hooks, threads), 111 a system call failed.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "log.h"
#include "mono.h"
#include "proctitle.h"
#include "proto.h"
#include "py.h"
#include "ready.h"
#include "seal.h"
#include "version.h"
#include "zygote.h"

/*
 * Reads the options from the PROTO_CONFIG waiting on fd 3 (sent before
 * this process was forked) and makes what the zygote needs of them.
 * argv holds nothing more: it is only the room for the process title.
 */
static void
zygote_config(struct zygote_opts *o)
{
	struct proto_msg	m;
	enum log_level		level;
	ssize_t			n;
	char			err[256];
	const char		*fmt;
	int			r;

	memset(o, 0, sizeof(*o));
	n = recv(PROTO_CONTROL_FD, &m, PROTO_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
	if (n == 0 || (n == -1 && (errno == EBADF || errno == ENOTSOCK ||
	    errno == EAGAIN)))
		fatalx(EXIT_USAGE, "forkd-zygote is started by forkd, not by "
		    "hand (no options waiting on fd %d); see forkd --help",
		    PROTO_CONTROL_FD);
	if (n == -1)
		fatal("recv PROTO_CONFIG on fd %d", PROTO_CONTROL_FD);
	if (proto_check(&m, n) != 0 || m.type != PROTO_CONFIG)
		zygote_fatal(EXIT_USAGE, "the first message on fd %d is not "
		    "PROTO_CONFIG", PROTO_CONTROL_FD);
	if ((r = zygopts_decode(m.payload, m.len, &o->cfg, err,
	    sizeof(err))) == -ENOMEM)
		zygote_fatal(EXIT_SYSCALL, "PROTO_CONFIG: out of memory");
	if (r != 0)
		zygote_fatal(EXIT_USAGE, "PROTO_CONFIG: %s", err);
	if (o->cfg.log_level != NULL) {
		if (log_parse_level(o->cfg.log_level, &level) != 0)
			zygote_fatal(EXIT_USAGE, "--log-level %s",
			    o->cfg.log_level);
		log_init("zygote", level);
	}
	if (o->cfg.app == NULL || o->cfg.supervisor <= 0 ||
	    o->cfg.nlisten == 0)
		zygote_fatal(EXIT_USAGE, "PROTO_CONFIG: no app, supervisor-pid "
		    "or listeners");
	o->seal.mode = o->cfg.seal;
	o->seal.fill_holes = o->cfg.fill_holes;
	o->seal.watch_types = o->cfg.watch_types;
	if (o->cfg.cow == COW_ATTRIBUTE)
		o->seal.cow_index = o->cfg.cow_index;
	o->warmup.file = o->cfg.warmup;
	o->warmup.rounds = o->cfg.warmup_rounds;
	o->warmup.budget_s = o->cfg.warmup_time;
	o->warmup.strict = o->cfg.warmup_strict;
	/* Compiled once here; every worker inherits the pieces. */
	fmt = o->cfg.access_log_format != NULL ? o->cfg.access_log_format :
	    ACCESSFMT_DEFAULT;
	if (o->cfg.access_log != NULL && (r = accessfmt_compile(fmt,
	    &o->access_fmt, err, sizeof(err))) != 0) {
		if (r == -ENOMEM)
			zygote_fatal(EXIT_SYSCALL, "--access-log-format: "
			    "out of memory");
		zygote_fatal(EXIT_USAGE, "--access-log-format: %s", err);
	}
}

/*
 * The app is broken: flushes what Python printed, then says why with
 * the last traceback; returns EXIT_APP_BROKEN.
 */
static int __attribute__((format(printf, 1, 2)))
zygote_broken(const char *fmt, ...)
{
	char	why[512];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	py_flush_stdio();
	return zygote_failed(EXIT_APP_BROKEN, py_last_traceback(), "%s", why);
}

static void
zygote_ready(const struct zygote_opts *o, const struct ready_report *rep)
{
	struct proto_msg	m;
	int			r;

	proto_init(&m, PROTO_READY);
	m.generation = o->cfg.generation;
	if ((r = ready_set(&m, rep)) != 0)
		log_warnc(r, "READY's summary, sent empty");
	if (send(PROTO_CONTROL_FD, &m, proto_size(&m), MSG_NOSIGNAL) == -1)
		fatal("send READY");
}

int
main(int argc, char *argv[])
{
	struct zygote_opts	o;
	struct py_opts		po;
	struct warmup		w;
	struct pack_result	pr;
	struct seal_report	sr;
	struct ready_report	rep;
	struct timespec		t0;
	enum seal_mode		seal;
	char			v[32];
	int			pack, r;

	log_init("zygote", LOG_LEVEL_INFO);
	memset(&po, 0, sizeof(po));
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		po.track_arenas = 1;
		if (py_init(&po) != 0)
			return EXIT_SYSCALL;
		py_print_capabilities();
		return EXIT_CLEAN;
	}
	proctitle_init(argc, argv);
	zygote_config(&o);
	po.pythonpath = o.cfg.pythonpath;
	po.npythonpath = o.cfg.npythonpath;
	/* The tracker names arenas; hole filling retires their empty pools. */
	po.track_arenas = o.cfg.cow != COW_OFF || o.cfg.fill_holes;
	if (fcntl(PROTO_STATUS_FD, F_GETFD) != -1) {
		/* Mapped for the workers; the fd is not needed past here. */
		if ((r = status_map(PROTO_STATUS_FD, &o.status)) != 0)
			log_warnc(r, "the status page: no --timeout, no request "
			    "figures");
		close(PROTO_STATUS_FD);
	}
	if (py_free_threaded())
		zygote_fatal(EXIT_USAGE, "CPython %s is a free-threaded "
		    "build: forkd does not support it (its per-thread "
		    "reference counts defeat the seal); build forkd against a "
		    "CPython configured without --disable-gil",
		    py_version(v, sizeof(v)));
	if (o.cfg.chdir != NULL && chdir(o.cfg.chdir) == -1)
		zygote_fatal(EXIT_USAGE, "--chdir %s: %s", o.cfg.chdir,
		    strerror(errno));
	/* Until READY, what goes wrong travels in PROTO_FAILED too. */
	py_keep_tracebacks(1);
	if (py_init(&po) != 0)
		return zygote_broken("cannot initialize Python");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (py_load_app(o.cfg.app) != 0)
		return zygote_broken("cannot load the app %s", o.cfg.app);
	memset(&rep, 0, sizeof(rep));
	rep.import_ms = mono_ms_since(&t0);
	/*
	 * Warm, pack the code still written, then close what warmup
	 * opened, then seal.
	 */
	seal = seal_resolve(o.seal.mode);
	pack = pack_wanted(o.cfg.pack_code, seal);
	r = warmup_run(&o.warmup, pack, &w);
	if (r == -EINVAL)
		return zygote_failed(EXIT_USAGE, NULL, "--warmup %s: not a "
		    "warmup file (see the log)", o.warmup.file);
	if (r == -ENOMEM)
		return EXIT_SYSCALL;
	memset(&pr, 0, sizeof(pr));
	if (r == 0 && pack)
		r = pack_run(&o.warmup, &w, seal, &pr);
	warmup_end(&w);
	if (r != 0)
		return zygote_broken("warmup failed and --warmup-strict is "
		    "set");
	if (py_close_connections() < 0)
		return zygote_broken("closing Django's connections after "
		    "warmup failed");
	if (py_run_pre_fork() != 0)
		return zygote_broken("a @forkd.pre_fork hook raised");
	if ((r = zygote_count_threads()) != 1) {
		log_warnx("the app started threads at import (%d threads): "
		    "forkd cannot fork a multi-threaded process; start them "
		    "in a @forkd.post_fork hook", r);
		py_log_threads();
		py_flush_stdio();
		return zygote_failed(EXIT_APP_BROKEN, NULL, "the app started "
		    "threads at import (%d threads)", r);
	}
	if (seal_run(&o.seal, &sr) != 0)
		return zygote_broken("the seal failed");
	if (o.cfg.ksm) {
		r = seal_ksm();
		if (r < 0)
			log_warnc(r, "--ksm: prctl(PR_SET_MEMORY_MERGE) "
			    "(needs Linux 6.4)");
		else if (r == 0)
			log_warnx("--ksm: memory marked mergeable, but the "
			    "kernel's KSM is off: nothing merges until root "
			    "writes 1 to /sys/kernel/mm/ksm/run");
		else
			log_info("--ksm: the zygote and its workers are "
			    "mergeable by KSM");
	}
	if (o.cfg.cow != COW_OFF && o.cfg.cow_ranges != NULL) {
		/* Without it the report counts arenas as "other". */
		if ((r = cow_ranges_write(o.cfg.cow_ranges)) < 0)
			log_warnc(r, "cow: cannot write %s", o.cfg.cow_ranges);
		else
			log_debug("cow: %d ranges written to %s", r,
			    o.cfg.cow_ranges);
	}
	py_flush_stdio();
	py_keep_tracebacks(0);
	proctitle_set("forkd-zygote", "forkd: zygote generation %u, app %s",
	    o.cfg.generation, o.cfg.app);
	rep.python = py_version(v, sizeof(v));
	rep.app = o.cfg.app;
	rep.warmup = &w;
	rep.pack = &pr;
	rep.seal = &sr;
	zygote_ready(&o, &rep);
	r = zygote_serve(&o);
	if (r == -EDEADLK)
		return zygote_failed(EXIT_APP_BROKEN, NULL, "the app started "
		    "threads after import: refusing to fork");
	if (r != 0) {
		log_warnc(r, "control loop");
		return EXIT_SYSCALL;
	}
	return EXIT_CLEAN;
}
