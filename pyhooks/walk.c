/*
 * walk.c: visits every object reachable from the collector's lists once.
 * The seal makes each one immortal (immortal.c); the write tracker's
 * index records where each one lies.
 *
 * Roots are gc.get_objects(), taken after the seal's collection and
 * before gc.freeze().  From each object the walk follows its type, its
 * tp_traverse referents (also for untracked containers: that is how the
 * str and int inside an untracked tuple or co_consts are reached), and
 * what tp_traverse leaves out because it cannot form cycles: the keys of
 * dicts whose keys are all str, code objects' names, constants and
 * cached attributes (code has no tp_traverse before 3.13), heap types'
 * names, slots and subclass tables.  type_traverse asserts a heap type,
 * so statically allocated types are visited but never traversed.
 *
 * What it does not reach: objects held only by C globals of extensions
 * or by C types that do not traverse, and the locals of frames running
 * while it walks.
 */
#include "walk.h"

struct walk {
	PyObject	**stack;
	size_t		  len;
	size_t		  cap;
	uintptr_t	 *seen;		/* open addressing; 0 is free */
	size_t		  seen_cap;	/* a power of two */
	size_t		  seen_len;
	int		  flags;
	int		  oom;
	struct forkd_walk_stats *st;
};

static size_t
walk_slot(uintptr_t p, size_t mask)
{
	/* Objects are 16-byte aligned: drop the bits that never vary. */
	return (size_t)(((p >> 4) * 0x9E3779B97F4A7C15ULL) >> 20) & mask;
}

/* Returns 1 if o was seen already, else records it and returns 0. */
static int
walk_seen(struct walk *w, PyObject *o)
{
	uintptr_t	 p = (uintptr_t)o, *old;
	size_t		 i, n, oldcap;

	if (w->seen_len * 2 >= w->seen_cap) {
		old = w->seen;
		oldcap = w->seen_cap;
		n = oldcap ? oldcap * 2 : 1 << 18;
		if ((w->seen = PyMem_RawCalloc(n, sizeof(*w->seen))) == NULL) {
			w->seen = old;
			w->oom = 1;
			return 1;
		}
		w->seen_cap = n;
		for (i = 0; i < oldcap; i++) {
			if (old[i] == 0)
				continue;
			n = walk_slot(old[i], w->seen_cap - 1);
			while (w->seen[n] != 0)
				n = (n + 1) & (w->seen_cap - 1);
			w->seen[n] = old[i];
		}
		PyMem_RawFree(old);
	}
	for (i = walk_slot(p, w->seen_cap - 1); w->seen[i] != 0;
	    i = (i + 1) & (w->seen_cap - 1))
		if (w->seen[i] == p)
			return 1;
	w->seen[i] = p;
	w->seen_len++;
	return 0;
}

static int
walk_is_seen(struct walk *w, PyObject *o)
{
#if PY_VERSION_HEX >= 0x030C0000
	if (w->flags & FORKD_WALK_IMMORTAL_IS_SEEN)
		return _Py_IsImmortal(o);
#endif
	return walk_seen(w, o);
}

/* A visitproc: pushes o unless it was seen. */
static int
walk_push(PyObject *o, void *arg)
{
	struct walk	*w = arg;
	PyObject	**p;
	size_t		  cap;

	if (o == NULL)
		return 0;
	if (walk_is_seen(w, o)) {
		w->st->skipped++;
		return 0;
	}
	if (w->len == w->cap) {
		cap = w->cap ? w->cap * 2 : 65536;
		if ((p = PyMem_RawRealloc(w->stack, cap * sizeof(*p))) == NULL) {
			w->oom = 1;
			return 0;
		}
		w->stack = p;
		w->cap = cap;
	}
	w->stack[w->len++] = o;
	return 0;
}

