/*
 * py_embed.c: embeds CPython in the zygote: configuration, sys.path, the
 * app import, the hooks, the collector, and the three PyOS_*Fork calls.
 * Every function logs a Python error with its traceback and returns -1;
 * none leaves an exception set.
 */
#include "forkd_state.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "py.h"

#ifndef FORKD_PYTHON
#error "FORKD_PYTHON (the interpreter built against) must be defined"
#endif

/*
 * gunicorn's app spec: "module:name" or "module:factory(literal args)".
 * ast keeps the call form safe: only literals are evaluated.
 */
static const char py_resolve_src[] =
"def resolve(module, expr):\n"
"    import ast\n"
"    try:\n"
"        node = ast.parse(expr, mode='eval').body\n"
"    except SyntaxError:\n"
"        raise ValueError('cannot parse app expression %r' % expr)\n"
"    call = None\n"
"    if isinstance(node, ast.Call):\n"
"        call = node\n"
"        node = node.func\n"
"    if not isinstance(node, ast.Name):\n"
"        raise ValueError('app must be a name or a call of a name, not %r'"
" % expr)\n"
"    try:\n"
"        obj = getattr(module, node.id)\n"
"    except AttributeError:\n"
"        raise AttributeError('failed to find attribute %r in %r'"
" % (node.id, module.__name__)) from None\n"
"    if call is not None:\n"
"        args = [ast.literal_eval(a) for a in call.args]\n"
"        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}\n"
"        obj = obj(*args, **kwargs)\n"
"    if obj is None:\n"
"        raise TypeError('the app factory %r returned None' % expr)\n"
"    if not callable(obj):\n"
"        raise TypeError('app %r is not callable' % expr)\n"
"    return obj\n";

static void
py_log_error(const char *fmt, const char *arg)
{
	log_warnx(fmt, arg);
	forkd_print_exception();
}

static int
py_status_ok(PyStatus st, const char *what)
{
	if (!PyStatus_Exception(st))
		return 1;
	log_warnx("%s: %s%s%s", what, st.func ? st.func : "",
	    st.func ? ": " : "", st.err_msg ? st.err_msg : "failed");
	return 0;
}

/*
 * The program name decides sys.prefix as for a "python" command: the
 * active virtualenv's python when VIRTUAL_ENV names one for this
 * version, else the interpreter forkd was built against.
 */
static int
py_set_program(PyConfig *c)
{
	char		 path[4096], libdir[4096];
	const char	*venv = getenv("VIRTUAL_ENV");
	struct stat	 sb;

	snprintf(path, sizeof(path), "%s", FORKD_PYTHON);
	if (venv != NULL && *venv != '\0') {
		snprintf(libdir, sizeof(libdir), "%s/lib/python%d.%d", venv,
		    PY_MAJOR_VERSION, PY_MINOR_VERSION);
		if (stat(libdir, &sb) == 0 && S_ISDIR(sb.st_mode))
			snprintf(path, sizeof(path), "%s/bin/python%d", venv,
			    PY_MAJOR_VERSION);
		else
			log_warnx("VIRTUAL_ENV %s has no lib/python%d.%d: "
			    "not a virtualenv for this Python, ignored", venv,
			    PY_MAJOR_VERSION, PY_MINOR_VERSION);
	}
	return py_status_ok(PyConfig_SetBytesString(c, &c->program_name,
	    path), "program name") ? 0 : -1;
}

static int
py_sys_path_insert(const char *dir)
{
	PyObject	*path, *s;
	int		 r;

	if ((path = PySys_GetObject("path")) == NULL)	/* borrowed */
		return -1;
	if ((s = PyUnicode_DecodeFSDefault(dir)) == NULL)
		return -1;
	r = PyList_Insert(path, 0, s);
	Py_DECREF(s);
	return r;
}

