/*
 * status.h: the status page the supervisor shares with its workers.
 *
 * One memfd, created by the supervisor, passed to each zygote at fd
 * PROTO_STATUS_FD and mapped MAP_SHARED before the zygote forks, so that
 * every worker writes its own slot (slot N for worker N) and the
 * supervisor reads them all without a system call: the request a worker
 * is on and since when, how many it answered, their latencies.  The
 * supervisor's --timeout and the admin socket's figures read it.
 *
 * A worker is the only writer of its slot.  The request line is guarded
 * by a sequence count (odd while it changes), so a reader never takes a
 * torn one; the counters are single aligned words.
 */
#ifndef FORKD_STATUS_H
#define FORKD_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define STATUS_MAGIC	0x666b7331u	/* "fks1" */
#define STATUS_LINE	96		/* "METHOD /path", truncated */
/*
 * Latency buckets: bucket 0 is under 1 ms, bucket i covers
 * [2^(i-1), 2^i) ms, the last one everything from 2^(STATUS_HIST-2) ms.
 */
#define STATUS_HIST	20

struct status_slot {
	uint32_t	seq;		/* odd while line changes */
	int32_t		pid;		/* the worker now in the slot */
	uint64_t	requests;	/* answered since it started */
	uint64_t	started_ns;	/* CLOCK_MONOTONIC; 0 when idle */
	uint64_t	busy_ns;	/* time spent answering, in all */
	uint64_t	hist[STATUS_HIST];
	char		line[STATUS_LINE];	/* current or last request */
} __attribute__((aligned(64)));

struct status_page {
	uint32_t		magic;
	uint32_t		nslots;
	uint64_t		pad[7];
	struct status_slot	slot[];
};

/* The page's size for nslots. */
size_t	status_size(unsigned nslots);
/* Supervisor: a new page in a memfd; returns 0 or -errno. */
int	status_create(unsigned nslots, int *ret_fd, struct status_page **ret);
/* Zygote: maps the page behind fd; returns 0 or -errno (-EBADMSG). */
int	status_map(int fd, struct status_page **ret);
/* Slot id (1-based), or NULL when out of range or sp is NULL. */
struct status_slot *status_slot(struct status_page *sp, unsigned id);

/* Worker: a new process takes the slot. */
void	status_claim(struct status_slot *s, pid_t pid);
/* Worker: a request starts, and ends after taking ns. */
void	status_begin(struct status_slot *s, const char *method, size_t mlen,
	    const char *path, size_t plen);
void	status_end(struct status_slot *s);

/* Reader: the request line, copied consistently; "" when unreadable. */
void	status_read_line(const struct status_slot *s, char *buf, size_t len);
/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t status_now_ns(void);
/* The bucket for a latency in ns. */
unsigned status_bucket(uint64_t ns);
/*
 * The latency in ms under which fraction p of the counted requests fell,
 * as the upper bound of its bucket; 0 with no requests.
 */
double	status_percentile(const uint64_t hist[STATUS_HIST], double p);

#endif
