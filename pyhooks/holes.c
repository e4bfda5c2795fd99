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
 * pages shared with the zygote: each copies a page.  Empty pools are
 * holes too: obmalloc keeps them, pages resident, for the next size
 * class that needs a pool.  So, for each size class, the zygote
 * allocates blocks (and never frees them) until obmalloc starts a pool
 * whose pages were never touched (mincore); that block is given back.
 * The holes cost the zygote nothing more (their pages are resident
 * already), except the untouched tail of a pool, which obmalloc carves
 * lazily.
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
#include "forkd_state.h"

#define HOLES_POOL_SIZE		((uintptr_t)16 << 10)
#define HOLES_ALIGNMENT		16
#define HOLES_SMALL_MAX		512
#define HOLES_MAX_FILL		((size_t)64 << 20)	/* bytes, a bound */

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

/*
 * Whether a pool obmalloc just started for a size class was used before:
 * its second page is resident.  A pool carved from an arena's untouched
 * space has only its header page.
 */
static int
holes_pool_used(struct holes_pool *pool)
{
	long		 page = sysconf(_SC_PAGESIZE);
	unsigned char	 vec[16];
	size_t		 i, n;

	if (page <= 0 || (uintptr_t)page >= HOLES_POOL_SIZE)
		return 0;
	n = HOLES_POOL_SIZE / (uintptr_t)page - 1;
	if (n > sizeof(vec) || mincore((char *)pool + page, n * (size_t)page,
	    vec) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (vec[i] & 1)
			return 1;
	return 0;
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
				if (!holes_pool_used(pool)) {
					/* Fresh memory: the holes are gone. */
					PyObject_Free(p);
					break;
				}
				ret->pools++;	/* an empty pool, resident */
			}
			ret->blocks++;
			ret->bytes += size;
			if ((bytes += size) > HOLES_MAX_FILL)
				return 0;
		}
	}
	return 0;
}
