/*
 * freshmem.c: --fresh-arenas.  Installed in a worker right after fork,
 * it routes the object and memory domains' allocations to memory the
 * worker maps itself, never to the free blocks of pools inherited from
 * the zygote, and makes frees of inherited blocks no-ops: both would
 * otherwise write (and so copy) the zygote's shared pages.
 *
 * Layout: one MAP_NORESERVE reservation cut into 64 KiB chunks.  A
 * chunk serves one small size class (16..512 bytes, bump-allocated,
 * freed blocks on a per-class list), or starts a span of chunks for one
 * large block.  The chunk header says which, so free() needs no size.
 * Any pointer outside the reservation was allocated by the zygote: free
 * ignores it (the block leaks, it is shared anyway) and realloc hands it
 * to the allocator that made it.
 *
 * Not thread-safe by itself: the OBJ and MEM domains are only called
 * with the GIL held.  The RAW domain is left alone.
 */
#include "pyhooks.h"
#include "forkd_state.h"

#include <sys/mman.h>
#include <stdint.h>
#include <string.h>

#define FM_RESERVE	(64ULL << 30)	/* address space, not memory */
#define FM_CHUNK	(64 * 1024)
#define FM_HDR		16
#define FM_SMALL_MAX	512
#define FM_CLASSES	(FM_SMALL_MAX / 16)
#define FM_LARGE	0xffffffffu
#define FM_BUCKETS	1024		/* spans of up to 1024 chunks reused */

struct fm_chunk {
	uint32_t	 cls;		/* size class, or FM_LARGE */
	uint32_t	 nchunks;	/* FM_LARGE: chunks in the span */
	uint64_t	 pad;
};

struct fm_free {
	struct fm_free	*next;
};

/* The worker's allocator: one per process, set up once after fork. */
static struct {
	char		*base;
	char		*top;		/* next unused chunk */
	char		*bump[FM_CLASSES];	/* in the class's chunk */
	char		*bump_end[FM_CLASSES];
	struct fm_free	*free_small[FM_CLASSES];
	struct fm_free	*free_large[FM_BUCKETS + 1];	/* [n]: n chunks */
	PyMemAllocatorEx old_obj;
	PyMemAllocatorEx old_mem;
	size_t		 inherited_frees;
} fm;

static inline int
fm_ours(const void *p)
{
	return (const char *)p >= fm.base &&
	    (const char *)p < fm.base + FM_RESERVE;
}

static inline struct fm_chunk *
fm_chunk_of(const void *p)
{
	uintptr_t	off = (const char *)p - fm.base;

	return (struct fm_chunk *)(fm.base + (off & ~(uintptr_t)(FM_CHUNK - 1)));
}

static char *
fm_take_chunks(size_t n)
{
	char	*c;

	if ((size_t)(fm.base + FM_RESERVE - fm.top) < n * FM_CHUNK)
		return NULL;
	c = fm.top;
	fm.top += n * FM_CHUNK;
	return c;
}

static void *
fm_malloc_small(size_t size)
{
	unsigned	 cls = (unsigned)((size + 15) / 16) - 1;
	size_t		 bs = (size_t)(cls + 1) * 16;
	struct fm_free	*f;
	struct fm_chunk	*h;
	char		*p;

	if ((f = fm.free_small[cls]) != NULL) {
		fm.free_small[cls] = f->next;
		return f;
	}
	if (fm.bump[cls] == NULL || fm.bump[cls] + bs > fm.bump_end[cls]) {
		if ((p = fm_take_chunks(1)) == NULL)
			return NULL;
		h = (struct fm_chunk *)p;
		h->cls = cls;
		h->nchunks = 1;
		fm.bump[cls] = p + FM_HDR;
		fm.bump_end[cls] = p + FM_CHUNK;
	}
	p = fm.bump[cls];
	fm.bump[cls] += bs;
	return p;
}

