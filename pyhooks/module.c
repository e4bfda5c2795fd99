/*
 * module.c: the built-in "forkd" module apps import.
 *
 *	import forkd
 *
 *	@forkd.post_fork	# runs in each worker, after fork
 *	def reconnect(): ...
 *
 *	@forkd.pre_fork		# runs once in the zygote, before the seal
 *	def close_things(): ...
 *
 *	@forkd.warmup		# runs in the zygote, given a client
 *	def warm(client): client.get("/")
 *
 *	forkd.worker_id()	# 1..N in a worker, 0 in the zygote
 *	forkd.generation()	# the zygote generation a worker came from
 *
 * Multi-phase init with module state: no static PyObject *.  The state
 * also holds the WSGI app and the types the bridge (wsgi.c) uses.
 */
#include "pyhooks.h"
#include "forkd_state.h"
#include "version.h"

static int
forkd_traverse(PyObject *m, visitproc visit, void *arg)
{
	struct forkd_state	*st = PyModule_GetState(m);
	int			 i;

	for (i = 0; i < FORKD_HOOK_MAX; i++)
		Py_VISIT(st->hooks[i]);
	Py_VISIT(st->app);
	Py_VISIT(st->start_response_type);
	Py_VISIT(st->bytesio);
	Py_VISIT(st->stderr_obj);
	Py_VISIT(st->wsgi_version);
	Py_VISIT(st->client_type);
	Py_VISIT(st->file_wrapper_type);
	Py_VISIT(st->response_type);
	Py_VISIT(st->pack_ns);
	Py_VISIT(st->pack_state);
	Py_VISIT(st->pack_kept);
	Py_VISIT(st->watch_seen);
	return 0;
}

static int
forkd_clear(PyObject *m)
{
	struct forkd_state	*st = PyModule_GetState(m);
	int			 i;

	for (i = 0; i < FORKD_HOOK_MAX; i++)
		Py_CLEAR(st->hooks[i]);
	Py_CLEAR(st->app);
	Py_CLEAR(st->start_response_type);
	Py_CLEAR(st->bytesio);
	Py_CLEAR(st->stderr_obj);
	Py_CLEAR(st->wsgi_version);
	Py_CLEAR(st->client_type);
	Py_CLEAR(st->file_wrapper_type);
	Py_CLEAR(st->response_type);
	Py_CLEAR(st->pack_ns);
	Py_CLEAR(st->pack_state);
	Py_CLEAR(st->pack_kept);
	Py_CLEAR(st->watch_seen);
	return 0;
}

static void
forkd_free(void *m)
{
	(void)forkd_clear((PyObject *)m);
}

static PyObject *
forkd_register(PyObject *m, PyObject *fn, enum forkd_hook which)
{
	struct forkd_state	*st = PyModule_GetState(m);

	if (!PyCallable_Check(fn)) {
		PyErr_SetString(PyExc_TypeError, "forkd hook must be callable");
		return NULL;
	}
	if (PyList_Append(st->hooks[which], fn) != 0)
		return NULL;
	return Py_NewRef(fn);		/* a decorator returns the function */
}

static PyObject *
forkd_post_fork(PyObject *m, PyObject *fn)
{
	return forkd_register(m, fn, FORKD_HOOK_POST_FORK);
}

static PyObject *
forkd_pre_fork(PyObject *m, PyObject *fn)
{
	return forkd_register(m, fn, FORKD_HOOK_PRE_FORK);
}

static PyObject *
forkd_warmup(PyObject *m, PyObject *fn)
{
	return forkd_register(m, fn, FORKD_HOOK_WARMUP);
}

static PyObject *
forkd_worker_id(PyObject *m, PyObject *unused)
{
	(void)unused;
	return PyLong_FromUnsignedLong(
	    ((struct forkd_state *)PyModule_GetState(m))->worker_id);
}

static PyObject *
forkd_generation(PyObject *m, PyObject *unused)
{
	(void)unused;
	return PyLong_FromUnsignedLong(
	    ((struct forkd_state *)PyModule_GetState(m))->generation);
}

static PyMethodDef forkd_methods[] = {
	{ "post_fork", forkd_post_fork, METH_O,
	  "Decorator: run fn() in each worker right after it is forked." },
	{ "pre_fork", forkd_pre_fork, METH_O,
	  "Decorator: run fn() once in the zygote before workers are forked "
	  "(close connections that must not be shared)." },
	{ "warmup", forkd_warmup, METH_O,
	  "Decorator: run fn(client) in the zygote before the seal; client "
	  "sends requests to the app in-process (get, post, request)." },
	{ "worker_id", forkd_worker_id, METH_NOARGS,
	  "The worker's slot number, 1..N; 0 in the zygote." },
	{ "generation", forkd_generation, METH_NOARGS,
	  "The zygote generation this process belongs to." },
	{ NULL, NULL, 0, NULL }
};

