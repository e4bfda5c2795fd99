/*
 * zygote.h: the zygote's options and its kernel-facing parts (no Python).
 */
#ifndef FORKD_ZYGOTE_H
#define FORKD_ZYGOTE_H

#include <sys/types.h>
#include <stddef.h>

#include "accessfmt.h"
#include "cowreg.h"
#include "httpopts.h"
#include "pack.h"
#include "seal.h"
#include "status.h"
#include "warmup.h"

#define ZYGOTE_MAX_PYPATHS	16

struct zygote_opts {
	const char	*app;
	const char	*chdir;
	const char	*pythonpath[ZYGOTE_MAX_PYPATHS];
	size_t		 npythonpath;
	size_t		 nlisten;
	pid_t		 supervisor;
	unsigned	 generation;
	unsigned	 graceful_timeout;
	struct httpopts	 http;
	const char	*forwarded_allow_ips;
	int		 version;
	struct seal_opts seal;
	enum pack_mode	 pack;
	int		 ksm;
	enum cow_mode	 cow;		/* --cow */
	const char	*cow_ranges;	/* where the seal writes the ranges */
	const char	*cow_index;	/* attribute mode's object index */
	struct warmup_opts warmup;
	struct status_page *status;	/* shared with the supervisor */
	const char	*access_log;	/* absolute path, "-" or NULL */
	struct accessfmt *access_fmt;	/* compiled once, before any fork */
};

/*
 * Tells the supervisor why this zygote gives up (PROTO_FAILED: the
 * reason, then the last lines of tb, a Python traceback, or NULL) and
 * returns code, for main() to exit with.  It logs nothing: the failure
 * was logged where it was found.
 */
int	zygote_failed(int code, const char *tb, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* fatalx() for the zygote's setup: says PROTO_FAILED first. */
void	zygote_fatal(int code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
/* Returns the number of threads in this process, or -errno. */
int	zygote_count_threads(void);
/*
 * Serves PROTO_FORK orders on the control socket until it closes.
 * Returns 0 when the supervisor went away, -errno on failure.
 */
int	zygote_serve(const struct zygote_opts *o);
/*
 * Runs the worker of slot id in this (new) process; never returns.  It
 * writes status page slot ix, taking it once its post_fork hooks ran
 * (the supervisor's sign that it serves).  reg is what the
 * copy-on-write tracker's registration did at fork, for the log.
 */
void	worker_main(const struct zygote_opts *o, unsigned id, unsigned gen,
	    unsigned ix, const struct cow_reg *reg) __attribute__((noreturn));

#endif
