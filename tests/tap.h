/*
 * tap.h: a minimal TAP producer for forkd's C unit tests, read by prove.
 *
 * Header-only on purpose: each tNNNN-*.c links only the module it tests
 * plus this file.  It knows TAP version 12 output and nothing else.
 */
#ifndef FORKD_TAP_H
#define FORKD_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int	tap_planned;
static int	tap_run;
static int	tap_failed;

static inline void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline void
plan_lazy(void)
{
	tap_planned = -1;
}

static inline void
skip_all(const char *fmt, ...)
{
	va_list	ap;

	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(0);
}

static inline void
diag(const char *fmt, ...)
{
	va_list	ap;

	fflush(stdout);
	fprintf(stderr, "# ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static inline int
ok_v(int cond, const char *fmt, va_list ap)
{
	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_run);
	vprintf(fmt, ap);
	printf("\n");
	return cond;
}

static inline int
ok(int cond, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = ok_v(cond, fmt, ap);
	va_end(ap);
	return r;
}

#define is_int(got, want, ...) do {					\
	long long _g = (long long)(got), _w = (long long)(want);	\
	if (!ok(_g == _w, __VA_ARGS__))					\
		diag("  got %lld, want %lld", _g, _w);			\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *_g = (got), *_w = (want);				\
	if (!ok(_g != NULL && _w != NULL && strcmp(_g, _w) == 0,	\
	    __VA_ARGS__))						\
		diag("  got \"%s\", want \"%s\"", _g ? _g : "(null)",	\
		    _w ? _w : "(null)");				\
} while (0)

/* is_mem: compares a (pointer, length) pair with a C string. */
#define is_mem(p, n, want, ...) do {					\
	const char *_w = (want);					\
	size_t _n = (n);						\
	if (!ok(_n == strlen(_w) && memcmp((p), _w, _n) == 0,		\
	    __VA_ARGS__))						\
		diag("  got \"%.*s\", want \"%s\"", (int)_n,		\
		    (const char *)(p), _w);				\
} while (0)

/*
 * Maps room bytes followed by a PROT_NONE page and returns the first
 * byte of that page: an input copied to end right before it makes any
 * read past its end crash (picohttpparser's habit).  Bails out on error.
 */
static inline char *
tap_guard_map(size_t room)
{
	size_t	 pg = (size_t)sysconf(_SC_PAGESIZE);
	char	*base;

	base = mmap(NULL, room + pg, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED || mprotect(base + room, pg, PROT_NONE) == -1) {
		printf("Bail out! cannot map a guard page\n");
		exit(1);
	}
	return base + room;
}

/* Returns the process exit status: 0 when every planned test passed. */
static inline int
done(void)
{
	if (tap_planned == -1)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run) {
		diag("planned %d tests but ran %d", tap_planned, tap_run);
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#endif
