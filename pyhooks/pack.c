/*
 * pack.c: packs the code objects that keep being written onto a few
 * dense pages of their own, so that each worker copies those pages and
 * not the pages of the objects that lay around them.
 *
 * CPython 3.11-3.14 write a code object's adaptive bytecode whenever an
 * instruction runs unspecialized or misses its specialization (a
 * counter), and 3.13+ records branch history in every conditional jump's
 * cache: no runtime switch stops these stores
 * (../shared/research/code-writes.md).  So, after warmup:
 *
 *  1. begin: snapshot the adaptive bytecode of every code object
 *     reachable from a live function (on 3.13+ a sentinel is first
 *     written into each POP_JUMP_IF_* cache, or a store of the same
 *     history would not show); when code stays mortal (3.11, or the
 *     freeze seal), every call writes its code object's reference
 *     count, so also note every code object the probe calls (a profile
 *     function);
 *  2. the caller runs one more warmup round;
 *  3. finish: the code objects whose bytecode changed, and the code
 *     objects that hold them as constants, are re-created in a region
 *     of their own (code.replace() while an allocator wrapper routes
 *     allocations of exactly that size to a bump region), the warmed
 *     bytecode is copied in, and every function using one is pointed at
 *     the copy in C, leaving func_version alone (f.__code__ = ... resets
 *     it, which would make callers' specializations miss).  The old
 *     code objects are kept alive: no holes for workers to fill.
 *
 * Running frames and generators keep their old code: that is safe.
 * Code with tier-2 executors or under sys.monitoring is left alone.
 *
 * What it does not do: decide whether to pack (preload/pack.c does),
 * or pack code that no live function reaches.
 */
#include <sys/mman.h>

#include "bytecode.h"
#include "forkd_state.h"
#include "pyver.h"

#define PACK_REGION_MAX	((size_t)256 << 20)	/* reserved, not used */
#define PACK_HDR	16			/* size header, alignment */

/*
 * The region and the allocator wrapper: a process singleton, as the
 * object allocator it wraps is.
 */
static struct {
	PyMemAllocatorEx	 orig;
	int			 installed;
	size_t			 only_size;	/* routed while non-zero */
	char			*base;
	size_t			 used;
	size_t			 blocks;
} pack;

static int
pack_in_region(const void *p)
{
	return pack.base != NULL && (const char *)p >= pack.base &&
	    (const char *)p < pack.base + PACK_REGION_MAX;
}

static void *
pack_bump(size_t n)
{
	size_t	 need = (PACK_HDR + n + 15) & ~(size_t)15;
	char	*p;

	if (pack.used + need > PACK_REGION_MAX)
		return NULL;
	p = pack.base + pack.used;
	pack.used += need;
	pack.blocks++;
	*(size_t *)p = n;
	return p + PACK_HDR;
}

static void *
pack_malloc(void *ctx, size_t n)
{
	void	*p;

	(void)ctx;
	if (pack.only_size != 0 && n == pack.only_size &&
	    (p = pack_bump(n)) != NULL)
		return p;
	return pack.orig.malloc(pack.orig.ctx, n);
}

static void *
pack_calloc(void *ctx, size_t nelem, size_t elsize)
{
	void	*p;

	(void)ctx;
	/* The region is fresh anonymous memory: already zero. */
	if (pack.only_size != 0 && elsize != 0 &&
	    nelem == pack.only_size / elsize &&
	    nelem * elsize == pack.only_size && (p = pack_bump(
	    pack.only_size)) != NULL)
		return p;
	return pack.orig.calloc(pack.orig.ctx, nelem, elsize);
}

static void *
pack_realloc(void *ctx, void *p, size_t n)
{
	size_t	 old;
	void	*q;

	(void)ctx;
	if (p != NULL && pack_in_region(p)) {
		/* Moved out; the region block is never reused. */
		old = *(size_t *)((char *)p - PACK_HDR);
		if ((q = pack.orig.malloc(pack.orig.ctx, n ? n : 1)) != NULL)
			memcpy(q, p, old < n ? old : n);
		return q;
	}
	return pack.orig.realloc(pack.orig.ctx, p, n);
}

static void
pack_free(void *ctx, void *p)
{
	(void)ctx;
	if (p == NULL || pack_in_region(p))
		return;
	pack.orig.free(pack.orig.ctx, p);
}

