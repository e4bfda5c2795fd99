/*
 * cowindex.c: writes attribute mode's object index at seal (doc/cow.md,
 * common/objindex.h): for every object the heap walk reaches (walk.c),
 * the memory block it lies in, its type, its module and a label, so that
 * the supervisor can name the object a worker wrote from the address
 * alone.
 *
 * Labels: code objects "qualname (file:line)"; functions and classes
 * "module.qualname"; modules their name.  Objects without a name of
 * their own take their owner's where one is known: a module's globals
 * "module.NAME", a class's attributes "module.Class.NAME", a module's or
 * class's __dict__, an instance's __dict__ ("Class instance dict").
 * Separately allocated parts get entries of their own, labelled with
 * their owner: dict keys and split values, list item arrays, bytearray
 * buffers, set tables, instance attribute arrays (3.11, 3.12).
 *
 * Blocks: an object in an obmalloc arena is given its exact block, read
 * from the pool header (size class; GC and dict pre-headers included);
 * elsewhere its start is the object minus its pre-header and its size
 * is computed from the type.
 *
 * It only reads objects (apart from the UTF-8 cache CPython keeps for a
 * non-ASCII name), runs once in the zygote, and is not built unless
 * --cow attribute asks for it.
 */
#include "walk.h"

#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "cowreg.h"
#include "forkd_state.h"
#include "objindex.h"
#include "py.h"
#include "pyver.h"

/* obmalloc's pool header (Objects/obmalloc.c, 3.11-3.13, 64-bit). */
#define CIX_POOL_OVERHEAD	48	/* the header, rounded to 16 */
#define CIX_POOL_SZIDX_OFF	36	/* uint szidx */
#define CIX_ALIGNMENT_SHIFT	4
/* PyGC_Head, two words in 3.11-3.13 (no longer public in 3.13). */
#define CIX_GC_HEAD		(2 * sizeof(uintptr_t))

/* An open-addressing map from an address to four numbers. */
struct cix_slot {
	uintptr_t	key;		/* 0: free */
	uint32_t	v[4];
};

struct cix_map {
	struct cix_slot	*s;
	size_t		 cap;		/* a power of two */
	size_t		 len;
};

/* A type's strings: v[] indexes. */
enum { CIX_T_NAME, CIX_T_MODULE, CIX_T_ATTRS, CIX_T_DICT };
/* An owner's: v[0] label, v[1] module. */

struct cix {
	struct objindex_builder	 b;
	uintptr_t		*obj;	/* per entry: the object it stands for */
	size_t			 objcap;
	struct cix_map		 types;
	struct cix_map		 owners;
	PyObject		*files;		/* owned: co_filename -> module */
	PyObject		*s_module;	/* owned: "__module__" */
	uint32_t		 t_keys, t_values, t_items, t_buffer, t_table;
	size_t			 pool_size;	/* 0: no pool arithmetic */
	struct py_index_report *st;
};

static size_t
cix_hash(uintptr_t p, size_t mask)
{
	return (size_t)(((p >> 4) * 0x9E3779B97F4A7C15ULL) >> 20) & mask;
}

/* The slot for key, created (zeroed) if asked; NULL if absent or OOM. */
static struct cix_slot *
cix_get(struct cix_map *m, uintptr_t key, int create)
{
	struct cix_slot	*old = m->s, *s;
	size_t		 i, j, oldcap = m->cap;

	if (create && (m->len + 1) * 2 > m->cap) {
		m->cap = oldcap ? oldcap * 2 : 4096;
		if ((m->s = PyMem_RawCalloc(m->cap, sizeof(*m->s))) == NULL) {
			m->s = old;
			m->cap = oldcap;
			return NULL;
		}
		for (i = 0; i < oldcap; i++) {
			if (old[i].key == 0)
				continue;
			for (j = cix_hash(old[i].key, m->cap - 1); m->s[j].key;
			    j = (j + 1) & (m->cap - 1))
				;
			m->s[j] = old[i];
		}
		PyMem_RawFree(old);
	}
	if (m->cap == 0)
		return NULL;
	for (i = cix_hash(key, m->cap - 1); m->s[i].key != 0;
	    i = (i + 1) & (m->cap - 1))
		if (m->s[i].key == key)
			return &m->s[i];
	if (!create)
		return NULL;
	s = &m->s[i];
	memset(s, 0, sizeof(*s));
	s->key = key;
	m->len++;
	return s;
}

