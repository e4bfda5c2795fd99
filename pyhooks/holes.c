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
 * writes all its pages.  So the zygote then takes them whole as well,
 * with blocks of the largest class, in obmalloc's own order (an arena's
 * free pools before its untouched space); it knows which pools were
 * empty from the arenas preload/cowreg.c recorded (pyhooks/arena.c),
 * and stops at an untouched pool once all are taken, or after crossing
 * 1 MiB of untouched pools (those are populated by the filling).
 *
 * It reads obmalloc's pool headers (their layout is pyver.h's), and
 * checks a header's shape before trusting it: with PYTHONMALLOC=malloc
 * or the debug hooks nothing is filled.
 *
 * What it does not do: the glibc heap (preload/seal.c does that).
 */

#include <stdlib.h>

#include "pyhooks.h"
#include "cowreg.h"
#include "forkd_state.h"
#include "pyver.h"

#define HOLES_POOL_SIZE		((uintptr_t)FORKD_OBMALLOC_POOL)
#define HOLES_ALIGNMENT		FORKD_OBMALLOC_ALIGNMENT
#define HOLES_SMALL_MAX		FORKD_OBMALLOC_SMALL_MAX
#define HOLES_MAX_FILL		((size_t)64 << 20)	/* bytes, a bound */
#define HOLES_ARENA_SIZE	((uintptr_t)FORKD_OBMALLOC_ARENA)
#define HOLES_MAX_ARENAS	65536			/* 64 GiB of them */
#define HOLES_MAX_EMPTY		(HOLES_MAX_ARENAS * 4)
/* Untouched pools the burn may cross to reach used ones: 1 MiB. */
#define HOLES_VIRGIN_BUDGET	64

static struct forkd_pool_header *
holes_pool_of(void *p, size_t size)
{
	struct forkd_pool_header	*pool;

	pool = (struct forkd_pool_header *)
	    ((uintptr_t)p & ~(HOLES_POOL_SIZE - 1));
	if (pool->szidx != size / HOLES_ALIGNMENT - 1 ||
	    pool->maxnextoffset != HOLES_POOL_SIZE - size ||
	    pool->nextoffset > HOLES_POOL_SIZE || pool->ref.count == 0)
		return NULL;
	return pool;
}

/* Whether p looks like a pool obmalloc has set up (not virgin space). */
static int
holes_pool_valid(const struct forkd_pool_header *p)
{
	unsigned	size;

	if (p->szidx >= HOLES_SMALL_MAX / HOLES_ALIGNMENT)
		return 0;
	size = (p->szidx + 1) * HOLES_ALIGNMENT;
	return p->maxnextoffset == HOLES_POOL_SIZE - size &&
	    p->nextoffset <= HOLES_POOL_SIZE &&
	    p->nextoffset >= sizeof(struct forkd_pool_header) + size;
}

/*
 * Appends the empty pools of one arena to e (at most max in all);
 * nothing when the range does not look like an arena throughout: its
 * set-up pools must all name the same arena index.
 */
static void
holes_arena_empty(uintptr_t start, uintptr_t end, uintptr_t *e, size_t *n,
    size_t max)
{
	struct forkd_pool_header	*p;
	uintptr_t		 a, first;
	unsigned		 index = 0;
	size_t			 valid = 0;

	first = (start + HOLES_POOL_SIZE - 1) & ~(HOLES_POOL_SIZE - 1);
	for (a = first; a + HOLES_POOL_SIZE <= end; a += HOLES_POOL_SIZE) {
		p = (struct forkd_pool_header *)a;
		if (!holes_pool_valid(p))
			continue;
		if (valid++ == 0)
			index = p->arenaindex;
		else if (p->arenaindex != index)
			return;
	}
	for (a = first; a + HOLES_POOL_SIZE <= end; a += HOLES_POOL_SIZE) {
		p = (struct forkd_pool_header *)a;
		if (holes_pool_valid(p) && p->ref.count == 0 && *n < max)
			e[(*n)++] = a;
	}
}

/*
 * The empty pools of every arena pyhooks/arena.c recorded, in address
 * order (a new array, *ret_n of them), or NULL with *ret_n 0.
 */