static PyObject *
pack_region_on(PyObject *m, PyObject *arg)
{
	PyMemAllocatorEx	 w = { NULL, pack_malloc, pack_calloc,
				    pack_realloc, pack_free };
	Py_ssize_t		 n;
	void			*p;

	(void)m;
	if ((n = PyLong_AsSsize_t(arg)) <= 0)
		return PyErr_Occurred() ? NULL :
		    PyErr_Format(PyExc_ValueError, "size %zd", n);
	if (pack.base == NULL) {
		p = mmap(NULL, PACK_REGION_MAX, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return PyErr_SetFromErrno(PyExc_OSError);
		pack.base = p;
	}
	if (!pack.installed) {
		PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &pack.orig);
		PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &w);
		pack.installed = 1;
	}
	pack.only_size = (size_t)n;
	Py_RETURN_NONE;
}

static PyObject *
pack_region_off(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	pack.only_size = 0;
	Py_RETURN_NONE;
}

/*
 * Puts the original allocator back when every block in the region is one
 * of the given objects, which the caller guarantees are never freed (the
 * full seal makes them immortal).  Otherwise the wrapper stays, so that
 * a free of a region block is ignored.  Returns True if it was removed.
 */
static PyObject *
pack_release(PyObject *m, PyObject *objs)
{
	Py_ssize_t	 i, n;
	size_t		 inside = 0;

	(void)m;
	if (!pack.installed)
		Py_RETURN_TRUE;
	if (!PyList_Check(objs))
		return PyErr_Format(PyExc_TypeError, "want a list");
	n = PyList_GET_SIZE(objs);
	for (i = 0; i < n; i++)
		if (pack_in_region(PyList_GET_ITEM(objs, i)))
			inside++;
	if (inside != pack.blocks)
		Py_RETURN_FALSE;
	PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &pack.orig);
	pack.installed = 0;
	Py_RETURN_TRUE;
}

static PyObject *
pack_region_info(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	return Py_BuildValue("(KKn)", (unsigned long long)(uintptr_t)pack.base,
	    (unsigned long long)pack.used, (Py_ssize_t)pack.blocks);
}

static PyObject *
pack_objsize(PyObject *m, PyObject *co)
{
	(void)m;
	if (!PyCode_Check(co))
		return PyErr_Format(PyExc_TypeError, "want code");
	return PyLong_FromSsize_t(_PyObject_VAR_SIZE(Py_TYPE(co),
	    Py_SIZE(co)));
}

static PyObject *
pack_adaptive(PyObject *m, PyObject *co)
{
	(void)m;
	if (!PyCode_Check(co))
		return PyErr_Format(PyExc_TypeError, "want code");
	return PyBytes_FromStringAndSize(((PyCodeObject *)co)->co_code_adaptive,
	    Py_SIZE(co) * 2);
}

/* poke(code, unit, value): writes a 16-bit code unit. */
static PyObject *
pack_poke(PyObject *m, PyObject *args)
{
	PyObject	*co;
	Py_ssize_t	 i;
	unsigned int	 v;

	(void)m;
	if (!PyArg_ParseTuple(args, "O!nI", &PyCode_Type, &co, &i, &v))
		return NULL;
	if (i < 0 || i >= Py_SIZE(co))
		return PyErr_Format(PyExc_IndexError, "code unit %zd", i);
	((uint16_t *)((PyCodeObject *)co)->co_code_adaptive)[i] = (uint16_t)v;
	Py_RETURN_NONE;
}

/* Whether code may be copied: no tier-2 executors, no monitoring. */
static PyObject *
pack_movable(PyObject *m, PyObject *o)
{
	PyCodeObject	*co = (PyCodeObject *)o;

	(void)m;
	(void)co;
	if (!PyCode_Check(o))
		return PyErr_Format(PyExc_TypeError, "want code");
#if PY_VERSION_HEX >= 0x030D0000
	if (co->co_executors != NULL)
		Py_RETURN_FALSE;
#endif
#if PY_VERSION_HEX >= 0x030C0000
	if (co->_co_monitoring != NULL)
		Py_RETURN_FALSE;
#endif
	Py_RETURN_TRUE;
}

/*
 * copy(src, dst): dst takes src's warmed adaptive bytecode and the
 * fields that go with it.
 */
static PyObject *
pack_copy(PyObject *m, PyObject *args)
{
	PyCodeObject	*src, *dst;

	(void)m;
	if (!PyArg_ParseTuple(args, "O!O!", &PyCode_Type, &src, &PyCode_Type,
	    &dst))
		return NULL;
	if (Py_SIZE(src) != Py_SIZE(dst))
		return PyErr_Format(PyExc_ValueError, "%S: bytecode sizes "
		    "differ", src->co_qualname);
	memcpy(dst->co_code_adaptive, src->co_code_adaptive,
	    Py_SIZE(src) * 2);
#if PY_VERSION_HEX >= 0x030C0000
	/* Closures made from dst get the versions callers specialized on. */
	dst->co_version = src->co_version;
	dst->_co_instrumentation_version = src->_co_instrumentation_version;
#else
	dst->co_warmup = src->co_warmup;	/* 0 once quickened */
#endif
	Py_RETURN_NONE;
}

