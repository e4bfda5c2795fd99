/*
 * cowreg.c: the zygote's half of the copy-on-write write tracker (--cow,
 * doc/cow.md).
 *
 * In the zygote it keeps the ranges /proc/PID/maps cannot name (obmalloc
 * arenas from pyhooks/arena.c, the packed code region) and writes them to
 * the ranges file at seal.  In a new worker, before Python's after-fork
 * code runs, it registers every inherited writable private mapping with
 * userfaultfd write-protect and parks the descriptor at PROTO_COW_FD,
 * where it stays open for the worker's life (closing it would drop the
 * registration) and where the supervisor finds it.
 *
 * It does not read what was written and reports nothing: the supervisor
 * does (server/cow.c).  It holds no Python state.
 */
#include <sys/mman.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "cowreg.h"
#include "mono.h"
#include "proto.h"
#include "uffd_compat.h"

/* Mappings registered at most; a Python worker has a few hundred. */
#define COW_MAX_SPANS	4096

/*
 * The zygote's range registry, a singleton.  Frozen once written, so
 * that arenas a worker allocates never write the inherited table.
 */
static struct cow_range	*cow_ranges;
static size_t		 cow_nranges, cow_capranges;
static int		 cow_frozen;
static int		 cow_sorted;	/* by start, since the last change */

int
cow_range_add(enum cow_kind kind, uintptr_t start, uintptr_t end)
{
	struct cow_range	*p;
	size_t			 cap;

	if (cow_frozen)
		return 0;
	if ((unsigned)kind >= COW_NKINDS || start >= end)
		return -EINVAL;
	if (cow_nranges == cow_capranges) {
		cap = cow_capranges ? cow_capranges * 2 : 256;
		/* libc, not PyMem: this runs inside obmalloc's arena path. */
		if ((p = realloc(cow_ranges, cap * sizeof(*p))) == NULL)
			return -ENOMEM;
		cow_ranges = p;
		cow_capranges = cap;
	}
	cow_ranges[cow_nranges].start = start;
	cow_ranges[cow_nranges].end = end;
	cow_ranges[cow_nranges].kind = kind;
	cow_nranges++;
	cow_sorted = 0;
	return 0;
}

int
cow_range_remove(uintptr_t start, uintptr_t end)
{
	size_t	i;

	if (cow_frozen)
		return 0;
	for (i = cow_nranges; i > 0; i--)
		if (cow_ranges[i - 1].start == start &&
		    cow_ranges[i - 1].end == end) {
			cow_ranges[i - 1] = cow_ranges[--cow_nranges];
			cow_sorted = 0;
			return 0;
		}
	return -ENOENT;
}

size_t
cow_ranges_of(enum cow_kind kind, struct cow_range *ret, size_t max)
{
	size_t	i, n = 0;

	for (i = 0; i < cow_nranges; i++) {
		if (cow_ranges[i].kind != kind)
			continue;
		if (n < max)
			ret[n] = cow_ranges[i];
		n++;
	}
	return n;
}