static void
walk_code(struct walk *w, PyCodeObject *co)
{
	walk_push(co->co_consts, w);
	walk_push(co->co_names, w);
	walk_push(co->co_exceptiontable, w);
	walk_push(co->co_localsplusnames, w);
	walk_push(co->co_localspluskinds, w);
	walk_push(co->co_filename, w);
	walk_push(co->co_name, w);
	walk_push(co->co_qualname, w);
	walk_push(co->co_linetable, w);
#if PY_VERSION_HEX >= 0x030C0000
	if (co->_co_cached != NULL) {
		walk_push(co->_co_cached->_co_code, w);
		walk_push(co->_co_cached->_co_varnames, w);
		walk_push(co->_co_cached->_co_cellvars, w);
		walk_push(co->_co_cached->_co_freevars, w);
	}
#else
	walk_push(co->_co_code, w);
#endif
}

static void
walk_heap_type(struct walk *w, PyHeapTypeObject *ht)
{
	walk_push(ht->ht_name, w);
	walk_push(ht->ht_qualname, w);
	walk_push(ht->ht_slots, w);
	/* A heap type's subclasses: a dict of weak references. */
	walk_push((PyObject *)ht->ht_type.tp_subclasses, w);
	walk_push(ht->ht_type.tp_weaklist, w);
}

/*
 * A dict whose keys are all str does not visit them in tp_traverse (a
 * str cannot form a cycle): the keys of caches, catalogs and headers
 * that were not interned would stay mortal, and a worker that replaces
 * an entry frees the old key on a shared page.
 */
static void
walk_dict_keys(struct walk *w, PyObject *d)
{
	PyObject	*k, *v;
	Py_ssize_t	 pos = 0;

	while (PyDict_Next(d, &pos, &k, &v))
		walk_push(k, w);
}

static int
walk_one(struct walk *w, PyObject *o, forkd_walk_visit visit, void *arg)
{
	PyTypeObject	*tp = Py_TYPE(o);
	int		 r;

	if ((w->flags & FORKD_WALK_IMMORTAL_IS_SEEN) && walk_is_seen(w, o))
		return 0;	/* pushed twice before it was visited */
	w->st->visited++;
	if ((r = visit(o, arg)) != 0)
		return r < 0 ? -1 : 0;
	walk_push((PyObject *)tp, w);
	if (PyCode_Check(o)) {
		walk_code(w, (PyCodeObject *)o);
		return 0;
	}
	if (PyType_Check(o)) {
		if (!(((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE))
			return 0;
		walk_heap_type(w, (PyHeapTypeObject *)o);
	}
	if (tp->tp_traverse != NULL)
		(void)tp->tp_traverse(o, walk_push, w);
	if (PyDict_Check(o))
		walk_dict_keys(w, o);
	return 0;
}

PyObject *
forkd_gc_objects(void)
{
	PyObject	*gc, *objs;

	if ((gc = PyImport_ImportModule("gc")) == NULL)
		return NULL;
	objs = PyObject_CallMethod(gc, "get_objects", NULL);
	Py_DECREF(gc);
	return objs;
}

int
forkd_walk(int flags, forkd_walk_visit visit, void *arg,
    struct forkd_walk_stats *ret_st)
{
	struct walk	 w;
	PyObject	*objs;
	Py_ssize_t	 i, n;
	int		 rc = 0;

	memset(ret_st, 0, sizeof(*ret_st));
	memset(&w, 0, sizeof(w));
	w.st = ret_st;
	w.flags = flags;
	if ((objs = forkd_gc_objects()) == NULL)
		return -1;
	n = PyList_GET_SIZE(objs);
	ret_st->roots = n;
	/* The list itself is not pushed: it is mortal and goes. */
	if (!(flags & FORKD_WALK_IMMORTAL_IS_SEEN))
		(void)walk_seen(&w, objs);
	for (i = 0; i < n; i++)
		walk_push(PyList_GET_ITEM(objs, i), &w);
	while (w.len > 0 && !w.oom && rc == 0)
		rc = walk_one(&w, w.stack[--w.len], visit, arg);
	PyMem_RawFree(w.stack);
	PyMem_RawFree(w.seen);
	Py_DECREF(objs);
	if (rc == 0 && w.oom) {
		PyErr_NoMemory();
		rc = -1;
	}
	return rc;
}
