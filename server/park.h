/*
 * park.h: the supervisor's side of balanced keep-alive (common/parkmsg.h):
 * it holds the connections workers park, watches them on an epoll set
 * of its own (one poll on the ring for all of them), and sends each one
 * that becomes readable into the ready queue, which idle workers read.
 */
#ifndef FORKD_SERVER_PARK_H
#define FORKD_SERVER_PARK_H

#include <stdint.h>

struct park;

struct park_stats {
	unsigned	parked;		/* held now */
	uint64_t	received;	/* from workers */
	uint64_t	forwarded;	/* into the ready queue */
	uint64_t	expired;	/* closed at their keep-alive deadline */
	uint64_t	refused;	/* closed: past the limit, or stopping */
};

/*
 * Makes the park socket and the ready queue and starts watching; at most
 * max connections are held (beyond, a parked one is closed).  Returns 0
 * or -errno.
 */
int	park_open(struct park **ret, unsigned max);
/* The workers' ends, for the zygote to hold at PROTO_PARK_FD and
 * PROTO_QUEUE_FD. */
int	park_worker_fd(const struct park *);
int	park_queue_fd(const struct park *);
/* Every tick: connections past their deadline. */
void	park_tick(struct park *, uint64_t now_ms);
/*
 * forkd stops: every parked connection is closed, and so are both
 * sockets, so that a worker's park fails (it closes the connection) and
 * its queue reads the end.  The struct is freed once the ring returned
 * its operations.
 */
void	park_close(struct park *);
void	park_get_stats(const struct park *, struct park_stats *);

#endif
