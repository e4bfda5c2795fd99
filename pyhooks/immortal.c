/*
 * immortal.c: makes every object reachable from the collector's lists
 * immortal (CPython 3.12 to 3.14), so that reference counting stops
 * writing the zygote's pages in the workers.  The walk is walk.c's
 * (Cinder's idea, after ../shared/research/heap-sharing.md §2).
 *
 * Before an object is sealed, the writes it would otherwise get later
 * are done now: a str's hash is computed, a heap type gets its version
 * tag, and a heap type's shared instance keys (the keys every instance
 * __dict__ of the class shares) get the immortal reference count, which
 * dictkeys_incref() leaves alone.
 *
 * Each version's representation of immortality is pyver.h's.
 *
 * What it does not do: run on 3.11 (no immortal objects) or on
 * free-threaded builds.
 */
#include "walk.h"
#include "forkd_state.h"
#include "pyver.h"

#ifdef FORKD_CAN_IMMORTALIZE

static void
seal_type(PyTypeObject *tp, struct forkd_immortal_stats *st)
{
	if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE))
		return;
	if (PyUnstable_Type_AssignVersionTag(tp))
		st->tagged++;
	if (forkd_dict_keys_set_immortal(((PyHeapTypeObject *)tp)->ht_cached_keys))
		st->shared_keys++;
}

static int
seal_one(PyObject *o, void *arg)
{
	struct forkd_immortal_stats	*st = arg;

	if (PyUnicode_CheckExact(o) && ((PyASCIIObject *)o)->hash == -1) {
		/* The first hash in a worker would write the str. */
		if (PyObject_Hash(o) == -1)
			PyErr_Clear();
		else
			st->hashed++;
	}
	if (PyType_Check(o))
		seal_type((PyTypeObject *)o, st);
	/* The value CPython's Py_INCREF/Py_DECREF leave alone. */
	forkd_set_immortal(o);
	st->sealed++;
	return 0;
}

int
forkd_immortalize(struct forkd_immortal_stats *st)
{
	struct forkd_walk_stats	ws;
	int			r;

	memset(st, 0, sizeof(*st));
	r = forkd_walk(FORKD_WALK_IMMORTAL_IS_SEEN, seal_one, st, &ws);
	st->roots = ws.roots;
	st->already = ws.skipped;
	return r;
}

int
forkd_can_immortalize(void)
{
	return 1;
}

#else	/* no immortal objects on this Python */

int
forkd_immortalize(struct forkd_immortal_stats *st)
{
	memset(st, 0, sizeof(*st));
	PyErr_SetString(PyExc_NotImplementedError,
	    "this Python has no immortal objects");
	return -1;
}

int
forkd_can_immortalize(void)
{
	return 0;
}

#endif
