/*
 * pyhooks.h: what preload/py_*.c may call inside pyhooks/.  Python types
 * are allowed here: this header is only seen by files that include
 * <Python.h>.
 */
#ifndef FORKD_PYHOOKS_H
#define FORKD_PYHOOKS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

enum forkd_hook {
	FORKD_HOOK_PRE_FORK = 0,
	FORKD_HOOK_POST_FORK,
	FORKD_HOOK_WARMUP,
	FORKD_HOOK_MAX
};

/* The init function of the built-in "forkd" module (PyImport_AppendInittab). */
PyMODINIT_FUNC	PyInit_forkd(void);

/*
 * Each returns 0, or -1 with a Python exception set.  The module must
 * have been imported (forkd_module_state() imports it).
 */
int	forkd_set_app(PyObject *app);		/* takes a new reference */
int	forkd_set_worker(unsigned worker_id, unsigned generation);
int	forkd_run_hooks(enum forkd_hook which);

/*
 * arena.c: wraps obmalloc's arena allocator so every arena is recorded in
 * the copy-on-write tracker's ranges (preload/cowreg.h).  Call between
 * Py_PreInitialize() and Py_InitializeFromConfig().
 */
void	forkd_arena_hook(void);
/* The arena size obmalloc asks for (0 before the first arena). */
size_t	forkd_arena_size(void);

/* wsgi.c: the bridge's per-request entry is py_wsgi_handle (preload/py.h). */

#endif
