/*
 * cowfault.h: attribute mode's fault handler in the supervisor (--cow
 * attribute, doc/cow.md): it takes a worker's userfaultfd, write-protects
 * the worker's inherited memory through it, and for each write fault
 * names the object written (from the zygote's object index) before it
 * lets the worker go on.
 */
#ifndef FORKD_COWFAULT_H
#define FORKD_COWFAULT_H

#include <sys/types.h>

#include <stdint.h>

#include "cowmap.h"
#include "cowreport.h"
#include "cowtally.h"
#include "objindex.h"

/* Faults handled per worker per stats interval; then it runs unwatched. */
#define COW_FAULT_BUDGET	2048

/* A mapped object index, shared by the workers of one generation. */
struct cow_index {
	struct objindex	x;
	unsigned	generation;
	unsigned	refs;
};

struct cow_fault;

/* Drops a reference; the last one unmaps the index. */
void	cow_index_put(struct cow_index *ix);

/*
 * Takes worker pid's userfaultfd (fd PROTO_COW_FD) through its pidfd and
 * starts handling its faults, with ix (may be NULL; a reference is taken)
 * to name objects.  Returns 0 and sets *ret; -EAGAIN while the worker has
 * not parked its fd yet; -ENOTSUP when the fd is async (count mode ran);
 * or -errno.
 */
int	cowfault_attach(int pidfd, pid_t pid, unsigned page_shift,
	    struct cow_index *ix, struct cow_fault **ret);
/*
 * Whether fd of process pid is a userfaultfd: 0 and its features, or
 * -ENOENT (another file), or -errno.
 */
int	cowfault_inspect(pid_t pid, int fd, unsigned *ret_features);
/*
 * Write-protects every trackable mapping in vmas (the worker's maps, just
 * read) again and resets the interval's fault budget.  vmas and rs (its
 * zygote's ranges, may be NULL) are kept to name the memory of faults no
 * indexed object covers; zfd (its zygote's pagemap, or -1; duplicated)
 * and zero_pfn tell the worker's own new pages from copies.  Returns 0,
 * -EPIPE when the handler stopped, or -ENOMEM.
 */
int	cowfault_protect(struct cow_fault *cf, const struct cow_vmas *vmas,
	    const struct cow_ranges *rs, int zfd, uint64_t zero_pfn);
/* Fills rep's fault counts and top lists (attributed = 1). */
void	cowfault_report(const struct cow_fault *cf,
	    struct cow_worker_report *rep);
/* The tally, for the total over workers. */
const struct cow_tally *cowfault_tally(const struct cow_fault *cf);
/* Microseconds the handler spent per fault so far (0 before any). */
double	cowfault_us_per_fault(const struct cow_fault *cf);
/*
 * The worker is gone: stops handling; the memory goes once the ring has
 * given the pending poll back.
 */
void	cowfault_release(struct cow_fault *cf);

#endif
