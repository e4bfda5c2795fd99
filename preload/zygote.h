/*
 * zygote.h: the zygote's options and its kernel-facing parts (no Python).
 */
#ifndef FORKD_ZYGOTE_H
#define FORKD_ZYGOTE_H

#include <sys/types.h>
#include <stddef.h>

#include "accessfmt.h"
#include "cowreg.h"
#include "pack.h"
#include "seal.h"
#include "status.h"
#include "warmup.h"
#include "zygopts.h"

/*
 * What the zygote runs with: its options as PROTO_CONFIG gave them, and
 * what it made of them before any fork.
 */
struct zygote_opts {
	struct zygopts		 cfg;		/* PROTO_CONFIG's, decoded */
	struct seal_opts	 seal;		/* cfg's, for seal_run() */
	struct warmup_opts	 warmup;	/* cfg's, for warmup_run() */
	struct status_page	*status;	/* shared with the supervisor */
	struct accessfmt	*access_fmt;	/* compiled once, before any
						   fork; NULL: no access log */
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
