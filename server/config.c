/*
 * config.c: parses the supervisor's command line (gunicorn's flag names
 * where forkd has the same feature).  It validates values but opens
 * nothing; main.c acts on the result.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "accessfmt.h"
#include "config.h"
#include "log.h"

enum {
	OPT_APP = 256,
	OPT_GRACEFUL,
	OPT_KEEPALIVE,
	OPT_BACKLOG,
	OPT_CHDIR,
	OPT_PYTHONPATH,
	OPT_LOGLEVEL,
	OPT_ZYGOTE,
	OPT_VERSION,
	OPT_SEAL,
	OPT_STATS,
	OPT_WARMUP,
	OPT_WROUNDS,
	OPT_WTIME,
	OPT_WSTRICT,
	OPT_KSM,
	OPT_LIM_LINE,
	OPT_LIM_FIELD,
	OPT_LIM_FIELDS,
	OPT_LIM_HEAD,
	OPT_LIM_BODY,
	OPT_HEADER_TO,
	OPT_BODY_TO,
	OPT_MAX_KA_REQ,
	OPT_FORWARDED,
	OPT_PACK,
	OPT_HOLES,
	OPT_WATCH,
	OPT_COW,
	OPT_COW_REPORT,
	OPT_ADMIN,
	OPT_TIMEOUT,
	OPT_ACCESS_LOG,
	OPT_ACCESS_FMT,
	OPT_MAX_REQ,
	OPT_MAX_JITTER,
	OPT_MAX_MEM,
	OPT_PARK_AFTER,
};

static const struct option config_options[] = {
	{ "app",		required_argument,	NULL, OPT_APP },
	{ "workers",		required_argument,	NULL, 'w' },
	{ "bind",		required_argument,	NULL, 'b' },
	{ "graceful-timeout",	required_argument,	NULL, OPT_GRACEFUL },
	{ "keep-alive",		required_argument,	NULL, OPT_KEEPALIVE },
	{ "backlog",		required_argument,	NULL, OPT_BACKLOG },
	{ "chdir",		required_argument,	NULL, OPT_CHDIR },
	{ "pythonpath",		required_argument,	NULL, OPT_PYTHONPATH },
	{ "log-level",		required_argument,	NULL, OPT_LOGLEVEL },
	{ "zygote",		required_argument,	NULL, OPT_ZYGOTE },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ "seal",		required_argument,	NULL, OPT_SEAL },
	{ "stats-interval",	required_argument,	NULL, OPT_STATS },
	{ "warmup",		required_argument,	NULL, OPT_WARMUP },
	{ "warmup-rounds",	required_argument,	NULL, OPT_WROUNDS },
	{ "warmup-time",	required_argument,	NULL, OPT_WTIME },
	{ "warmup-strict",	no_argument,		NULL, OPT_WSTRICT },
	{ "ksm",		no_argument,		NULL, OPT_KSM },
	{ "pack-code",		required_argument,	NULL, OPT_PACK },
	{ "fill-holes",		required_argument,	NULL, OPT_HOLES },
	{ "watch-types",	no_argument,		NULL, OPT_WATCH },
	{ "cow",		required_argument,	NULL, OPT_COW },
	{ "cow-report",		required_argument,	NULL, OPT_COW_REPORT },
	{ "admin",		required_argument,	NULL, OPT_ADMIN },
	{ "timeout",		required_argument,	NULL, 't' },
	{ "access-log",		required_argument,	NULL, OPT_ACCESS_LOG },
	{ "access-logfile",	required_argument,	NULL, OPT_ACCESS_LOG },
	{ "access-log-format",	required_argument,	NULL, OPT_ACCESS_FMT },
	{ "access-logformat",	required_argument,	NULL, OPT_ACCESS_FMT },
	{ "limit-request-line",	required_argument,	NULL, OPT_LIM_LINE },
	{ "limit-request-field_size", required_argument, NULL, OPT_LIM_FIELD },
	{ "limit-request-field-size", required_argument, NULL, OPT_LIM_FIELD },
	{ "limit-request-fields", required_argument,	NULL, OPT_LIM_FIELDS },
	{ "limit-request-head",	required_argument,	NULL, OPT_LIM_HEAD },
	{ "limit-request-body",	required_argument,	NULL, OPT_LIM_BODY },
	{ "header-timeout",	required_argument,	NULL, OPT_HEADER_TO },
	{ "body-timeout",	required_argument,	NULL, OPT_BODY_TO },
	{ "max-keepalive-requests", required_argument,	NULL, OPT_MAX_KA_REQ },
	{ "max-requests",	required_argument,	NULL, OPT_MAX_REQ },
	{ "max-requests-jitter", required_argument,	NULL, OPT_MAX_JITTER },
	{ "max-worker-memory",	required_argument,	NULL, OPT_MAX_MEM },
	{ "park-after",		required_argument,	NULL, OPT_PARK_AFTER },
	{ "forwarded-allow-ips", required_argument,	NULL, OPT_FORWARDED },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL,			0,			NULL, 0 }
};

void
config_usage(FILE *fp)
{
	fputs(
"usage: forkd --app MODULE:CALLABLE [options]\n"
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

/* Returns 0 if s is one of a, b, c (c may be NULL), else -EINVAL. */
static int
config_oneof(const char *s, const char *a, const char *b, const char *c)
{
	if (strcmp(s, a) == 0 || strcmp(s, b) == 0 ||
	    (c != NULL && strcmp(s, c) == 0))
		return 0;
	return -EINVAL;
}

