/*
 * seal.h: the zygote's last step before it forks: make the heap as
 * write-free as this Python allows, so workers keep sharing its pages.
 */
#ifndef FORKD_SEAL_H
#define FORKD_SEAL_H

#include <stdint.h>

#include "zygopts.h"	/* enum seal_mode, the --seal flag's */

struct seal_opts {
	enum seal_mode	mode;
	int		fill_holes;	/* take the allocators' free blocks */
	int		watch_types;	/* log classes workers modify */
	const char	*cow_index;	/* write the object index there */
};

/* What seal_run() logged, kept for READY; -1: that step did not run. */
struct seal_report {
	enum seal_mode	mode;		/* the seal that ran, never SEAL_AUTO */
	double		ms;		/* the whole seal */
	int64_t		collected;	/* unreachable objects freed */
	int64_t		immortal;	/* objects made immortal (full) */
	int64_t		frozen;		/* gc.freeze()'s objects */
};

enum thp_mode {
	THP_UNKNOWN = 0,
	THP_ALWAYS,
	THP_MADVISE,
	THP_NEVER,
};

const char *seal_name(enum seal_mode m);
/* Parses sysfs's "always [madvise] never" text: the bracketed mode. */
enum thp_mode seal_thp_parse(const char *text);
/*
 * Marks this process's memory, and so every worker forked from it,
 * mergeable by KSM (PR_SET_MEMORY_MERGE, Linux 6.4).  Returns 1 when KSM
 * runs, 0 when it is marked but KSM is off, or -errno.
 */
int	seal_ksm(void);
/*
 * The mode the seal will run: auto becomes full where this Python has
 * immortal objects and freeze where it has not, and so does full.
 */
enum seal_mode seal_resolve(enum seal_mode mode);
/*
 * Runs the seal, each step timed and logged, and fills *ret.
 * fill_holes: take the free blocks of obmalloc's pools and the free
 * chunks of the glibc heap, so that workers allocate in memory of their
 * own; watch_types: watch every heap class first (a --watch-types
 * failure is logged, not fatal).  Returns 0, or -1 when a step failed
 * (logged; the caller decides).
 */
int	seal_run(const struct seal_opts *o, struct seal_report *ret);

#endif