int
py_init(const struct py_opts *o)
{
	PyPreConfig	pre;
	PyConfig	c;
	char		cwd[4096];
	size_t		i;

	if (PyImport_AppendInittab("forkd", PyInit_forkd) != 0) {
		log_warnx("cannot register the forkd module");
		return -1;
	}
	/*
	 * The pre-initialization Py_InitializeFromConfig would do itself,
	 * done first so the arena allocator can be wrapped before the first
	 * arena: allocators are replaced between the two (C API docs,
	 * "Preinitialize Python").
	 */
	PyPreConfig_InitPythonConfig(&pre);
	pre.parse_argv = 0;
	if (!py_status_ok(Py_PreInitialize(&pre), "Python pre-initialization"))
		return -1;
	if (o->track_arenas)
		forkd_arena_hook();
	/* As a "python" command: PYTHONPATH, PYTHONHOME, site honoured. */
	PyConfig_InitPythonConfig(&c);
	c.install_signal_handlers = 0;	/* signals are the C side's */
	c.parse_argv = 0;
	if (py_set_program(&c) != 0 ||
	    !py_status_ok(PyConfig_SetBytesArgv(&c, 1,
	    (char *[]){ "forkd", NULL }), "argv") ||
	    !py_status_ok(Py_InitializeFromConfig(&c), "Python "
	    "initialization")) {
		PyConfig_Clear(&c);
		return -1;
	}
	PyConfig_Clear(&c);
	/*
	 * The collector runs during import and warmup as in any Python
	 * process: writes before the fork cost nothing, and garbage it
	 * leaves would be sealed, immortal, into every worker.
	 */

	/* gunicorn's order: pythonpath entries, then the app's directory. */
	if (getcwd(cwd, sizeof(cwd)) == NULL || py_sys_path_insert(cwd) != 0)
		goto fail;
	for (i = o->npythonpath; i > 0; i--)
		if (py_sys_path_insert(o->pythonpath[i - 1]) != 0)
			goto fail;
	return 0;
 fail:
	py_log_error("cannot set sys.path%s", "");
	return -1;
}

int
py_load_app(const char *spec)
{
	PyObject	*ns = NULL, *mod = NULL, *app = NULL, *r;
	char		 modname[512];
	const char	*colon, *expr = "application";
	size_t		 n;
	int		 rc = -1;

	if ((colon = strchr(spec, ':')) != NULL) {
		n = colon - spec;
		expr = colon + 1;
	} else
		n = strlen(spec);
	if (n == 0 || n >= sizeof(modname) || *expr == '\0') {
		log_warnx("--app %s: want module:callable", spec);
		return -1;
	}
	memcpy(modname, spec, n);
	modname[n] = '\0';
	if ((mod = PyImport_ImportModule(modname)) == NULL) {
		py_log_error("cannot import the app module %s:", modname);
		goto out;
	}
	if ((ns = PyDict_New()) == NULL ||
	    PyDict_SetItemString(ns, "__builtins__",
	    PyEval_GetBuiltins()) != 0 ||
	    (r = PyRun_String(py_resolve_src, Py_file_input, ns, ns)) == NULL) {
		py_log_error("internal error preparing the app resolver%s", "");
		goto out;
	}
	Py_DECREF(r);
	app = PyObject_CallFunction(PyDict_GetItemString(ns, "resolve"),
	    "Os", mod, expr);
	if (app == NULL) {
		py_log_error("cannot load app %s:", spec);
		goto out;
	}
	if (forkd_set_app(app) != 0) {	/* takes app */
		py_log_error("cannot keep the app %s", spec);
		goto out;
	}
	rc = 0;
 out:
	Py_XDECREF(ns);
	Py_XDECREF(mod);
	return rc;
}

int
py_run_pre_fork(void)
{
	if (forkd_run_hooks(FORKD_HOOK_PRE_FORK) == 0)
		return 0;
	py_log_error("a @forkd.pre_fork hook raised:%s", "");
	return -1;
}

/*
 * Calls gc.first(), then returns gc.second() as a long; -1 (logged) if
 * either raises.
 */
static long
py_gc_then(const char *first, const char *second)
{
	PyObject	*gc, *r;
	const char	*what = first;
	long		 n;

	if ((gc = PyImport_ImportModule("gc")) == NULL)
		goto fail;
	if (first != NULL) {
		if ((r = PyObject_CallMethod(gc, first, NULL)) == NULL)
			goto fail;
		Py_DECREF(r);
	}
	what = second;
	if ((r = PyObject_CallMethod(gc, second, NULL)) == NULL)
		goto fail;
	n = PyLong_AsLong(r);
	Py_DECREF(r);
	Py_DECREF(gc);
	return n;
 fail:
	Py_XDECREF(gc);
	py_log_error("gc.%s() failed", what);
	return -1;
}

