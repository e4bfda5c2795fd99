/*
 * config.c: parses the supervisor's command line (gunicorn's flag names
 * where forkd has the same feature).  It validates values but opens
 * nothing; main.c acts on the result.  The flags bound for the zygote
 * are rows of common/zygopts.c's table, set and checked there; only
 * their help text is here.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

enum {
	OPT_BACKLOG = 256,
	OPT_ZYGOTE,
	OPT_VERSION,
	OPT_STATS,
	OPT_COW_REPORT,
	OPT_ADMIN,
	OPT_USER,
	OPT_GROUP,
	OPT_MAX_REQ,
	OPT_MAX_JITTER,
	OPT_MAX_MEM,
	/* The zygote's flags: OPT_ZYG + their row in zygopts.c's table. */
	OPT_ZYG = 1024,
};

/* The supervisor's own flags; the zygote's come from zygopts.c. */
static const struct option config_options[] = {
	{ "workers",		required_argument,	NULL, 'w' },
	{ "bind",		required_argument,	NULL, 'b' },
	{ "backlog",		required_argument,	NULL, OPT_BACKLOG },
	{ "zygote",		required_argument,	NULL, OPT_ZYGOTE },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ "stats-interval",	required_argument,	NULL, OPT_STATS },
	{ "cow-report",		required_argument,	NULL, OPT_COW_REPORT },
	{ "admin",		required_argument,	NULL, OPT_ADMIN },
	{ "user",		required_argument,	NULL, OPT_USER },
	{ "group",		required_argument,	NULL, OPT_GROUP },
	{ "timeout",		required_argument,	NULL, 't' },
	{ "max-requests",	required_argument,	NULL, OPT_MAX_REQ },
	{ "max-requests-jitter", required_argument,	NULL, OPT_MAX_JITTER },
	{ "max-worker-memory",	required_argument,	NULL, OPT_MAX_MEM },
	{ "help",		no_argument,		NULL, 'h' },
};

#define CONFIG_NOWN	(sizeof(config_options) / sizeof(config_options[0]))
/* Ours, the zygote's and their aliases, and the end. */
#define CONFIG_NOPTS	(CONFIG_NOWN + 2 * ZYGOPTS_MAX_ROWS + 1)

