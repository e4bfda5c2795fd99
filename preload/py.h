/*
 * py.h: the zygote's only door into CPython.  Only preload/py_*.c and
 * pyhooks/ include <Python.h>; callers here see plain C types, never a
 * PyObject, and never check PyErr_Occurred(): each function logs the
 * Python traceback itself and returns 0 or -1.
 */
#ifndef FORKD_PY_H
#define FORKD_PY_H

#include <stddef.h>
#include <sys/types.h>

struct http_exchange;

struct py_opts {
	const char	*const *pythonpath;	/* put first on sys.path */
	size_t		 npythonpath;
	int		 track_arenas;		/* record obmalloc's arenas */
};

int	py_init(const struct py_opts *o);
int	py_load_app(const char *spec);		/* "pkg.module:callable" */
int	py_run_pre_fork(void);
/*
 * Empties the type attribute cache, gc.unfreeze(), then gc.collect()
 * even if the app disabled the collector; returns the number of
 * unreachable objects, or -1 (logged).
 */
long	py_gc_collect(void);
/*
 * Empties the type attribute cache, whose entries hold mortal references
 * to the names looked up (see py_gc_collect).
 */
void	py_clear_type_cache(void);
/*
 * Empties CPython's free lists (a full collection, which after the
 * freeze finds next to nothing else); returns what gc.collect() does,
 * or -1 (logged).
 */
long	py_clear_freelists(void);
/* gc.freeze(); returns gc.get_freeze_count() after it, or -1 (logged). */
long	py_gc_freeze(void);

struct py_immortal_report {
	size_t	roots;
	size_t	sealed;
	size_t	already;
	size_t	hashed;
	size_t	tagged;
	size_t	shared_keys;
	size_t	consts;
};
/*
 * Whether this libpython is a free-threaded build (3.13t, 3.14t): its
 * reference counts are split per thread, so nothing forkd seals holds,
 * and the zygote refuses to start on one.
 */
int	py_free_threaded(void);
/* Returns 1 when this Python can make objects immortal (3.12 to 3.14). */
int	py_can_immortalize(void);
/* Makes every reachable object immortal; 0 or -1 (logged). */
int	py_immortalize(struct py_immortal_report *ret);
struct py_pack_report {
	size_t		candidates;	/* code objects live functions reach */
	size_t		unstable;	/* written by the extra round */
	size_t		moved;		/* re-created in the region */
	size_t		functions;	/* repointed */
	unsigned long	region_base;
	size_t		region_bytes;
	int		allocator_kept;
};
/*
 * Code packing (pyhooks/pack.c): begin snapshots the adaptive bytecode
 * of every live function's code (by_calls: and notes the code each call
 * runs, for mortal code); finish, after one more warmup round, moves the
 * code that changed or ran.  Each returns 0 or -1 (logged).
 */
int	py_pack_begin(int by_calls, size_t *ret_candidates);
int	py_pack_finish(int sealed_immortal, struct py_pack_report *ret);
struct py_holes_report {
	size_t	blocks;		/* free blocks now taken */
	size_t	bytes;
	size_t	arenas;		/* arenas looked at */
	size_t	empty;		/* empty pools found in them */
	size_t	burnt;		/* pools taken whole (empty or untouched) */
	size_t	virgin;		/* untouched pools among those */
	int	not_pymalloc;	/* the object allocator is not obmalloc */
};
/*
 * Takes every free block of obmalloc's pools, then its empty pools
 * (pyhooks/holes.c).  Returns 0, or -1 (logged).
 */
int	py_fill_pools(struct py_holes_report *ret);
/*
 * --watch-types: watches every heap class, so that a worker logs each
 * one it modifies.  Returns 0, 1 when this Python has no type watchers
 * (3.11), or -1 (logged).
 */
int	py_watch_types(size_t *ret_classes);
struct py_index_report {
	size_t		objects;	/* objects the walk reached */
	size_t		parts;		/* separately allocated parts */
	size_t		owned;		/* entries named by their owner */
	size_t		entries;	/* written (overlaps dropped) */
	size_t		bytes;		/* the file's size */
	unsigned	pool_size;	/* 0: pool arithmetic off */
};
/*
 * Writes the copy-on-write tracker's object index (attribute mode) to
 * path; 0 or -1 (logged).
 */
int	py_cow_index(const char *path, struct py_index_report *ret);
/*
 * While on (the zygote, until READY), the text of each Python traceback
 * printed on stderr is kept, the last one, for PROTO_FAILED:
 * py_last_traceback() returns it, or NULL.  Each call forgets it.
 */
void	py_keep_tracebacks(int on);
const char *py_last_traceback(void);
/* Logs the names of the Python threads alive (for the refusal to fork). */
void	py_log_threads(void);
void	py_before_fork(void);
void	py_after_fork_parent(void);
void	py_after_fork_child(void);
/*
 * In a new worker: worker id set, post_fork hooks run (the collector is
 * left as the app set it).
 * Returns the handler argument for py_wsgi_handle, or NULL (logged).
 */
void	*py_worker_start(unsigned worker_id, unsigned generation);
void	py_wsgi_handle(struct http_exchange *ex, void *arg);
void	py_flush_stdio(void);
/* The worker serves without the GIL, so the app's threads can run. */
void	py_release_gil(void);
void	py_acquire_gil(void);

/* py_warmup.c.  Each logs its own Python errors. */
/* Runs one raw HTTP/1.1 request in-process; the status, or -1. */
int	py_warmup_raw(const char *raw, size_t len);
int	py_warmup_hooks(void);			/* 0 or -1 */
int	py_warmup_has_hooks(void);
void	py_warmup_counts(size_t *ret_requests, size_t *ret_non2xx);
/* Closes Django's connections if Django is loaded: 1 done, 0 n/a, -1. */
int	py_close_connections(void);

struct py_spec_report {
	ssize_t	codes;		/* code objects of live functions */
	ssize_t	codes_run;	/* with at least one specialized instruction */
	ssize_t	specializable;	/* instructions that can specialize, in those */
	ssize_t	specialized;	/* and that did */
};
int	py_spec_report(struct py_spec_report *ret);
/* Writes "3.12.1" into buf; returns buf. */
const char *py_version(char *buf, size_t len);
/* Prints what this Python can do (for forkd --version) to stdout. */
void	py_print_capabilities(void);

#endif