/* A str's UTF-8 bytes, without allocating for ASCII; "?" if not a str. */
static const char *
cix_utf8(PyObject *s, Py_ssize_t *ret_n)
{
	const char	*p;

	if (s == NULL || !PyUnicode_Check(s)) {
		*ret_n = 1;
		return "?";
	}
	if (PyUnicode_IS_ASCII(s)) {
		*ret_n = PyUnicode_GET_LENGTH(s);
		return (const char *)PyUnicode_DATA(s);
	}
	if ((p = PyUnicode_AsUTF8AndSize(s, ret_n)) == NULL) {
		PyErr_Clear();
		*ret_n = 1;
		return "?";
	}
	return p;
}

static uint32_t
cix_intern_str(struct cix *x, PyObject *s)
{
	const char	*p;
	Py_ssize_t	 n;

	p = cix_utf8(s, &n);
	return objindex_intern(&x->b, p, (size_t)n);
}

/* Interns "a.b" (or "b" when a is empty). */
static uint32_t
cix_intern_dotted(struct cix *x, PyObject *a, PyObject *b)
{
	char		 buf[512];
	const char	*pa, *pb;
	Py_ssize_t	 na, nb;
	int		 n;

	pa = cix_utf8(a, &na);
	pb = cix_utf8(b, &nb);
	if (a == NULL || na == 0)
		return objindex_intern(&x->b, pb, (size_t)nb);
	n = snprintf(buf, sizeof(buf), "%.*s.%.*s", (int)na, pa, (int)nb, pb);
	return objindex_intern(&x->b, buf, n < 0 ? 0 :
	    (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static uint32_t
cix_intern_fmt(struct cix *x, const char *fmt, uint32_t off)
{
	char	buf[512];
	int	n;

	n = snprintf(buf, sizeof(buf), fmt, x->b.str + off);
	return objindex_intern(&x->b, buf, n < 0 ? 0 :
	    (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* A type's name, module and derived labels, computed once per type. */
static const uint32_t *
cix_type(struct cix *x, PyTypeObject *tp)
{
	struct cix_slot	*s;
	PyObject	*mod = NULL;
	const char	*dot;
	uint32_t	 name;

	if ((s = cix_get(&x->types, (uintptr_t)tp, 0)) != NULL)
		return s->v;
	if ((s = cix_get(&x->types, (uintptr_t)tp, 1)) == NULL)
		return NULL;
	if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
		if (tp->tp_dict != NULL &&
		    (mod = PyDict_GetItemWithError(tp->tp_dict,
		    x->s_module)) == NULL)
			PyErr_Clear();
		if (mod != NULL && PyUnicode_Check(mod) &&
		    PyUnicode_CompareWithASCIIString(mod, "builtins") != 0) {
			s->v[CIX_T_NAME] = cix_intern_dotted(x, mod,
			    ((PyHeapTypeObject *)tp)->ht_qualname);
			s->v[CIX_T_MODULE] = cix_intern_str(x, mod);
		} else
			s->v[CIX_T_NAME] = cix_intern_str(x,
			    ((PyHeapTypeObject *)tp)->ht_qualname);
	} else {
		name = objindex_intern(&x->b, tp->tp_name, strlen(tp->tp_name));
		s->v[CIX_T_NAME] = name;
		dot = strrchr(tp->tp_name, '.');
		s->v[CIX_T_MODULE] = dot == NULL ?
		    objindex_intern(&x->b, "builtins", 8) :
		    objindex_intern(&x->b, tp->tp_name,
		    (size_t)(dot - tp->tp_name));
	}
	s->v[CIX_T_ATTRS] = cix_intern_fmt(x, "%s instance attributes",
	    s->v[CIX_T_NAME]);
	s->v[CIX_T_DICT] = cix_intern_fmt(x, "%s instance dict",
	    s->v[CIX_T_NAME]);
	return s->v;
}

/* Names the owner of o; the first owner found keeps it. */
static void
cix_own(struct cix *x, PyObject *o, uint32_t label, uint32_t module)
{
	struct cix_slot	*s;

	if (o == NULL || cix_get(&x->owners, (uintptr_t)o, 0) != NULL)
		return;
	if ((s = cix_get(&x->owners, (uintptr_t)o, 1)) == NULL)
		return;
	s->v[0] = label;
	s->v[1] = module;
}

/* Names every value of dict d "prefix.KEY" (str keys only). */
static void
cix_own_values(struct cix *x, PyObject *d, uint32_t prefix, uint32_t module)
{
	PyObject	*k, *v;
	Py_ssize_t	 pos = 0, n;
	const char	*p;
	char		 buf[512];
	int		 len;

	if (d == NULL || !PyDict_Check(d))
		return;
	while (PyDict_Next(d, &pos, &k, &v)) {
		if (!PyUnicode_Check(k))
			continue;
		p = cix_utf8(k, &n);
		len = snprintf(buf, sizeof(buf), "%s.%.*s", x->b.str + prefix,
		    (int)n, p);
		if (len < 0 || (size_t)len >= sizeof(buf))
			continue;
		cix_own(x, v, objindex_intern(&x->b, buf, (size_t)len), module);
	}
}

/*
 * The block at p inside an obmalloc arena, from its pool's size class:
 * 1 and *ret set, or 0 when p is not in an arena in use.
 */
static int
cix_pool_block(struct cix *x, uintptr_t p, uintptr_t *ret_start,
    size_t *ret_size)
{
	struct cow_range	r;
	uintptr_t		pool, first;
	uint32_t		count, szidx;
	size_t			bsz;

	if (x->pool_size == 0 || cow_range_find(p, &r) != 0 ||
	    r.kind != COW_KIND_OBMALLOC)
		return 0;
	pool = p & ~(uintptr_t)(x->pool_size - 1);
	if (pool < r.start || pool + x->pool_size > r.end)
		return 0;
	memcpy(&count, (void *)pool, sizeof(count));
	memcpy(&szidx, (char *)pool + CIX_POOL_SZIDX_OFF, sizeof(szidx));
	bsz = (size_t)(szidx + 1) << CIX_ALIGNMENT_SHIFT;
	first = pool + CIX_POOL_OVERHEAD;
	if (count == 0 || bsz > 512 || p < first)
		return 0;
	*ret_start = first + (p - first) / bsz * bsz;
	*ret_size = bsz;
	return 1;
}

/* Bytes before the object: the GC header, the dict/weakref pointers. */
static size_t
cix_preheader(PyObject *o)
{
	PyTypeObject	*tp = Py_TYPE(o);
	size_t		 n = 0;

	/* A static type is a type but was never GC-allocated. */
	if (PyType_IS_GC(tp) && (!PyType_Check(o) ||
	    (((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE)))
		n += CIX_GC_HEAD;
#if PY_VERSION_HEX >= 0x030C0000
	if (tp->tp_flags & Py_TPFLAGS_PREHEADER)
#else
	if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT)
#endif
		n += 2 * sizeof(PyObject *);
	return n;
}

/* The object's own bytes, from its type (for objects outside arenas). */
static size_t
cix_obj_size(PyObject *o)
{
	PyTypeObject	*tp = Py_TYPE(o);
	size_t		 n = (size_t)tp->tp_basicsize, digits;
	Py_ssize_t	 s;

	if (PyLong_Check(o)) {
#if PY_VERSION_HEX >= 0x030C0000
		digits = ((PyLongObject *)o)->long_value.lv_tag >> 3;
#else
		s = Py_SIZE(o);
		digits = (size_t)(s < 0 ? -s : s);
#endif
		return n + (digits ? digits : 1) * (size_t)tp->tp_itemsize;
	}
	if (PyUnicode_CheckExact(o) && PyUnicode_IS_COMPACT(o)) {
		s = PyUnicode_GET_LENGTH(o);
		if (PyUnicode_IS_ASCII(o))
			return sizeof(PyASCIIObject) + (size_t)s + 1;
		return sizeof(PyCompactUnicodeObject) +
		    ((size_t)s + 1) * PyUnicode_KIND(o);
	}
	if (tp->tp_itemsize != 0) {
		s = Py_SIZE(o);
		n += (size_t)(s < 0 ? -s : s) * (size_t)tp->tp_itemsize;
	}
	return n;
}

/* Adds an entry standing for object o (for its owner's label later). */
static void
cix_add(struct cix *x, PyObject *o, uintptr_t start, size_t size,
    uint32_t type, uint32_t module, uint32_t label, uint32_t flags)
{
	uintptr_t	*p;
	size_t		 cap;
	long		 i;

	if ((i = objindex_add(&x->b, start, size, type, module, label,
	    flags)) < 0)
		return;
	if ((size_t)i >= x->objcap) {
		cap = x->objcap ? x->objcap * 2 : 65536;
		if ((p = PyMem_RawRealloc(x->obj, cap * sizeof(*p))) == NULL) {
			x->b.oom = 1;
			return;
		}
		x->obj = p;
		x->objcap = cap;
	}
	x->obj[i] = (uintptr_t)o;
}

/*
 * The size of a block glibc's malloc gave from its main heap, or 0 for
 * any other address (static data, a sanitizer's malloc, an mmap).
 */
static size_t
cix_heap_block(uintptr_t p)
{
	struct mallinfo2	mi = mallinfo2();
	uintptr_t		end = (uintptr_t)sbrk(0);

	if (mi.arena == 0 || mi.arena > end || p < end - mi.arena ||
	    p >= end || (p & 15) != 0)
		return 0;
	return malloc_usable_size((void *)p);
}

/*
 * A separately allocated part of o at p: its block in an arena or in
 * glibc's heap, or n bytes at p.
 */
static void
cix_part(struct cix *x, PyObject *o, const void *p, size_t n, uint32_t type,
    uint32_t module, uint32_t label)
{
	uintptr_t	start = (uintptr_t)p;
	size_t		size = n;

	if (p == NULL)
		return;
	if (!cix_pool_block(x, start, &start, &size) && n == 0 &&
	    (size = cix_heap_block(start)) == 0)
		return;		/* size unknown */
	cix_add(x, o, start, size, type, module, label, OBJINDEX_F_PART);
	x->st->parts++;
}

/* Where an instance keeps its attributes, and its __dict__ if any. */
static void
cix_instance(struct cix *x, PyObject *o, const uint32_t *ti)
{
	PyTypeObject	*tp = Py_TYPE(o);
	uintptr_t	 slot;
	PyObject	*dict = NULL;

	if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
		memcpy(&slot, (PyObject **)o - 3, sizeof(slot));
#if defined(FORKD_MANAGED_DICT_INLINE_VALUES)
		/* The dict or NULL; values live inside the object. */
		dict = (PyObject *)slot;
#elif defined(FORKD_MANAGED_DICT_TAGGED_VALUES)
		/* The dict, or its values tagged with bit 0. */
		if (slot & 1)
			cix_part(x, o, (void *)(slot + 1), 0, ti[CIX_T_NAME],
			    ti[CIX_T_MODULE], ti[CIX_T_ATTRS]);
		else
			dict = (PyObject *)slot;
#else
		/* 3.11: the dict at -3, the values at -4. */
		dict = (PyObject *)slot;
		memcpy(&slot, (PyObject **)o - 4, sizeof(slot));
		cix_part(x, o, (void *)slot, 0, ti[CIX_T_NAME],
		    ti[CIX_T_MODULE], ti[CIX_T_ATTRS]);
#endif
	} else if (tp->tp_dictoffset > 0)
		memcpy(&dict, (char *)o + tp->tp_dictoffset, sizeof(dict));
	if (dict != NULL && PyDict_Check(dict))
		cix_own(x, dict, ti[CIX_T_DICT], ti[CIX_T_MODULE]);
}

/* The parts of the containers that keep them apart from the object. */
static void
cix_containers(struct cix *x, PyObject *o, const uint32_t *ti)
{
	PyDictObject		*d;
	PyListObject		*l;
	PyByteArrayObject	*ba;
	PySetObject		*so;
	PyObject		*r;
	Py_ssize_t		 sz;

	if (PyDict_Check(o)) {
		d = (PyDictObject *)o;
		if (d->ma_values != NULL) {
			cix_part(x, o, d->ma_values, 0, x->t_values,
			    ti[CIX_T_MODULE], 0);
			return;
		}
		/*
		 * Keys outside the arenas: dict.__sizeof__ counts them when
		 * the dict owns them (dict's own, never a subclass's).
		 */
		sz = 0;
		if (d->ma_used > 0 && !cix_pool_block(x, (uintptr_t)d->ma_keys,
		    &(uintptr_t){ 0 }, &(size_t){ 0 })) {
			if ((r = PyObject_CallMethod((PyObject *)&PyDict_Type,
			    "__sizeof__", "O", o)) != NULL) {
				sz = PyLong_AsSsize_t(r) - PyDict_Type.tp_basicsize;
				Py_DECREF(r);
			}
			if (PyErr_Occurred() || sz < 0) {
				PyErr_Clear();
				sz = 0;
			}
		}
		cix_part(x, o, d->ma_keys, (size_t)sz, x->t_keys,
		    ti[CIX_T_MODULE], 0);
	} else if (PyList_Check(o)) {
		l = (PyListObject *)o;
		cix_part(x, o, l->ob_item, (size_t)l->allocated *
		    sizeof(PyObject *), x->t_items, ti[CIX_T_MODULE], 0);
	} else if (PyByteArray_Check(o)) {
		ba = (PyByteArrayObject *)o;
		cix_part(x, o, ba->ob_bytes, (size_t)ba->ob_alloc, x->t_buffer,
		    ti[CIX_T_MODULE], 0);
	} else if (PyAnySet_Check(o)) {
		so = (PySetObject *)o;
		if (so->table != so->smalltable)
			cix_part(x, o, so->table, (size_t)(so->mask + 1) *
			    sizeof(setentry), x->t_table, ti[CIX_T_MODULE], 0);
	}
}

/*
 * co_filename -> module name, from sys.modules' __file__s (read from
 * each module's dict: a module __getattr__ must not run).
 */
static PyObject *
cix_files(void)
{
	PyObject	*mods, *items, *files, *m, *file, *name;
	Py_ssize_t	 i;

	if ((mods = PySys_GetObject("modules")) == NULL)	/* borrowed */
		return PyDict_New();
	if ((items = PyDict_Items(mods)) == NULL)
		return NULL;
	if ((files = PyDict_New()) == NULL) {
		Py_DECREF(items);
		return NULL;
	}
	for (i = 0; i < PyList_GET_SIZE(items); i++) {
		name = PyTuple_GET_ITEM(PyList_GET_ITEM(items, i), 0);
		m = PyTuple_GET_ITEM(PyList_GET_ITEM(items, i), 1);
		if (!PyModule_Check(m) || !PyUnicode_Check(name))
			continue;
		if ((file = PyDict_GetItemString(PyModule_GetDict(m),
		    "__file__")) == NULL)	/* borrowed */
			continue;
		if (PyUnicode_Check(file) &&
		    PyDict_SetItem(files, file, name) != 0)
			PyErr_Clear();
	}
	Py_DECREF(items);
	return files;
}

static void
cix_code(struct cix *x, PyCodeObject *co, uint32_t *ret_label,
    uint32_t *ret_module)
{
	PyObject	*mod;
	const char	*q, *f;
	Py_ssize_t	 nq, nf;
	char		 buf[768];
	int		 n;

	q = cix_utf8(co->co_qualname, &nq);
	f = cix_utf8(co->co_filename, &nf);
	n = snprintf(buf, sizeof(buf), "%.*s (%.*s:%d)", (int)nq, q, (int)nf,
	    f, co->co_firstlineno);
	*ret_label = objindex_intern(&x->b, buf, n < 0 ? 0 :
	    (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	if ((mod = PyDict_GetItemWithError(x->files, co->co_filename)) != NULL)
		*ret_module = cix_intern_str(x, mod);
	else {
		PyErr_Clear();
		/* "<frozen importlib._bootstrap>" and the like. */
		if (nf > 9 && memcmp(f, "<frozen ", 8) == 0 && f[nf - 1] == '>')
			*ret_module = objindex_intern(&x->b, f + 8,
			    (size_t)nf - 9);
		else
			*ret_module = objindex_intern(&x->b, f, (size_t)nf);
	}
}

/* The walk's visit: one entry for o, and its parts. */
static int
cix_visit(PyObject *o, void *arg)
{
	struct cix	*x = arg;
	PyTypeObject	*tp = Py_TYPE(o);
	PyObject	*name, *mod, *dict;
	const uint32_t	*ti, *oi;
	uintptr_t	 start;
	size_t		 size;
	uint32_t	 label = 0, module, flags = 0;

	if (x->b.oom || (ti = cix_type(x, tp)) == NULL)
		return 1;
	module = ti[CIX_T_MODULE];
	if (PyCode_Check(o)) {
		cix_code(x, (PyCodeObject *)o, &label, &module);
		flags = OBJINDEX_F_CODE;
	} else if (PyFunction_Check(o)) {
		mod = PyFunction_GET_MODULE(o);
		name = ((PyFunctionObject *)o)->func_qualname;
		label = cix_intern_dotted(x, mod, name);
		if (mod != NULL && PyUnicode_Check(mod))
			module = cix_intern_str(x, mod);
	} else if (PyModule_Check(o)) {
		if ((name = PyModule_GetNameObject(o)) == NULL)
			PyErr_Clear();
		label = module = cix_intern_str(x, name);
		Py_XDECREF(name);
		dict = PyModule_GetDict(o);			/* borrowed */
		cix_own(x, dict, cix_intern_fmt(x, "module %s __dict__",
		    label), module);
		cix_own_values(x, dict, label, module);
	} else if (PyType_Check(o)) {
		if ((oi = cix_type(x, (PyTypeObject *)o)) == NULL)
			return 1;
		label = oi[CIX_T_NAME];
		module = oi[CIX_T_MODULE];
		dict = ((PyTypeObject *)o)->tp_dict;
		if (((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE) {
			cix_own(x, dict, cix_intern_fmt(x, "class %s __dict__",
			    label), module);
			cix_own_values(x, dict, label, module);
			cix_part(x, o,
			    ((PyHeapTypeObject *)o)->ht_cached_keys, 0,
			    x->t_keys, module, cix_intern_fmt(x,
			    "%s shared keys", label));
		}
	} else
		cix_instance(x, o, ti);
	if (!cix_pool_block(x, (uintptr_t)o, &start, &size)) {
		start = (uintptr_t)o - cix_preheader(o);
		size = cix_preheader(o) + cix_obj_size(o);
	}
	cix_add(x, o, start, size, ti[CIX_T_NAME], module, label, flags);
	x->st->objects++;
	cix_containers(x, o, ti);
	return 0;
}

/* Gives unnamed entries their owner's label and module. */
static void
cix_owners(struct cix *x)
{
	struct cix_slot	*s;
	size_t		 i;

	for (i = 0; i < x->b.n; i++) {
		if (x->b.e[i].label != 0 ||
		    (s = cix_get(&x->owners, x->obj[i], 0)) == NULL)
			continue;
		x->b.e[i].label = s->v[0];
		if (s->v[1] != 0)
			x->b.e[i].module = s->v[1];
		x->st->owned++;
	}
}

/*
 * Checks the pool arithmetic on two fresh objects (a float, no
 * pre-header; an empty list, a GC header); 0 turns it off, so a layout
 * this file does not know only costs precision.
 */
static size_t
cix_check_pools(struct cix *x)
{
	PyObject	*f, *l;
	uintptr_t	 s1 = 0, s2 = 0;
	size_t		 z1 = 0, z2 = 0;
	int		 good;

	x->pool_size = forkd_arena_size() == FORKD_OBMALLOC_ARENA ?
	    FORKD_OBMALLOC_POOL : FORKD_OBMALLOC_POOL_NO_RADIX;
	f = PyFloat_FromDouble(0.5);
	l = PyList_New(0);
	good = f != NULL && l != NULL &&
	    cix_pool_block(x, (uintptr_t)f, &s1, &z1) &&
	    cix_pool_block(x, (uintptr_t)l, &s2, &z2) &&
	    s1 == (uintptr_t)f && z1 == ((sizeof(PyFloatObject) + 15) & ~15) &&
	    s2 == (uintptr_t)l - CIX_GC_HEAD &&
	    z2 == ((CIX_GC_HEAD + sizeof(PyListObject) + 15) & ~15);
	Py_XDECREF(f);
	Py_XDECREF(l);
	PyErr_Clear();
	return good ? x->pool_size : 0;
}

static long
cix_freeze_count(PyObject *gc)
{
	PyObject	*r;
	long		 n;

	if ((r = PyObject_CallMethod(gc, "get_freeze_count", NULL)) == NULL)
		return -1;
	n = PyLong_AsLong(r);
	Py_DECREF(r);
	return n;
}

static int
cix_gc_call(PyObject *gc, const char *method)
{
	PyObject	*r;

	if ((r = PyObject_CallMethod(gc, method, NULL)) == NULL)
		return -1;
	Py_DECREF(r);
	return 0;
}

int
forkd_cow_index(const char *path, struct py_index_report *st)
{
	struct forkd_walk_stats	 ws;
	struct cix		 x;
	PyObject		*gc;
	long			 frozen, n;
	int			 rc = -1, enabled;

	memset(st, 0, sizeof(*st));
	memset(&x, 0, sizeof(x));
	x.st = st;
	if ((gc = PyImport_ImportModule("gc")) == NULL)
		return -1;
	if ((x.files = cix_files()) == NULL ||
	    (x.s_module = PyUnicode_InternFromString("__module__")) == NULL)
		goto out;
	x.b.pool_size = (uint32_t)cix_check_pools(&x);
	st->pool_size = x.b.pool_size;
	x.pool_size = x.b.pool_size;
	x.t_keys = objindex_intern(&x.b, "dict keys", 9);
	x.t_values = objindex_intern(&x.b, "dict values", 11);
	x.t_items = objindex_intern(&x.b, "list items", 10);
	x.t_buffer = objindex_intern(&x.b, "bytearray buffer", 16);
	x.t_table = objindex_intern(&x.b, "set table", 9);
	/*
	 * gc.get_objects() leaves the frozen out: unfreeze for the walk,
	 * with the collector off so that no collection runs over the
	 * unfrozen heap meanwhile.
	 */
	if ((frozen = cix_freeze_count(gc)) < 0)
		goto out;
	enabled = PyGC_Disable();
	if (frozen > 0 && cix_gc_call(gc, "unfreeze") != 0)
		rc = -1;
	else
		rc = forkd_walk(0, cix_visit, &x, &ws);
	if (frozen > 0 && cix_gc_call(gc, "freeze") != 0)
		rc = -1;
	if (enabled)
		(void)PyGC_Enable();
	if (rc != 0)
		goto out;
	cix_owners(&x);
	if ((n = objindex_write(&x.b, path)) < 0) {
		errno = (int)-n;
		PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
		rc = -1;
		goto out;
	}
	st->entries = (size_t)n;
	st->bytes = sizeof(struct objindex_header) +
	    (size_t)n * sizeof(struct objindex_entry) + x.b.strlen;
 out:
	objindex_builder_free(&x.b);
	PyMem_RawFree(x.obj);
	PyMem_RawFree(x.types.s);
	PyMem_RawFree(x.owners.s);
	Py_XDECREF(x.files);
	Py_XDECREF(x.s_module);
	Py_DECREF(gc);
	return rc;
}