void
config_usage(FILE *fp)
{
	fputs(
"usage: forkd --app MODULE:CALLABLE [options]\n"
"       forkd doctor            what this host gives forkd\n"
"       forkd [options] MODULE:CALLABLE\n"
"\n"
"  --app SPEC              WSGI app: module:name or module:factory(args)\n"
"  -w, --workers N         worker processes (default 1)\n"
"  -b, --bind ADDR         HOST:PORT, [V6]:PORT, unix:PATH or fd://N;\n"
"                          repeatable (default 127.0.0.1:8000)\n"
"  -t, --timeout S         a worker busy on one request longer is killed\n"
"                          (after its traceback is logged) and replaced\n"
"                          (30; 0: never)\n"
"  --graceful-timeout S    seconds workers get to finish on SIGTERM (30)\n"
"  --max-requests N        a worker that answered N requests is replaced,\n"
"                          its replacement serving first (0: never)\n"
"  --max-requests-jitter J  each worker's N is N plus 0..J, at random\n"
"  --max-worker-memory MB  a worker whose USS passes MB MiB is replaced\n"
"                          the same way (0: never)\n"
"  --keep-alive S          idle seconds a keep-alive connection is kept (5)\n"
"  --limit-request-line N  request line bytes, longer: 414 (8192)\n"
"  --limit-request-field_size N  one header line, longer: 431 (8192)\n"
"  --limit-request-fields N  header lines, more: 431 (100)\n"
"  --limit-request-head N  whole head bytes, larger: 431 (65536)\n"
"  --limit-request-body N  body bytes, larger: 413 (16777216)\n"
"  --header-timeout S      the head must arrive within S s, else 408 (20)\n"
"  --body-timeout S        a body may stall S s (30)\n"
"  --max-keepalive-requests N  requests per connection (1000)\n"
"  --park-after MS         a worker busy this long in the app hands its\n"
"                          other keep-alive connections to an idle worker,\n"
"                          through the supervisor (5; 0: never)\n"
"  --forwarded-allow-ips L proxies trusted for X-Forwarded-For/-Proto:\n"
"                          '*' or addresses (127.0.0.1,::1; env\n"
"                          FORWARDED_ALLOW_IPS)\n"
"  --backlog N             listen backlog (2048)\n"
"  --access-log FILE       a line per request, written by the workers to\n"
"                          FILE ('-': the log); SIGUSR1 reopens it (none;\n"
"                          also --access-logfile)\n"
"  --access-log-format F   gunicorn's atoms (default: %(h)s %(l)s %(u)s\n"
"                          %(t)s \"%(r)s\" %(s)s %(b)s \"%(f)s\" \"%(a)s\")\n"
"  --chdir DIR             change to DIR before importing the app\n"
"  --pythonpath DIRS       comma-separated dirs put first on sys.path\n"
"  --seal MODE             none, freeze or full: how the zygote's heap is\n"
"                          sealed before fork (default: full on 3.12+,\n"
"                          freeze on 3.11)\n"
"  --stats-interval S      log each worker's RSS/PSS/USS every S seconds\n"
"                          (60; 0: never)\n"
"  --cow MODE              copy-on-write tracker: off, count (pages each\n"
"                          worker wrote since fork, by kind of memory) or\n"
"                          attribute (which objects were written); logged\n"
"                          every --stats-interval (count; doc/cow.md)\n"
"  --cow-report FILE       also write the tracker's report as JSON to FILE\n"
"  --seccomp MODE          the workers' system call filter: default (EPERM\n"
"                          for ptrace, mount, bpf... said once), strict (also\n"
"                          no program nor process: the worker stops), off\n"
"  --user USER             the zygote and workers run as USER (and its\n"
"                          group); forkd, started as root, binds first\n"
"  --group GROUP           ... and as GROUP\n"
"  --admin PATH            the admin socket forkctl talks to (default:\n"
"                          $RUNTIME_DIRECTORY/forkd.sock, else forkd.sock\n"
"                          in the app's directory; none: no socket)\n"
"  --warmup FILE           requests to run through the app in the zygote\n"
"                          before the seal (format: doc/warmup.md)\n"
"  --warmup-rounds N       times the file (and @forkd.warmup hooks) run (2)\n"
"  --warmup-time S         no new round after S seconds (30)\n"
"  --warmup-strict         a non-2xx answer or a raising hook is fatal\n"
"  --pack-code MODE        auto, on or off: move the code objects warm\n"
"                          requests still write onto pages of their own\n"
"                          (auto: unless --seal none; needs 2 warmup\n"
"                          rounds)\n"
"  --fill-holes on|off     at the seal, take the free blocks of the\n"
"                          zygote's allocators so workers allocate in\n"
"                          memory of their own (on)\n"
"  --watch-types           debug: log each class a worker modifies, with\n"
"                          the attribute and the line (3.12+)\n"
"  --ksm                   let the kernel's KSM merge the workers' equal\n"
"                          pages (PR_SET_MEMORY_MERGE; KSM must be on)\n"
"  --log-level L           error, warning, info or debug (info)\n"
"  --version               print versions and what this host supports\n"
"\n"
"Exit codes: 0 clean, 100 usage, 101 app broken, 111 system call failed.\n",
	    fp);
}

