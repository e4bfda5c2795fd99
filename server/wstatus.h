/*
 * wstatus.h: what the supervisor does with a slot whose process exited.
 * Pure functions over a wait(2) status; unit tested.
 */
#ifndef FORKD_WSTATUS_H
#define FORKD_WSTATUS_H

#include <stddef.h>

enum verdict {
	VERDICT_RESPAWN = 1,	/* died while forkd runs, even with exit 0 (an
				   operator's TERM): the slot is refilled */
	VERDICT_HOLD,		/* the app is broken (100, 101): do not loop */
	VERDICT_RETIRE,		/* forkd is stopping: the slot stays empty */
};

/* Returns the verdict for a worker's wait status; stopping: forkd stops. */
enum verdict wstatus_verdict(int status, int stopping);
/*
 * Writes "exited with status N" or "killed by SIGSEGV (core dumped)"
 * into buf and returns buf.
 */
const char *wstatus_describe(int status, char *buf, size_t len);
/* Returns the exit code the supervisor should end with after a failed zygote start. */
int	wstatus_startup_code(int status);
/* Returns the backoff in ms before the next respawn after n fast deaths. */
unsigned wstatus_backoff_ms(unsigned fast_deaths);

#endif
