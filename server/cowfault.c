/*
 * cowfault.c: attribute mode's fault handler (cowfault.h).
 *
 * The worker registered its inherited mappings with a synchronous
 * userfaultfd at fork and parked it at PROTO_COW_FD (preload/cowreg.c).
 * The supervisor takes a copy with pidfd_getfd(), write-protects the
 * worker's mappings through it (the ioctls act on the descriptor's mm,
 * not the caller's), and polls it on the ring.  A write to a protected
 * page stops the writing thread until the handler has looked the exact
 * address up in the zygote's object index, counted it, and lifted the
 * page's protection, which wakes the thread.
 *
 * Sampling: every stats tick protects everything again, so what workers
 * keep writing shows up, not only their first writes; each worker gets
 * at most COW_FAULT_BUDGET faults per interval, after which its memory
 * is unprotected until the next tick.  A fault costs the worker a round
 * trip through the supervisor (doc/cow.md has the figures).
 *
 * It does not read the worker's memory, only its maps.
 */
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cowfault.h"
#include "cowtally.h"
#include "log.h"
#include "loop.h"
#include "mono.h"
#include "proto.h"
#include "uffd_compat.h"

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd	438
#endif

/* obmalloc's pool header, rounded (pyhooks/cowindex.c). */
#define COWFAULT_POOL_OVERHEAD	48

struct cow_fault {
	struct op		 op;		/* the poll on uffd */
	int			 uffd;
	int			 dead;		/* free when op comes back */
	int			 broken;	/* cannot poll: unwatched */
	pid_t			 pid;
	unsigned		 page_shift;
	struct cow_index	*ix;		/* a reference, or NULL */
	const struct cow_ranges	*ranges;	/* the zygote's, or none */
	int			 zpm;		/* its pagemap, or -1 */
	uint64_t		 zero_pfn;	/* 0: unknown */
	struct cow_vmas		 vmas;		/* at the last protect */
	struct cow_tally	 tally;
	uint64_t		 faults;
	uint64_t		 unresolved;
	unsigned		 interval;	/* faults since the protect */
	double			 handle_ms;
	struct uffd_msg		 msgs[32];
};

/* What a write hit when no indexed object lies there, by kind. */
static const char *const cowfault_unindexed[COW_NKINDS] = {
	[COW_KIND_OBMALLOC] =	"(obmalloc: no indexed object)",
	[COW_KIND_HEAP] =	"(glibc heap: no indexed object)",
	[COW_KIND_LIBPYTHON] =	"(libpython data)",
	[COW_KIND_CODE] =	"(code region: no indexed object)",
	[COW_KIND_OTHER] =	"(other memory)",
};
static const char	cowfault_pool_header[] = "(obmalloc pool header)";
static const char	cowfault_new[] = "(new memory: the zygote had no page)";
static const struct cow_ranges	cowfault_no_ranges;

void
cow_index_put(struct cow_index *ix)
{
	if (ix == NULL || --ix->refs > 0)
		return;
	objindex_close(&ix->x);
	free(ix);
}

