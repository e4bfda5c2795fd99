/*
 * proctitle.h: sets what ps shows for a zygote or worker, by rewriting
 * the argv area in place (as nginx and PostgreSQL do) and the kernel's
 * 15-byte comm name.
 */
#ifndef FORKD_PROCTITLE_H
#define FORKD_PROCTITLE_H

/*
 * Moves argv's strings to the heap (argv[i] then point there) and keeps
 * the original area for proctitle_set.  Call before anything keeps a
 * pointer into argv.
 */
void	proctitle_init(int argc, char *argv[]);
/* Sets the title (truncated to the argv area) and comm (to 15 bytes). */
void	proctitle_set(const char *comm, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