long
py_gc_collect(void)
{
	/*
	 * An app that called gc.freeze() itself hid those objects from
	 * gc.get_objects(), and so from the immortalization walk: bring
	 * them back first; the seal freezes everything again.  Then
	 * gc.collect(), not PyGC_Collect(): the latter returns 0 without
	 * collecting while the app has the collector disabled.
	 *
	 * First the type attribute cache is emptied.  Its entries hold the
	 * attribute names looked up (strong references no walk reaches, so
	 * they would stay mortal), and a worker replacing an entry frees the
	 * old name, dynamic names such as Django's
	 * "_prefetch_related_val_article_id" among them, on a shared page.
	 * Workers fill the cache again, with names the seal made immortal.
	 */
	py_clear_type_cache();
	return py_gc_then("unfreeze", "collect");
}

long
py_clear_freelists(void)
{
	/*
	 * A full collection empties CPython's free lists (floats, tuples,
	 * lists, dicts and their keys, slices; on 3.14 also ints, method
	 * and builtin-function objects): objects kept for reuse, which a
	 * worker would take and write on pages it shares with the zygote.
	 * After gc.freeze() it has next to nothing else to collect.
	 */
	return py_gc_then(NULL, "collect");
}

void
py_clear_type_cache(void)
{
	(void)PyType_ClearCache();
}

long
py_gc_freeze(void)
{
	return py_gc_then("freeze", "get_freeze_count");
}

int
py_free_threaded(void)
{
#ifdef Py_GIL_DISABLED
	return 1;
#else
	return 0;
#endif
}

int
py_can_immortalize(void)
{
	return forkd_can_immortalize();
}

int
py_immortalize(struct py_immortal_report *ret)
{
	struct forkd_immortal_stats	st;

	if (forkd_immortalize(&st) != 0) {
		py_log_error("cannot make the heap immortal%s", "");
		return -1;
	}
	ret->roots = st.roots;
	ret->sealed = st.sealed;
	ret->already = st.already;
	ret->hashed = st.hashed;
	ret->tagged = st.tagged;
	ret->shared_keys = st.shared_keys;
	ret->consts = st.consts;
	return 0;
}

int
py_pack_begin(int by_calls, size_t *ret_candidates)
{
	if (forkd_pack_begin(by_calls, ret_candidates) == 0)
		return 0;
	py_log_error("pack-code: cannot read the bytecode%s", "");
	return -1;
}

int
py_pack_finish(int sealed_immortal, struct py_pack_report *ret)
{
	if (forkd_pack_finish(sealed_immortal, ret) == 0)
		return 0;
	py_log_error("pack-code: cannot move the code%s", "");
	return -1;
}

int
py_watch_types(size_t *ret_classes)
{
	if (forkd_watch_types(ret_classes) == 0)
		return 0;
	if (PyErr_ExceptionMatches(PyExc_NotImplementedError)) {
		PyErr_Clear();
		return 1;
	}
	py_log_error("--watch-types:%s", "");
	return -1;
}

int
py_fill_pools(struct py_holes_report *ret)
{
	if (forkd_fill_pools(ret) == 0)
		return 0;
	py_log_error("seal: cannot fill obmalloc's pools%s", "");
	return -1;
}

int
py_cow_index(const char *path, struct py_index_report *ret)
{
	if (forkd_cow_index(path, ret) != 0) {
		py_log_error("cow: cannot write the object index %s:", path);
		return -1;
	}
	return 0;
}

void
py_keep_tracebacks(int on)
{
	forkd_keep_tracebacks(on);
}

const char *
py_last_traceback(void)
{
	return forkd_last_traceback();
}

void
py_log_threads(void)
{
	PyObject	*th, *list, *names;
	PyObject	*sep;

	if ((th = PyImport_ImportModule("threading")) == NULL) {
		PyErr_Clear();
		return;
	}
	list = PyObject_CallMethod(th, "enumerate", NULL);
	Py_DECREF(th);
	if (list == NULL) {
		PyErr_Clear();
		return;
	}
	names = PyObject_Repr(list);
	Py_DECREF(list);
	sep = names;
	if (sep != NULL)
		log_warnx("Python threads: %s", PyUnicode_AsUTF8(sep));
	Py_XDECREF(names);
	PyErr_Clear();
}

void
py_before_fork(void)
{
	PyOS_BeforeFork();
}

void
py_after_fork_parent(void)
{
	PyOS_AfterFork_Parent();
}

void
py_after_fork_child(void)
{
	PyOS_AfterFork_Child();
}

/*
 * SIGUSR2 makes the worker print every thread's Python traceback to
 * stderr, from a C signal handler that works while the app is stuck,
 * even in C code holding the GIL: the supervisor sends it to a worker
 * over --timeout before it kills it.
 */
