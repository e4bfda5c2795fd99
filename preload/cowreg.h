/*
 * cowreg.h: the zygote's half of the copy-on-write write tracker (--cow,
 * doc/cow.md).  Plain C types only: pyhooks/ may include it too.
 *
 * In the zygote: a registry of address ranges whose kind /proc/PID/maps
 * cannot tell (obmalloc arenas, the packed code region), written to the
 * ranges file at seal.  In each new worker: the registration of the
 * inherited writable private mappings with userfaultfd write-protect.
 */
#ifndef FORKD_COWREG_H
#define FORKD_COWREG_H

#include <stddef.h>
#include <stdint.h>

#include "cowkind.h"

/*
 * Records [start, end) as memory of the given kind, for the ranges file
 * the zygote writes at seal.  COW_KIND_CODE is reserved for the packed
 * code region (pyhooks/pack.c); COW_KIND_OBMALLOC is fed by
 * pyhooks/arena.c.  Ignored (returns 0) once the file is written, so a
 * worker never writes the zygote's table.  Returns 0, -EINVAL, -ENOMEM.
 */
int	cow_range_add(enum cow_kind kind, uintptr_t start, uintptr_t end);
/* Forgets a range added before (an arena given back); 0 or -ENOENT. */
int	cow_range_remove(uintptr_t start, uintptr_t end);
/*
 * Copies up to max of the ranges of one kind into ret, in the registry's
 * order (the order they were added, until cow_range_find() sorts it by
 * address); returns how many there are (maybe more than max).
 */
size_t	cow_ranges_of(enum cow_kind kind, struct cow_range *ret, size_t max);
/*
 * The registered range that holds addr: 0 and *ret, or -ENOENT.  Sorts
 * the registry when it changed since the last call.
 */
int	cow_range_find(uintptr_t addr, struct cow_range *ret);
/*
 * Writes the ranges, sorted and with neighbours of one kind merged, to
 * path (tmp file + rename), and freezes the registry.  Returns the number
 * of lines written, or -errno.
 */
int	cow_ranges_write(const char *path);

/* What registering a worker did, for its log line. */
struct cow_reg {
	int		mode;		/* the enum cow_mode that ran */
	unsigned	mappings;	/* registered */
	unsigned	refused;	/* mappings the kernel refused */
	uint64_t	bytes;		/* registered */
	double		ms;		/* the whole registration */
	int		err;		/* -errno when nothing was registered */
	int		forced;		/* FORKD_COW_METHOD=pagemap */
	int		downgraded;	/* attribute asked, count ran */
};

/*
 * In a new worker, before anything else runs: registers every inherited
 * writable private mapping with userfaultfd write-protect and parks the
 * descriptor at PROTO_COW_FD.  count: async mode, everything protected
 * at once, the kernel marks what is written.  attribute: sync mode,
 * nothing protected here (the supervisor does it through the fd); when
 * this process may not take kernel-mode faults on it (no CAP_SYS_PTRACE,
 * vm.unprivileged_userfaultfd off, no /dev/userfaultfd access) count
 * mode runs instead.  Fills *ret and returns 0, or -errno when nothing
 * was registered (the supervisor falls back to reading pagemap).
 */
int	cow_worker_register(enum cow_mode mode, struct cow_reg *ret);

#endif
