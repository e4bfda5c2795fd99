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
 * dictkeys_incref() leaves alone.  After the walk, on 3.14, the loads of
 * constants that warmup specialized for mortal ones are respecialized
 * for immortal ones (pyver.h says why).
 *
 * Each version's representation of immortality is pyver.h's.
 *
 * What it does not do: run on 3.11 (no immortal objects) or on
 * free-threaded builds.
 */
#include "bytecode.h"
#include "walk.h"
#include "forkd_state.h"
#include "pyver.h"

#ifdef FORKD_CAN_IMMORTALIZE

/* What the walk hands the visit: the counters, and the code it met. */
struct seal {
	struct forkd_immortal_stats	*st;
	PyCodeObject			**codes;	/* borrowed: immortal */
	size_t				  ncodes;
	size_t				  capcodes;
	int				  oom;
};

#ifdef FORKD_LOAD_CONST_MORTAL
/*
 * Every LOAD_CONST and LOAD_CONST_MORTAL of a constant that is immortal
 * now becomes LOAD_CONST_IMMORTAL, which is what LOAD_CONST would have
 * specialized into had the constant been immortal at its first run.
 * The opcodes and the inline cache sizes come from the interpreter's
 * own tables (bytecode.h); code under sys.monitoring is left alone.
 */
static int
seal_consts(struct seal *s)
{
	PyObject	*ns, *r, *t, *names;
	Py_ssize_t	 i, n;
	long		 caches[256];
	int		 op_load = -1, op_mortal = -1, op_immortal = -1, op_ext = -1;

	if ((ns = PyDict_New()) == NULL)
		return -1;
	if (PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins())
	    != 0 || (r = PyRun_String(forkd_bytecode_src, Py_file_input, ns,
	    ns)) == NULL) {
		Py_DECREF(ns);
		return -1;
	}
	Py_DECREF(r);
	t = PyRun_String("tables()", Py_eval_input, ns, ns);
	Py_DECREF(ns);
	if (t == NULL)
		return -1;
	names = PyTuple_GET_ITEM(t, 0);
	n = PyList_GET_SIZE(names);
	for (i = 0; i < 256 && i < n; i++) {
		const char *nm = PyUnicode_AsUTF8(PyList_GET_ITEM(names, i));

		caches[i] = PyLong_AsLong(PyList_GET_ITEM(PyTuple_GET_ITEM(t,
		    2), i));
		if (nm == NULL || caches[i] < 0) {
			Py_DECREF(t);
			return -1;
		}
		if (strcmp(nm, "LOAD_CONST") == 0)
			op_load = (int)i;
		else if (strcmp(nm, "LOAD_CONST_MORTAL") == 0)
			op_mortal = (int)i;
		else if (strcmp(nm, "LOAD_CONST_IMMORTAL") == 0)
			op_immortal = (int)i;
		else if (strcmp(nm, "EXTENDED_ARG") == 0)
			op_ext = (int)i;
	}
	Py_DECREF(t);
	if (op_load < 0 || op_mortal < 0 || op_immortal < 0 || op_ext < 0) {
		PyErr_SetString(PyExc_RuntimeError, "seal: no LOAD_CONST_MORTAL "
		    "in this interpreter's opcode tables");
		return -1;
	}
	for (i = 0; i < (Py_ssize_t)s->ncodes; i++) {
		PyCodeObject	*co = s->codes[i];
		uint8_t		*b = (uint8_t *)co->co_code_adaptive;
		Py_ssize_t	 j, units = Py_SIZE(co);
		Py_ssize_t	 nconsts = PyTuple_GET_SIZE(co->co_consts);
		unsigned	 arg, ext = 0;
		int		 op;

		if (co->_co_monitoring != NULL)
			continue;
		for (j = 0; j < units; j += 1 + caches[op]) {
			op = b[2 * j];
			arg = ext | b[2 * j + 1];
			ext = op == op_ext ? arg << 8 : 0;
			if ((op == op_load || op == op_mortal) &&
			    (Py_ssize_t)arg < nconsts &&
			    _Py_IsImmortal(PyTuple_GET_ITEM(co->co_consts,
			    arg))) {
				b[2 * j] = (uint8_t)op_immortal;
				s->st->consts++;
			}
		}
	}
	return 0;
}
#endif

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

/* Notes a code object for the passes after the walk. */
static void
seal_note_code(struct seal *s, PyObject *o)
{
	PyCodeObject	**p;
	size_t		  cap;

	if (s->ncodes == s->capcodes) {
		cap = s->capcodes ? s->capcodes * 2 : 4096;
		if ((p = PyMem_RawRealloc(s->codes, cap * sizeof(*p))) == NULL) {
			s->oom = 1;
			return;
		}
		s->codes = p;
		s->capcodes = cap;
	}
	s->codes[s->ncodes++] = (PyCodeObject *)o;
}

static int
seal_one(PyObject *o, void *arg)
{
	struct seal			*s = arg;
	struct forkd_immortal_stats	*st = s->st;

	if (PyUnicode_CheckExact(o) && ((PyASCIIObject *)o)->hash == -1) {
		/* The first hash in a worker would write the str. */
		if (PyObject_Hash(o) == -1)
			PyErr_Clear();
		else
			st->hashed++;
	}
	if (PyType_Check(o))
		seal_type((PyTypeObject *)o, st);
	else if (PyCode_Check(o))
		seal_note_code(s, o);
	/* The value CPython's Py_INCREF/Py_DECREF leave alone. */
	forkd_set_immortal(o);
	st->sealed++;
	return 0;
}

int
forkd_immortalize(struct forkd_immortal_stats *st)
{
	struct forkd_walk_stats	ws;
	struct seal		s;
	int			r;

	memset(st, 0, sizeof(*st));
	memset(&s, 0, sizeof(s));
	s.st = st;
	r = forkd_walk(FORKD_WALK_IMMORTAL_IS_SEEN, seal_one, &s, &ws);
	st->roots = ws.roots;
	st->already = ws.skipped;
	if (r == 0 && s.oom) {
		PyErr_NoMemory();
		r = -1;
	}
#ifdef FORKD_LOAD_CONST_MORTAL
	if (r == 0)
		r = seal_consts(&s);
#endif
	PyMem_RawFree(s.codes);
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