static int
cow_range_cmp(const void *a, const void *b)
{
	const struct cow_range	*x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int
cow_range_find(uintptr_t addr, struct cow_range *ret)
{
	size_t	lo = 0, hi = cow_nranges, mid;

	if (!cow_sorted && cow_nranges > 0) {
		qsort(cow_ranges, cow_nranges, sizeof(*cow_ranges),
		    cow_range_cmp);
		cow_sorted = 1;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cow_ranges[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= cow_ranges[lo - 1].end)
		return -ENOENT;
	*ret = cow_ranges[lo - 1];
	return 0;
}

int
cow_ranges_write(const char *path)
{
	struct iovec	 iov;
	char		*text;
	size_t		 i, out = 0, len = 0;
	int		 n, r;

	cow_frozen = 1;
	if (cow_nranges > 0)	/* qsort(NULL, 0) is undefined */
		qsort(cow_ranges, cow_nranges, sizeof(*cow_ranges),
		    cow_range_cmp);
	/* Neighbouring arenas of one kind become one line. */
	for (i = 0; i < cow_nranges; i++) {
		if (out > 0 && cow_ranges[out - 1].kind == cow_ranges[i].kind &&
		    cow_ranges[out - 1].end == cow_ranges[i].start) {
			cow_ranges[out - 1].end = cow_ranges[i].end;
			continue;
		}
		cow_ranges[out++] = cow_ranges[i];
	}
	cow_nranges = out;
	if ((text = malloc(cow_nranges * COW_RANGE_LINE_MAX + 1)) == NULL)
		return -ENOMEM;
	for (i = 0; i < cow_nranges; i++) {
		n = cow_range_format(text + len, COW_RANGE_LINE_MAX,
		    &cow_ranges[i]);
		if (n < 0) {
			free(text);
			return n;
		}
		len += (size_t)n;
	}
	iov.iov_base = text;
	iov.iov_len = len;
	r = atomicfile_replace(path, &iov, 1, 0600);
	free(text);
	return r < 0 ? r : (int)cow_nranges;
}

/*
 * Opens a userfaultfd and negotiates features.  Async (count): WP_ASYNC,
 * user-mode faults only, which any process may ask for.  Sync
 * (attribute): kernel-mode faults too, since a read(2) into a protected
 * buffer must wait for the handler rather than fail with EFAULT; that
 * needs CAP_SYS_PTRACE, vm.unprivileged_userfaultfd or /dev/userfaultfd.
 * Returns the fd or -errno.
 */
static int
cow_uffd_open(int sync)
{
	struct uffdio_api	api;
	int			fd, dev, flags = O_CLOEXEC | O_NONBLOCK;

	if (!sync)
		flags |= UFFD_USER_MODE_ONLY;
	if ((fd = (int)syscall(SYS_userfaultfd, flags)) == -1 && sync &&
	    errno == EPERM) {
		if ((dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC)) == -1)
			return -EPERM;
		fd = ioctl(dev, USERFAULTFD_IOC_NEW, flags);
		close(dev);
		if (fd == -1)
			return -EPERM;
	}
	if (fd == -1)
		return -errno;
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	api.features = sync ? UFFD_FEATURE_EXACT_ADDRESS |
	    UFFD_FEATURE_THREAD_ID : UFFD_FEATURE_WP_ASYNC;
	if (ioctl(fd, UFFDIO_API, &api) == -1) {
		close(fd);
		return errno == EINVAL ? -EOPNOTSUPP : -errno;
	}
	return fd;
}

struct cow_span {
	uintptr_t	start;
	uintptr_t	end;
};

/*
 * The registration's working memory.  It is mapped fresh, so that what
 * is written before the registration (and so goes unseen) lands on new
 * pages rather than on copies of the zygote's stack or heap; it is
 * unmapped afterwards.
 */
struct cow_scratch {
	char		buf[8192];	/* /proc/self/maps, a piece at a time */
	struct cow_span	spans[COW_MAX_SPANS];
};

/*
 * Collects the trackable mappings of /proc/self/maps into s->spans,
 * reading with read(2) rather than stdio (no malloc'd buffer).  Returns
 * the number of spans, or -errno.
 */
static int
cow_self_maps(struct cow_scratch *s)
{
	char			*buf = s->buf;
	struct cow_maps_line	 l;
	size_t			 have = 0, n = 0, i, start;
	ssize_t			 got;
	int			 fd;

	if ((fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	for (;;) {
		got = read(fd, buf + have, sizeof(s->buf) - have);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		have += (size_t)got;
		for (start = 0, i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			if (cow_maps_parse(buf + start, i - start, &l) == 0 &&
			    cow_maps_trackable(&l) && n < COW_MAX_SPANS) {
				s->spans[n].start = l.start;
				s->spans[n].end = l.end;
				n++;
			}
			start = i + 1;
		}
		/* A line longer than the buffer (a very long path) is lost. */
		if (start == 0 && have == sizeof(s->buf))
			start = have;
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	got = got == -1 ? -errno : 0;
	close(fd);
	return got < 0 ? (int)got : (int)n;
}

/*
 * Write-protects the pages of [lo, hi) that are present (or swapped)
 * in the registered mappings, with one PAGEMAP_SCAN: unlike
 * UFFDIO_WRITEPROTECT over the whole range, it leaves empty stretches
 * alone.  (WP_ASYNC implies WP_UNPOPULATED, under which
 * UFFDIO_WRITEPROTECT fills page tables with markers for every empty
 * page: gigabytes of them for a sanitizer's 13 TiB shadow mapping.)  A
 * page still empty needs no protection: written later it is a new page
 * without the protection bit, reported as written all the same.
 * Returns 0 or -errno.
 */
static int
cow_protect_present(uintptr_t lo, uintptr_t hi)
{
	struct pm_scan_arg	arg;
	int			fd, r = 0;

	if ((fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	arg.flags = PM_SCAN_WP_MATCHING;
	arg.start = lo;
	arg.end = hi;
	arg.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
	/* No vector: protect, report nothing. */
	if (ioctl(fd, PAGEMAP_SCAN, &arg) == -1)
		r = -errno;
	close(fd);
	return r;
}

int
cow_worker_register(enum cow_mode mode, struct cow_reg *ret)
{
	struct cow_scratch		*s;
	struct uffdio_register		 reg;
	struct timespec			 t0;
	const char			*m = getenv("FORKD_COW_METHOD");
	int				 fd, n, i, sync, r = 0;

	memset(ret, 0, sizeof(*ret));
	ret->mode = mode;
	if (mode == COW_OFF)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (m != NULL && strcmp(m, "pagemap") == 0) {
		ret->forced = 1;
		return ret->err = -ENOTSUP;
	}
	/* The fixed fd must be free: never close something the app owns. */
	if (fcntl(PROTO_COW_FD, F_GETFD) != -1 || errno != EBADF)
		return ret->err = -EBUSY;
	sync = mode == COW_ATTRIBUTE;
	if ((fd = cow_uffd_open(sync)) == -EPERM && sync) {
		ret->downgraded = 1;
		ret->mode = COW_COUNT;
		sync = 0;
		fd = cow_uffd_open(0);
	}
	if (fd < 0)
		return ret->err = fd;
	if ((s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED) {
		ret->err = -errno;
		close(fd);
		return ret->err;
	}
	if ((n = cow_self_maps(s)) < 0) {
		(void)munmap(s, sizeof(*s));
		close(fd);
		return ret->err = n;
	}
	for (i = 0; i < n; i++) {
		memset(&reg, 0, sizeof(reg));
		reg.range.start = s->spans[i].start;
		reg.range.len = s->spans[i].end - s->spans[i].start;
		reg.mode = UFFDIO_REGISTER_MODE_WP;
		/* Sync mode refuses private file mappings (libpython .data). */
		if (ioctl(fd, UFFDIO_REGISTER, &reg) == -1) {
			ret->refused++;
			continue;
		}
		ret->mappings++;
		ret->bytes += reg.range.len;
	}
	if (!sync && ret->mappings > 0 &&
	    (r = cow_protect_present(s->spans[0].start,
	    s->spans[n - 1].end)) != 0)
		ret->mappings = 0;	/* unprotected, it would count all */
	(void)munmap(s, sizeof(*s));
	if (ret->mappings == 0 || dup3(fd, PROTO_COW_FD, O_CLOEXEC) == -1) {
		ret->err = r != 0 ? r : ret->mappings == 0 ? -EINVAL : -errno;
		close(fd);	/* drops every registration */
		return ret->err;
	}
	close(fd);
	ret->ms = mono_ms_since(&t0);
	return 0;
}
