/*
 * cow.c: the supervisor's half of the copy-on-write write tracker
 * (--cow, doc/cow.md).
 *
 * Every --stats-interval it asks the kernel which pages each worker wrote
 * since it was forked: PAGEMAP_SCAN over /proc/PID/pagemap for the pages
 * the worker's async userfaultfd write-protect no longer guards (the
 * worker registered at fork, preload/cowreg.c), or, where the worker could
 * not register, pagemap's "exclusively mapped" bit.  Each written page is
 * counted under its kind (cowmap.c) and as inherited (the zygote had a
 * page there: the worker's is a copy) or new.  One log line per worker
 * and a total; the JSON report rewritten atomically (cowreport.c).
 *
 * In attribute mode it also hands each worker's userfaultfd to the fault
 * handler (cowfault.c), loads the zygote's object index for it, and adds
 * the handler's top lists to the report.
 *
 * It never touches a worker's memory: everything here reads /proc.  It
 * links no libpython.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "cow.h"
#include "cowfault.h"
#include "cowmap.h"
#include "cowreport.h"
#include "forkd.h"
#include "log.h"
#include "mono.h"
#include "proto.h"
#include "uffd_compat.h"

/* PAGEMAP_SCAN results per call; the scan resumes where it stopped. */
#define COW_SCAN_VEC	1024
/* pagemap entries read per pread. */
#define COW_PM_CHUNK	4096
/*
 * Without PAGEMAP_SCAN, pagemap is read entry by entry: a mapping larger
 * than this (a reservation, a sanitizer's shadow) is skipped.
 */
#define COW_PM_MAX_SPAN	(64ULL << 30)

enum cow_method {
	COW_METHOD_UNKNOWN = 0,
	COW_METHOD_ASYNC,	/* uffd-wp async + PAGEMAP_SCAN */
	COW_METHOD_SYNC,	/* uffd-wp sync (attribute); pages by pagemap */
	COW_METHOD_PAGEMAP,	/* pagemap's exclusive bit */
};

static const char *const cow_method_names[] = {
	[COW_METHOD_UNKNOWN] =	"unknown",
	[COW_METHOD_ASYNC] =	"uffd-async",
	[COW_METHOD_SYNC] =	"uffd-sync",
	[COW_METHOD_PAGEMAP] =	"pagemap",
};

/* A written stretch of a worker's memory. */
struct cow_region {
	uint64_t	start;
	uint64_t	end;
};

/* Ticks (100 ms) attribute mode waits for a worker's userfaultfd. */
#define COW_ATTACH_TICKS	50

/* The tracker's state for one worker. */
struct cow_track {
	enum cow_method			method;
	int				scan_refused;	/* stay on pagemap */
	unsigned			attach_tries;
	struct cow_fault		*fault;	/* attribute mode's handler */
	struct cow_worker_report	rep;	/* at the last stats tick */
};

/* The tracker: one per supervisor, hung on struct forkd. */
struct cow {
	char			 base[PATH_MAX - 64];	/* $TMPDIR or /tmp */
	char			 dir[PATH_MAX];	/* the starting zygote's, 0700 */
	unsigned		 dir_gen;	/* its generation; "" when none */
	unsigned		 page_shift;
	uint64_t		 zero_pfn;	/* 0: unknown */
	struct cow_ranges	 ranges;	/* of ranges_gen's zygote */
	unsigned		 ranges_gen;
	struct cow_index	*index;		/* attribute: the current one */
	struct cow_vmas		 vmas;		/* scratch: a worker's maps */
	struct cow_buf		 text;		/* scratch: a file's text */
	struct cow_region	*regions;	/* scratch: written regions */
	size_t			 nregions, capregions;
	struct page_region	 vec[COW_SCAN_VEC];
	uint64_t		 pm[COW_PM_CHUNK];
	uint64_t		 zpm[COW_PM_CHUNK];
};

/*
 * The frame the kernel's shared zero page has, as this process sees it
 * (0 when pagemap hides frame numbers: not root).  A zygote page that is
 * the zero page was never written, so the worker's page is new.
 */