static void
py_worker_faulthandler(void)
{
	PyObject	*fh, *r = NULL;

	if ((fh = PyImport_ImportModule("faulthandler")) != NULL) {
		r = PyObject_CallMethod(fh, "register", "i", SIGUSR2);
		Py_DECREF(fh);
	}
	if (r == NULL) {
		py_log_error("faulthandler: no traceback on --timeout%s", "");
		return;
	}
	Py_DECREF(r);
}

void *
py_worker_start(unsigned worker_id, unsigned generation)
{
	struct forkd_state	*st;

	if (forkd_set_worker(worker_id, generation) != 0 ||
	    (st = forkd_state_get()) == NULL) {
		py_log_error("cannot set up the forkd module%s", "");
		return NULL;
	}
	if (forkd_run_hooks(FORKD_HOOK_POST_FORK) != 0) {
		py_log_error("a @forkd.post_fork hook raised:%s", "");
		return NULL;
	}
	if (st->app == NULL) {
		log_warnx("no app loaded");
		return NULL;
	}
	py_worker_faulthandler();
	return st;
}

/* The worker's main thread state while it waits without the GIL. */
static PyThreadState	*py_saved_tstate;

void
py_release_gil(void)
{
	py_saved_tstate = PyEval_SaveThread();
}

void
py_acquire_gil(void)
{
	if (py_saved_tstate != NULL)
		PyEval_RestoreThread(py_saved_tstate);
	py_saved_tstate = NULL;
}

void
py_flush_stdio(void)
{
	PyObject	*f, *r;
	const char	*names[] = { "stdout", "stderr" };
	size_t		 i;

	for (i = 0; i < 2; i++) {
		if ((f = PySys_GetObject(names[i])) == NULL || f == Py_None)
			continue;
		if ((r = PyObject_CallMethod(f, "flush", NULL)) == NULL)
			PyErr_Clear();
		Py_XDECREF(r);
	}
}

const char *
py_version(char *buf, size_t len)
{
	snprintf(buf, len, "%d.%d.%d", PY_MAJOR_VERSION, PY_MINOR_VERSION,
	    PY_MICRO_VERSION);
	return buf;
}

/*
 * The libpython the dynamic linker actually loaded, which is not always
 * the one beside the interpreter built against (an rpath, or the lack
 * of one, decides).
 */
static void
py_print_libpython(void)
{
	Dl_info		 dli;
	const char	*base;

	if (dladdr((void *)Py_Initialize, &dli) == 0 || dli.dli_fname == NULL) {
		printf("libpython: unknown\n");
		return;
	}
	/* For the executable itself glibc names argv[0], or nothing. */
	base = strrchr(dli.dli_fname, '/');
	base = base != NULL ? base + 1 : dli.dli_fname;
	if (strncmp(base, "libpython", 9) != 0)
		printf("libpython: linked statically into forkd-zygote\n");
	else
		printf("libpython: %s\n", dli.dli_fname);
}

void
py_print_capabilities(void)
{
	char		 v[32];
	PyObject	*sc, *flags = NULL;
	const char	*f = "";

	printf("python: %s (%s)\n", py_version(v, sizeof(v)), FORKD_PYTHON);
	py_print_libpython();
	printf("specializing interpreter (PEP 659): yes\n");
#if defined(Py_GIL_DISABLED)
	printf("immortal objects: not used (free-threaded build)\n");
#elif PY_VERSION_HEX >= 0x030C0000
	printf("immortal objects: yes (3.12+)\n");
#else
	printf("immortal objects: no (Python %d.%d has none): the seal is "
	    "gc.freeze only\n", PY_MAJOR_VERSION, PY_MINOR_VERSION);
#endif
#ifdef Py_GIL_DISABLED
	printf("free-threaded build: yes: not supported, forkd refuses to "
	    "start on it\n");
#endif
	if ((sc = PyImport_ImportModule("sysconfig")) != NULL) {
		flags = PyObject_CallMethod(sc, "get_config_var", "s",
		    "PY_CORE_CFLAGS");
		Py_DECREF(sc);
	}
	if (flags != NULL && PyUnicode_Check(flags))
		f = PyUnicode_AsUTF8(flags);
	printf("JIT (tier 2): %s\n", f != NULL && strstr(f, "_Py_JIT") ?
	    "built in" : "no");
	Py_XDECREF(flags);
	PyErr_Clear();
}