int
config_uint(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	char		*end;
	unsigned long	 v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int
config_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	char			*end;
	unsigned long long	 v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*ret = v;
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

static int
config_add_pythonpath(struct config *cfg, char *arg, char *err, size_t errlen)
{
	char	*p, *save = NULL;

	for (p = strtok_r(arg, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (*p == '\0')
			continue;
		if (cfg->npythonpath == CONFIG_MAX_PYPATHS)
			return config_err(err, errlen,
			    "--pythonpath: more than %d directories",
			    CONFIG_MAX_PYPATHS);
		cfg->pythonpath[cfg->npythonpath++] = p;
	}
	return 0;
}

/* Compiles the format once to refuse it now, not in every worker. */
static int
config_access_format(const char *fmt, char *err, size_t errlen)
{
	struct accessfmt	*af;
	char			 why[200];
	int			 r;

	if ((r = accessfmt_compile(fmt, &af, why, sizeof(why))) == -ENOMEM)
		return config_err(err, errlen, "--access-log-format: out of "
		    "memory");
	if (r != 0)
		return config_err(err, errlen, "--access-log-format: %s", why);
	accessfmt_free(af);
	return 0;
}

int
config_parse(int argc, char *argv[], struct config *ret_cfg, char *err,
    size_t errlen)
{
	struct config	cfg;
	enum log_level	level;
	unsigned	u;
	int		c, r;

	memset(&cfg, 0, sizeof(cfg));
	cfg.workers = 1;
	cfg.graceful_timeout = 30;
	cfg.timeout = 30;
	cfg.http = httpopts_defaults;
	/* gunicorn's default, and its environment variable. */
	cfg.forwarded_allow_ips = getenv("FORWARDED_ALLOW_IPS");
	if (cfg.forwarded_allow_ips == NULL)
		cfg.forwarded_allow_ips = "127.0.0.1,::1";
	cfg.backlog = 2048;
	cfg.stats_interval = 60;
	cfg.cow = COW_COUNT;
	cfg.log_level = "info";

	optind = 0;	/* glibc: 0 also resets a half-read option cluster */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:b:t:h", config_options,
	    NULL)) != -1) {
		switch (c) {
		case OPT_APP:
			cfg.app = optarg;
			break;
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
		case OPT_GRACEFUL:
			if (config_uint(optarg, 0, 86400,
			    &cfg.graceful_timeout) != 0)
				return config_err(err, errlen,
				    "--graceful-timeout %s: want seconds "
				    "0..86400", optarg);
			break;
		case OPT_KEEPALIVE:
			if (config_u64(optarg, 0, 3600, &cfg.http.keepalive) != 0)
				return config_err(err, errlen,
				    "--keep-alive %s: want seconds 0..3600",
				    optarg);
			break;
		case OPT_LIM_LINE:
			if (config_u64(optarg, 64, 1 << 20,
			    &cfg.http.max_line) != 0)
				return config_err(err, errlen,
				    "--limit-request-line %s: want bytes "
				    "64..1048576", optarg);
			break;
		case OPT_LIM_FIELD:
			if (config_u64(optarg, 64, 1 << 20,
			    &cfg.http.max_field) != 0)
				return config_err(err, errlen,
				    "--limit-request-field_size %s: want bytes "
				    "64..1048576", optarg);
			break;
		case OPT_LIM_FIELDS:
			if (config_u64(optarg, 1, 100,
			    &cfg.http.max_fields) != 0)
				return config_err(err, errlen,
				    "--limit-request-fields %s: want 1..100",
				    optarg);
			break;
		case OPT_LIM_HEAD:
			if (config_u64(optarg, 256, 1 << 24,
			    &cfg.http.max_head) != 0)
				return config_err(err, errlen,
				    "--limit-request-head %s: want bytes "
				    "256..16777216", optarg);
			break;
		case OPT_LIM_BODY:
			if (config_u64(optarg, 0, 1ULL << 40,
			    &cfg.http.max_body) != 0)
				return config_err(err, errlen,
				    "--limit-request-body %s: want bytes",
				    optarg);
			break;
		case OPT_HEADER_TO:
			if (config_u64(optarg, 1, 3600,
			    &cfg.http.header_timeout) != 0)
				return config_err(err, errlen,
				    "--header-timeout %s: want seconds 1..3600",
				    optarg);
			break;
		case OPT_BODY_TO:
			if (config_u64(optarg, 1, 3600,
			    &cfg.http.body_timeout) != 0)
				return config_err(err, errlen,
				    "--body-timeout %s: want seconds 1..3600",
				    optarg);
			break;
		case OPT_MAX_REQ:
			if (config_u64(optarg, 0, UINT64_C(1) << 40,
			    &cfg.max_requests) != 0)
				return config_err(err, errlen,
				    "--max-requests %s: want a number of "
				    "requests, 0 for none", optarg);
			break;
		case OPT_MAX_JITTER:
			if (config_u64(optarg, 0, UINT64_C(1) << 40,
			    &cfg.max_requests_jitter) != 0)
				return config_err(err, errlen,
				    "--max-requests-jitter %s: want a number "
				    "of requests", optarg);
			break;
		case OPT_MAX_MEM:
			if (config_u64(optarg, 0, UINT64_C(1) << 30,
			    &cfg.max_worker_memory) != 0)
				return config_err(err, errlen,
				    "--max-worker-memory %s: want MiB, 0 for "
				    "none", optarg);
			break;
		case OPT_PARK_AFTER:
			if (config_u64(optarg, 0, 60000,
			    &cfg.http.park_after) != 0)
				return config_err(err, errlen,
				    "--park-after %s: want ms 0..60000",
				    optarg);
			break;
		case OPT_MAX_KA_REQ:
			if (config_u64(optarg, 1, 1000000,
			    &cfg.http.max_requests) != 0)
				return config_err(err, errlen,
				    "--max-keepalive-requests %s: want "
				    "1..1000000", optarg);
			break;
		case OPT_FORWARDED:
			if (*optarg == '\0' || strchr(optarg, ' ') != NULL)
				return config_err(err, errlen,
				    "--forwarded-allow-ips %s: want '*' or "
				    "addresses separated by commas", optarg);
			cfg.forwarded_allow_ips = optarg;
			break;
		case OPT_BACKLOG:
			if (config_uint(optarg, 1, 65535, &cfg.backlog) != 0)
				return config_err(err, errlen,
				    "--backlog %s: want 1..65535", optarg);
			break;
		case OPT_CHDIR:
			cfg.chdir = optarg;
			break;
		case OPT_PYTHONPATH:
			if ((r = config_add_pythonpath(&cfg, optarg, err,
			    errlen)) != 0)
				return r;
			break;
		case OPT_LOGLEVEL:
			if (log_parse_level(optarg, &level) != 0)
				return config_err(err, errlen,
				    "--log-level %s: want error, warning, "
				    "info or debug", optarg);
			cfg.log_level = optarg;
			break;
		case OPT_ZYGOTE:
			cfg.zygote = optarg;
			break;
		case OPT_VERSION:
			cfg.version = 1;
			break;
		case OPT_WARMUP:
			cfg.warmup = optarg;
			break;
		case OPT_WROUNDS:
			if (config_uint(optarg, 1, 100000, &u) != 0)
				return config_err(err, errlen,
				    "--warmup-rounds %s: want 1..100000",
				    optarg);
			cfg.warmup_rounds = optarg;
			break;
		case OPT_WTIME:
			if (config_uint(optarg, 0, 86400, &u) != 0)
				return config_err(err, errlen,
				    "--warmup-time %s: want seconds 0..86400",
				    optarg);
			cfg.warmup_time = optarg;
			break;
		case OPT_WSTRICT:
			cfg.warmup_strict = 1;
			break;
		case OPT_KSM:
			cfg.ksm = 1;
			break;
		case OPT_COW:
			if (cow_mode_parse(optarg, &cfg.cow) != 0)
				return config_err(err, errlen, "--cow %s: want "
				    "off, count or attribute", optarg);
			break;
		case 't':
			if (config_uint(optarg, 0, 86400, &cfg.timeout) != 0)
				return config_err(err, errlen, "--timeout %s: "
				    "want seconds from 0 (none) to 86400",
				    optarg);
			break;
		case OPT_ADMIN:
			if (*optarg == '\0')
				return config_err(err, errlen,
				    "--admin: want a socket path or none");
			cfg.admin = optarg;
			break;
		case OPT_ACCESS_LOG:
			if (*optarg == '\0')
				return config_err(err, errlen,
				    "--access-log: want a file name or -");
			cfg.access_log = optarg;
			break;
		case OPT_ACCESS_FMT:
			if ((r = config_access_format(optarg, err,
			    errlen)) != 0)
				return r;
			cfg.access_log_format = optarg;
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
		case OPT_SEAL:
			if (config_oneof(optarg, "none", "freeze", "full") != 0)
				return config_err(err, errlen, "--seal %s: want "
				    "none, freeze or full", optarg);
			cfg.seal = optarg;
			break;
		case OPT_PACK:
			if (config_oneof(optarg, "auto", "on", "off") != 0)
				return config_err(err, errlen, "--pack-code %s: "
				    "want auto, on or off", optarg);
			cfg.pack_code = optarg;
			break;
		case OPT_WATCH:
			cfg.watch_types = 1;
			break;
		case OPT_HOLES:
			if (config_oneof(optarg, "on", "off", NULL) != 0)
				return config_err(err, errlen, "--fill-holes %s: "
				    "want on or off", optarg);
			cfg.fill_holes = optarg;
			break;
		case 'h':
			cfg.help = 1;
			break;
		case ':':
			return config_err(err, errlen, "%s needs a value",
			    argv[optind - 1]);
		default:
			if (optopt != 0)
				return config_err(err, errlen,
				    "unknown option -%c", optopt);
			return config_err(err, errlen, "unknown option %s",
			    argv[optind - 1]);
		}
	}
	if (optind < argc) {
		if (cfg.app != NULL || optind + 1 < argc)
			return config_err(err, errlen,
			    "unexpected argument %s", argv[cfg.app != NULL ?
			    optind : optind + 1]);
		cfg.app = argv[optind];
	}
	if (!cfg.version && !cfg.help) {
		if (cfg.app == NULL || *cfg.app == '\0')
			return config_err(err, errlen,
			    "no app given: use --app module:callable");
		if (*cfg.app == ':')
			return config_err(err, errlen,
			    "--app %s: want module:callable", cfg.app);
	}
	if (cfg.nbinds == 0)
		cfg.binds[cfg.nbinds++] = "127.0.0.1:8000";
	*ret_cfg = cfg;
	return 0;
}
