/*
 * pack.h: code packing, the zygote's step between warmup and seal that
 * moves the code objects workers keep writing onto pages of their own.
 */
#ifndef FORKD_PACK_H
#define FORKD_PACK_H

#include "seal.h"
#include "warmup.h"

/*
 * Whether to pack under the seal mode that will follow (resolved, never
 * SEAL_AUTO); logs why not.
 */
int	pack_wanted(enum pack_mode mode, enum seal_mode seal);
/* What pack_run() logged it did, kept for READY. */
struct pack_result {
	int			packed;	/* 0: it did nothing */
	struct py_pack_report	rep;
	double			ms;
};

/*
 * Finds the code the warmup's held last round still writes and packs
 * it.  Logs what it did, or why it did nothing, and fills *ret.  Returns
 * 0, or -1 when that round failed under --warmup-strict.
 */
int	pack_run(const struct warmup_opts *o, struct warmup *w,
	    enum seal_mode seal, struct pack_result *ret);

#endif
