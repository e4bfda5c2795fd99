/*
 * park.c: the connections workers park with the supervisor (park.h,
 * common/parkmsg.h, doc/ARCHITECTURE.md "Balanced keep-alive").
 *
 * Two SOCK_SEQPACKET socketpairs: the park socket, which every worker
 * writes and the supervisor reads, and the ready queue, which the
 * supervisor writes and every worker reads (the kernel gives each
 * message to one reader).  A parked connection is watched on an epoll
 * set of the supervisor's own, so the ring holds one poll for all of
 * them; a readable one goes into the queue, or waits in a list, in
 * order, while the queue is full.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "park.h"
#include "parkmsg.h"

/* Messages taken or sent per wake-up: the loop serves others too. */
#define PARK_BATCH	64

struct parked {
	int			 fd;
	int			 queued;	/* in the ready list */
	uint32_t		 nrequests;
	uint32_t		 len;
	uint64_t		 deadline_ms;
	char			*bytes;		/* a partial head, or NULL */
	struct parked		*prev, *next;	/* all, oldest first */
	struct parked		*qnext;		/* the ready list */
};

struct park {
	int			 park_rd, park_wr;	/* workers write */
	int			 queue_wr, queue_rd;	/* workers read */
	int			 ep;
	struct op		 park_op, ep_op, queue_op;
	struct parked		*head, *tail;
	struct parked		*qhead, *qtail;
	unsigned		 max;
	int			 closed;
	struct park_stats	 st;
	char			 bytes[PARK_BYTES_MAX];
};

static void	park_readable(struct op *, int, uint32_t);
static void	park_watch_done(struct op *, int, uint32_t);
static void	park_queue_done(struct op *, int, uint32_t);

static uint64_t
park_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Frees p once closed and the ring gave back every operation. */
static int
park_gone(struct park *p)
{
	if (!p->closed)
		return 0;
	if (!p->park_op.pending && !p->ep_op.pending && !p->queue_op.pending)
		free(p);
	return 1;
}

static void
park_unlink(struct park *p, struct parked *k)
{
	if (k->prev != NULL)
		k->prev->next = k->next;
	else
		p->head = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
	else
		p->tail = k->prev;
	p->st.parked--;
}

/* Closes k's connection and frees k (it is in no list any more). */
static void
park_drop(struct parked *k)
{
	close(k->fd);
	free(k->bytes);
	free(k);
}

/*
 * Sends k into the ready queue; the supervisor's copy of the connection
 * goes.  Returns 0, or -EAGAIN while the queue is full (k waits).
 */
static int
park_send_ready(struct park *p, struct parked *k, uint64_t now)
{
	struct park_hdr	h;
	int		r;

	h.magic = PARK_MAGIC;
	h.nrequests = k->nrequests;
	h.left_ms = k->deadline_ms > now ? (uint32_t)(k->deadline_ms - now) :
	    0;
	h.len = k->len;
	if ((r = park_send(p->queue_wr, &h, k->bytes, k->fd)) == -EAGAIN ||
	    r == -ENOBUFS)
		return -EAGAIN;
	if (r != 0) {
		log_warnc(r, "keep-alive: the ready queue");
		p->st.refused++;
	} else
		p->st.forwarded++;
	park_unlink(p, k);
	park_drop(k);
	return 0;
}

/* The ready list into the queue, in order, while it takes them. */
static void
park_flush(struct park *p, uint64_t now)
{
	struct parked	*k;
	int		 r;

	while ((k = p->qhead) != NULL) {
		p->qhead = k->qnext;
		if (park_send_ready(p, k, now) != 0) {
			p->qhead = k;	/* still first */
			break;
		}
		if (p->qhead == NULL)
			p->qtail = NULL;
	}
	if (p->qhead != NULL && !p->queue_op.pending) {
		p->queue_op.done = park_queue_done;
		if ((r = loop_poll(&p->queue_op, p->queue_wr, POLLOUT)) != 0)
			log_warnc(r, "keep-alive: cannot watch the ready queue");
	}
}

/* k is readable, or its head's deadline passed: a worker takes it. */
static void
park_ready(struct park *p, struct parked *k, uint64_t now)
{
	(void)epoll_ctl(p->ep, EPOLL_CTL_DEL, k->fd, NULL);
	k->queued = 1;
	k->qnext = NULL;
	if (p->qtail != NULL)
		p->qtail->qnext = k;
	else
		p->qhead = k;
	p->qtail = k;
	park_flush(p, now);
}

static void
park_arm(struct park *p)
{
	int	r;

	p->park_op.done = park_readable;
	if (!p->park_op.pending &&
	    (r = loop_poll(&p->park_op, p->park_rd, POLLIN)) != 0)
		log_warnc(r, "keep-alive: cannot watch the park socket");
	p->ep_op.done = park_watch_done;
	if (!p->ep_op.pending &&
	    (r = loop_poll(&p->ep_op, p->ep, POLLIN)) != 0)
		log_warnc(r, "keep-alive: cannot watch parked connections");
}

