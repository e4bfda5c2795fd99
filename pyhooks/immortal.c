/*
 * immortal.c: makes every object reachable from the collector's lists
 * immortal (CPython 3.12 and 3.13), so that reference counting stops
 * writing the zygote's pages in the workers.
 *
 * The walk (Cinder's idea, after ../shared/research/heap-sharing.md §2):
 * roots are gc.get_objects() taken after a collection and before the
 * freeze; an explicit stack, never C recursion; each object's type and
 * referents through tp_traverse, also for untracked containers (which is
 * how the str and int inside an untracked tuple or co_consts are
 * reached); code objects' fields by hand (they have no tp_traverse in
 * 3.11-3.13); statically allocated types never traversed.  Before an
 * object is sealed, the writes it would otherwise get later are done
 * now: a str's hash is computed, a heap type gets its version tag.
 *
 * What it does not do: reach objects held only by C globals of
 * extensions or by non-traversing C types; run on 3.11 (no immortal
 * objects) or on free-threaded builds.
 */
#include "pyhooks.h"
#include "forkd_state.h"

#if PY_VERSION_HEX >= 0x030C0000 && PY_VERSION_HEX < 0x030E0000 && \
    !defined(Py_GIL_DISABLED)
#define FORKD_CAN_IMMORTALIZE	1
#endif

#ifdef FORKD_CAN_IMMORTALIZE

struct walk {
	PyObject	**stack;
	size_t		  len;
	size_t		  cap;
	int		  oom;
	struct forkd_immortal_stats *st;
};

static int
walk_push(PyObject *o, void *arg)
{
	struct walk	*w = arg;
	PyObject	**p;
	size_t		  cap;

	if (o == NULL || _Py_IsImmortal(o)) {
		if (o != NULL)
			w->st->already++;
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
}

static void
walk_seal(struct walk *w, PyObject *o)
{
	PyTypeObject	*tp = Py_TYPE(o);

	if (_Py_IsImmortal(o))
		return;		/* pushed twice before it was sealed */
	if (PyUnicode_CheckExact(o) && ((PyASCIIObject *)o)->hash == -1) {
		/* The first hash in a worker would write the str. */
		if (PyObject_Hash(o) == -1)
			PyErr_Clear();
		else
			w->st->hashed++;
	}
	if (PyType_Check(o) &&
	    (((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE) &&
	    PyUnstable_Type_AssignVersionTag((PyTypeObject *)o))
		w->st->tagged++;
	/* The value CPython's Py_INCREF/Py_DECREF leave alone. */
	o->ob_refcnt = _Py_IMMORTAL_REFCNT;
	w->st->sealed++;

	walk_push((PyObject *)tp, w);
	if (PyCode_Check(o)) {
		walk_code(w, (PyCodeObject *)o);
		return;
	}
	/* type_traverse asserts a heap type; static types are immortal. */
	if (PyType_Check(o) &&
	    !(((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE))
		return;
	if (tp->tp_traverse != NULL)
		(void)tp->tp_traverse(o, walk_push, w);
}

int
forkd_immortalize(struct forkd_immortal_stats *st)
{
	struct walk	 w;
	PyObject	*gc, *objs;
	Py_ssize_t	 i, n;

	memset(st, 0, sizeof(*st));
	memset(&w, 0, sizeof(w));
	w.st = st;
	if ((gc = PyImport_ImportModule("gc")) == NULL)
		return -1;
	objs = PyObject_CallMethod(gc, "get_objects", NULL);
	Py_DECREF(gc);
	if (objs == NULL)
		return -1;
	n = PyList_GET_SIZE(objs);
	st->roots = n;
	for (i = 0; i < n; i++)
		walk_push(PyList_GET_ITEM(objs, i), &w);
	while (w.len > 0 && !w.oom)
		walk_seal(&w, w.stack[--w.len]);
	PyMem_RawFree(w.stack);
	/* The list itself is mortal and goes; its items stay, immortal. */
	Py_DECREF(objs);
	if (w.oom) {
		PyErr_NoMemory();
		return -1;
	}
	return 0;
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
