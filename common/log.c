/*
 * log.c: the logger shared by the supervisor, the zygote and the workers.
 *
 * Every line is written with one write(2) so that lines from several
 * processes sharing stderr never interleave mid-line.  It does no
 * buffering and never allocates, so it is safe after fork().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "exitcodes.h"
#include "log.h"

/* The process's role name and verbosity: one per process, set at start. */
static char		log_role[32] = "forkd";
static enum log_level	log_level = LOG_LEVEL_INFO;

void
log_init(const char *role, enum log_level level)
{
	log_set_role(role);
	log_level = level;
}

void
log_set_role(const char *role)
{
	snprintf(log_role, sizeof(log_role), "%s", role);
}

enum log_level
log_get_level(void)
{
	return log_level;
}

int
log_parse_level(const char *name, enum log_level *ret_level)
{
	static const char *const names[] = { "error", "warning", "info",
	    "debug" };
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0 ||
		    (i == LOG_LEVEL_WARN && strcasecmp(name, "warn") == 0)) {
			*ret_level = (enum log_level)i;
			return 0;
		}
	return -EINVAL;
}

static void
log_emit(enum log_level level, int err, const char *fmt, va_list ap)
{
	char	buf[2048];
	int	n, m;
	int	saved = errno;

	if (level > log_level)
		return;
	n = snprintf(buf, sizeof(buf), "%s[%d]: ", log_role, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	m = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n >= sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	if (err != 0) {
		m = snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(err));
		if (m > 0)
			n += m;
		if ((size_t)n >= sizeof(buf) - 1)
			n = sizeof(buf) - 2;
	}
	buf[n++] = '\n';
	(void)!write(STDERR_FILENO, buf, n);
	errno = saved;
}

#define LOG_FN(name, level, err)					\
void									\
name(const char *fmt, ...)						\
{									\
	va_list	ap;							\
	int	e = (err);						\
									\
	va_start(ap, fmt);						\
	log_emit(level, e, fmt, ap);					\
	va_end(ap);							\
}

LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_warn, LOG_LEVEL_WARN, errno)
LOG_FN(log_warnx, LOG_LEVEL_WARN, 0)

void
log_warnc(int neg_errno, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_WARN, -neg_errno, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	e = errno;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, e, fmt, ap);
	va_end(ap);
	exit(EXIT_SYSCALL);
}

void
fatalc(int neg_errno, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, -neg_errno, fmt, ap);
	va_end(ap);
	exit(EXIT_SYSCALL);
}

void
fatalx(int code, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(code);
}
