/*
 * failmsg.h: PROTO_FAILED's payload (common/proto.h): a reason line, then
 * the last lines of the Python traceback the zygote printed last, if any.
 * The zygote writes one with failmsg_set(); the supervisor reads one back
 * with failmsg_summary().  Pure functions.
 */
#ifndef FORKD_FAILMSG_H
#define FORKD_FAILMSG_H

#include <stddef.h>

#include "proto.h"

/* At most this many lines of the traceback travel. */
#define FAILMSG_LINES	20

/*
 * The offset in s[0..len) where its last max_lines lines start, cut so
 * that no more than room bytes follow (a final newline ends the last line
 * and starts none).  A last line longer than room is cut at its start, at
 * a UTF-8 character boundary.
 */
size_t	failmsg_tail(const char *s, size_t len, unsigned max_lines,
	    size_t room);
/*
 * Sets m's payload to reason (its first line only), then, when tb is not
 * NULL, a newline and tb's last FAILMSG_LINES lines that fit.  Returns the
 * payload's length.
 */
size_t	failmsg_set(struct proto_msg *m, const char *reason, const char *tb);
/*
 * One line for the log from a payload: the reason, and after ": " the
 * last non-empty line of the traceback (the exception), if there is one.
 * Returns buf.
 */
const char *failmsg_summary(const char *text, char *buf, size_t len);

#endif
