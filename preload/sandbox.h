/*
 * sandbox.h: the worker's seccomp filter (--seccomp; sandbox.c).
 */
#ifndef FORKD_SANDBOX_H
#define FORKD_SANDBOX_H

#include "zygopts.h"

/* Loads the filter for mode on every thread; returns 0 or -errno. */
int	sandbox_load(enum sandbox_mode mode);

#endif
