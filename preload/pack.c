/*
 * pack.c: decides whether to pack code, runs the probe (snapshot, one
 * more warmup round, diff) and logs the result.  The mechanism is
 * pyhooks/pack.c, reached through py.h; this file holds no Python state.
 *
 * Under the full seal (3.12+) the code objects warm requests still
 * write are those whose adaptive bytecode the probe changes.  Where code
 * stays mortal (3.11, --seal freeze) every call also writes its code
 * object's reference count, so the code the probe calls is packed too:
 * on 3.11 that took total PSS from 182-195 to 172-185 MiB (Django
 * example, three runs each).  Under --seal none reference counts write
 * every object a request touches; "auto" does not pack there, "on"
 * forces it.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "cowreg.h"
#include "log.h"
#include "mono.h"
#include "pack.h"
#include "py.h"

int
pack_wanted(enum pack_mode mode, enum seal_mode seal)
{
	if (mode == PACK_OFF) {
		log_info("pack-code: off");
		return 0;
	}
	if (mode == PACK_AUTO && seal == SEAL_NONE) {
		log_info("pack-code: off under --seal none (reference counts "
		    "write every object a request touches; --pack-code on "
		    "forces it)");
		return 0;
	}
	return 1;
}

int
pack_run(const struct warmup_opts *o, struct warmup *w, enum seal_mode seal,
    struct pack_result *ret)
{
	struct py_pack_report	*rep = &ret->rep;
	struct timespec		 t0;
	size_t			 candidates;
	int			 r;

	memset(ret, 0, sizeof(*ret));
	if (!w->held) {
		log_info("pack-code: nothing to pack: the last of two warmup "
		    "rounds or more tells which code is still written (%s)",
		    !w->active ? "no warmup" : o->rounds < 2 ?
		    "--warmup-rounds is 1" : "the warmup stopped early");
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (py_pack_begin(seal != SEAL_FULL, &candidates) != 0) {
		/* Logged; the code stays where it is, the round still runs. */
		r = warmup_last(w, o->rounds);
		return r == -EIO && o->strict ? -1 : 0;
	}
	r = warmup_last(w, o->rounds);
	if (r == -EIO && o->strict) {
		log_warnx("pack-code: the last warmup round failed and "
		    "--warmup-strict is set");
		return -1;
	}
	if (py_pack_finish(seal == SEAL_FULL, rep) != 0)
		return 0;
	/* The write tracker counts the region's pages as their own kind. */
	if (rep->region_bytes > 0 && (r = cow_range_add(COW_KIND_CODE,
	    rep->region_base, rep->region_base + rep->region_bytes)) != 0)
		log_warnc(r, "pack-code: cannot register the region with the "
		    "write tracker");
	ret->packed = 1;
	ret->ms = mono_ms_since(&t0);
	log_info("pack-code: %zu of %zu code objects %s in the last warmup "
	    "round; %zu moved (with the code holding them), %zu "
	    "functions repointed, region %.1f KiB at %#lx, %.1f ms%s",
	    rep->unstable, rep->candidates, seal == SEAL_FULL ?
	    "still written" : "still written or called", rep->moved,
	    rep->functions,
	    rep->region_bytes / 1024.0, (unsigned long)rep->region_base,
	    ret->ms, rep->allocator_kept ? " (allocator wrapper kept: "
	    "packed code may be freed)" : "");
	return 0;
}
