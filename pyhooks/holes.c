/*
 * holes.c: fills the free blocks of the zygote's obmalloc pools at the
 * seal, so that a worker's new small objects go to pools of its own
 * instead of into holes on pages it shares with the zygote.
 *
 * obmalloc serves each size class from the "used" pools that still have
 * a free block before it starts an empty one.  After import and warmup
 * the zygote's pools are full of holes: the garbage the seal's
 * collection freed, and everything freed before.  A worker that
 * allocates into such a hole writes the block and the pool's header, on
 * pages shared with the zygote: each copies a page.  So, for each size
 * class, the zygote allocates blocks (and never frees them) until
 * obmalloc hands out a block of a pool that was empty; that one is given
 * back.  The holes cost the zygote nothing more: their pages are
 * resident already.
 *
 * Empty pools are holes too: obmalloc keeps them, pages resident, on its
 * arenas' free lists, and a worker that needs a new pool takes one and
 * writes all its pages.  Their pages but the first (the header, which
 * links the free list) are given back with MADV_DONTNEED, and their size
 * class index is set to one that matches no class, so that obmalloc sets
 * a reused pool up afresh (init_pool) instead of following the free list
 * of blocks the discarded pages held.  A worker then copies the header
 * page of a pool it takes and fills the rest with fresh pages.  The
 * arenas are known exactly: preload/cowreg.c records each one obmalloc
 * allocates (pyhooks/arena.c).
 *
 * It reads one field of obmalloc's pool header (Objects/obmalloc.c,
 * 3.11-3.13: 16 KiB pools on 64-bit builds, the header at the pool's
 * start: a union whose uint is the count of blocks in use, then the free
 * list, the links, the arena index, the size class index and the carve
 * offsets), and checks the header's shape before trusting it: with
 * PYTHONMALLOC=malloc or the debug hooks nothing is filled.
 *
 * What it does not do: the glibc heap (preload/seal.c does that).
 */
#include <sys/mman.h>

#include <unistd.h>

#include "pyhooks.h"
#include "cowreg.h"
#include "forkd_state.h"

#define HOLES_POOL_SIZE		((uintptr_t)16 << 10)
#define HOLES_ALIGNMENT		16
#define HOLES_SMALL_MAX		512
#define HOLES_MAX_FILL		((size_t)64 << 20)	/* bytes, a bound */
#define HOLES_ARENA_SIZE	((uintptr_t)1 << 20)
#define HOLES_MAX_ARENAS	65536			/* 64 GiB of them */
/* A size class index no allocation asks for: a reused pool is set up. */
#define HOLES_RETIRED_SZIDX	0xffffu

/* obmalloc's struct pool_header, as laid out on 64-bit builds. */
struct holes_pool {
	union {
		void		*padding;
		unsigned	 count;
	} ref;
	void		*freeblock;
	void		*nextpool;
	void		*prevpool;
	unsigned	 arenaindex;
	unsigned	 szidx;
	unsigned	 nextoffset;
	unsigned	 maxnextoffset;
};

static struct holes_pool *
holes_pool_of(void *p, size_t size)
{
	struct holes_pool	*pool;

	pool = (struct holes_pool *)((uintptr_t)p & ~(HOLES_POOL_SIZE - 1));
	if (pool->szidx != size / HOLES_ALIGNMENT - 1 ||
	    pool->maxnextoffset != HOLES_POOL_SIZE - size ||
	    pool->nextoffset > HOLES_POOL_SIZE || pool->ref.count == 0)
		return NULL;
	return pool;
}

