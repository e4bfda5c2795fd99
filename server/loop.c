/*
 * loop.c: owns the supervisor's io_uring ring.  It knows SQEs and CQEs
 * and nothing about workers, zygotes or signals: callers embed a struct
 * op and get its done() called with the completion's result.
 */
#include <errno.h>
#include <liburing.h>
#include <sys/socket.h>
#include <string.h>

#include "loop.h"

/* The ring: one per supervisor process, used only from its loop. */
static struct io_uring	loop_ring;
static int		loop_ready;

int
loop_init(unsigned entries)
{
	int	r;

	r = io_uring_queue_init(entries, &loop_ring, 0);
	if (r < 0)
		return r;
	loop_ready = 1;
	return 0;
}

void
loop_fini(void)
{
	if (!loop_ready)
		return;
	io_uring_queue_exit(&loop_ring);
	loop_ready = 0;
}

static struct io_uring_sqe *
loop_sqe(struct op *op)
{
	struct io_uring_sqe	*sqe;

	if ((sqe = io_uring_get_sqe(&loop_ring)) == NULL) {
		/* The SQ is full: flush it and try once more. */
		(void)io_uring_submit(&loop_ring);
		if ((sqe = io_uring_get_sqe(&loop_ring)) == NULL)
			return NULL;
	}
	io_uring_sqe_set_data(sqe, op);
	op->pending = 1;
	return sqe;
}

int
loop_read(struct op *op, int fd, void *buf, unsigned len)
{
	struct io_uring_sqe	*sqe;

	if ((sqe = loop_sqe(op)) == NULL)
		return -EBUSY;
	io_uring_prep_read(sqe, fd, buf, len, 0);
	return 0;
}

int
loop_recv(struct op *op, int fd, void *buf, unsigned len)
{
	struct io_uring_sqe	*sqe;

	if ((sqe = loop_sqe(op)) == NULL)
		return -EBUSY;
	/* MSG_TRUNC: res is the packet's real size, so a long one shows. */
	io_uring_prep_recv(sqe, fd, buf, len, MSG_TRUNC);
	return 0;
}

int
loop_timeout(struct op *op, struct __kernel_timespec *ts)
{
	struct io_uring_sqe	*sqe;

	if ((sqe = loop_sqe(op)) == NULL)
		return -EBUSY;
	io_uring_prep_timeout(sqe, ts, 0, 0);
	return 0;
}

int
loop_poll(struct op *op, int fd, unsigned mask)
{
	struct io_uring_sqe	*sqe;

	if ((sqe = loop_sqe(op)) == NULL)
		return -EBUSY;
	io_uring_prep_poll_add(sqe, fd, mask);
	return 0;
}

int
loop_cancel(struct op *op)
{
	struct io_uring_sqe	*sqe;

	if (!op->pending)
		return 0;
	if ((sqe = io_uring_get_sqe(&loop_ring)) == NULL)
		return -EBUSY;
	io_uring_prep_cancel(sqe, op, 0);
	io_uring_sqe_set_data(sqe, NULL);	/* its own CQE is ignored */
	return 0;
}

int
loop_run_once(void)
{
	struct io_uring_cqe	*cqe;
	struct op		*op;
	unsigned		 head, seen = 0;
	int			 r;

	r = io_uring_submit_and_wait(&loop_ring, 1);
	if (r < 0 && r != -EINTR)
		return r;
	io_uring_for_each_cqe(&loop_ring, head, cqe) {
		seen++;
		op = io_uring_cqe_get_data(cqe);
		if (op == NULL)
			continue;
		op->pending = 0;
		/*
		 * done() may queue new SQEs (re-arming itself); they go out
		 * with the next submit.
		 */
		op->done(op, cqe->res, cqe->flags);
	}
	io_uring_cq_advance(&loop_ring, seen);
	return 0;
}