/* Numbers read as the zygote's flags' are. */
int
config_uint(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	uint64_t	v;

	if (zygopts_number(s, min, max, &v) != 0)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int
config_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * getopt_long's table: ours, then a flag (and its alias) for each of the
 * zygote's options that is one.
 */
static void
config_getopt_table(struct option *opts)
{
	const struct zygopt	*row;
	size_t			 i, n;

	memcpy(opts, config_options, sizeof(config_options));
	n = CONFIG_NOWN;
	for (i = 0; (row = zygopts_row(i)) != NULL; i++) {
		if (row->flags & ZYGOPT_START)
			continue;
		opts[n].name = row->name;
		opts[n].has_arg = row->kind == ZYGOPT_BOOL ? no_argument :
		    required_argument;
		opts[n].flag = NULL;
		opts[n].val = OPT_ZYG + (int)i;
		n++;
		if (row->alias != NULL) {
			opts[n] = opts[n - 1];
			opts[n++].name = row->alias;
		}
	}
	memset(&opts[n], 0, sizeof(opts[n]));
}

int
config_parse(int argc, char *argv[], struct config *ret_cfg, char *err,
    size_t errlen)
{
	struct option		 opts[CONFIG_NOPTS];
	struct config		 cfg;
	const char		*env;
	int			 c;

	memset(&cfg, 0, sizeof(cfg));
	zygopts_init(&cfg.zyg);
	/* gunicorn's environment variable, over its default. */
	if ((env = getenv("FORWARDED_ALLOW_IPS")) != NULL)
		cfg.zyg.forwarded_allow_ips = env;
	cfg.workers = 1;
	cfg.timeout = 30;
	cfg.backlog = 2048;
	cfg.stats_interval = 60;
	config_getopt_table(opts);

	optind = 0;	/* glibc: 0 also resets a half-read option cluster */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:b:t:h", opts, NULL)) != -1) {
		if (c >= OPT_ZYG) {
			/* The row's checks make the message. */
			if (zygopts_set(&cfg.zyg, zygopts_row((size_t)(c -
			    OPT_ZYG))->name, optarg, err, errlen) != 0)
				return -EINVAL;
			continue;
		}
		switch (c) {
		case 'w':
			if (config_uint(optarg, 1, 4096, &cfg.workers) != 0)
				return config_err(err, errlen,
				    "-w %s: want a worker count 1..4096",
				    optarg);
			break;
		case 'b':
			if (cfg.nbinds == CONFIG_MAX_BINDS)
				return config_err(err, errlen,
				    "-b: more than %d addresses",
				    CONFIG_MAX_BINDS);
			cfg.binds[cfg.nbinds++] = optarg;
			break;
		case OPT_MAX_REQ:
			if (zygopts_number(optarg, 0, UINT64_C(1) << 40,
			    &cfg.max_requests) != 0)
				return config_err(err, errlen,
				    "--max-requests %s: want a number of "
				    "requests, 0 for none", optarg);
			break;
		case OPT_MAX_JITTER:
			if (zygopts_number(optarg, 0, UINT64_C(1) << 40,
			    &cfg.max_requests_jitter) != 0)
				return config_err(err, errlen,
				    "--max-requests-jitter %s: want a number "
				    "of requests", optarg);
			break;
		case OPT_MAX_MEM:
			if (zygopts_number(optarg, 0, UINT64_C(1) << 30,
			    &cfg.max_worker_memory) != 0)
				return config_err(err, errlen,
				    "--max-worker-memory %s: want MiB, 0 for "
				    "none", optarg);
			break;
		case OPT_BACKLOG:
			if (config_uint(optarg, 1, 65535, &cfg.backlog) != 0)
				return config_err(err, errlen,
				    "--backlog %s: want 1..65535", optarg);
			break;
		case OPT_ZYGOTE:
			cfg.zygote = optarg;
			break;
		case OPT_VERSION:
			cfg.version = 1;
			break;
		case 't':
			if (config_uint(optarg, 0, 86400, &cfg.timeout) != 0)
				return config_err(err, errlen, "--timeout %s: "
				    "want seconds from 0 (none) to 86400",
				    optarg);
			break;
		case OPT_USER:
		case OPT_GROUP:
			if (*optarg == '\0')
				return config_err(err, errlen, "--%s: want a "
				    "name or a number", c == OPT_USER ? "user" :
				    "group");
			*(c == OPT_USER ? &cfg.user : &cfg.group) = optarg;
			break;
		case OPT_ADMIN:
			if (*optarg == '\0')
				return config_err(err, errlen,
				    "--admin: want a socket path or none");
			cfg.admin = optarg;
			break;
		case OPT_COW_REPORT:
			if (*optarg == '\0')
				return config_err(err, errlen,
				    "--cow-report: want a file name");
			cfg.cow_report = optarg;
			break;
		case OPT_STATS:
			if (config_uint(optarg, 0, 86400,
			    &cfg.stats_interval) != 0)
				return config_err(err, errlen,
				    "--stats-interval %s: want seconds "
				    "0..86400", optarg);
			break;
		case 'h':
			cfg.help = 1;
			break;
		case ':':
			return config_err(err, errlen, "%s needs a value",
			    argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 256)
				return config_err(err, errlen,
				    "unknown option -%c", optopt);
			return config_err(err, errlen, "unknown option %s",
			    argv[optind - 1]);
		}
	}
	if (optind < argc) {
		if (cfg.zyg.app != NULL || optind + 1 < argc)
			return config_err(err, errlen, "unexpected argument %s",
			    argv[cfg.zyg.app != NULL ? optind : optind + 1]);
		cfg.zyg.app = argv[optind];
	}
	if (!cfg.version && !cfg.help) {
		if (cfg.zyg.app == NULL || *cfg.zyg.app == '\0')
			return config_err(err, errlen,
			    "no app given: use --app module:callable");
		if (*cfg.zyg.app == ':')
			return config_err(err, errlen,
			    "--app %s: want module:callable", cfg.zyg.app);
	}
	cfg.binds_given = cfg.nbinds > 0;
	if (cfg.nbinds == 0)
		cfg.binds[cfg.nbinds++] = "127.0.0.1:8000";
	*ret_cfg = cfg;
	return 0;
}