static void *
fm_malloc_large(size_t size)
{
	size_t		 n = (size + FM_HDR + FM_CHUNK - 1) / FM_CHUNK;
	struct fm_chunk	*h;
	struct fm_free	*f, **pp;
	char		*c = NULL;

	if (n <= FM_BUCKETS && (f = fm.free_large[n]) != NULL) {
		fm.free_large[n] = f->next;
		c = (char *)f - FM_HDR;
	} else if (n > FM_BUCKETS) {
		for (pp = &fm.free_large[0]; *pp != NULL; pp = &(*pp)->next) {
			h = fm_chunk_of(*pp);
			if (h->nchunks == n) {
				c = (char *)*pp - FM_HDR;
				*pp = (*pp)->next;
				break;
			}
		}
	}
	if (c == NULL && (c = fm_take_chunks(n)) == NULL)
		return NULL;
	h = (struct fm_chunk *)c;
	h->cls = FM_LARGE;
	h->nchunks = (uint32_t)n;
	return c + FM_HDR;
}

static void *
fm_malloc(void *ctx, size_t size)
{
	(void)ctx;
	if (size == 0)
		size = 1;
	if (size <= FM_SMALL_MAX)
		return fm_malloc_small(size);
	if (size > FM_RESERVE / 2)
		return NULL;
	return fm_malloc_large(size);
}

static void *
fm_calloc(void *ctx, size_t nelem, size_t elsize)
{
	void	*p;
	size_t	 n;

	if (elsize != 0 && nelem > SIZE_MAX / elsize)
		return NULL;
	n = nelem * elsize;
	if ((p = fm_malloc(ctx, n)) != NULL)
		memset(p, 0, n ? n : 1);
	return p;
}

static size_t
fm_size(const void *p)
{
	struct fm_chunk	*h = fm_chunk_of(p);

	if (h->cls == FM_LARGE)
		return (size_t)h->nchunks * FM_CHUNK - FM_HDR;
	return (size_t)(h->cls + 1) * 16;
}

static void
fm_free(void *ctx, void *p)
{
	struct fm_chunk	*h;
	struct fm_free	*f = p;

	(void)ctx;
	if (p == NULL)
		return;
	if (!fm_ours(p)) {
		/* The zygote's block: writing its pool would copy the page. */
		fm.inherited_frees++;
		return;
	}
	h = fm_chunk_of(p);
	if (h->cls != FM_LARGE) {
		f->next = fm.free_small[h->cls];
		fm.free_small[h->cls] = f;
		return;
	}
	/* Give a big span's pages back; keep the address range. */
	if (h->nchunks > 1)
		(void)madvise((char *)h + FM_CHUNK,
		    (size_t)(h->nchunks - 1) * FM_CHUNK, MADV_DONTNEED);
	if (h->nchunks <= FM_BUCKETS) {
		f->next = fm.free_large[h->nchunks];
		fm.free_large[h->nchunks] = f;
	} else {
		f->next = fm.free_large[0];
		fm.free_large[0] = f;
	}
}

static void *
fm_realloc_with(PyMemAllocatorEx *old, void *p, size_t size)
{
	void	*q;
	size_t	 have;

	if (p == NULL)
		return fm_malloc(NULL, size);
	if (!fm_ours(p))
		return old->realloc(old->ctx, p, size);
	have = fm_size(p);
	if (size <= have && (size > FM_SMALL_MAX || have <= FM_SMALL_MAX))
		return p;
	if ((q = fm_malloc(NULL, size)) == NULL)
		return NULL;
	memcpy(q, p, have < size ? have : size);
	fm_free(NULL, p);
	return q;
}

static void *
fm_realloc_obj(void *ctx, void *p, size_t size)
{
	(void)ctx;
	return fm_realloc_with(&fm.old_obj, p, size);
}

static void *
fm_realloc_mem(void *ctx, void *p, size_t size)
{
	(void)ctx;
	return fm_realloc_with(&fm.old_mem, p, size);
}

int
forkd_fresh_arenas(void)
{
	PyMemAllocatorEx	obj = { NULL, fm_malloc, fm_calloc,
				    fm_realloc_obj, fm_free };
	PyMemAllocatorEx	mem = { NULL, fm_malloc, fm_calloc,
				    fm_realloc_mem, fm_free };
	void			*b;

	b = mmap(NULL, FM_RESERVE + FM_CHUNK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b == MAP_FAILED) {
		PyErr_SetFromErrno(PyExc_OSError);
		return -1;
	}
	/* Chunk headers are found by masking: align the base to a chunk. */
	fm.base = (char *)(((uintptr_t)b + FM_CHUNK - 1) &
	    ~(uintptr_t)(FM_CHUNK - 1));
	fm.top = fm.base;
	PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &fm.old_obj);
	PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &fm.old_mem);
	PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &obj);
	PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &mem);
	return 0;
}