static uint64_t
cow_find_zero_pfn(unsigned page_shift)
{
	volatile char	*p;
	uint64_t	 e = 0;
	int		 fd;

	p = mmap(NULL, 1UL << page_shift, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	(void)p[0];
	if ((fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) != -1) {
		if (pread(fd, &e, sizeof(e), (off_t)(((uintptr_t)p >>
		    page_shift) * sizeof(e))) != (ssize_t)sizeof(e))
			e = 0;
		close(fd);
	}
	(void)munmap((void *)p, 1UL << page_shift);
	return (e & PM_ENTRY_PRESENT) ? e & ((1ULL << 55) - 1) : 0;
}

int
cow_init(struct forkd *f)
{
	struct cow	*c;
	const char	*tmp = getenv("TMPDIR");
	long		 ps = sysconf(_SC_PAGESIZE);

	if (f->cfg.zyg.cow == COW_OFF)
		return 0;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (snprintf(c->base, sizeof(c->base), "%s", tmp) >=
	    (int)sizeof(c->base)) {
		free(c);
		return -ENAMETOOLONG;
	}
	while ((1L << c->page_shift) < ps)
		c->page_shift++;
	c->zero_pfn = cow_find_zero_pfn(c->page_shift);
	f->cow = c;
	return 0;
}

/* Opens a userfaultfd with features; returns 0 or -errno. */
static int
cow_probe_uffd(int flags, uint64_t features)
{
	struct uffdio_api	api;
	int			fd, r = 0;

	if ((fd = (int)syscall(SYS_userfaultfd, flags | O_CLOEXEC)) == -1)
		return -errno;
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	api.features = features;
	if (ioctl(fd, UFFDIO_API, &api) == -1)
		r = -errno;
	close(fd);
	return r;
}

void
cow_probe(char *buf, size_t len)
{
	struct pm_scan_arg	arg;
	int			fd, r, scan, sync;

	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	scan = -ENOENT;
	if ((fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) != -1) {
		scan = ioctl(fd, PAGEMAP_SCAN, &arg) == -1 ? -errno : 0;
		close(fd);
	}
	r = cow_probe_uffd(UFFD_USER_MODE_ONLY, UFFD_FEATURE_WP_ASYNC);
	sync = cow_probe_uffd(0, 0);
	if (r == 0 && scan == 0)
		snprintf(buf, len, "count (userfaultfd write-protect + "
		    "PAGEMAP_SCAN), attribute %s", sync == 0 ? "yes" :
		    "no (needs CAP_SYS_PTRACE or vm.unprivileged_userfaultfd)");
	else
		snprintf(buf, len, "pagemap fallback (userfaultfd WP_ASYNC: "
		    "%s, PAGEMAP_SCAN: %s)", r == 0 ? "yes" : strerror(-r),
		    scan == 0 ? "yes" : strerror(-scan));
}

/* Removes the zygote's directory and what it wrote there, if any. */
static void
cow_remove_dir(struct cow *c)
{
	struct dirent	*de;
	DIR		*d;
	int		 dfd;

	if (c->dir[0] == '\0')
		return;
	if ((d = opendir(c->dir)) != NULL) {
		dfd = dirfd(d);
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				(void)unlinkat(dfd, de->d_name, 0);
		closedir(d);
	}
	(void)rmdir(c->dir);
	c->dir[0] = '\0';
}

int
cow_zygote_starting(struct forkd *f, unsigned gen)
{
	struct cow	*c = f->cow;

	if (c == NULL)
		return 0;
	cow_remove_dir(c);	/* a zygote that died before it was ready */
	/* base is short enough for the name to fit. */
	(void)snprintf(c->dir, sizeof(c->dir), "%s/forkd-cow.XXXXXX", c->base);
	if (mkdtemp(c->dir) == NULL) {		/* mode 0700 */
		c->dir[0] = '\0';
		return -errno;
	}
	c->dir_gen = gen;
	/* The zygote writes its files there, as --user. */
	if (f->drop && chown(c->dir, f->run_uid, f->run_gid) == -1)
		return -errno;
	return 0;
}

void
cow_fini(struct forkd *f)
{
	struct cow	*c = f->cow;

	if (c == NULL)
		return;
	cow_remove_dir(c);
	cow_index_put(c->index);
	cowmap_ranges_free(&c->ranges);
	cowmap_vmas_free(&c->vmas);
	cow_buf_free(&c->text);
	free(c->regions);
	free(c);
	f->cow = NULL;
}

int
cow_ranges_path(const struct forkd *f, unsigned gen, char *buf, size_t len)
{
	const struct cow	*c = f->cow;

	if (c == NULL || c->dir[0] == '\0' || c->dir_gen != gen)
		return -ENOENT;
	if (snprintf(buf, len, "%s/ranges", c->dir) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int
cow_index_path(const struct forkd *f, unsigned gen, char *buf, size_t len)
{
	const struct cow	*c = f->cow;

	if (c == NULL || f->cfg.zyg.cow != COW_ATTRIBUTE ||
	    c->dir[0] == '\0' || c->dir_gen != gen)
		return -ENOENT;
	if (snprintf(buf, len, "%s/index", c->dir) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

size_t
cow_path_max(const struct forkd *f)
{
	/* cow_zygote_starting()'s directory, and the longer name in it. */
	if (f->cow == NULL)
		return 0;
	return strlen(f->cow->base) + sizeof("/forkd-cow.XXXXXX/ranges") - 1;
}

void
cow_worker_started(struct forkd *f, struct worker *w)
{
	if (f->cow == NULL)
		return;
	/* Out of memory: this worker goes unreported. */
	w->cow = calloc(1, sizeof(*w->cow));
}

void
cow_worker_gone(struct forkd *f, struct worker *w)
{
	(void)f;
	if (w->cow == NULL)
		return;
	cowfault_release(w->cow->fault);
	free(w->cow);
	w->cow = NULL;
}

/* Reads a /proc file whole into c->text, NUL-terminated: 0 or -errno. */
static int
cow_read_text(struct cow *c, const char *path)
{
	struct cow_buf	*b = &c->text;
	ssize_t		 n;
	char		*p;
	int		 fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	b->len = 0;
	for (;;) {
		if (b->cap - b->len < 4096) {
			if ((p = realloc(b->p, b->cap + 65536)) == NULL) {
				r = -ENOMEM;
				break;
			}
			b->p = p;
			b->cap += 65536;
		}
		if ((n = read(fd, b->p + b->len, b->cap - b->len - 1)) == -1) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	close(fd);
	if (r == 0)
		b->p[b->len] = '\0';
	return r;
}

static int
cow_region_add(struct cow *c, uint64_t start, uint64_t end)
{
	struct cow_region	*p;
	size_t			 cap;

	if (c->nregions > 0 && c->regions[c->nregions - 1].end == start) {
		c->regions[c->nregions - 1].end = end;
		return 0;
	}
	if (c->nregions == c->capregions) {
		cap = c->capregions ? c->capregions * 2 : 1024;
		if ((p = realloc(c->regions, cap * sizeof(*p))) == NULL)
			return -ENOMEM;
		c->regions = p;
		c->capregions = cap;
	}
	c->regions[c->nregions].start = start;
	c->regions[c->nregions].end = end;
	c->nregions++;
	return 0;
}

/*
 * How the worker registered, from its fd PROTO_COW_FD: a userfaultfd
 * with WP_ASYNC (count), without (attribute), or none at all.
 */
static enum cow_method
cow_detect(pid_t pid)
{
	unsigned	features;

	if (cowfault_inspect(pid, PROTO_COW_FD, &features) != 0)
		return COW_METHOD_PAGEMAP;
	return (features & UFFD_FEATURE_WP_ASYNC) ? COW_METHOD_ASYNC :
	    COW_METHOD_SYNC;
}

/*
 * One PAGEMAP_SCAN call over [lo, hi) of the pagemap fd: the stretches
 * of pages present or swapped whose categories, XORed with inverted,
 * have every bit of mask, into c->vec.  Returns how many, or -errno
 * (-ENOTTY: no PAGEMAP_SCAN in this kernel); *ret_next is where a next
 * call starts (hi when done).
 */
static long
cow_pm_scan(struct cow *c, int fd, uint64_t lo, uint64_t hi, uint64_t mask,
    uint64_t inverted, uint64_t *ret_next)
{
	struct pm_scan_arg	arg;
	long			n;

	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	arg.start = lo;
	arg.end = hi;
	arg.vec = (uintptr_t)c->vec;
	arg.vec_len = COW_SCAN_VEC;
	arg.category_mask = mask;
	arg.category_inverted = inverted;
	/*
	 * An empty page is never written: the worker protects only the
	 * pages it has (preload/cowreg.c), so an empty stretch is reported
	 * "written" (not protected) unless presence is asked for.
	 */
	arg.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
	arg.return_mask = mask & ~inverted;
	if (arg.return_mask == 0)
		arg.return_mask = PAGE_IS_PRESENT;
	if ((n = ioctl(fd, PAGEMAP_SCAN, &arg)) < 0)
		return -errno;
	/*
	 * Only a full vector means the scan stopped early.  (6.18 can
	 * report a walk_end short of the end after a complete scan, and a
	 * second call would count regions twice.)
	 */
	*ret_next = hi;
	if (n == COW_SCAN_VEC) {
		*ret_next = arg.walk_end > c->vec[n - 1].end ? arg.walk_end :
		    c->vec[n - 1].end;
		if (*ret_next <= lo)
			*ret_next = hi;		/* no progress: never loop */
	}
	return n;
}

/*
 * The pages of write-protect-tracked mappings (so only those the worker
 * registered at fork) in [lo, hi) of pid that are written, the shared
 * zero page left out.  Appends to c->regions.  Returns 0, or -errno
 * (-ENOTTY: no PAGEMAP_SCAN in this kernel).
 */
static int
cow_scan_async(struct cow *c, pid_t pid, uint64_t lo, uint64_t hi)
{
	char	path[64];
	long	n, i;
	int	fd, r = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	while (lo < hi && r == 0) {
		if ((n = cow_pm_scan(c, fd, lo, hi, PAGE_IS_WPALLOWED |
		    PAGE_IS_WRITTEN | PAGE_IS_PFNZERO, PAGE_IS_PFNZERO,
		    &lo)) < 0) {
			r = (int)n;
			break;
		}
		for (i = 0; i < n && r == 0; i++)
			r = cow_region_add(c, c->vec[i].start, c->vec[i].end);
	}
	close(fd);
	return r;
}

/*
 * The pages of [start, end) that fd's process maps present and alone
 * (pagemap bit 56), read entry by entry; appended to c->regions.
 * Returns 0 or -errno.
 */
static int
cow_scan_exclusive(struct cow *c, int fd, uint64_t start, uint64_t end)
{
	uint64_t	a, page = 1ULL << c->page_shift, run = 0;
	size_t		j, k, want;
	ssize_t		n;
	int		r = 0;

	for (a = start; a < end && r == 0; a += want * page) {
		want = (end - a) >> c->page_shift;
		if (want > COW_PM_CHUNK)
			want = COW_PM_CHUNK;
		if ((n = pread(fd, c->pm, want * sizeof(uint64_t),
		    (off_t)((a >> c->page_shift) * sizeof(uint64_t)))) < 0)
			return -errno;
		k = (size_t)n / sizeof(uint64_t);
		for (j = 0; j <= k && r == 0; j++) {
			if (j < k && (c->pm[j] & PM_ENTRY_PRESENT) &&
			    (c->pm[j] & PM_ENTRY_EXCLUSIVE)) {
				if (run == 0)
					run = a + j * page;
				continue;
			}
			if (run != 0)
				r = cow_region_add(c, run, a + j * page);
			run = 0;
		}
		if (k < want)
			break;
	}
	return r;
}

/*
 * The fallback: pages of pid's trackable mappings that are present and
 * mapped by pid alone, copied or new.  PAGEMAP_SCAN, where the kernel
 * has it, finds the present stretches first, so that huge sparse
 * mappings (a sanitizer's shadow) cost nothing; pagemap is then read only
 * there.  Appends to c->regions.  Returns 0 or -errno.
 */
static int
cow_scan_pagemap(struct cow *c, pid_t pid)
{
	const struct cow_vma	*v;
	uint64_t		 lo;
	char			 path[64];
	size_t			 i;
	long			 n, j;
	int			 fd, r = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	for (i = 0; i < c->vmas.n && r == 0; i++) {
		v = &c->vmas.v[i];
		if (!v->trackable)
			continue;
		for (lo = v->start; lo < v->end && r == 0; ) {
			n = cow_pm_scan(c, fd, lo, v->end, 0, 0, &lo);
			if (n < 0) {
				/* No PAGEMAP_SCAN: read the whole mapping. */
				if (v->end - lo <= COW_PM_MAX_SPAN)
					r = cow_scan_exclusive(c, fd, lo,
					    v->end);
				break;
			}
			for (j = 0; j < n && r == 0; j++)
				r = cow_scan_exclusive(c, fd, c->vec[j].start,
				    c->vec[j].end);
		}
	}
	close(fd);
	return r;
}


/*
 * Counts c->regions into rep by kind.  With the zygote's pagemap (zfd >=
 * 0) a page the zygote had is a written inherited page, another is new;
 * without it every page counts as written and rep->compared is 0.
 */
static void
cow_classify(struct cow *c, const struct cow_ranges *rs, int zfd,
    struct cow_worker_report *rep)
{
	uint64_t	 all[COW_NKINDS] = { 0 }, a, run, page;
	size_t		 i, j, k, want;
	ssize_t		 n;
	unsigned	 kd;

	page = 1ULL << c->page_shift;
	memset(&rep->pages, 0, sizeof(rep->pages));
	rep->compared = zfd >= 0;
	for (i = 0; i < c->nregions; i++) {
		cowmap_count(&c->vmas, rs, c->regions[i].start,
		    c->regions[i].end, c->page_shift, all);
		if (zfd < 0)
			continue;
		for (a = c->regions[i].start; a < c->regions[i].end;
		    a += want * page) {
			want = (c->regions[i].end - a) >> c->page_shift;
			if (want > COW_PM_CHUNK)
				want = COW_PM_CHUNK;
			n = pread(zfd, c->zpm, want * sizeof(uint64_t),
			    (off_t)((a >> c->page_shift) * sizeof(uint64_t)));
			k = n > 0 ? (size_t)n / sizeof(uint64_t) : 0;
			for (j = 0, run = 0; j <= k; j++) {
				if (j < k && cowmap_zygote_had(c->zpm[j], c->zero_pfn)) {
					if (run == 0)
						run = a + j * page;
					continue;
				}
				if (run != 0)
					cowmap_count(&c->vmas, rs, run,
					    a + j * page, c->page_shift,
					    rep->pages.written);
				run = 0;
			}
		}
	}
	for (kd = 0; kd < COW_NKINDS; kd++) {
		if (zfd < 0)
			rep->pages.written[kd] = all[kd];
		else
			rep->pages.fresh[kd] = all[kd] - rep->pages.written[kd];
	}
}

/* Loads the ranges file of the zygote that just became ready. */
static void
cow_load_ranges(struct forkd *f, unsigned gen)
{
	struct cow	*c = f->cow;
	char		 path[PATH_MAX];
	int		 r;

	c->ranges.n = 0;
	c->ranges_gen = gen;
	if ((r = cow_ranges_path(f, gen, path,
	    sizeof(path))) == 0 && (r = cow_read_text(c, path)) == 0)
		r = cowmap_parse_ranges(&c->ranges, c->text.p, c->text.len);
	if (r != 0) {
		log_warnc(r, "cow: no ranges file from the zygote: obmalloc "
		    "arenas count as other");
		c->ranges.n = 0;
	}
}

/* Maps the object index of the zygote that just became ready. */
static void
cow_load_index(struct forkd *f, unsigned gen)
{
	struct cow		*c = f->cow;
	struct cow_index	*ix;
	char			 path[PATH_MAX];
	int			 r;

	if (f->cfg.zyg.cow != COW_ATTRIBUTE)
		return;
	if ((r = cow_index_path(f, gen, path,
	    sizeof(path))) != 0) {
		log_warnc(r, "cow: no object index: writes are named by kind "
		    "of memory only");
		return;
	}
	if ((ix = calloc(1, sizeof(*ix))) == NULL)
		return;
	if ((r = objindex_open(path, &ix->x)) != 0) {
		log_warnc(r, "cow: the object index: writes are named by kind "
		    "of memory only");
		free(ix);
		return;
	}
	ix->generation = gen;
	ix->refs = 1;
	cow_index_put(c->index);
	c->index = ix;
}

void
cow_zygote_ready(struct forkd *f, unsigned gen)
{
	struct cow	*c = f->cow;

	if (c == NULL || c->dir_gen != gen)
		return;
	cow_load_ranges(f, gen);
	cow_load_index(f, gen);	/* mapped: it outlives its name */
	cow_remove_dir(c);
}

/* The ranges of generation gen's zygote, if loaded, else none. */
static const struct cow_ranges *
cow_gen_ranges(const struct cow *c, unsigned gen)
{
	static const struct cow_ranges	none;

	return gen == c->ranges_gen ? &c->ranges : &none;
}

/* Reads pid's maps into c->vmas: 0 or -errno. */
static int
cow_read_maps(struct cow *c, pid_t pid)
{
	char	path[64];
	int	r;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((r = cow_read_text(c, path)) != 0)
		return r;
	return cowmap_parse_maps(&c->vmas, c->text.p, c->text.len);
}

/*
 * The pagemap of generation gen's zygote, while it is the ready one: an
 * fd to close, or -1.
 */
static int
cow_zygote_pagemap(struct forkd *f, unsigned gen)
{
	struct generation	*g = sv_gen(&f->sv, gen);
	char			 path[64];

	if (g == NULL || g->state != GEN_READY || g->pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)g->pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * Attribute mode, every tick until it is done: takes a new worker's
 * userfaultfd and protects its memory.  The worker parks the fd right
 * after fork, so the first tries may find nothing yet.
 */
static void
cow_attach(struct forkd *f, struct worker *w)
{
	struct cow		*c = f->cow;
	struct cow_track	*t = w->cow;
	struct cow_index	*ix = NULL;
	int			 r, zfd;

	if (c->index != NULL && c->index->generation == w->generation)
		ix = c->index;
	r = cowfault_attach(w->pidfd, w->pid, c->page_shift, ix, &t->fault);
	if (r == -EAGAIN && ++t->attach_tries < COW_ATTACH_TICKS)
		return;
	t->attach_tries = COW_ATTACH_TICKS;	/* done, whatever happened */
	if (r == -ENOTSUP || r == -EAGAIN)
		return;		/* the worker said why (count mode, or none) */
	if (r != 0) {
		log_warnc(r, "cow: worker %u pid %d: cannot take its "
		    "userfaultfd, counting pages only", w->id, (int)w->pid);
		return;
	}
	if ((r = cow_read_maps(c, w->pid)) == 0) {
		zfd = cow_zygote_pagemap(f, w->generation);
		r = cowfault_protect(t->fault, &c->vmas,
		    cow_gen_ranges(c, w->generation), zfd, c->zero_pfn);
		if (zfd >= 0)
			close(zfd);
	}
	if (r != 0)
		log_warnc(r, "cow: worker %u pid %d: cannot protect its "
		    "memory", w->id, (int)w->pid);
	else
		log_debug("cow: worker %u pid %d: its writes fault to the "
		    "supervisor%s", w->id, (int)w->pid, ix != NULL ? "" :
		    " (no object index: named by kind of memory)");
}

void
cow_tick(struct forkd *f)
{
	struct worker	*w;
	unsigned	 it = 0;

	if (f->cow == NULL || f->cfg.zyg.cow != COW_ATTRIBUTE)
		return;
	while ((w = sv_next_worker(&f->sv, &it)) != NULL) {
		if (w->state != WORKER_STOPPING && w->cow != NULL &&
		    w->pidfd >= 0 && w->cow->fault == NULL &&
		    w->cow->attach_tries < COW_ATTACH_TICKS)
			cow_attach(f, w);
	}
}

/* Reads worker w's written pages into w->cow->rep: 0 or -errno. */
static int
cow_scan_worker(struct forkd *f, struct worker *w)
{
	struct cow			*c = f->cow;
	struct cow_track		*t = w->cow;
	uint64_t			 lo = UINT64_MAX, hi = 0;
	size_t				 i;
	int				 r, zfd = -1;

	if ((r = cow_read_maps(c, w->pid)) != 0)
		return r;
	for (i = 0; i < c->vmas.n; i++)
		if (c->vmas.v[i].trackable) {
			if (c->vmas.v[i].start < lo)
				lo = c->vmas.v[i].start;
			if (c->vmas.v[i].end > hi)
				hi = c->vmas.v[i].end;
		}
	/*
	 * Until the fd shows up: a worker may still be registering (a big
	 * heap), so "none" is not final; a refused scan is.
	 */
	if (t->method == COW_METHOD_UNKNOWN ||
	    (t->method == COW_METHOD_PAGEMAP && !t->scan_refused))
		t->method = cow_detect(w->pid);
	c->nregions = 0;
	r = 0;
	if (t->method == COW_METHOD_ASYNC &&
	    (r = cow_scan_async(c, w->pid, lo, hi)) != 0 && r != -ENOMEM &&
	    r != -ESRCH && r != -ENOENT) {
		log_warnc(r, "cow: worker %u pid %d: PAGEMAP_SCAN refused, "
		    "reading pagemap instead", w->id, (int)w->pid);
		t->method = COW_METHOD_PAGEMAP;
		t->scan_refused = 1;
	}
	if (t->method != COW_METHOD_ASYNC) {
		c->nregions = 0;
		r = cow_scan_pagemap(c, w->pid);
	}
	if (r != 0)
		return r;
	zfd = cow_zygote_pagemap(f, w->generation);
	t->rep.id = w->id;
	t->rep.pid = w->pid;
	t->rep.generation = w->generation;
	t->rep.method = cow_method_names[t->method];
	cow_classify(c, cow_gen_ranges(c, w->generation), zfd, &t->rep);
	if (t->fault != NULL) {
		cowfault_report(t->fault, &t->rep);
		/* Sampling: what is written again shows up again. */
		(void)cowfault_protect(t->fault, &c->vmas,
		    cow_gen_ranges(c, w->generation), zfd, c->zero_pfn);
	}
	if (zfd >= 0)
		close(zfd);
	return 0;
}

/* Logs the first five names of each of rep's top lists. */
static void
cow_log_tops(const char *who, const struct cow_worker_report *rep)
{
	char		 line[1024];
	size_t		 i, len;
	unsigned	 l;
	int		 n;

	for (l = 0; l < COW_NLISTS; l++) {
		line[0] = '\0';
		for (i = 0, len = 0; i < rep->ntop[l] && i < 5; i++) {
			n = snprintf(line + len, sizeof(line) - len,
			    "%s%s %llu/%llu", i ? ", " : "", rep->top[l][i].name,
			    (unsigned long long)rep->top[l][i].faults,
			    (unsigned long long)rep->top[l][i].pages);
			if (n < 0 || (size_t)n >= sizeof(line) - len)
				break;
			len += (size_t)n;
		}
		log_info("cow: %s: top %s (faults/pages): %s", who,
		    cow_list_name((enum cow_list)l),
		    rep->ntop[l] ? line : "none");
	}
}

static void
cow_log_pages(const char *who, const struct cow_worker_report *rep,
    unsigned page_shift)
{
	const uint64_t	*p = rep->pages.written;
	uint64_t	 wsum = cow_pages_sum(p);
	uint64_t	 fsum = cow_pages_sum(rep->pages.fresh);
	char		 fresh[64];

	if (rep->compared)
		snprintf(fresh, sizeof(fresh), "%llu pages = %.1f MiB",
		    (unsigned long long)fsum,
		    (double)(fsum << page_shift) / 1048576.0);
	else
		snprintf(fresh, sizeof(fresh), "unknown (no zygote to "
		    "compare)");
	log_info("cow: %s: written %llu pages = %.1f MiB [obmalloc %llu, "
	    "heap %llu, libpython %llu, code %llu, other %llu], new %s", who,
	    (unsigned long long)wsum, (double)(wsum << page_shift) / 1048576.0,
	    (unsigned long long)p[COW_KIND_OBMALLOC],
	    (unsigned long long)p[COW_KIND_HEAP],
	    (unsigned long long)p[COW_KIND_LIBPYTHON],
	    (unsigned long long)p[COW_KIND_CODE],
	    (unsigned long long)p[COW_KIND_OTHER], fresh);
}

void
cow_stats(struct forkd *f)
{
	struct cow			*c = f->cow;
	struct cow_worker_report	*reps, total;
	struct cow_report		 rep;
	struct cow_buf			 json;
	struct iovec			 iov;
	struct worker			*w;
	struct timespec			 t0;
	const struct cow_tally		**tallies;
	char				 who[64];
	unsigned			 it = 0, k, l, n = 0, nt = 0, max;
	int				 r;

	if (c == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	max = sv_live(&f->sv) + 1;
	reps = calloc(max, sizeof(*reps));
	tallies = calloc(max, sizeof(*tallies));
	if (reps == NULL || tallies == NULL) {
		free(reps);
		free(tallies);
		return;
	}
	memset(&total, 0, sizeof(total));
	total.compared = 1;
	while ((w = sv_next_worker(&f->sv, &it)) != NULL && n < max) {
		if (w->state == WORKER_STOPPING || w->cow == NULL)
			continue;
		if ((r = cow_scan_worker(f, w)) != 0) {
			if (r != -ESRCH && r != -ENOENT)
				log_warnc(r, "cow: worker %u pid %d", w->id,
				    (int)w->pid);
			continue;
		}
		reps[n] = w->cow->rep;
		snprintf(who, sizeof(who), "worker %u pid %d (%s)", w->id,
		    (int)w->pid, reps[n].method);
		cow_log_pages(who, &reps[n], c->page_shift);
		for (k = 0; k < COW_NKINDS; k++) {
			total.pages.written[k] += reps[n].pages.written[k];
			total.pages.fresh[k] += reps[n].pages.fresh[k];
		}
		total.compared &= reps[n].compared;
		if (w->cow->fault != NULL) {
			cow_log_tops(who, &reps[n]);
			log_debug("cow: %s: %.1f us per fault in the handler",
			    who, cowfault_us_per_fault(w->cow->fault));
			tallies[nt++] = cowfault_tally(w->cow->fault);
			total.faults += reps[n].faults;
			total.unresolved += reps[n].unresolved;
		}
		n++;
	}
	snprintf(who, sizeof(who), "%u workers", n);
	cow_log_pages(who, &total, c->page_shift);
	if (f->cfg.zyg.cow == COW_ATTRIBUTE) {
		total.attributed = 1;
		for (l = 0; l < COW_NLISTS; l++)
			total.ntop[l] = cow_tally_top(tallies, nt,
			    (enum cow_list)l, total.top[l], COW_TOP_MAX);
	}
	log_debug("cow: %u workers read in %.2f ms", n, mono_ms_since(&t0));
	if (f->cfg.cow_report != NULL) {
		memset(&rep, 0, sizeof(rep));
		memset(&json, 0, sizeof(json));
		rep.time = (uint64_t)time(NULL);
		rep.mode = cow_mode_name(f->cfg.zyg.cow);
		rep.page_size = 1U << c->page_shift;
		rep.workers = reps;
		rep.nworkers = n;
		rep.total = &total;
		cowreport_json(&rep, &json);
		iov.iov_base = json.p;
		iov.iov_len = json.len;
		r = json.oom ? -ENOMEM : atomicfile_replace(f->cfg.cow_report,
		    &iov, 1, 0644);
		if (r != 0)
			log_warnc(r, "cow: cannot write %s", f->cfg.cow_report);
		cow_buf_free(&json);
	}
	free(reps);
	free(tallies);
}
