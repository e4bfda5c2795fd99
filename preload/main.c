/*
 * main.c: forkd-zygote.  Started by the supervisor with the control
 * socket on fd 3 and the listeners from fd 4, it imports the app once,
 * runs the pre_fork hooks, freezes the heap, says READY and forks
 * workers on order.  "forkd-zygote --version" prints what the embedded
 * Python can do.
 *
 * Exit codes: 100 bad arguments, 101 the app is broken (import, hooks,
 * threads), 111 a system call failed.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

enum {
	OPT_APP = 256, OPT_CHDIR, OPT_PYTHONPATH, OPT_LISTENERS,
	OPT_SUPERVISOR, OPT_GENERATION, OPT_GRACEFUL, OPT_KEEPALIVE,
	OPT_LOGLEVEL, OPT_VERSION, OPT_SEAL, OPT_WARMUP, OPT_WROUNDS,
	OPT_WTIME, OPT_WSTRICT, OPT_KSM, OPT_FORWARDED, OPT_PACK, OPT_HOLES,
	OPT_WATCH, OPT_COW, OPT_COW_RANGES, OPT_COW_INDEX, OPT_ACCESS_LOG,
	OPT_ACCESS_FMT,
};

static const struct option zygote_options[] = {
	{ "app",		required_argument, NULL, OPT_APP },
	{ "chdir",		required_argument, NULL, OPT_CHDIR },
	{ "pythonpath",		required_argument, NULL, OPT_PYTHONPATH },
	{ "listeners",		required_argument, NULL, OPT_LISTENERS },
	{ "supervisor-pid",	required_argument, NULL, OPT_SUPERVISOR },
	{ "generation",		required_argument, NULL, OPT_GENERATION },
	{ "graceful-timeout",	required_argument, NULL, OPT_GRACEFUL },
	{ "http",		required_argument, NULL, OPT_KEEPALIVE },
	{ "forwarded-allow-ips", required_argument, NULL, OPT_FORWARDED },
	{ "log-level",		required_argument, NULL, OPT_LOGLEVEL },
	{ "version",		no_argument,	   NULL, OPT_VERSION },
	{ "seal",		required_argument, NULL, OPT_SEAL },
	{ "warmup",		required_argument, NULL, OPT_WARMUP },
	{ "warmup-rounds",	required_argument, NULL, OPT_WROUNDS },
	{ "warmup-time",	required_argument, NULL, OPT_WTIME },
	{ "warmup-strict",	no_argument,	   NULL, OPT_WSTRICT },
	{ "ksm",		no_argument,	   NULL, OPT_KSM },
	{ "pack-code",		required_argument, NULL, OPT_PACK },
	{ "fill-holes",		required_argument, NULL, OPT_HOLES },
	{ "watch-types",	no_argument,	   NULL, OPT_WATCH },
	{ "cow",		required_argument, NULL, OPT_COW },
	{ "cow-ranges",		required_argument, NULL, OPT_COW_RANGES },
	{ "cow-index",		required_argument, NULL, OPT_COW_INDEX },
	{ "access-log",		required_argument, NULL, OPT_ACCESS_LOG },
	{ "access-log-format",	required_argument, NULL, OPT_ACCESS_FMT },
	{ NULL,			0,		   NULL, 0 }
};

static unsigned
zygote_num(const char *s, const char *what)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '\0' || v > 0x7fffffffUL)
		zygote_fatal(EXIT_USAGE, "--%s %s: not a number", what, s);
	return (unsigned)v;
}

static void
zygote_args(int argc, char *argv[], struct zygote_opts *o)
{
	enum log_level	 level;
	const char	*access_fmt = ACCESSFMT_DEFAULT;
	char		 why[200];
	int		 c, r;

	memset(o, 0, sizeof(*o));
	o->http = httpopts_defaults;
	o->forwarded_allow_ips = "127.0.0.1,::1";
	o->warmup.rounds = 2;
	o->seal.fill_holes = 1;
	o->warmup.budget_s = 30;
	while ((c = getopt_long(argc, argv, "", zygote_options, NULL)) != -1) {
		switch (c) {
		case OPT_APP:
			o->app = optarg;
			break;
		case OPT_CHDIR:
			o->chdir = optarg;
			break;
		case OPT_PYTHONPATH:
			if (o->npythonpath == ZYGOTE_MAX_PYPATHS)
				zygote_fatal(EXIT_USAGE,
				    "too many --pythonpath");
			o->pythonpath[o->npythonpath++] = optarg;
			break;
		case OPT_LISTENERS:
			o->nlisten = zygote_num(optarg, "listeners");
			break;
		case OPT_SUPERVISOR:
			o->supervisor = zygote_num(optarg, "supervisor-pid");
			break;
		case OPT_GENERATION:
			o->generation = zygote_num(optarg, "generation");
			break;
		case OPT_GRACEFUL:
			o->graceful_timeout = zygote_num(optarg,
			    "graceful-timeout");
			break;
		case OPT_KEEPALIVE:
			if (httpopts_parse(optarg, &o->http) != 0)
				zygote_fatal(EXIT_USAGE, "--http %s: "
				    "malformed", optarg);
			break;
		case OPT_FORWARDED:
			o->forwarded_allow_ips = optarg;
			break;
		case OPT_LOGLEVEL:
			if (log_parse_level(optarg, &level) != 0)
				zygote_fatal(EXIT_USAGE, "--log-level %s",
				    optarg);
			log_init("zygote", level);
			break;
		case OPT_VERSION:
			o->version = 1;
			break;
		case OPT_WARMUP:
			o->warmup.file = optarg;
			break;
		case OPT_WROUNDS:
			o->warmup.rounds = zygote_num(optarg, "warmup-rounds");
			break;
		case OPT_WTIME:
			o->warmup.budget_s = zygote_num(optarg, "warmup-time");
			break;
		case OPT_WSTRICT:
			o->warmup.strict = 1;
			break;
		case OPT_KSM:
			o->ksm = 1;
			break;
		case OPT_PACK:
			if (pack_parse(optarg, &o->pack) != 0)
				zygote_fatal(EXIT_USAGE, "--pack-code %s: "
				    "want auto, on or off", optarg);
			break;
		case OPT_WATCH:
			o->seal.watch_types = 1;
			break;
		case OPT_HOLES:
			if (strcmp(optarg, "on") != 0 &&
			    strcmp(optarg, "off") != 0)
				zygote_fatal(EXIT_USAGE, "--fill-holes %s: "
				    "want on or off", optarg);
			o->seal.fill_holes = strcmp(optarg, "on") == 0;
			break;
		case OPT_COW:
			if (cow_mode_parse(optarg, &o->cow) != 0)
				zygote_fatal(EXIT_USAGE, "--cow %s: want "
				    "off, count or attribute", optarg);
			break;
		case OPT_COW_RANGES:
			o->cow_ranges = optarg;
			break;
		case OPT_COW_INDEX:
			o->cow_index = optarg;
			break;
		case OPT_ACCESS_LOG:
			o->access_log = optarg;
			break;
		case OPT_ACCESS_FMT:
			access_fmt = optarg;
			break;
		case OPT_SEAL:
			if (seal_parse(optarg, &o->seal.mode) != 0)
				zygote_fatal(EXIT_USAGE, "--seal %s: want "
				    "none, freeze or full", optarg);
			break;
		default:
			zygote_fatal(EXIT_USAGE, "forkd-zygote is started "
			    "by forkd; see forkd --help");
		}
	}
	if (o->version)
		return;
	/* Compiled once here; every worker inherits the pieces. */
	if (o->access_log != NULL && (r = accessfmt_compile(access_fmt,
	    &o->access_fmt, why, sizeof(why))) != 0) {
		if (r == -ENOMEM)
			zygote_fatal(EXIT_SYSCALL, "--access-log-format: "
			    "out of memory");
		zygote_fatal(EXIT_USAGE, "--access-log-format: %s", why);
	}
	if (o->app == NULL || o->supervisor <= 0 || o->nlisten == 0)
		zygote_fatal(EXIT_USAGE, "forkd-zygote is started by forkd, "
		    "not by hand (missing --app, --supervisor-pid or "
		    "--listeners)");
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
	m.generation = o->generation;
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
	proctitle_init(argc, argv);
	zygote_args(argc, argv, &o);
	memset(&po, 0, sizeof(po));
	po.pythonpath = o.pythonpath;
	po.npythonpath = o.npythonpath;
	/* The tracker names arenas; hole filling retires their empty pools. */
	po.track_arenas = o.cow != COW_OFF || o.seal.fill_holes;
	if (o.version) {
		if (py_init(&po) != 0)
			return EXIT_SYSCALL;
		py_print_capabilities();
		return EXIT_CLEAN;
	}
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
	if (o.chdir != NULL && chdir(o.chdir) == -1)
		zygote_fatal(EXIT_USAGE, "--chdir %s: %s", o.chdir,
		    strerror(errno));
	/* Until READY, what goes wrong travels in PROTO_FAILED too. */
	py_keep_tracebacks(1);
	if (py_init(&po) != 0)
		return zygote_broken("cannot initialize Python");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (py_load_app(o.app) != 0)
		return zygote_broken("cannot load the app %s", o.app);
	memset(&rep, 0, sizeof(rep));
	rep.import_ms = mono_ms_since(&t0);
	/*
	 * Warm, pack the code still written, then close what warmup
	 * opened, then seal.
	 */
	seal = seal_resolve(o.seal.mode);
	pack = pack_wanted(o.pack, seal);
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
	if (o.cow == COW_ATTRIBUTE)
		o.seal.cow_index = o.cow_index;
	if (seal_run(&o.seal, &sr) != 0)
		return zygote_broken("the seal failed");
	if (o.ksm) {
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
	if (o.cow != COW_OFF && o.cow_ranges != NULL) {
		/* Without it the report counts arenas as "other". */
		if ((r = cow_ranges_write(o.cow_ranges)) < 0)
			log_warnc(r, "cow: cannot write %s", o.cow_ranges);
		else
			log_debug("cow: %d ranges written to %s", r,
			    o.cow_ranges);
	}
	py_flush_stdio();
	py_keep_tracebacks(0);
	proctitle_set("forkd-zygote", "forkd: zygote generation %u, app %s",
	    o.generation, o.app);
	rep.python = py_version(v, sizeof(v));
	rep.app = o.app;
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
