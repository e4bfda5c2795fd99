/*
 * seal.c: the seal, step by step: collect, immortalize (3.12, 3.13),
 * gc.freeze, malloc_trim(0), and MADV_NOHUGEPAGE on the anonymous heap
 * when transparent huge pages are "always" (a huge page written after
 * fork is split and copied in 4 KiB pieces, and the split costs time).
 * The Python steps go through py.h; this file holds no Python state.
 */
#include <sys/mman.h>
#include <sys/prctl.h>

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mono.h"
#include "py.h"
#include "seal.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE	67	/* Linux 6.4; older headers lack it */
#endif

const char *
seal_name(enum seal_mode m)
{
	switch (m) {
	case SEAL_NONE:
		return "none";
	case SEAL_FREEZE:
		return "freeze";
	case SEAL_FULL:
		return "full";
	default:
		return "auto";
	}
}

enum thp_mode
seal_thp_parse(const char *text)
{
	const char	*b = strchr(text, '['), *e;

	if (b == NULL || (e = strchr(b, ']')) == NULL)
		return THP_UNKNOWN;
	b++;
	if ((size_t)(e - b) == 6 && strncmp(b, "always", 6) == 0)
		return THP_ALWAYS;
	if ((size_t)(e - b) == 7 && strncmp(b, "madvise", 7) == 0)
		return THP_MADVISE;
	if ((size_t)(e - b) == 5 && strncmp(b, "never", 5) == 0)
		return THP_NEVER;
	return THP_UNKNOWN;
}

