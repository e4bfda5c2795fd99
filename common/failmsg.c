/*
 * failmsg.c: PROTO_FAILED's payload, a reason line and a traceback's
 * tail (see failmsg.h).  It does not capture the traceback: the zygote's
 * preload/py_embed.c does.
 */
#include <stdio.h>
#include <string.h>

#include "failmsg.h"

size_t
failmsg_tail(const char *s, size_t len, unsigned max_lines, size_t room)
{
	size_t		cut = len, end = len, b;
	unsigned	n;

	if (end > 0 && s[end - 1] == '\n')
		end--;
	for (n = 0; n < max_lines; n++) {
		for (b = end; b > 0 && s[b - 1] != '\n'; b--)
			;
		if (len - b > room)
			break;
		cut = b;
		if (b == 0)
			break;
		end = b - 1;
	}
	if (n == 0 && max_lines > 0 && len > room) {
		/* Not even the last line fits: its end, whole characters. */
		cut = len - room;
		while (cut < len && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut++;
	}
	return cut;
}

size_t
failmsg_set(struct proto_msg *m, const char *reason, const char *tb)
{
	size_t	rlen = strcspn(reason, "\n"), len, off, room;

	if (tb == NULL || *tb == '\0' || rlen + 1 >= PROTO_PAYLOAD_MAX)
		return proto_set_text(m, "%.*s", (int)rlen, reason);
	len = strlen(tb);
	room = PROTO_PAYLOAD_MAX - rlen - 1;
	off = failmsg_tail(tb, len, FAILMSG_LINES, room);
	if (len > off && tb[len - 1] == '\n')
		len--;
	return proto_set_text(m, "%.*s\n%.*s", (int)rlen, reason,
	    (int)(len - off), tb + off);
}

const char *
failmsg_summary(const char *text, char *buf, size_t len)
{
	size_t		 rlen = strcspn(text, "\n"), llen = 0;
	const char	*last = NULL, *p, *e;

	for (p = text + rlen; *p != '\0'; p = e) {
		p++;			/* past a '\n' */
		e = p + strcspn(p, "\n");
		if (e > p) {
			last = p;
			llen = e - p;
		}
	}
	if (last == NULL)
		snprintf(buf, len, "%.*s", (int)rlen, text);
	else
		snprintf(buf, len, "%.*s: %.*s", (int)rlen, text, (int)llen,
		    last);
	return buf;
}
