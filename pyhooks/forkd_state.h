/*
 * forkd_state.h: the "forkd" module's state, shared by module.c and the
 * WSGI bridge in wsgi.c.
 */
#ifndef FORKD_STATE_H
#define FORKD_STATE_H

#include "pyhooks.h"
#include "py.h"

struct forkd_state {
	PyObject	*hooks[FORKD_HOOK_MAX];	/* owned lists of callables */
	PyObject	*app;			/* owned: the WSGI callable */
	PyObject	*start_response_type;	/* owned heap type */
	PyObject	*bytesio;		/* owned: io.BytesIO */
	PyObject	*stderr_obj;		/* owned: sys.stderr at first use */
	PyObject	*wsgi_version;		/* owned: (1, 0) */
	PyObject	*file_wrapper_type;	/* owned: forkd.FileWrapper */
	PyObject	*client_type;		/* owned: forkd.WarmupClient */
	PyObject	*response_type;		/* owned: forkd.WarmupResponse */
	PyObject	*pack_ns;		/* owned: code packing's driver */
	PyObject	*pack_state;		/* owned: between begin and finish */
	PyObject	*pack_kept;		/* owned: packed code, old and new */
	PyObject	*watch_seen;		/* owned: set, --watch-types */
	unsigned	 worker_id;
	unsigned	 generation;
	size_t		 warmup_requests;	/* counters of the warmup */
	size_t		 warmup_non2xx;
};

struct forkd_immortal_stats {
	size_t	roots;		/* gc.get_objects() */
	size_t	sealed;		/* made immortal */
	size_t	already;	/* visits to objects already immortal */
	size_t	hashed;		/* str hashes computed */
	size_t	tagged;		/* type version tags assigned */
	size_t	shared_keys;	/* classes' shared instance keys sealed */
	size_t	consts;		/* LOAD_CONSTs made immortal loads (3.14+) */
};

/*
 * immortal.c: makes every reachable object immortal.  Returns 0, or -1
 * with an exception set (NotImplementedError before 3.12).
 */
int	forkd_immortalize(struct forkd_immortal_stats *st);
/* Returns 1 when this Python build has immortal objects forkd can set. */
int	forkd_can_immortalize(void);

/*
 * pack.c: code packing.  begin snapshots the adaptive bytecode (and with
 * by_calls notes the code each call runs); the caller runs one more
 * warmup round; finish moves the code that changed (or ran).
 * sealed_immortal: the seal will make every object immortal, so the
 * allocator wrapper can go.  Each returns 0, or -1 with an exception.
 */
int	forkd_pack_begin(int by_calls, size_t *ret_candidates);
int	forkd_pack_finish(int sealed_immortal, struct py_pack_report *ret);

/*
 * holes.c: takes every free block of the zygote's obmalloc pools, then
 * its empty pools (whole, while resident; the rest have their pages
 * given back), so workers allocate in pools of their own.  Returns 0,
 * or -1 with an exception set.
 */
int	forkd_fill_pools(struct py_holes_report *ret);

/*
 * watch.c: watches every heap class for --watch-types (3.12+).  Returns
 * 0, or -1 with an exception set (NotImplementedError on 3.11).
 */
int	forkd_watch_types(size_t *ret_classes);

/*
 * cowindex.c: writes attribute mode's object index to path, filling *st
 * (preload/py.h's plain C report).  Returns 0, or -1 with an exception
 * set.
 */
struct py_index_report;
int	forkd_cow_index(const char *path, struct py_index_report *st);

/* warmup.c: the in-process warmup client. */
int	forkd_warmup_types(PyObject *m, struct forkd_state *st);
/* Runs one raw request; returns a new WarmupResponse or NULL. */
PyObject *forkd_warmup_run(struct forkd_state *st, const char *raw,
	    size_t len);
/* Calls each @forkd.warmup hook with a client; 0 or -1 (exception). */
int	forkd_warmup_hooks(struct forkd_state *st);

/*
 * Prints the pending exception with its traceback to sys.stderr and
 * clears it.  Unlike PyErr_Print, a SystemExit does not exit.
 */
void	forkd_print_exception(void);
/*
 * While on, forkd_print_exception() also keeps the text of what it
 * printed, the last one; forkd_last_traceback() returns it, or NULL.
 * Each call forgets what was kept.
 */
void	forkd_keep_tracebacks(int on);
const char *forkd_last_traceback(void);

/* Returns the module state (importing forkd), or NULL with an exception. */
struct forkd_state *forkd_state_get(void);
/* Creates the bridge's types for module m; returns a new reference. */
PyObject	*forkd_wsgi_types(PyObject *m);
/* Creates wsgi.file_wrapper's type; returns a new reference. */
PyObject	*forkd_wsgi_file_wrapper_type(PyObject *m);

#endif
