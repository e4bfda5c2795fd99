/*
 * proto.h: the messages between the supervisor and a zygote.
 *
 * They travel over a SOCK_SEQPACKET socketpair, one fixed-size record per
 * packet, so a short or long packet is a framing error by itself.  The
 * socket is the zygote's fd PROTO_CONTROL_FD; its listeners follow it.
 *
 *   zygote -> supervisor   PROTO_READY        the app is imported and sealed
 *   supervisor -> zygote   PROTO_FORK         fork the worker for slot id
 *   zygote -> supervisor   PROTO_FORKED       slot id now runs as pid
 *   zygote -> supervisor   PROTO_FORK_FAILED  err holds -errno
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
#define PROTO_MAGIC		0x666b6431u	/* "fkd1" */

enum proto_type {
	PROTO_READY = 1,
	PROTO_FORK,
	PROTO_FORKED,
	PROTO_FORK_FAILED,
	PROTO_TYPE_MAX
};

struct proto_msg {
	uint32_t	magic;
	uint32_t	type;		/* enum proto_type */
	uint32_t	worker_id;	/* slot, 1-based */
	uint32_t	generation;
	int32_t		pid;		/* PROTO_FORKED */
	int32_t		err;		/* PROTO_FORK_FAILED: -errno */
	char		info[96];	/* PROTO_READY: NUL-terminated text */
};

/* Returns 0 when buf[0..n) is one well-formed message, -EBADMSG if not. */
int	proto_check(const void *buf, ssize_t n);
/* Fills *m for the given type with all other fields zeroed. */
void	proto_init(struct proto_msg *m, enum proto_type type);

#endif