int
cowfault_inspect(pid_t pid, int fd, unsigned *ret_features)
{
	char		 path[64], link[64], buf[512], *api;
	unsigned long long api_v, ioctls;
	unsigned	 features;
	ssize_t		 n;
	int		 ifd;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	if ((n = readlink(path, link, sizeof(link) - 1)) == -1)
		return -errno;
	link[n] = '\0';
	if (strcmp(link, "anon_inode:[userfaultfd]") != 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	if ((ifd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	n = read(ifd, buf, sizeof(buf) - 1);
	close(ifd);
	buf[n > 0 ? n : 0] = '\0';
	/* "API:\t<api>:<features>:<ioctls>" */
	if ((api = strstr(buf, "API:\t")) == NULL ||
	    sscanf(api + 5, "%llx:%x:%llx", &api_v, &features, &ioctls) != 3)
		return -ENOENT;
	*ret_features = features;
	return 0;
}

/* Protects (mode WP) or releases (0) every trackable mapping. */
static void
cowfault_all(struct cow_fault *cf, uint64_t mode)
{
	struct uffdio_writeprotect	wp;
	size_t				i;

	for (i = 0; i < cf->vmas.n; i++) {
		if (!cf->vmas.v[i].trackable)
			continue;
		memset(&wp, 0, sizeof(wp));
		wp.range.start = cf->vmas.v[i].start;
		wp.range.len = cf->vmas.v[i].end - cf->vmas.v[i].start;
		wp.mode = mode;
		/* Mappings made after fork were never registered: ENOENT. */
		(void)ioctl(cf->uffd, UFFDIO_WRITEPROTECT, &wp);
	}
}

/* Lifts one page's protection, which wakes the thread that wrote it. */
static void
cowfault_release_page(struct cow_fault *cf, uint64_t addr)
{
	struct uffdio_writeprotect	wp;
	struct uffdio_range		r;

	memset(&wp, 0, sizeof(wp));
	wp.range.start = addr >> cf->page_shift << cf->page_shift;
	wp.range.len = 1ULL << cf->page_shift;
	if (ioctl(cf->uffd, UFFDIO_WRITEPROTECT, &wp) == -1) {
		/* The mapping went away meanwhile: wake the thread anyway. */
		r = wp.range;
		(void)ioctl(cf->uffd, UFFDIO_WAKE, &r);
	}
}

/*
 * Whether the page at addr is the worker's own memory (the zygote had
 * none there, or only the zero page): then no object of the zygote's
 * lies on it, and it is not a copy.  Unknown without the zygote: no.
 */
static int
cowfault_new_page(const struct cow_fault *cf, uint64_t addr)
{
	uint64_t	e;

	if (cf->zpm < 0 || pread(cf->zpm, &e, sizeof(e), (off_t)((addr >>
	    cf->page_shift) * sizeof(e))) != sizeof(e))
		return 0;
	return !cowmap_zygote_had(e, cf->zero_pfn);
}

/* Names and counts one write at addr. */
static void
cowfault_count(struct cow_fault *cf, uint64_t addr)
{
	const struct objindex_entry	*e = NULL;
	const struct objindex		*x = cf->ix ? &cf->ix->x : NULL;
	const char			*type, *object, *module = NULL;
	const char			*func = NULL;
	uint64_t			 page = addr >> cf->page_shift;
	enum cow_kind			 k;

	if (x != NULL)
		e = objindex_lookup(x, addr);
	if (e != NULL) {
		type = objindex_string(x, e->type);
		object = e->label ? objindex_string(x, e->label) : type;
		if (e->module)
			module = objindex_string(x, e->module);
		if (e->flags & OBJINDEX_F_CODE)
			func = object;
	} else if (cowfault_new_page(cf, addr)) {
		type = object = cowfault_new;
	} else {
		k = cowmap_kind(&cf->vmas, cf->ranges, addr);
		type = cowfault_unindexed[k];
		if (k == COW_KIND_OBMALLOC && x != NULL && x->pool_size &&
		    (addr & (x->pool_size - 1)) < COWFAULT_POOL_OVERHEAD)
			type = cowfault_pool_header;
		object = type;
		cf->unresolved++;
	}
	cf->faults++;
	/* Out of memory: the fault is handled, only not counted. */
	(void)cow_tally_add(&cf->tally, COW_LIST_TYPES, type, page);
	(void)cow_tally_add(&cf->tally, COW_LIST_OBJECTS, object, page);
	if (module != NULL)
		(void)cow_tally_add(&cf->tally, COW_LIST_MODULES, module, page);
	if (func != NULL)
		(void)cow_tally_add(&cf->tally, COW_LIST_FUNCTIONS, func, page);
}

static void
cowfault_free(struct cow_fault *cf)
{
	if (cf->uffd >= 0)
		close(cf->uffd);
	if (cf->zpm >= 0)
		close(cf->zpm);
	cow_index_put(cf->ix);
	cowmap_vmas_free(&cf->vmas);
	cow_tally_free(&cf->tally);
	free(cf);
}

static void
cowfault_poll_done(struct op *op, int res, uint32_t flags)
{
	struct cow_fault	*cf = container_of(op, struct cow_fault, op);
	struct timespec		 t0;
	ssize_t			 n;
	size_t			 i;
	int			 r;

	(void)flags;
	if (cf->dead) {
		cowfault_free(cf);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if ((n = read(cf->uffd, cf->msgs, sizeof(cf->msgs))) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < (size_t)n / sizeof(cf->msgs[0]); i++) {
			if (cf->msgs[i].event != UFFD_EVENT_PAGEFAULT)
				continue;
			cowfault_count(cf, cf->msgs[i].arg.pagefault.address);
			cowfault_release_page(cf,
			    cf->msgs[i].arg.pagefault.address);
			if (++cf->interval == COW_FAULT_BUDGET)
				cowfault_all(cf, 0);
		}
	}
	cf->handle_ms += mono_ms_since(&t0);
	r = res < 0 ? res : loop_poll(&cf->op, cf->uffd, POLLIN);
	if (r != 0) {
		/* Nobody would wake a writer: leave the worker unwatched. */
		log_warnc(r, "cow: worker pid %d: cannot poll its userfaultfd, "
		    "attribution stops", (int)cf->pid);
		cf->broken = 1;
		cowfault_all(cf, 0);
	}
}

int
cowfault_attach(int pidfd, pid_t pid, unsigned page_shift,
    struct cow_index *ix, struct cow_fault **ret)
{
	struct cow_fault	*cf;
	unsigned		 features;
	int			 fd, r;

	if ((fd = (int)syscall(SYS_pidfd_getfd, pidfd, PROTO_COW_FD, 0)) == -1)
		return errno == EBADF ? -EAGAIN : -errno;
	if ((r = cowfault_inspect(getpid(), fd, &features)) != 0) {
		close(fd);
		return r == -ENOENT ? -EAGAIN : r;
	}
	if (features & UFFD_FEATURE_WP_ASYNC) {
		close(fd);
		return -ENOTSUP;
	}
	if ((cf = calloc(1, sizeof(*cf))) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	cf->uffd = fd;
	cf->zpm = -1;
	cf->pid = pid;
	cf->page_shift = page_shift;
	cf->ranges = &cowfault_no_ranges;
	cf->op.done = cowfault_poll_done;
	if ((r = loop_poll(&cf->op, fd, POLLIN)) != 0) {
		cowfault_free(cf);
		return r;
	}
	if ((cf->ix = ix) != NULL)
		ix->refs++;
	*ret = cf;
	return 0;
}

int
cowfault_protect(struct cow_fault *cf, const struct cow_vmas *vmas,
    const struct cow_ranges *rs, int zfd, uint64_t zero_pfn)
{
	struct cow_vma	*v;

	if (cf->broken)
		return -EPIPE;
	if (cf->zpm >= 0)
		close(cf->zpm);
	cf->zpm = zfd >= 0 ? fcntl(zfd, F_DUPFD_CLOEXEC, 0) : -1;
	cf->zero_pfn = zero_pfn;
	if (vmas->n > cf->vmas.cap) {
		if ((v = realloc(cf->vmas.v, vmas->n * sizeof(*v))) == NULL)
			return -ENOMEM;
		cf->vmas.v = v;
		cf->vmas.cap = vmas->n;
	}
	if (vmas->n > 0)
		memcpy(cf->vmas.v, vmas->v, vmas->n * sizeof(*v));
	cf->vmas.n = vmas->n;
	cf->ranges = rs != NULL ? rs : &cowfault_no_ranges;
	cf->interval = 0;
	cowfault_all(cf, UFFDIO_WRITEPROTECT_MODE_WP);
	return 0;
}

void
cowfault_report(const struct cow_fault *cf, struct cow_worker_report *rep)
{
	const struct cow_tally	*t = &cf->tally;
	unsigned		 l;

	rep->attributed = 1;
	rep->faults = cf->faults;
	rep->unresolved = cf->unresolved;
	for (l = 0; l < COW_NLISTS; l++)
		rep->ntop[l] = cow_tally_top(&t, 1, (enum cow_list)l,
		    rep->top[l], COW_TOP_MAX);
}

const struct cow_tally *
cowfault_tally(const struct cow_fault *cf)
{
	return &cf->tally;
}

double
cowfault_us_per_fault(const struct cow_fault *cf)
{
	return cf->faults ? cf->handle_ms * 1e3 / (double)cf->faults : 0;
}

void
cowfault_release(struct cow_fault *cf)
{
	if (cf == NULL)
		return;
	cf->dead = 1;
	/* The poll's completion frees it; if it cannot be cancelled, leak. */
	if (cf->op.pending) {
		(void)loop_cancel(&cf->op);
		return;
	}
	cowfault_free(cf);
}
