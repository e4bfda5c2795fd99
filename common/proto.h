/*
 * proto.h: the messages between the supervisor and a zygote.
 *
 * They travel over a SOCK_SEQPACKET socketpair, one message per packet:
 * a fixed header, then as many payload bytes as the header's len says
 * (text, at most PROTO_PAYLOAD_MAX bytes, no NUL on the wire).  A packet
 * whose size is not the header's plus len is a framing error.  The
 * socket is the zygote's fd PROTO_CONTROL_FD; its listeners follow it.
 *
 *   supervisor -> zygote   PROTO_CONFIG       the zygote's options, one
 *                                             JSON object (common/
 *                                             zygopts.h); sent before
 *                                             the zygote is forked, so
 *                                             it waits in the socket as
 *                                             the zygote's first message
 *   zygote -> supervisor   PROTO_READY        the app is imported and sealed:
 *                                             a JSON summary of the import,
 *                                             warmup, packing and seal
 *   supervisor -> zygote   PROTO_FORK         fork the worker for slot id,
 *                                             status page slot index
 *   zygote -> supervisor   PROTO_FORKED       slot id, index now runs as pid
 *   zygote -> supervisor   PROTO_FORK_FAILED  err holds -errno
 *   zygote -> supervisor   PROTO_FAILED       it gives up and exits next
 *
 * PROTO_FAILED is sent on every way out before READY that exits 100 or
 * 101 (bad arguments, the import, warmup under --warmup-strict, the
 * pre_fork hooks, threads, the seal), and when the zygote refuses to
 * fork because the app started threads.  Its payload is a reason line,
 * then the last lines of the Python traceback behind it, if any, as
 * printed on stderr (common/failmsg.h).
 */
#ifndef FORKD_PROTO_H
#define FORKD_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROTO_CONTROL_FD	3
#define PROTO_FIRST_LISTEN_FD	4
/*
 * A worker's userfaultfd (--cow count|attribute), parked at a fixed fd so
 * the supervisor finds it (/proc/PID/fd, pidfd_getfd).  Below 1024, the
 * usual soft RLIMIT_NOFILE; a worker whose fd is taken tracks nothing.
 */
#define PROTO_COW_FD		1000
/* The status page's memfd (common/status.h), given to each zygote. */
#define PROTO_STATUS_FD		1001
/* Balanced keep-alive (common/parkmsg.h): the workers' end of the park
 * socket, and of the ready queue. */
#define PROTO_PARK_FD		1002
#define PROTO_QUEUE_FD		1003
#define PROTO_MAGIC		0x666b6432u	/* "fkd2" */
/* A payload's room: a failed generation's traceback tail fits. */
#define PROTO_PAYLOAD_MAX	8192

enum proto_type {
	PROTO_READY = 1,
	PROTO_FORK,
	PROTO_FORKED,
	PROTO_FORK_FAILED,
	PROTO_FAILED,
	PROTO_CONFIG,
	PROTO_TYPE_MAX
};

struct proto_msg {
	/* The header, PROTO_HDR_SIZE bytes. */
	uint32_t	magic;
	uint16_t	type;		/* enum proto_type */
	uint16_t	len;		/* payload bytes after the header */
	uint32_t	worker_id;	/* slot, 1-based */
	uint32_t	index;		/* its status page slot, 1-based */
	uint32_t	generation;	/* PROTO_CONFIG: the zygote's */
	int32_t		pid;		/* PROTO_FORKED */
	int32_t		err;		/* PROTO_FORK_FAILED: -errno */
	/*
	 * PROTO_READY: what the zygote did, one JSON object
	 * (preload/ready.h); PROTO_FAILED: why it gave up; PROTO_CONFIG:
	 * the zygote's options, one JSON object (common/zygopts.h).
	 */
	char		payload[PROTO_PAYLOAD_MAX + 1];	/* + the NUL added */
};

#define PROTO_HDR_SIZE		offsetof(struct proto_msg, payload)
/* The most a packet can hold: receive into a struct proto_msg with it. */
#define PROTO_MSG_MAX		(PROTO_HDR_SIZE + PROTO_PAYLOAD_MAX)

/* Returns 0 when buf[0..n) is one well-formed message, -EBADMSG if not. */
int	proto_check(const void *buf, ssize_t n);
/* Fills *m for the given type with all other fields zeroed. */
void	proto_init(struct proto_msg *m, enum proto_type type);
/* Sets the payload, cut to PROTO_PAYLOAD_MAX; returns its length. */
size_t	proto_set_text(struct proto_msg *m, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The payload as a C string (a checked message has room for the NUL). */
const char *proto_text(struct proto_msg *m);
/* The bytes to send for m: its header and its payload. */
size_t	proto_size(const struct proto_msg *m);

#endif
