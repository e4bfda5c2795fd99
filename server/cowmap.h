/*
 * cowmap.h: the copy-on-write tracker's kinds classifier.  Given a
 * worker's /proc/PID/maps and the ranges file of its zygote, it says
 * under which kind (common/cowkind.h) each written page counts.
 *
 * Pure: it parses text it is given and counts; it opens no file.
 */
#ifndef FORKD_COWMAP_H
#define FORKD_COWMAP_H

#include <stddef.h>
#include <stdint.h>

#include "cowkind.h"

/* start comes first, as in struct cow_range (cowmap_last_at). */
struct cow_vma {
	uint64_t	start;
	uint64_t	end;
	enum cow_kind	kind;		/* as far as maps can tell */
	int		trackable;	/* writable, private, not [vdso] ... */
};

/* A process's mappings, in address order. */
struct cow_vmas {
	struct cow_vma	*v;
	size_t		 n;
	size_t		 cap;
};

/* A zygote's ranges file, sorted by start. */
struct cow_ranges {
	struct cow_range	*r;
	size_t			 n;
	size_t			 cap;
};

/*
 * Parses /proc/PID/maps text[0..len) into *vmas, replacing what it held:
 * [heap] is glibc's heap; a writable mapping of a libpython*.so file and
 * the anonymous mapping right after it (its .bss) are libpython; the
 * rest is other.  Malformed lines are skipped.  Returns 0 or -ENOMEM.
 */
int	cowmap_parse_maps(struct cow_vmas *vmas, const char *text, size_t len);
/*
 * Parses a ranges file text[0..len) into *rs, replacing what it held,
 * sorted by start.  Returns 0, -EINVAL for a malformed line (*rs is then
 * empty), or -ENOMEM.
 */
int	cowmap_parse_ranges(struct cow_ranges *rs, const char *text,
	    size_t len);
/* The kind of the page at addr: a range's, else its mapping's. */
enum cow_kind cowmap_kind(const struct cow_vmas *vmas,
	    const struct cow_ranges *rs, uint64_t addr);
/*
 * Adds the pages of [start, end) (page-aligned) to pages[], each under
 * the kind of its address.
 */
void	cowmap_count(const struct cow_vmas *vmas, const struct cow_ranges *rs,
	    uint64_t start, uint64_t end, unsigned page_shift,
	    uint64_t pages[COW_NKINDS]);
void	cowmap_vmas_free(struct cow_vmas *vmas);
void	cowmap_ranges_free(struct cow_ranges *rs);

/*
 * Whether the zygote had a real page (not the shared zero page), given
 * its pagemap entry e for the address; zero_pfn 0 means unknown.
 */
int	cowmap_zygote_had(uint64_t e, uint64_t zero_pfn);

#endif
