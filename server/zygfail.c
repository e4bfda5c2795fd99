/*
 * zygfail.c: what the supervisor keeps of a zygote's PROTO_FAILED, the
 * reason it gave up and its traceback's tail (common/failmsg.h): the
 * text, for whoever asks later, and a debug line.  It decides nothing:
 * the zygote's exit status, reaped by zyglink.c, does.
 */
#include <stdlib.h>
#include <string.h>

#include "failmsg.h"
#include "forkd.h"
#include "log.h"

void
zyglink_failed(struct zyglink *l, struct proto_msg *m)
{
	char	line[1024];

	free(l->failed);
	/* Without memory, nothing is kept: the log still has it. */
	l->failed = strdup(proto_text(m));
	log_debug("zygote pid %d failed: %s", (int)l->pid,
	    failmsg_summary(proto_text(m), line, sizeof(line)));
}
