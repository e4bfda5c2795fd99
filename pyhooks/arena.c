/*
 * arena.c: tells the copy-on-write tracker where obmalloc's arenas are.
 * Without ANON_VMA_NAME an arena is just anonymous memory in
 * /proc/PID/maps, so the zygote wraps the arena allocator and records
 * each arena it hands out (preload/cowreg.c's range registry, written to the
 * ranges file at seal); the frames' data stack chunks, which come from
 * the same allocator, are not recorded.
 *
 * The wrapper delegates every call to the allocator it replaced and only
 * records; it is installed between Py_PreInitialize() and
 * Py_InitializeFromConfig(), where the C API allows replacing allocators
 * (the arena allocator is a plain struct copy in 3.11-3.13 that the
 * runtime's initialization does not reset), so it sees the arenas made
 * during start-up too.  It does not change where memory comes from.
 */
#include "pyhooks.h"
#include "pyver.h"

#include "cowreg.h"

/* The allocator wrapped: one per process, set once before start-up. */
static PyObjectArenaAllocator	arena_orig;
/* The size of an arena, learnt from the first arena. */
static size_t			arena_size;

/*
 * obmalloc asks for arenas of one size (pyver.h): 1 MiB with the radix
 * tree, the 64-bit default, or 256 KiB.  3.11+ also takes the
 * frames' data stack chunks from this allocator (16 KiB, doubled for a
 * bigger frame): those hold no objects, and a worker's calls write them,
 * so they count as "other", not as arenas.
 */
static int
arena_is_arena(size_t size)
{
	return size == FORKD_OBMALLOC_ARENA ||
	    size == FORKD_OBMALLOC_ARENA_NO_RADIX;
}

static void *
arena_alloc(void *ctx, size_t size)
{
	void	*p;

	(void)ctx;
	if ((p = arena_orig.alloc(arena_orig.ctx, size)) == NULL ||
	    !arena_is_arena(size))
		return p;
	if (arena_size == 0)
		arena_size = size;
	/* Out of memory for the table: the arena is just "other". */
	(void)cow_range_add(COW_KIND_OBMALLOC, (uintptr_t)p,
	    (uintptr_t)p + size);
	return p;
}

static void
arena_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	if (arena_is_arena(size))
		(void)cow_range_remove((uintptr_t)p, (uintptr_t)p + size);
	arena_orig.free(arena_orig.ctx, p, size);
}

void
forkd_arena_hook(void)
{
	PyObjectArenaAllocator	ours;

	PyObject_GetArenaAllocator(&arena_orig);
	ours.ctx = NULL;
	ours.alloc = arena_alloc;
	ours.free = arena_free;
	PyObject_SetArenaAllocator(&ours);
}

size_t
forkd_arena_size(void)
{
	return arena_size;
}