/*
 * swap(func, code): func runs code from now on.  func_version is left
 * alone, so call sites specialized on func stay specialized.
 */
static PyObject *
pack_swap(PyObject *m, PyObject *args)
{
	PyFunctionObject	*fn;
	PyCodeObject		*co, *old;

	(void)m;
	if (!PyArg_ParseTuple(args, "O!O!", &PyFunction_Type, &fn,
	    &PyCode_Type, &co))
		return NULL;
	old = (PyCodeObject *)fn->func_code;
	if (co->co_nfreevars != (fn->func_closure != NULL ?
	    PyTuple_GET_SIZE(fn->func_closure) : 0) ||
	    Py_SIZE(co) != Py_SIZE(old))
		return PyErr_Format(PyExc_ValueError, "%S: code does not fit",
		    co->co_qualname);
	fn->func_code = Py_NewRef((PyObject *)co);
	Py_DECREF(old);
	Py_RETURN_NONE;
}

static PyMethodDef pack_methods[] = {
	{ "region_on", pack_region_on, METH_O, NULL },
	{ "region_off", pack_region_off, METH_NOARGS, NULL },
	{ "region_info", pack_region_info, METH_NOARGS, NULL },
	{ "release", pack_release, METH_O, NULL },
	{ "objsize", pack_objsize, METH_O, NULL },
	{ "adaptive", pack_adaptive, METH_O, NULL },
	{ "poke", pack_poke, METH_VARARGS, NULL },
	{ "movable", pack_movable, METH_O, NULL },
	{ "copy", pack_copy, METH_VARARGS, NULL },
	{ "swap", pack_swap, METH_VARARGS, NULL },
	{ NULL, NULL, 0, NULL }
};

/*
 * The driver, run after forkd_bytecode_src (bytecode.h) in the same
 * namespace.  begin(prims) returns its state; finish(prims, state) moves
 * the code and returns (candidates, unstable, moved, functions, kept).
 */
static const char pack_src[] =
"import sys, types\n"
"CT = types.CodeType\n"
"def arm_branches(prims, codes):\n"
"    # A sentinel in each POP_JUMP_IF_*'s branch-history cache.\n"
"    names, base_of, caches = tables()\n"
"    jumps = {i for i, n in enumerate(names) if base_of.get(n, n) in\n"
"             ('POP_JUMP_IF_FALSE', 'POP_JUMP_IF_TRUE',\n"
"              'POP_JUMP_IF_NONE', 'POP_JUMP_IF_NOT_NONE')}\n"
"    for co in codes:\n"
"        b = co._co_code_adaptive\n"
"        i, n = 0, len(b)\n"
"        while i < n:\n"
"            op = b[i]\n"
"            if op in jumps and caches[op]:\n"
"                prims.poke(co, i // 2 + 1, 0x5555)\n"
"            i += 2 + 2 * caches[op]\n"
"def begin(prims, calls):\n"
"    funcs, codes, parents = live_code()\n"
"    if BRANCH_HISTORY:\n"
"        arm_branches(prims, codes.values())\n"
"    snap = {i: prims.adaptive(co) for i, co in codes.items()}\n"
"    ran = set()\n"
"    if calls:\n"
"        # Mortal code's reference count is written by every call that\n"
"        # runs it: what the probe runs is what keeps being written.\n"
"        def called(frame, event, arg):\n"
"            if event == 'call':\n"
"                ran.add(id(frame.f_code))\n"
"        sys.setprofile(called)\n"
"    return [funcs, codes, parents, snap, ran]\n"
"def finish(prims, state):\n"
"    sys.setprofile(None)\n"
"    funcs, codes, parents, snap, ran = state\n"
"    unstable = [co for i, co in codes.items()\n"
"                if i in ran or prims.adaptive(co) != snap[i]]\n"
"    need, stack = {}, list(unstable)\n"
"    while stack:\n"
"        co = stack.pop()\n"
"        if id(co) not in need:\n"
"            need[id(co)] = co\n"
"            stack.extend(parents.get(id(co), ()))\n"
"    if not all(prims.movable(co) for co in need.values()):\n"
"        return len(codes), len(unstable), 0, 0, []\n"
"    new = {}\n"
"    def rebuild(co):\n"
"        n = new.get(id(co))\n"
"        if n is None:\n"
"            consts = tuple(rebuild(c) if type(c) is CT and id(c) in need\n"
"                           else c for c in co.co_consts)\n"
"            co.co_code    # its cache, built outside the region\n"
"            prims.region_on(prims.objsize(co))\n"
"            try:\n"
"                n = co.replace(co_consts=consts)\n"
"            finally:\n"
"                prims.region_off()\n"
"            prims.copy(co, n)\n"
"            new[id(co)] = n\n"
"        return n\n"
"    for co in need.values():\n"
"        rebuild(co)\n"
"    nf = 0\n"
"    for f in funcs:\n"
"        n = new.get(id(f.__code__))\n"
"        if n is not None:\n"
"            prims.swap(f, n)\n"
"            nf += 1\n"
"    kept = list(need.values()) + list(new.values())\n"
"    return len(codes), len(unstable), len(new), nf, kept\n";

