/*
 * status.c: the status page shared by the supervisor and its workers
 * (status.h).
 *
 * Stores and loads of shared fields are C11 atomics with release and
 * acquire order where a reader must see them together (the sequence
 * count around the request line), relaxed elsewhere: each field is one
 * aligned word that only its worker writes.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "status.h"

size_t
status_size(unsigned nslots)
{
	return sizeof(struct status_page) +
	    (size_t)nslots * sizeof(struct status_slot);
}

int
status_create(unsigned nslots, int *ret_fd, struct status_page **ret)
{
	struct status_page	*sp;
	size_t			 size = status_size(nslots);
	int			 fd, r;

	if ((fd = memfd_create("forkd-status", MFD_CLOEXEC)) == -1)
		return -errno;
	if (ftruncate(fd, (off_t)size) == -1 ||
	    (sp = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0)) == MAP_FAILED) {
		r = -errno;
		close(fd);
		return r;
	}
	sp->nslots = nslots;
	sp->magic = STATUS_MAGIC;
	*ret_fd = fd;
	*ret = sp;
	return 0;
}

int
status_map(int fd, struct status_page **ret)
{
	struct status_page	*sp;
	struct stat		 st;
	size_t			 size;

	if (fstat(fd, &st) == -1)
		return -errno;
	if ((size_t)st.st_size < sizeof(*sp))
		return -EBADMSG;
	size = (size_t)st.st_size;
	sp = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (sp == MAP_FAILED)
		return -errno;
	if (sp->magic != STATUS_MAGIC || status_size(sp->nslots) > size) {
		munmap(sp, size);
		return -EBADMSG;
	}
	*ret = sp;
	return 0;
}

struct status_slot *
status_slot(struct status_page *sp, unsigned id)
{
	if (sp == NULL || id == 0 || id > sp->nslots)
		return NULL;
	return &sp->slot[id - 1];
}

uint64_t
status_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

unsigned
status_bucket(uint64_t ns)
{
	uint64_t	ms = ns / 1000000;
	unsigned	b = 0;

	while (ms > 0 && b < STATUS_HIST - 1) {
		ms >>= 1;
		b++;
	}
	return b;
}

void
status_claim(struct status_slot *s, pid_t pid)
{
	if (s == NULL)
		return;
	__atomic_store_n(&s->started_ns, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->requests, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->busy_ns, 0, __ATOMIC_RELAXED);
	memset(s->hist, 0, sizeof(s->hist));
	__atomic_store_n(&s->pid, (int32_t)pid, __ATOMIC_RELEASE);
}

void
status_begin(struct status_slot *s, const char *method, size_t mlen,
    const char *path, size_t plen)
{
	uint32_t	seq;
	size_t		n;

	if (s == NULL)
		return;
	seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	n = mlen < STATUS_LINE - 2 ? mlen : STATUS_LINE - 2;
	memcpy(s->line, method, n);
	s->line[n++] = ' ';
	if (plen > STATUS_LINE - 1 - n)
		plen = STATUS_LINE - 1 - n;
	memcpy(s->line + n, path, plen);
	s->line[n + plen] = '\0';
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
	__atomic_store_n(&s->started_ns, status_now_ns(), __ATOMIC_RELEASE);
}

void
status_end(struct status_slot *s)
{
	uint64_t	t0, ns;

	if (s == NULL ||
	    (t0 = __atomic_load_n(&s->started_ns, __ATOMIC_RELAXED)) == 0)
		return;
	ns = status_now_ns() - t0;
	__atomic_store_n(&s->hist[status_bucket(ns)],
	    s->hist[status_bucket(ns)] + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->busy_ns, s->busy_ns + ns, __ATOMIC_RELAXED);
	__atomic_store_n(&s->requests, s->requests + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->started_ns, 0, __ATOMIC_RELEASE);
}

void
status_read_line(const struct status_slot *s, char *buf, size_t len)
{
	uint32_t	seq;
	int		tries;

	buf[0] = '\0';
	if (len == 0)
		return;
	for (tries = 0; tries < 8; tries++) {
		seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (seq & 1)
			continue;
		memcpy(buf, s->line, len < STATUS_LINE ? len : STATUS_LINE);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq) {
			buf[len - 1] = '\0';
			buf[strnlen(buf, len - 1)] = '\0';
			return;
		}
	}
	buf[0] = '\0';
}

double
status_percentile(const uint64_t hist[STATUS_HIST], double p)
{
	uint64_t	total = 0, seen = 0, want;
	unsigned	i;

	for (i = 0; i < STATUS_HIST; i++)
		total += hist[i];
	if (total == 0)
		return 0;
	want = (uint64_t)(p * (double)total + 0.999999);
	if (want == 0)
		want = 1;
	for (i = 0; i < STATUS_HIST; i++) {
		seen += hist[i];
		if (seen >= want)
			break;
	}
	if (i >= STATUS_HIST)
		i = STATUS_HIST - 1;
	return (double)(1ULL << i);	/* the bucket's upper bound, ms */
}
