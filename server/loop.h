/*
 * loop.h: the supervisor's io_uring ring.  Every submission carries a
 * struct op embedded in its owner; the completion calls op->done with
 * cqe->res (>= 0 on success, -errno on failure).  The user_data of each
 * SQE is the struct op pointer, nothing else.
 */
#ifndef FORKD_LOOP_H
#define FORKD_LOOP_H

#include <stddef.h>
#include <stdint.h>
#include <linux/time_types.h>

struct op {
	void	(*done)(struct op *op, int res, uint32_t flags);
	int	  pending;	/* 1 while the kernel owns the SQE */
};

#ifndef container_of
#define container_of(p, type, member)					\
	((type *)((char *)(p) - offsetof(type, member)))
#endif

/* Each returns 0 or -errno. */
int	loop_init(unsigned entries);
void	loop_fini(void);
int	loop_read(struct op *op, int fd, void *buf, unsigned len);
/* For SOCK_SEQPACKET: res > len means the packet was truncated. */
int	loop_recv(struct op *op, int fd, void *buf, unsigned len);
int	loop_timeout(struct op *op, struct __kernel_timespec *ts);
/* One-shot poll for mask (POLLIN ...); res is the events that fired. */
int	loop_poll(struct op *op, int fd, unsigned mask);
int	loop_cancel(struct op *op);
/* Submits what is queued, waits for one completion, runs them all. */
int	loop_run_once(void);

#endif