static uintptr_t *
holes_empty_pools(size_t *ret_n, size_t *ret_arenas)
{
	struct cow_range	*r;
	uintptr_t		*e;
	size_t			 i, n, ne = 0;

	*ret_n = *ret_arenas = 0;
	n = cow_ranges_of(COW_KIND_OBMALLOC, NULL, 0);
	if (n > HOLES_MAX_ARENAS)
		n = HOLES_MAX_ARENAS;
	if (n == 0 || (r = PyMem_RawMalloc(n * sizeof(*r))) == NULL)
		return NULL;
	if ((i = cow_ranges_of(COW_KIND_OBMALLOC, r, n)) < n)
		n = i;
	if ((e = PyMem_RawMalloc(HOLES_MAX_EMPTY * sizeof(*e))) != NULL)
		for (i = 0; i < n; i++) {
			if (r[i].end - r[i].start != HOLES_ARENA_SIZE)
				continue;	/* a frame stack chunk */
			holes_arena_empty(r[i].start, r[i].end, e, &ne,
			    HOLES_MAX_EMPTY);
			(*ret_arenas)++;
		}
	PyMem_RawFree(r);
	*ret_n = ne;
	return e;
}

static int
holes_cmp(const void *a, const void *b)
{
	uintptr_t	x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Fills the free blocks of the used pools of each size class. */
static int
holes_fill_used(struct py_holes_report *ret)
{
	struct forkd_pool_header	*pool;
	size_t			 size;
	void			*p;

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
			if (ret->bytes > HOLES_MAX_FILL)
				return 0;
		}
	}
	return 0;
}

/*
 * Takes whole empty pools, resident already, with blocks of the largest
 * class, in obmalloc's own order (an arena's free pools, then its
 * untouched space, then the next arena), crossing at most
 * HOLES_VIRGIN_BUDGET untouched pools; stops at an untouched pool when
 * every empty one is taken or the budget is spent.  e: the empty pools,
 * sorted.
 */
static int
holes_burn_empty(const uintptr_t *e, size_t ne, struct py_holes_report *ret)
{
	struct forkd_pool_header	*pool;
	const size_t		 size = HOLES_SMALL_MAX;
	const unsigned		 per = (HOLES_POOL_SIZE -
				    sizeof(struct forkd_pool_header)) / size;
	size_t			 left = ne, virgin = 0;
	uintptr_t		 a;
	void			*p;

	while (left > 0) {
		if ((p = PyObject_Malloc(size)) == NULL) {
			PyErr_NoMemory();
			return -1;
		}
		if ((pool = holes_pool_of(p, size)) == NULL) {
			PyObject_Free(p);
			return 0;
		}
		if (pool->ref.count == 1) {
			a = (uintptr_t)pool;
			if (bsearch(&a, e, ne, sizeof(*e), holes_cmp) != NULL)
				left--;
			else if (++virgin > HOLES_VIRGIN_BUDGET) {
				PyObject_Free(p);
				break;
			}
			ret->burnt++;
		}
		ret->blocks++;
		ret->bytes += size;
		/* Finish the pool: no hole may be left in it. */
		while (pool->ref.count < per) {
			if ((p = PyObject_Malloc(size)) == NULL) {
				PyErr_NoMemory();
				return -1;
			}
			ret->blocks++;
			ret->bytes += size;
		}
	}
	ret->virgin = virgin > HOLES_VIRGIN_BUDGET ? HOLES_VIRGIN_BUDGET :
	    virgin;
	return 0;
}

int
forkd_fill_pools(struct py_holes_report *ret)
{
	uintptr_t	*e;
	size_t		 ne;
	int		 r;

	memset(ret, 0, sizeof(*ret));
	if (sizeof(void *) != 8) {
		ret->not_pymalloc = 1;
		return 0;
	}
	if (holes_fill_used(ret) != 0)
		return -1;
	if (ret->not_pymalloc)
		return 0;
	/* Empty pools: taken whole, their pages are resident already. */
	if ((e = holes_empty_pools(&ne, &ret->arenas)) == NULL)
		return 0;
	qsort(e, ne, sizeof(*e), holes_cmp);
	ret->empty = ne;
	r = holes_burn_empty(e, ne, ret);
	PyMem_RawFree(e);
	return r;
}