static int
forkd_exec(PyObject *m)
{
	struct forkd_state	*st = PyModule_GetState(m);
	PyObject		*io = NULL;
	int			 i;

	for (i = 0; i < FORKD_HOOK_MAX; i++)
		if ((st->hooks[i] = PyList_New(0)) == NULL)
			return -1;
	if ((st->start_response_type = forkd_wsgi_types(m)) == NULL)
		return -1;
	if (forkd_warmup_types(m, st) != 0)
		return -1;
	if ((st->file_wrapper_type = forkd_wsgi_file_wrapper_type(m)) == NULL)
		return -1;
	if ((io = PyImport_ImportModule("io")) == NULL)
		return -1;
	st->bytesio = PyObject_GetAttrString(io, "BytesIO");
	Py_DECREF(io);
	if (st->bytesio == NULL)
		return -1;
	if ((st->wsgi_version = Py_BuildValue("(ii)", 1, 0)) == NULL)
		return -1;
	if (PyModule_AddStringConstant(m, "__version__", FORKD_VERSION) != 0)
		return -1;
	return 0;
}

static PyModuleDef_Slot forkd_slots[] = {
	{ Py_mod_exec, (void *)forkd_exec },
	{ 0, NULL }
};

static struct PyModuleDef forkd_def = {
	PyModuleDef_HEAD_INIT,
	.m_name = "forkd",
	.m_doc = "Hooks and worker information for apps served by forkd.",
	.m_size = sizeof(struct forkd_state),
	.m_methods = forkd_methods,
	.m_slots = forkd_slots,
	.m_traverse = forkd_traverse,
	.m_clear = forkd_clear,
	.m_free = forkd_free,
};

PyMODINIT_FUNC
PyInit_forkd(void)
{
	return PyModuleDef_Init(&forkd_def);
}

struct forkd_state *
forkd_state_get(void)
{
	PyObject		*m;
	struct forkd_state	*st;

	/* Imported once at start; later this is a dict lookup. */
	if ((m = PyImport_ImportModule("forkd")) == NULL)
		return NULL;
	st = PyModule_GetState(m);
	Py_DECREF(m);		/* sys.modules keeps it alive */
	return st;
}

int
forkd_set_app(PyObject *app)
{
	struct forkd_state	*st;

	if ((st = forkd_state_get()) == NULL) {
		Py_DECREF(app);
		return -1;
	}
	Py_XSETREF(st->app, app);
	return 0;
}

int
forkd_set_worker(unsigned worker_id, unsigned generation)
{
	struct forkd_state	*st;

	if ((st = forkd_state_get()) == NULL)
		return -1;
	st->worker_id = worker_id;
	st->generation = generation;
	return 0;
}

int
forkd_run_hooks(enum forkd_hook which)
{
	struct forkd_state	*st;
	PyObject		*list, *r;
	Py_ssize_t		 i;

	if ((st = forkd_state_get()) == NULL)
		return -1;
	list = st->hooks[which];
	for (i = 0; i < PyList_GET_SIZE(list); i++) {
		r = PyObject_CallNoArgs(PyList_GET_ITEM(list, i));
		if (r == NULL)
			return -1;
		Py_DECREF(r);
	}
	return 0;
}

/*
 * While the zygote starts, the text of the last traceback printed, for
 * PROTO_FAILED.  A C string, not a PyObject: it is read after the error
 * path is done with Python, and one process keeps one.
 */
static int	 forkd_tb_keep;
static char	*forkd_tb_text;		/* malloc'd, or NULL */

void
forkd_keep_tracebacks(int on)
{
	forkd_tb_keep = on;
	free(forkd_tb_text);
	forkd_tb_text = NULL;
}

const char *
forkd_last_traceback(void)
{
	return forkd_tb_text;
}

/*
 * Keeps the text traceback.format_exception() gives for value, which is
 * what PyErr_DisplayException() prints (without colours).  A failure
 * keeps nothing and leaves no exception set.
 */
static void
forkd_keep_traceback(PyObject *value)
{
	PyObject	*mod, *lines = NULL, *sep = NULL, *text = NULL;
	PyObject	*utf8 = NULL;
	char		*copy;

	if ((mod = PyImport_ImportModule("traceback")) == NULL)
		goto out;
	if ((lines = PyObject_CallMethod(mod, "format_exception", "O",
	    value)) == NULL || (sep = PyUnicode_FromString("")) == NULL ||
	    (text = PyUnicode_Join(sep, lines)) == NULL ||
	    (utf8 = PyUnicode_AsEncodedString(text, "utf-8",
	    "backslashreplace")) == NULL)
		goto out;
	if ((copy = strdup(PyBytes_AS_STRING(utf8))) != NULL) {
		free(forkd_tb_text);
		forkd_tb_text = copy;
	}
 out:
	PyErr_Clear();
	Py_XDECREF(utf8);
	Py_XDECREF(text);
	Py_XDECREF(sep);
	Py_XDECREF(lines);
	Py_XDECREF(mod);
}

void
forkd_print_exception(void)
{
	PyObject	*type, *value, *tb;

	/*
	 * Not PyErr_Print: for SystemExit it would finalize the interpreter
	 * and exit the process, which a worker must never do mid-request.
	 */
	PyErr_Fetch(&type, &value, &tb);
	if (type == NULL)
		return;
	PyErr_NormalizeException(&type, &value, &tb);
	if (tb != NULL && value != NULL)
		(void)PyException_SetTraceback(value, tb);
	if (forkd_tb_keep && value != NULL)
		forkd_keep_traceback(value);
#if PY_VERSION_HEX >= 0x030C0000
	if (value != NULL)
		PyErr_DisplayException(value);
#else
	PyErr_Display(type, value, tb);
#endif
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();
}