/* The driver's namespace, with the private primitives, made once. */
static PyObject *
pack_driver(struct forkd_state *st)
{
	PyObject	*ns, *prims, *r;

	if (st->pack_ns != NULL)
		return st->pack_ns;
	if ((ns = PyDict_New()) == NULL)
		return NULL;
	if ((prims = PyModule_New("forkd._pack")) == NULL ||
	    PyModule_AddFunctions(prims, pack_methods) != 0 ||
	    PyDict_SetItemString(ns, "prims", prims) != 0 ||
	    PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins())
	    != 0 || PyDict_SetItemString(ns, "BRANCH_HISTORY",
#ifdef FORKD_BRANCH_HISTORY
	    Py_True
#else
	    Py_False
#endif
	    ) != 0 || (r = PyRun_String(forkd_bytecode_src, Py_file_input, ns,
	    ns)) == NULL) {
		Py_XDECREF(prims);
		Py_DECREF(ns);
		return NULL;
	}
	Py_DECREF(r);
	Py_DECREF(prims);
	if ((r = PyRun_String(pack_src, Py_file_input, ns, ns)) == NULL) {
		Py_DECREF(ns);
		return NULL;
	}
	Py_DECREF(r);
	st->pack_ns = ns;
	return ns;
}

/* Calls the driver's fn(prims, *rest); returns its result or NULL. */
static PyObject *
pack_call(struct forkd_state *st, const char *fn, PyObject *rest)
{
	PyObject	*ns, *f, *prims;

	if ((ns = pack_driver(st)) == NULL)
		return NULL;
	f = PyDict_GetItemString(ns, fn);		/* borrowed */
	prims = PyDict_GetItemString(ns, "prims");	/* borrowed */
	if (f == NULL || prims == NULL)
		return PyErr_Format(PyExc_KeyError, "pack: %s", fn);
	return PyObject_CallFunctionObjArgs(f, prims, rest, NULL);
}

int
forkd_pack_begin(int by_calls, size_t *ret_candidates)
{
	struct forkd_state	*st;
	PyObject		*state;

	if ((st = forkd_state_get()) == NULL ||
	    (state = pack_call(st, "begin", by_calls ? Py_True : Py_False))
	    == NULL)
		return -1;
	Py_XSETREF(st->pack_state, state);
	*ret_candidates = (size_t)PyDict_Size(PyList_GET_ITEM(state, 1));
	return 0;
}

int
forkd_pack_finish(int sealed_immortal, struct py_pack_report *ret)
{
	struct forkd_state	*st;
	PyObject		*r, *kept, *released;
	Py_ssize_t		 candidates, unstable, moved, functions;

	memset(ret, 0, sizeof(*ret));
	if ((st = forkd_state_get()) == NULL)
		return -1;
	if (st->pack_state == NULL) {
		PyErr_SetString(PyExc_RuntimeError, "pack: finish before begin");
		return -1;
	}
	r = pack_call(st, "finish", st->pack_state);
	Py_CLEAR(st->pack_state);
	if (r == NULL)
		return -1;
	if (!PyArg_ParseTuple(r, "nnnnO!", &candidates, &unstable, &moved,
	    &functions, &PyList_Type, &kept)) {
		Py_DECREF(r);
		return -1;
	}
	ret->candidates = (size_t)candidates;
	ret->unstable = (size_t)unstable;
	ret->moved = (size_t)moved;
	ret->functions = (size_t)functions;
	/* The old code and the new stay alive for good. */
	Py_XSETREF(st->pack_kept, Py_NewRef(kept));
	Py_DECREF(r);
	ret->region_base = (unsigned long)(uintptr_t)pack.base;
	ret->region_bytes = pack.used;
	if (sealed_immortal && pack.installed) {
		if ((released = pack_release(NULL, st->pack_kept)) == NULL)
			return -1;
		Py_DECREF(released);
	}
	ret->allocator_kept = pack.installed;
	return 0;
}
