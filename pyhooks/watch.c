/*
 * watch.c: --watch-types, a debugging aid: logs each class of the
 * zygote's heap that a worker modifies, with the attribute and the line
 * that did it.
 *
 * Assigning a class attribute in a worker writes the class (and its
 * dict) on pages shared with the zygote, invalidates the version tag the
 * seal assigned, and with it every specialization that guards on it:
 * the instructions fall back and write their counters again.  Apps do
 * it without knowing (a lazily filled class-level cache, a patched
 * method).  CPython 3.12+ calls type watchers from PyType_Modified(), so
 * the zygote watches every heap class before the seal, and the callback,
 * in a worker, reads the instruction the running frame executes
 * (STORE_ATTR or DELETE_ATTR, and its name) to name the attribute.
 * Each class and attribute is logged once per worker.
 *
 * CPython calls the watchers only for a class that has a valid version
 * tag, so a class modified again before anything re-tags it is not seen
 * again; one line per class is what the operator needs.
 *
 * What it does not do: watch classes made after the seal, or run on
 * 3.11, which has no type watchers.
 */
#include "pyhooks.h"

#include <opcode.h>

#include "forkd_state.h"
#include "log.h"
#include "walk.h"

#if PY_VERSION_HEX >= 0x030C0000

/* The watcher's id: a process singleton, as CPython's table is. */
static int	watch_id = -1;

/* The attribute the current instruction stores or deletes, or NULL. */
static PyObject *
watch_attr(PyFrameObject *f, const char **ret_verb)
{
	PyCodeObject		*co = PyFrame_GetCode(f);
	const uint8_t		*code;
	PyObject		*name = NULL;
	int			 i, op, arg;

	/* Code units of two bytes: the opcode, then its argument. */
	i = PyFrame_GetLasti(f) / 2;
	code = (const uint8_t *)co->co_code_adaptive;
	if (i < 0 || i >= Py_SIZE(co))
		goto out;
	op = code[2 * i];
	arg = code[2 * i + 1];
	if (i > 0 && code[2 * i - 2] == EXTENDED_ARG)
		arg |= code[2 * i - 1] << 8;
	if (op == STORE_ATTR)
		*ret_verb = "set";
	else if (op == DELETE_ATTR)
		*ret_verb = "deleted";
	else
		goto out;
	if (arg < PyTuple_GET_SIZE(co->co_names))
		name = PyTuple_GET_ITEM(co->co_names, arg);
 out:
	Py_DECREF(co);
	return name;
}

static int
watch_modified(PyTypeObject *tp)
{
	struct forkd_state	*st;
	PyFrameObject		*f;
	PyCodeObject		*co = NULL;
	PyObject		*exc, *attr = NULL, *key;
	const char		*verb = "modified", *mod = "?";
	int			 line = 0, seen;

	exc = PyErr_GetRaisedException();
	if ((st = forkd_state_get()) == NULL || st->worker_id == 0)
		goto out;
	if ((f = PyEval_GetFrame()) != NULL) {	/* borrowed */
		attr = watch_attr(f, &verb);
		co = PyFrame_GetCode(f);
		line = PyFrame_GetLineNumber(f);
	}
	key = PyUnicode_FromFormat("%s.%S", tp->tp_name,
	    attr != NULL ? attr : Py_None);
	if (key == NULL || st->watch_seen == NULL)
		goto out_key;
	if ((seen = PySet_Contains(st->watch_seen, key)) != 0 ||
	    PySet_Add(st->watch_seen, key) != 0)
		goto out_key;
	if (PyType_HasFeature(tp, Py_TPFLAGS_HEAPTYPE) &&
	    ((PyHeapTypeObject *)tp)->ht_module != NULL)
		mod = PyModule_GetName(((PyHeapTypeObject *)tp)->ht_module);
	log_info("watch-types: class %s modified in a worker: attribute %s "
	    "%s at %s:%d", tp->tp_name, attr != NULL ?
	    PyUnicode_AsUTF8(attr) : "(not by an attribute store)", verb,
	    co != NULL ? PyUnicode_AsUTF8(co->co_filename) : mod, line);
 out_key:
	Py_XDECREF(key);
 out:
	Py_XDECREF(co);
	PyErr_Clear();
	PyErr_SetRaisedException(exc);
	return 0;
}

int
forkd_watch_types(size_t *ret_classes)
{
	struct forkd_state	*st;
	PyObject		*objs, *o;
	Py_ssize_t		 i, n;

	*ret_classes = 0;
	if ((st = forkd_state_get()) == NULL)
		return -1;
	if (st->watch_seen == NULL && (st->watch_seen = PySet_New(NULL))
	    == NULL)
		return -1;
	if (watch_id < 0 && (watch_id = PyType_AddWatcher(watch_modified))
	    < 0)
		return -1;
	if ((objs = forkd_gc_objects()) == NULL)
		return -1;
	n = PyList_GET_SIZE(objs);
	for (i = 0; i < n; i++) {
		o = PyList_GET_ITEM(objs, i);
		if (!PyType_Check(o) ||
		    !PyType_HasFeature((PyTypeObject *)o, Py_TPFLAGS_HEAPTYPE))
			continue;
		if (PyType_Watch(watch_id, o) != 0) {
			Py_DECREF(objs);
			return -1;
		}
		(*ret_classes)++;
	}
	Py_DECREF(objs);
	return 0;
}

#else	/* 3.11: no type watchers */

int
forkd_watch_types(size_t *ret_classes)
{
	*ret_classes = 0;
	PyErr_SetString(PyExc_NotImplementedError,
	    "--watch-types needs Python 3.12 or later (type watchers)");
	return -1;
}

#endif
