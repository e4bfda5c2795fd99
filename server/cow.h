/*
 * cow.h: the supervisor's half of the copy-on-write write tracker
 * (--cow, doc/cow.md): per worker, which pages it wrote since fork, by
 * kind of memory, logged every --stats-interval and written as JSON to
 * --cow-report.
 */
#ifndef FORKD_COW_H
#define FORKD_COW_H

#include <stddef.h>

struct forkd;
struct worker;

/* Sets up the tracker for f->cfg.cow (nothing for off): 0 or -errno. */
int	cow_init(struct forkd *f);
/*
 * The zygote of generation gen is about to start: makes the private 0700
 * directory it writes its files to (the one of a zygote that died before
 * it was ready goes).  Returns 0 or -errno.
 */
int	cow_zygote_starting(struct forkd *f, unsigned gen);
/*
 * The zygote of generation gen is ready: reads its files, then removes
 * them and their directory, so a supervisor killed later leaves nothing
 * behind.  Workers of older generations are then counted without their
 * zygote's ranges.
 */
void	cow_zygote_ready(struct forkd *f, unsigned gen);
/*
 * What this host allows, for forkd --version: writes a line such as
 * "count (userfaultfd write-protect + PAGEMAP_SCAN), attribute" into buf.
 */
void	cow_probe(char *buf, size_t len);
/* Removes the directory and its files; frees everything. */
void	cow_fini(struct forkd *f);
/*
 * The ranges file the zygote of generation gen writes at seal, into
 * buf.  Returns 0, -ENOENT when it has no directory, or -ENAMETOOLONG.
 */
int	cow_ranges_path(const struct forkd *f, unsigned gen, char *buf,
	    size_t len);
/*
 * The object index of generation gen, into buf: 0, -ENOENT when not in
 * attribute mode or without a directory, or -ENAMETOOLONG.
 */
int	cow_index_path(const struct forkd *f, unsigned gen, char *buf,
	    size_t len);
/* The longest path of the two above; 0 when the tracker is off. */
size_t	cow_path_max(const struct forkd *f);
/* A worker started, or is gone (its slot is reused after this). */
void	cow_worker_started(struct forkd *f, struct worker *w);
void	cow_worker_gone(struct forkd *f, struct worker *w);
/*
 * Every tick (100 ms), attribute mode: takes new workers' userfaultfds
 * and protects their memory.
 */
void	cow_tick(struct forkd *f);
/*
 * Every --stats-interval: reads each running worker's written pages,
 * logs one line per worker and a total, rewrites the JSON report.
 */
void	cow_stats(struct forkd *f);

#endif
