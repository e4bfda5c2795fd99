/*
 * exitcodes.h: the exit codes every forkd process uses.  They are a
 * contract between the supervisor, the zygote and the workers (after s6):
 * the supervisor decides whether to respawn from them alone.
 */
#ifndef FORKD_EXITCODES_H
#define FORKD_EXITCODES_H

#define EXIT_CLEAN	0	/* asked to stop, stopped */
#define EXIT_USAGE	100	/* bad flag or configuration */
#define EXIT_APP_BROKEN	101	/* app import, hook or warmup failed: never respawn */
#define EXIT_SYSCALL	111	/* a system call failed */

#endif