int
forkd_fill_pools(struct forkd_holes_stats *ret)
{
	struct holes_pool	*pool;
	size_t			 size, bytes = 0;
	void			*p;

	memset(ret, 0, sizeof(*ret));
	if (sizeof(void *) != 8) {
		ret->not_pymalloc = 1;
		return 0;
	}
	for (size = HOLES_ALIGNMENT; size <= HOLES_SMALL_MAX;
	    size += HOLES_ALIGNMENT) {
		for (;;) {
			if ((p = PyObject_Malloc(size)) == NULL) {
				PyErr_NoMemory();
				return -1;
			}
			if ((pool = holes_pool_of(p, size)) == NULL) {
				/* Not obmalloc's pool: not pymalloc here. */
				PyObject_Free(p);
				ret->not_pymalloc = 1;
				return 0;
			}
			if (pool->ref.count == 1) {
				/* A pool that was empty: the holes are gone. */
				PyObject_Free(p);
				break;
			}
			ret->blocks++;
			ret->bytes += size;
			if ((bytes += size) > HOLES_MAX_FILL)
				return 0;
		}
	}
	return 0;
}

/* Whether p looks like a pool obmalloc has set up (not virgin space). */
static int
holes_pool_valid(const struct holes_pool *p)
{
	unsigned	size;

	if (p->szidx >= HOLES_SMALL_MAX / HOLES_ALIGNMENT)
		return 0;
	size = (p->szidx + 1) * HOLES_ALIGNMENT;
	return p->maxnextoffset == HOLES_POOL_SIZE - size &&
	    p->nextoffset <= HOLES_POOL_SIZE &&
	    p->nextoffset >= sizeof(struct holes_pool) + size;
}

/*
 * Retires the empty pools of one arena; returns how many, or 0 when the
 * range does not look like an arena throughout (its set-up pools must
 * all name the same arena index).
 */
static size_t
holes_retire_arena(uintptr_t start, uintptr_t end, long page)
{
	struct holes_pool	*p;
	uintptr_t		 a, first;
	unsigned		 index = 0;
	size_t			 valid = 0, n = 0;

	first = (start + HOLES_POOL_SIZE - 1) & ~(HOLES_POOL_SIZE - 1);
	for (a = first; a + HOLES_POOL_SIZE <= end; a += HOLES_POOL_SIZE) {
		p = (struct holes_pool *)a;
		if (!holes_pool_valid(p))
			continue;
		if (valid++ == 0)
			index = p->arenaindex;
		else if (p->arenaindex != index)
			return 0;
	}
	for (a = first; a + HOLES_POOL_SIZE <= end; a += HOLES_POOL_SIZE) {
		p = (struct holes_pool *)a;
		if (!holes_pool_valid(p) || p->ref.count != 0)
			continue;
		if (madvise((char *)p + page, HOLES_POOL_SIZE - page,
		    MADV_DONTNEED) != 0)
			continue;
		p->szidx = HOLES_RETIRED_SZIDX;
		n++;
	}
	return n;
}

int
forkd_retire_pools(struct forkd_holes_stats *ret)
{
	struct cow_range	*r;
	long			 page = sysconf(_SC_PAGESIZE);
	size_t			 i, n;

	memset(ret, 0, sizeof(*ret));
	if (sizeof(void *) != 8 || page <= 0 ||
	    (uintptr_t)page >= HOLES_POOL_SIZE)
		return 0;
	n = cow_ranges_of(COW_KIND_OBMALLOC, NULL, 0);
	if (n > HOLES_MAX_ARENAS)
		n = HOLES_MAX_ARENAS;
	if (n == 0)
		return 0;
	if ((r = PyMem_RawMalloc(n * sizeof(*r))) == NULL) {
		PyErr_NoMemory();
		return -1;
	}
	if ((i = cow_ranges_of(COW_KIND_OBMALLOC, r, n)) < n)
		n = i;
	for (i = 0; i < n; i++) {
		if (r[i].end - r[i].start != HOLES_ARENA_SIZE)
			continue;	/* a frame stack chunk, not an arena */
		ret->pools += holes_retire_arena(r[i].start, r[i].end, page);
		ret->arenas++;
	}
	PyMem_RawFree(r);
	ret->bytes = ret->pools * (HOLES_POOL_SIZE - page);
	return 0;
}