static enum thp_mode
seal_thp_read(void)
{
	char	 buf[128];
	FILE	*fp;

	if ((fp = fopen("/sys/kernel/mm/transparent_hugepage/enabled",
	    "r")) == NULL)
		return THP_UNKNOWN;
	if (fgets(buf, sizeof(buf), fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	return seal_thp_parse(buf);
}

/*
 * Advises every private, writable, anonymous mapping (the glibc heap and
 * obmalloc's arenas) against huge pages.  Returns the number of bytes
 * advised, or -errno.
 */
static int64_t
seal_nohugepage(int *ret_regions)
{
	char		 line[512], perms[8], path[256];
	unsigned long	 start, end, off, inode;
	unsigned	 dmaj, dmin;
	int64_t		 bytes = 0;
	int		 n, regions = 0;
	FILE		*fp;

	if ((fp = fopen("/proc/self/maps", "r")) == NULL)
		return -errno;
	while (fgets(line, sizeof(line), fp) != NULL) {
		path[0] = '\0';
		n = sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %255s", &start,
		    &end, perms, &off, &dmaj, &dmin, &inode, path);
		if (n < 7 || strcmp(perms, "rw-p") != 0 || inode != 0)
			continue;
		if (path[0] != '\0' && strcmp(path, "[heap]") != 0)
			continue;	/* [stack], [vvar], ... */
		if (madvise((void *)start, end - start, MADV_NOHUGEPAGE) == 0) {
			bytes += end - start;
			regions++;
		}
	}
	fclose(fp);
	*ret_regions = regions;
	return bytes;
}

/*
 * Takes every free chunk of glibc's main heap, so that a worker's
 * mallocs extend the heap into pages of its own instead of writing
 * holes, and their neighbours' headers, on pages it shares with the
 * zygote.  Sizes go from large to small; a size is done when malloc
 * serves it from the top of the heap (or from mmap), and that block is
 * given back.  The blocks taken are never freed.  Returns the bytes
 * taken, or -ENOTSUP when malloc is not glibc's (a sanitizer's, say:
 * its mallinfo2 describes no main arena).
 */
static ssize_t
seal_fill_heap(size_t *ret_chunks)
{
	struct mallinfo2	 mi = mallinfo2();
	char			*end = sbrk(0), *lo, *top, *p;
	size_t			 size, bytes = 0, chunks = 0;

	*ret_chunks = 0;
	if (mi.arena == 0 || mi.arena > (size_t)(end - (char *)0))
		return -ENOTSUP;

	lo = end - mi.arena;		/* the main arena is [lo, end) */
	top = end - mi.keepcost;	/* its top chunk */
	for (size = (size_t)1 << 20; size >= 16; ) {
		p = malloc(size);
		if (p == NULL)
			break;
		if (p < lo || p >= top) {
			free(p);	/* from the top or mmap: done */
			size = size > 1024 ? size / 2 : size - 16;
			continue;
		}
		bytes += malloc_usable_size(p);
		chunks++;
	}
	*ret_chunks = chunks;
	return (ssize_t)bytes;
}

/*
 * Writes attribute mode's object index.  A failure is logged and costs
 * only the names: the supervisor still counts pages.
 */
static void
seal_index(const char *path)
{
	struct py_index_report	rep;
	struct timespec		t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (py_cow_index(path, &rep) != 0)
		return;
	log_info("cow: object index: %zu entries (%zu objects, %zu parts, "
	    "%zu named by their owner), %.1f MiB, %.1f ms%s", rep.entries,
	    rep.objects, rep.parts, rep.owned, rep.bytes / 1048576.0,
	    mono_ms_since(&t0), rep.pool_size ? "" : " (obmalloc pool "
	    "layout not recognised: block sizes estimated)");
}

enum seal_mode
seal_resolve(enum seal_mode mode)
{
	if (mode == SEAL_AUTO || mode == SEAL_FULL)
		return py_can_immortalize() ? SEAL_FULL : SEAL_FREEZE;
	return mode;
}

int
seal_run(const struct seal_opts *o, struct seal_report *ret)
{
	struct py_immortal_report	 im;
	struct timespec			 t0, tall;
	enum thp_mode			 thp;
	long				 n;
	int64_t				 bytes;
	struct py_holes_report		 ho;
	size_t				 blocks;
	enum seal_mode			 mode = o->mode;
	int				 regions = 0, rc = 0;

	ret->ms = 0;
	ret->collected = ret->immortal = ret->frozen = -1;
	if (o->watch_types) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		n = py_watch_types(&blocks);
		if (n == 0)
			log_info("seal: watch-types: %zu classes watched, %.1f ms",
			    blocks, mono_ms_since(&t0));
		else if (n == 1)
			log_warnx("seal: watch-types: needs Python 3.12 or later "
			    "(type watchers): no class is watched");
	}
	if (mode == SEAL_AUTO)
		mode = seal_resolve(mode);
	ret->mode = mode;
	if (mode == SEAL_NONE) {
		log_info("seal: none (the heap is left as the import made it)");
		if (o->cow_index != NULL)
			seal_index(o->cow_index);
		return 0;
	}
	if (mode == SEAL_FULL && !py_can_immortalize()) {
		log_info("seal: this Python has no immortal objects (3.12+ "
		    "has): sealing with freeze");
		mode = ret->mode = SEAL_FREEZE;
	}
	clock_gettime(CLOCK_MONOTONIC, &tall);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((n = py_gc_collect()) < 0)
		return -1;
	ret->collected = n;
	log_info("seal: collect: %ld unreachable objects freed, %.1f ms", n,
	    mono_ms_since(&t0));

	if (mode == SEAL_FULL) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (py_immortalize(&im) != 0)
			rc = -1;
		else {
			ret->immortal = (int64_t)im.sealed;
			log_info("seal: immortalize: %zu objects made immortal "
			    "from %zu roots (%zu visits to immortal ones, %zu "
			    "str hashes, %zu type version tags, %zu shared "
			    "instance keys, %zu constant loads "
			    "respecialized), %.1f ms", im.sealed, im.roots,
			    im.already, im.hashed, im.tagged, im.shared_keys,
			    im.consts, mono_ms_since(&t0));
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = py_gc_freeze();
	if (n < 0)
		rc = -1;
	else {
		ret->frozen = n;
		log_info("seal: gc.freeze: %ld objects frozen, %.1f ms", n,
		    mono_ms_since(&t0));
	}

	/*
	 * The write tracker's object index: after the last object has
	 * moved, before the holes are filled, so that what building it
	 * frees is filled too and does not draw the workers' allocations.
	 */
	if (o->cow_index != NULL)
		seal_index(o->cow_index);

	if (o->fill_holes) {
		/* Objects kept for reuse are holes too: free them to fill. */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((n = py_clear_freelists()) < 0)
			rc = -1;
		else
			log_info("seal: free lists: emptied (a full collection, "
			    "%ld more freed), %.1f ms", n, mono_ms_since(&t0));
	}
	if (o->fill_holes) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		/* The names the seal's own calls cached die here, not later. */
		py_clear_type_cache();
		if (py_fill_pools(&ho) != 0)
			rc = -1;
		else if (ho.not_pymalloc)
			log_info("seal: fill pools: the object allocator is not "
			    "obmalloc: nothing to fill");
		else
			log_info("seal: fill pools: %zu free blocks taken (%.1f "
			    "KiB); of %zu empty pools in %zu arenas, %zu taken "
			    "whole (crossing %zu untouched ones), %.1f ms",
			    ho.blocks, ho.bytes / 1024.0, ho.empty, ho.arenas,
			    ho.burnt - ho.virgin, ho.virgin, mono_ms_since(&t0));
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = malloc_trim(0);
	log_info("seal: malloc_trim: %s, %.1f ms", n ? "memory returned" :
	    "nothing to return", mono_ms_since(&t0));

	if (o->fill_holes) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		bytes = seal_fill_heap(&blocks);
		if (bytes == -ENOTSUP)
			log_info("seal: fill heap: malloc is not glibc's: "
			    "nothing to fill");
		else
			log_info("seal: fill heap: %zu free chunks of the glibc "
			    "heap taken (%.1f KiB), %.1f ms", blocks,
			    bytes / 1024.0, mono_ms_since(&t0));
	}

	thp = seal_thp_read();
	if (thp == THP_ALWAYS) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		bytes = seal_nohugepage(&regions);
		if (bytes < 0)
			log_warnc((int)bytes, "seal: reading /proc/self/maps");
		else
			log_info("seal: THP is always: MADV_NOHUGEPAGE on %d "
			    "anonymous regions (%.1f MiB), %.1f ms", regions,
			    bytes / 1048576.0, mono_ms_since(&t0));
	} else
		log_info("seal: THP is %s: no madvise needed",
		    thp == THP_MADVISE ? "madvise" : thp == THP_NEVER ?
		    "never" : "unknown");
	ret->ms = mono_ms_since(&tall);
	log_info("seal: %s seal done in %.1f ms", seal_name(mode), ret->ms);
	return rc;
}

int
seal_ksm(void)
{
	char	 buf[16] = "";
	FILE	*fp;

	if (prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) == -1)
		return -errno;
	if ((fp = fopen("/sys/kernel/mm/ksm/run", "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	return buf[0] == '1';
}
