/*
 * walk.h: the heap walk the seal and the write tracker's index share.
 * Only files that include <Python.h> see it.
 */
#ifndef FORKD_WALK_H
#define FORKD_WALK_H

#include "pyhooks.h"

/*
 * Called once per object reached.  Returns 0 to go on into the object's
 * referents, 1 to leave them, -1 with an exception set to stop the walk.
 */
typedef int	(*forkd_walk_visit)(PyObject *o, void *arg);

/*
 * Immortal objects count as already seen: they are neither visited nor
 * traversed, and no table of seen objects is kept.  The visit must then
 * make every object it is given immortal (the seal does).
 */
#define FORKD_WALK_IMMORTAL_IS_SEEN	0x1

struct forkd_walk_stats {
	size_t	roots;		/* gc.get_objects() */
	size_t	visited;	/* objects given to the visit */
	size_t	skipped;	/* references to objects already seen */
};

/* gc.get_objects(): a new list, or NULL with an exception set. */
PyObject *forkd_gc_objects(void);

/*
 * Visits every object reachable from gc.get_objects(): each object's
 * type, its tp_traverse referents (untracked containers too), and the
 * fields tp_traverse leaves out (code objects' names and constants, heap
 * types' names and subclass tables).  Statically allocated types are
 * visited but not traversed.  Uses an explicit stack, never C recursion.
 * Returns 0, or -1 with an exception set.
 */
int	forkd_walk(int flags, forkd_walk_visit visit, void *arg,
	    struct forkd_walk_stats *ret_st);

#endif
