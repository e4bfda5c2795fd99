/*
 * parkmsg.h: a keep-alive connection handed between a worker and the
 * supervisor (doc/ARCHITECTURE.md, "Balanced keep-alive").
 *
 * A worker about to be busy in the app for long, or whose connection
 * has been idle for a while, or that is stopping, parks its connections
 * that wait for a request: it sends each one to the supervisor over the
 * park socket (SOCK_SEQPACKET, fd PROTO_PARK_FD in every worker), one
 * message each, the socket passed with SCM_RIGHTS, and never touches it
 * again.  The supervisor watches the parked connections; once one is
 * readable it sends it, the same way, into the ready queue (fd
 * PROTO_QUEUE_FD, read by every worker), and the first idle worker takes
 * it.  A connection is so owned by one process at a time, and only
 * between two requests: its requests are answered in order, by one
 * worker each.
 */
#ifndef FORKD_PARKMSG_H
#define FORKD_PARKMSG_H

#include <stdint.h>

#define PARK_MAGIC	0x666b7031u	/* "fkp1" */
/* A partial head longer than this is not parked: its worker reads on. */
#define PARK_BYTES_MAX	16384

struct park_hdr {
	uint32_t	magic;
	uint32_t	nrequests;	/* answered on it so far */
	uint32_t	left_ms;	/* before its deadline: keep-alive, or
					   the head's when bytes follow */
	uint32_t	len;		/* bytes of a partial head that follow */
};

/*
 * Sends fd with hdr and len bytes on sock without blocking; returns 0 or
 * -errno (-EAGAIN when the socket is full).  Async-signal-safe: a worker
 * calls it from its timer's signal handler.
 */
int	park_send(int sock, const struct park_hdr *hdr, const void *bytes,
	    int fd);
/*
 * Takes one message from sock without blocking into *hdr and
 * bytes[0..PARK_BYTES_MAX); returns the connection's fd, -EPIPE at end
 * of stream, -EAGAIN when there is none, -EBADMSG for a message that is
 * not one (any fd it carried is closed), or another -errno.
 */
int	park_recv(int sock, struct park_hdr *hdr, char *bytes);

#endif
