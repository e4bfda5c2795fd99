/*
 * cowmap.c: which kind of memory an address is (cowmap.h).  The ranges
 * file names what /proc/PID/maps cannot (obmalloc arenas are plain
 * anonymous memory there, the packed code region too); maps names the
 * glibc heap and libpython's data; the rest is "other".
 *
 * It parses and counts; it reads no file and knows nothing of workers.
 */
#include <sys/types.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cowmap.h"
#include "uffd_compat.h"
#include "grow.h"

static int
cowmap_is_libpython(const struct cow_maps_line *l)
{
	const char	*base = l->path;
	size_t		 i, n;

	for (i = 0; i < l->pathlen; i++)
		if (l->path[i] == '/')
			base = l->path + i + 1;
	n = l->pathlen - (size_t)(base - l->path);
	return n >= 9 && memcmp(base, "libpython", 9) == 0;
}

int
cowmap_parse_maps(struct cow_vmas *vmas, const char *text, size_t len)
{
	struct cow_maps_line	 l;
	struct cow_vma		*v;
	const char		*p = text, *end = text + len, *nl;
	int			 prev_libpython = 0;
	uint64_t		 prev_end = 0;

	vmas->n = 0;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (cow_maps_parse(p, (size_t)(nl - p), &l) != 0)
			continue;
		if (grow_array((void **)&vmas->v, &vmas->cap, vmas->n + 1,
		    sizeof(*vmas->v), 64) != 0)
			return -ENOMEM;
		v = &vmas->v[vmas->n++];
		v->start = l.start;
		v->end = l.end;
		v->trackable = cow_maps_trackable(&l);
		v->kind = COW_KIND_OTHER;
		if (l.pathlen == 6 && memcmp(l.path, "[heap]", 6) == 0)
			v->kind = COW_KIND_HEAP;
		else if (cowmap_is_libpython(&l))
			v->kind = COW_KIND_LIBPYTHON;
		else if (l.pathlen == 0 && prev_libpython && prev_end == l.start)
			v->kind = COW_KIND_LIBPYTHON;	/* its .bss */
		prev_libpython = l.pathlen > 0 && v->kind == COW_KIND_LIBPYTHON;
		prev_end = l.end;
	}
	return 0;
}

static int
cowmap_range_cmp(const void *a, const void *b)
{
	const struct cow_range	*x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int
cowmap_parse_ranges(struct cow_ranges *rs, const char *text, size_t len)
{
	const char	*p = text, *end = text + len, *nl;

	rs->n = 0;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p)
			continue;
		if (grow_array((void **)&rs->r, &rs->cap, rs->n + 1,
		    sizeof(*rs->r), 64) != 0)
			return -ENOMEM;
		if (cow_range_parse(p, (size_t)(nl - p), &rs->r[rs->n]) != 0) {
			rs->n = 0;
			return -EINVAL;
		}
		rs->n++;
	}
	if (rs->n > 0)		/* qsort(NULL, 0) is undefined */
		qsort(rs->r, rs->n, sizeof(*rs->r), cowmap_range_cmp);
	return 0;
}

/*
 * Index of the last element starting at or before addr in an array
 * sorted by start, whose elements begin with their uint64_t start (struct
 * cow_range and struct cow_vma both do); -1 if none.
 */
static ssize_t
cowmap_last_at(const void *base, size_t n, size_t size, uint64_t addr)
{
	const char	*p = base;
	size_t		 lo = 0, hi = n, mid;
	uint64_t	 start;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		memcpy(&start, p + mid * size, sizeof(start));
		if (start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

/* The kind at addr, and in *ret_limit where that answer may change. */
static enum cow_kind
cowmap_kind_span(const struct cow_vmas *vmas, const struct cow_ranges *rs,
    uint64_t addr, uint64_t *ret_limit)
{
	uint64_t	limit = UINT64_MAX;
	ssize_t		i;

	i = cowmap_last_at(rs->r, rs->n, sizeof(*rs->r), addr);
	if (i >= 0 && addr < rs->r[i].end) {
		*ret_limit = rs->r[i].end;
		return rs->r[i].kind;
	}
	if ((size_t)(i + 1) < rs->n)
		limit = rs->r[i + 1].start;
	i = cowmap_last_at(vmas->v, vmas->n, sizeof(*vmas->v), addr);
	if (i >= 0 && addr < vmas->v[i].end) {
		*ret_limit = vmas->v[i].end < limit ? vmas->v[i].end : limit;
		return vmas->v[i].kind;
	}
	if ((size_t)(i + 1) < vmas->n && vmas->v[i + 1].start < limit)
		limit = vmas->v[i + 1].start;
	*ret_limit = limit;
	return COW_KIND_OTHER;
}

enum cow_kind
cowmap_kind(const struct cow_vmas *vmas, const struct cow_ranges *rs,
    uint64_t addr)
{
	uint64_t	limit;

	return cowmap_kind_span(vmas, rs, addr, &limit);
}

void
cowmap_count(const struct cow_vmas *vmas, const struct cow_ranges *rs,
    uint64_t start, uint64_t end, unsigned page_shift,
    uint64_t pages[COW_NKINDS])
{
	enum cow_kind	k;
	uint64_t	limit;

	while (start < end) {
		k = cowmap_kind_span(vmas, rs, start, &limit);
		if (limit > end)
			limit = end;
		pages[k] += (limit - start) >> page_shift;
		start = limit;
	}
}

void
cowmap_vmas_free(struct cow_vmas *vmas)
{
	free(vmas->v);
	memset(vmas, 0, sizeof(*vmas));
}

void
cowmap_ranges_free(struct cow_ranges *rs)
{
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

int
cowmap_zygote_had(uint64_t e, uint64_t zero_pfn)
{
	if (e & PM_ENTRY_SWAPPED)
		return 1;
	if (!(e & PM_ENTRY_PRESENT))
		return 0;
	return zero_pfn == 0 || (e & ((1ULL << 55) - 1)) != zero_pfn;
}
