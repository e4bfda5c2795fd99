/*
 * py_warmup.c: the zygote's side of warmup: runs raw requests and the
 * @forkd.warmup hooks through pyhooks/warmup.c, closes connections the
 * warmup opened, and reads how much of the bytecode specialized.
 */
#include "bytecode.h"
#include "forkd_state.h"

#include <stdio.h>

#include "log.h"
#include "py.h"

int
py_warmup_raw(const char *raw, size_t len)
{
	struct forkd_state	*st;
	PyObject		*r;
	int			 status;

	if ((st = forkd_state_get()) == NULL ||
	    (r = forkd_warmup_run(st, raw, len)) == NULL) {
		log_warnx("warmup request failed:");
		forkd_print_exception();
		return -1;
	}
	status = (int)PyLong_AsLong(PyStructSequence_GET_ITEM(r, 0));
	Py_DECREF(r);
	return status;
}

int
py_warmup_hooks(void)
{
	struct forkd_state	*st;

	if ((st = forkd_state_get()) == NULL ||
	    forkd_warmup_hooks(st) != 0) {
		log_warnx("a @forkd.warmup hook raised:");
		forkd_print_exception();
		return -1;
	}
	return 0;
}

int
py_warmup_has_hooks(void)
{
	struct forkd_state	*st;

	if ((st = forkd_state_get()) == NULL) {
		PyErr_Clear();
		return 0;
	}
	return PyList_GET_SIZE(st->hooks[FORKD_HOOK_WARMUP]) > 0;
}

void
py_warmup_counts(size_t *ret_requests, size_t *ret_non2xx)
{
	struct forkd_state	*st;

	*ret_requests = *ret_non2xx = 0;
	if ((st = forkd_state_get()) == NULL) {
		PyErr_Clear();
		return;
	}
	*ret_requests = st->warmup_requests;
	*ret_non2xx = st->warmup_non2xx;
}

int
py_close_connections(void)
{
	PyObject	*db, *conns, *r, *name;

	/* Only if the app uses Django's ORM: never import it ourselves. */
	if ((name = PyUnicode_FromString("django.db")) == NULL)
		return -1;
	db = PyImport_GetModule(name);
	Py_DECREF(name);
	if (db == NULL) {
		PyErr_Clear();
		return 0;
	}
	conns = PyObject_GetAttrString(db, "connections");
	Py_DECREF(db);
	if (conns == NULL ||
	    (r = PyObject_CallMethod(conns, "close_all", NULL)) == NULL) {
		Py_XDECREF(conns);
		log_warnx("django.db.connections.close_all() failed:");
		forkd_print_exception();
		return -1;
	}
	Py_DECREF(r);
	Py_DECREF(conns);
	log_info("warmup: Django is loaded: connections.close_all() before "
	    "the seal, so no worker shares a database connection");
	return 1;
}

/*
 * Counts, over the code objects of every live function, the instructions
 * that can specialize (PEP 659) and those that did, by walking each code
 * object's adaptive bytecode with the opcode module's tables (a walk
 * with dis took seconds on a Django app; this takes a fraction).
 */
static const char py_spec_src[] =
"def spec_stats():\n"
"    names, base_of, caches = tables()\n"
"    # Superinstructions (3.12: LOAD_FAST__LOAD_CONST) and 3.11's\n"
"    # *_ADAPTIVE forms are not specializations that ran.\n"
"    real = {s: b for s, b in base_of.items()\n"
"            if '__' not in s and not s.endswith('_ADAPTIVE')}\n"
"    bases = set(real.values())\n"
"    done = [n in real for n in names]\n"
"    able = [n in bases or (n in base_of and '__' not in n)\n"
"            for n in names]\n"
"    codes = live_code()[1].values()\n"
"    run = nable = ndone = 0\n"
"    for co in codes:\n"
"        b = co._co_code_adaptive\n"
"        i, n, a, d = 0, len(b), 0, 0\n"
"        while i < n:\n"
"            op = b[i]\n"
"            if able[op]:\n"
"                a += 1\n"
"                d += done[op]\n"
"            i += 2 + 2 * caches[op]\n"
"        if d:\n"
"            run += 1; nable += a; ndone += d\n"
"    return len(codes), run, nable, ndone\n";

int
py_spec_report(struct py_spec_report *ret)
{
	PyObject	*ns, *r, *fn;
	int		 rc = -1;

	if ((ns = PyDict_New()) == NULL)
		goto out;
	if (PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) != 0
	    || (r = PyRun_String(forkd_bytecode_src, Py_file_input, ns, ns))
	    == NULL)
		goto out;
	Py_DECREF(r);
	if ((r = PyRun_String(py_spec_src, Py_file_input, ns, ns)) == NULL)
		goto out;
	Py_DECREF(r);
	fn = PyDict_GetItemString(ns, "spec_stats");	/* borrowed */
	if (fn == NULL || (r = PyObject_CallNoArgs(fn)) == NULL)
		goto out;
	if (!PyArg_ParseTuple(r, "nnnn", &ret->codes, &ret->codes_run,
	    &ret->specializable, &ret->specialized)) {
		Py_DECREF(r);
		goto out;
	}
	Py_DECREF(r);
	rc = 0;
 out:
	Py_XDECREF(ns);
	if (rc != 0) {
		log_warnx("cannot read the specialized bytecode:");
		forkd_print_exception();
	}
	return rc;
}
