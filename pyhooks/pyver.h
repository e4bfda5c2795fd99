/*
 * pyver.h: what differs between the CPython versions forkd seals, in one
 * place, so that a new release is a change here and not a hunt through
 * pyhooks/.  Each value is read from that version's own source; the
 * file and symbol are named so the next release can be checked the same
 * way.  Only files that include <Python.h> see it.
 *
 *                 object immortal when         dict keys immortal when
 *   3.11          (none)                       (none)
 *   3.12, 3.13    ob_refcnt == UINT32_MAX      dk_refcnt == UINT32_MAX
 *   3.14          ob_refcnt >= 3 << 30 and     dk_refcnt < 0
 *                 ob_flags has bit 0
 *
 * Free-threaded builds (Py_GIL_DISABLED) split the reference count in
 * two and bias it per thread: nothing here applies, and forkd refuses to
 * start on one (preload/py_embed.c).
 */
#ifndef FORKD_PYVER_H
#define FORKD_PYVER_H

#include "pyhooks.h"

#if PY_VERSION_HEX >= 0x030F0000
#error "CPython 3.15+: check pyhooks/pyver.h against its source first"
#endif

#if PY_VERSION_HEX >= 0x030C0000 && !defined(Py_GIL_DISABLED)
#define FORKD_CAN_IMMORTALIZE	1
#endif

#ifdef FORKD_CAN_IMMORTALIZE

/*
 * The part of PyDictKeysObject forkd writes: its reference count comes
 * first (Include/internal/pycore_dict.h, 3.12 to 3.14).
 */
struct forkd_dict_keys_head {
	Py_ssize_t	dk_refcnt;
};

#if PY_VERSION_HEX >= 0x030E0000
/*
 * 3.14: Py_INCREF leaves ob_refcnt alone from _Py_IMMORTAL_INITIAL_REFCNT
 * up (Include/refcount.h), and a stack reference to an object whose
 * ob_flags has _Py_IMMORTAL_FLAGS is made without touching it at all
 * (Include/internal/pycore_stackref.h): Objects/object.c's
 * _Py_SetImmortalUntracked() sets both.
 */
static inline void
forkd_set_immortal(PyObject *o)
{
	o->ob_flags = _Py_IMMORTAL_FLAGS;
	o->ob_refcnt = _Py_IMMORTAL_INITIAL_REFCNT;
}

/*
 * 3.14: dictkeys_incref() returns early for any negative count; the
 * value it asserts is _Py_DICT_IMMORTAL_INITIAL_REFCNT, PY_SSIZE_T_MIN
 * (Objects/dictobject.c, not in any header).
 */
#define FORKD_DICT_KEYS_IMMORTAL	PY_SSIZE_T_MIN

#else	/* 3.12, 3.13 */

/*
 * Py_INCREF's saturating add leaves exactly _Py_IMMORTAL_REFCNT alone
 * (Include/object.h).
 */
static inline void
forkd_set_immortal(PyObject *o)
{
	o->ob_refcnt = _Py_IMMORTAL_REFCNT;
}

/* dictkeys_incref() compares with _Py_IMMORTAL_REFCNT (dictobject.c). */
#define FORKD_DICT_KEYS_IMMORTAL	((Py_ssize_t)_Py_IMMORTAL_REFCNT)

#endif

static inline int
forkd_dict_keys_set_immortal(void *keys)
{
	struct forkd_dict_keys_head	*dk = keys;

	if (dk == NULL || dk->dk_refcnt == FORKD_DICT_KEYS_IMMORTAL)
		return 0;
	dk->dk_refcnt = FORKD_DICT_KEYS_IMMORTAL;
	return 1;
}

#endif	/* FORKD_CAN_IMMORTALIZE */

/*
 * The managed __dict__ slot of an instance, three words before it
 * (Include/internal/pycore_object.h, MANAGED_DICT_OFFSET): 3.13 and 3.14
 * keep the dict or NULL there (values inline after the object); 3.12
 * the dict, or its values tagged with bit 0; 3.11 the dict, with the
 * values a word further back.
 */
#if PY_VERSION_HEX >= 0x030D0000
#define FORKD_MANAGED_DICT_INLINE_VALUES	1
#elif PY_VERSION_HEX >= 0x030C0000
#define FORKD_MANAGED_DICT_TAGGED_VALUES	1
#endif

/*
 * obmalloc (Include/internal/pycore_obmalloc.h, the same from 3.11 to
 * 3.14): 64-bit builds with the radix tree (the default) take arenas of
 * 1 MiB and carve pools of 16 KiB; without it 256 KiB and 4 KiB.  Blocks
 * are 16-byte aligned, requests up to 512 bytes are small, and each
 * pool starts with this header.  Hole filling (holes.c) and the write
 * tracker's index (cowindex.c) read it, after checking its shape.
 */
#define FORKD_OBMALLOC_ARENA		((size_t)1 << 20)
#define FORKD_OBMALLOC_POOL		((size_t)16 << 10)
#define FORKD_OBMALLOC_ARENA_NO_RADIX	((size_t)1 << 18)
#define FORKD_OBMALLOC_POOL_NO_RADIX	((size_t)4 << 10)
#define FORKD_OBMALLOC_ALIGNMENT	16
#define FORKD_OBMALLOC_SMALL_MAX	512

struct forkd_pool_header {
	union {
		void		*padding;
		unsigned	 count;		/* blocks in use */
	} ref;
	void		*freeblock;
	void		*nextpool;
	void		*prevpool;
	unsigned	 arenaindex;
	unsigned	 szidx;			/* size class index */
	unsigned	 nextoffset;		/* bytes to the virgin block */
	unsigned	 maxnextoffset;
};

/*
 * 3.14 specializes LOAD_CONST, on its first run, into LOAD_CONST_MORTAL
 * or LOAD_CONST_IMMORTAL by whether the constant is immortal then
 * (Python/bytecodes.c).  LOAD_CONST_MORTAL takes an untagged stack
 * reference: _Py_INCREF_MORTAL on the load and Py_DECREF_MORTAL when it
 * is closed, neither checking for immortality
 * (Include/internal/pycore_stackref.h), so a constant sealed after
 * warmup has its page written twice on every load.  The seal turns such
 * loads into LOAD_CONST_IMMORTAL.
 */
#if PY_VERSION_HEX >= 0x030E0000
#define FORKD_LOAD_CONST_MORTAL	1
#endif

/*
 * Branch history: 3.13 and 3.14 record each POP_JUMP_IF_*'s outcomes in
 * its inline cache every time it runs (Python/bytecodes.c), so code
 * packing arms those caches before its probe (pyhooks/pack.c).
 */
#if PY_VERSION_HEX >= 0x030D0000
#define FORKD_BRANCH_HISTORY	1
#endif

#endif