/* Workers parked connections: take them, watch them. */
static void
park_readable(struct op *op, int res, uint32_t flags)
{
	struct park		*p = container_of(op, struct park, park_op);
	struct epoll_event	 ev;
	struct park_hdr		 h;
	struct parked		*k;
	uint64_t		 now = park_now();
	int			 fd, i;

	(void)res;
	(void)flags;
	if (park_gone(p))
		return;
	for (i = 0; i < PARK_BATCH; i++) {
		if ((fd = park_recv(p->park_rd, &h, p->bytes)) == -EAGAIN)
			break;
		if (fd < 0) {
			log_warnc(fd, "keep-alive: the park socket");
			break;
		}
		p->st.received++;
		if (p->st.parked >= p->max ||
		    (k = calloc(1, sizeof(*k))) == NULL) {
			p->st.refused++;
			close(fd);
			continue;
		}
		k->fd = fd;
		k->nrequests = h.nrequests;
		k->deadline_ms = now + h.left_ms;
		if ((k->len = h.len) > 0 &&
		    (k->bytes = malloc(h.len)) != NULL)
			memcpy(k->bytes, p->bytes, h.len);
		else if (h.len > 0)
			k->len = 0;	/* out of memory: answered 400 */
		k->prev = p->tail;
		if (p->tail != NULL)
			p->tail->next = k;
		else
			p->head = k;
		p->tail = k;
		p->st.parked++;
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = k;
		if (epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
			park_ready(p, k, now);	/* let a worker see */
	}
	park_arm(p);
}

static void
park_watch_done(struct op *op, int res, uint32_t flags)
{
	struct park		*p = container_of(op, struct park, ep_op);
	struct epoll_event	 evs[PARK_BATCH];
	struct parked		*k;
	uint64_t		 now = park_now();
	int			 n, i;

	(void)res;
	(void)flags;
	if (park_gone(p))
		return;
	n = epoll_wait(p->ep, evs, PARK_BATCH, 0);
	for (i = 0; i < n; i++) {
		k = evs[i].data.ptr;
		if ((evs[i].events & (EPOLLHUP | EPOLLERR)) &&
		    !(evs[i].events & EPOLLIN)) {
			park_unlink(p, k);
			park_drop(k);	/* the client is gone */
			continue;
		}
		park_ready(p, k, now);
	}
	park_arm(p);
}

static void
park_queue_done(struct op *op, int res, uint32_t flags)
{
	struct park	*p = container_of(op, struct park, queue_op);

	(void)res;
	(void)flags;
	if (park_gone(p))
		return;
	park_flush(p, park_now());
}

int
park_open(struct park **ret, unsigned max)
{
	struct park	*p;
	int		 a[2], b[2], r;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -ENOMEM;
	p->max = max;
	a[0] = a[1] = b[0] = b[1] = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0, a) == -1 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0, b) == -1 ||
	    (p->ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		r = -errno;
		close(a[0]);
		close(a[1]);
		close(b[0]);
		close(b[1]);
		free(p);
		return r;
	}
	/* The workers' ends must block on nothing: they are nonblocking. */
	p->park_rd = a[0];
	p->park_wr = a[1];
	p->queue_wr = b[0];
	p->queue_rd = b[1];
	/* The supervisor never writes the park socket nor reads the queue. */
	(void)shutdown(p->park_rd, SHUT_WR);
	(void)shutdown(p->queue_wr, SHUT_RD);
	park_arm(p);
	*ret = p;
	return 0;
}

int
park_worker_fd(const struct park *p)
{
	return p != NULL ? p->park_wr : -1;
}

int
park_queue_fd(const struct park *p)
{
	return p != NULL ? p->queue_rd : -1;
}

void
park_tick(struct park *p, uint64_t now)
{
	struct parked	*k, *next;

	if (p == NULL)
		return;
	for (k = p->head; k != NULL; k = next) {
		next = k->next;
		if (k->queued || k->deadline_ms > now)
			continue;
		if (k->len > 0) {
			park_ready(p, k, now);	/* its worker answers 408 */
			continue;
		}
		(void)epoll_ctl(p->ep, EPOLL_CTL_DEL, k->fd, NULL);
		park_unlink(p, k);
		park_drop(k);
		p->st.expired++;
	}
}

void
park_close(struct park *p)
{
	struct parked	*k;

	if (p == NULL)
		return;
	while ((k = p->head) != NULL) {
		park_unlink(p, k);
		park_drop(k);
		p->st.refused++;
	}
	close(p->park_rd);
	close(p->park_wr);
	close(p->queue_wr);
	close(p->queue_rd);
	close(p->ep);
	p->closed = 1;
	(void)loop_cancel(&p->park_op);
	(void)loop_cancel(&p->ep_op);
	(void)loop_cancel(&p->queue_op);
	(void)park_gone(p);
}

void
park_get_stats(const struct park *p, struct park_stats *ret)
{
	if (p == NULL)
		memset(ret, 0, sizeof(*ret));
	else
		*ret = p->st;
}
