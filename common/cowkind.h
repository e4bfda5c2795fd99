/*
 * cowkind.h: the vocabulary both halves of the copy-on-write write
 * tracker share (doc/cow.md): the --cow modes, the kinds of memory a
 * written page is counted under, one line of the ranges file the zygote
 * writes at seal, and one line of /proc/PID/maps.
 *
 * Pure: no I/O, no allocation.  Who reads which file is the callers'
 * business (preload/cowreg.c writes, server/cow.c reads).
 */
#ifndef FORKD_COWKIND_H
#define FORKD_COWKIND_H

#include <stddef.h>
#include <stdint.h>

enum cow_mode {
	COW_OFF = 0,		/* nothing registered, nothing reported */
	COW_COUNT,		/* async write-protect, pages by kind */
	COW_ATTRIBUTE,		/* sync faults resolved to objects */
};

/*
 * The kinds, in report order.  Their names (cow_kind_name) are the
 * ranges file's first word, the JSON report's keys and the log's words.
 */
enum cow_kind {
	COW_KIND_OBMALLOC = 0,	/* pymalloc arenas: from the ranges file */
	COW_KIND_HEAP,		/* glibc's [heap] */
	COW_KIND_LIBPYTHON,	/* libpython's .data, and the .bss after it */
	COW_KIND_CODE,		/* the packed code region: ranges file */
	COW_KIND_OTHER,		/* stacks, other libraries, big mallocs ... */
	COW_NKINDS
};

/* The longest ranges file line, newline included. */
#define COW_RANGE_LINE_MAX	64

/* start comes first: server/cowmap.c searches these by it. */
struct cow_range {
	uint64_t	start;
	uint64_t	end;		/* exclusive */
	enum cow_kind	kind;
};

/* One line of /proc/PID/maps; path points into the parsed line. */
struct cow_maps_line {
	uint64_t	 start;
	uint64_t	 end;
	char		 perms[5];	/* "rw-p" */
	uint64_t	 inode;
	const char	*path;		/* "" for anonymous memory */
	size_t		 pathlen;
};

/* The modes' names by value, NULL-ended: the flag's and the report's. */
extern const char *const cow_mode_names[];

const char *cow_mode_name(enum cow_mode m);
/* Returns 0 and sets *ret for "off", "count", "attribute"; else -EINVAL. */
int	cow_mode_parse(const char *s, enum cow_mode *ret);
const char *cow_kind_name(enum cow_kind k);
/* Returns 0 and sets *ret for a kind's name s[0..n); else -EINVAL. */
int	cow_kind_parse(const char *s, size_t n, enum cow_kind *ret);

/*
 * Formats one ranges file line, "obmalloc 7f00c0000000 7f00c0100000\n",
 * into buf (COW_RANGE_LINE_MAX bytes are always enough).  Returns its
 * length, or -ENOSPC.
 */
int	cow_range_format(char *buf, size_t len, const struct cow_range *r);
/*
 * Parses one ranges file line s[0..n) (no newline).  Returns 0, or
 * -EINVAL for an unknown kind, a malformed number or start >= end.
 */
int	cow_range_parse(const char *s, size_t n, struct cow_range *ret);

/*
 * Parses one /proc/PID/maps line s[0..n) (no newline).  Returns 0 or
 * -EINVAL.
 */
int	cow_maps_parse(const char *s, size_t n, struct cow_maps_line *ret);
/*
 * Returns 1 when the mapping is one the tracker follows: writable and
 * private, and not [vvar], [vdso] or [vsyscall].
 */
int	cow_maps_trackable(const struct cow_maps_line *l);

#endif
