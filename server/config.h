/*
 * config.h: the supervisor's command line, parsed into one struct.
 *
 * Only parsing and validation live here; nothing is opened or bound.
 */
#ifndef FORKD_CONFIG_H
#define FORKD_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "cowkind.h"
#include "httpopts.h"

#define CONFIG_MAX_BINDS	16
#define CONFIG_MAX_PYPATHS	16

struct config {
	const char	*app;			/* "module:callable" */
	const char	*binds[CONFIG_MAX_BINDS];
	size_t		 nbinds;
	unsigned	 workers;
	unsigned	 graceful_timeout;	/* seconds */
	unsigned	 timeout;		/* seconds on a request; 0: none */
	uint64_t	 max_requests;		/* per worker, then recycled; 0 */
	uint64_t	 max_requests_jitter;	/* + up to this, per worker */
	uint64_t	 max_worker_memory;	/* USS MiB, then recycled; 0 */
	struct httpopts	 http;			/* limits and deadlines */
	const char	*forwarded_allow_ips;	/* "*" or a comma list */
	unsigned	 backlog;
	unsigned	 stats_interval;	/* seconds; 0: off */
	const char	*chdir;
	const char	*pythonpath[CONFIG_MAX_PYPATHS];
	size_t		 npythonpath;
	const char	*log_level;
	const char	*zygote;		/* path of forkd-zygote */
	const char	*seal;			/* none, freeze, full; NULL: auto */
	const char	*pack_code;		/* auto, on, off; NULL: auto */
	const char	*fill_holes;		/* on, off; NULL: on */
	const char	*warmup;		/* warmup file */
	const char	*warmup_rounds;		/* validated decimal */
	const char	*warmup_time;		/* validated decimal */
	int		 warmup_strict;
	int		 ksm;
	int		 watch_types;		/* --watch-types */
	enum cow_mode	 cow;			/* the write tracker's mode */
	const char	*cow_report;		/* JSON report file, or NULL */
	const char	*admin;			/* socket path, "none", or NULL:
						   the default (admin.h) */
	const char	*access_log;		/* file, "-" (stderr) or NULL */
	const char	*access_log_format;	/* validated; NULL: default */
	int		 version;		/* --version given */
	int		 help;
};

/*
 * Parses argv into *ret_cfg.  Returns 0, or -EINVAL after writing the
 * reason to err (at most errlen bytes).  Strings point into argv.
 */
int	config_parse(int argc, char *argv[], struct config *ret_cfg,
	    char *err, size_t errlen);
/* Returns 0 and sets *ret for a decimal in [min, max], else -EINVAL. */
int	config_uint(const char *s, unsigned min, unsigned max, unsigned *ret);
void	config_usage(FILE *fp);

#endif
