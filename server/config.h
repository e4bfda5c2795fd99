/*
 * config.h: the supervisor's command line, parsed into one struct.
 *
 * Only parsing and validation live here; nothing is opened or bound.
 */
#ifndef FORKD_CONFIG_H
#define FORKD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zygopts.h"

#define CONFIG_MAX_BINDS	16

struct config {
	/* The zygote's options, the flags of zygopts.c's table. */
	struct zygopts	 zyg;
	/* The supervisor's own. */
	const char	*binds[CONFIG_MAX_BINDS];
	size_t		 nbinds;
	int		 binds_given;		/* -b, not the default */
	const char	*user;			/* --user: the zygote's, workers' */
	const char	*group;
	unsigned	 workers;
	unsigned	 timeout;		/* seconds on a request; 0: none */
	uint64_t	 max_requests;		/* per worker, then recycled; 0 */
	uint64_t	 max_requests_jitter;	/* + up to this, per worker */
	uint64_t	 max_worker_memory;	/* USS MiB, then recycled; 0 */
	unsigned	 backlog;
	unsigned	 stats_interval;	/* seconds; 0: off */
	const char	*zygote;		/* path of forkd-zygote */
	const char	*cow_report;		/* JSON report file, or NULL */
	const char	*admin;			/* socket path, "none", or NULL:
						   the default (admin.h) */
	int		 version;		/* --version given */
	int		 help;
};

/*
 * Parses argv into *ret_cfg.  Returns 0, or -EINVAL after writing the
 * reason to err (at most errlen bytes).  Strings point into argv (and
 * the environment).
 */
int	config_parse(int argc, char *argv[], struct config *ret_cfg,
	    char *err, size_t errlen);
/* Returns 0 and sets *ret for a decimal in [min, max], else -EINVAL. */
int	config_uint(const char *s, unsigned min, unsigned max, unsigned *ret);
void	config_usage(FILE *fp);

#endif
