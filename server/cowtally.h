/*
 * cowtally.h: attribute mode's counts.  For each name in each list (a
 * type, a module, a function, an object), how many write faults hit it
 * and on how many distinct pages; and the top of a list, merged by name
 * over several workers.  Pure: no I/O.
 *
 * Names are not copied: they must outlive the tally (strings of a mapped
 * object index, or static strings).
 */
#ifndef FORKD_COWTALLY_H
#define FORKD_COWTALLY_H

#include <stddef.h>
#include <stdint.h>

#include "cowreport.h"

/* Distinct (name, page) pairs kept at most per tally. */
#define COW_TALLY_MAX_PAGES	(1 << 18)

struct cow_tally_count {
	const char	*name;		/* NULL: free slot */
	uint32_t	 list;		/* enum cow_list */
	uint64_t	 faults;
	uint64_t	 pages;
};

struct cow_tally_page {
	const char	*name;		/* NULL: free slot */
	uint64_t	 key;		/* list << 56 | page number */
};

struct cow_tally {
	struct cow_tally_count	*c;
	size_t			 ccap;		/* a power of two */
	size_t			 clen;
	struct cow_tally_page	*p;
	size_t			 pcap;
	size_t			 plen;
	int			 full;		/* pages stopped being told apart */
};

/*
 * Counts one fault on page (a page number) against name in list l.
 * Returns 0, or -ENOMEM (the fault is not counted).
 */
int	cow_tally_add(struct cow_tally *t, enum cow_list l, const char *name,
	    uint64_t page);
/*
 * Fills out[0..max) with list l's names over the tallies t[0..n), the
 * same name in several tallies summed, most faults first (then most
 * pages, then by name).  Returns how many were filled.
 */
size_t	cow_tally_top(const struct cow_tally *const *t, size_t n,
	    enum cow_list l, struct cow_top *out, size_t max);
void	cow_tally_free(struct cow_tally *t);

#endif
