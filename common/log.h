/*
 * log.h: one line per event on stderr, prefixed "role[pid]: ".
 *
 * The OpenBSD pair convention: log_warn() appends strerror(errno),
 * log_warnx() does not, log_warnc() formats a returned -errno.  fatal()
 * and fatalx() exit with EXIT_SYSCALL and EXIT_USAGE-or-given codes; they
 * are for setup code and children before they serve, never for the
 * supervisor's loop.
 */
#ifndef FORKD_LOG_H
#define FORKD_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void	log_init(const char *role, enum log_level level);
void	log_set_role(const char *role);
/* Returns 0 and sets *ret_level, or -EINVAL for an unknown name. */
int	log_parse_level(const char *name, enum log_level *ret_level);
enum log_level log_get_level(void);

void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnc(int neg_errno, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(int code, const char *, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
void	fatalc(int neg_errno, const char *, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

#endif
