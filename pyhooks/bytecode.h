/*
 * bytecode.h: Python source that reads CPython's adaptive bytecode with
 * the opcode module's own tables, shared by the warmup summary
 * (preload/py_warmup.c) and code packing (pyhooks/pack.c).
 *
 * Run in a namespace, it defines tables() -> (names, base_of, caches):
 * names[op] is the name of opcode op (specialized ones included),
 * base_of maps a specialized name to the instruction it specializes,
 * caches[op] is how many inline cache units follow op.  A walk over
 * co._co_code_adaptive steps 2 + 2 * caches[op] bytes at a time.
 *
 * live_code() -> (funcs, codes, parents): every live function, every
 * code object they reach through co_consts (by id), and for each nested
 * code object the code objects that hold it as a constant.
 */
#ifndef FORKD_BYTECODE_H
#define FORKD_BYTECODE_H

#include "pyhooks.h"

extern const char	forkd_bytecode_src[];

#endif
