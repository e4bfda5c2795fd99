/*
 * mono.h: elapsed time on CLOCK_MONOTONIC, for the step timings the log
 * reports (the seal's steps, the write tracker's registration and scan).
 */
#ifndef FORKD_MONO_H
#define FORKD_MONO_H

#include <time.h>

/* Milliseconds since *t0, a CLOCK_MONOTONIC reading. */
static inline double
mono_ms_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 +
	    (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

#endif
