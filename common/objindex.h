/*
 * objindex.h: the object index of attribute mode (doc/cow.md): where
 * each object of the sealed heap lies and what it is.  The zygote builds
 * and writes it at seal (pyhooks/cowindex.c); the supervisor maps it and
 * resolves a written address to the object under it (server/cowfault.c).
 *
 * The file, in this machine's byte order (it never leaves the machine):
 *
 *	struct objindex_header
 *	struct objindex_entry[nentries]		sorted by start, disjoint
 *	strings					NUL-terminated; offset 0 is ""
 *
 * Pure C, no Python: building, writing, mapping, looking up.
 */
#ifndef FORKD_OBJINDEX_H
#define FORKD_OBJINDEX_H

#include <stddef.h>
#include <stdint.h>

#define OBJINDEX_MAGIC		"FKDOIX1"	/* 8 bytes with the NUL */
#define OBJINDEX_VERSION	1

/* The entry is a code object: its label is the function's name. */
#define OBJINDEX_F_CODE		0x1
/* The entry is a separately allocated part of an object (dict keys ...). */
#define OBJINDEX_F_PART		0x2

struct objindex_header {
	char		magic[8];
	uint32_t	version;
	uint32_t	nentries;
	uint64_t	entries_off;
	uint64_t	strings_off;
	uint64_t	strings_len;
	uint32_t	pool_size;	/* obmalloc's pools, 0 if unknown */
	uint32_t	pad;
};

struct objindex_entry {
	uint64_t	start;		/* GC and dict pre-headers included */
	uint32_t	size;
	uint32_t	type;		/* string offsets: "dict", "Widget" */
	uint32_t	module;		/* "app.models", 0: none */
	uint32_t	label;		/* owner or name, 0: none */
	uint32_t	flags;		/* OBJINDEX_F_* */
	uint32_t	pad;
};

/* The zygote's side: entries and interned strings, growing. */
struct objindex_builder {
	struct objindex_entry	*e;
	size_t			 n;
	size_t			 cap;
	char			*str;		/* the string table */
	size_t			 strlen;
	size_t			 strcap;
	uint32_t		*slots;		/* interning: offset + 1, 0 free */
	size_t			 nslots;	/* a power of two */
	size_t			 nstrings;
	uint32_t		 pool_size;
	int			 oom;		/* sticky */
};

/* The supervisor's side: a mapped file. */
struct objindex {
	void				*map;
	size_t				 len;
	const struct objindex_entry	*e;
	uint32_t			 n;
	const char			*str;
	uint64_t			 strlen;
	uint32_t			 pool_size;
};

/*
 * Interns s[0..n) and returns its offset (0 for ""), or 0 with b->oom set
 * when memory ran out.
 */
uint32_t objindex_intern(struct objindex_builder *b, const char *s, size_t n);
/*
 * Appends an entry and returns its number, or -ENOMEM (b->oom set).
 * Sizes over 4 GiB are clipped.
 */
long	objindex_add(struct objindex_builder *b, uint64_t start, uint64_t size,
	    uint32_t type, uint32_t module, uint32_t label, uint32_t flags);
/*
 * Sorts the entries, drops those that overlap an earlier one (of two
 * that start together, the larger wins, then an object over a part), writes the
 * file (temporary + rename).  Returns the number of entries written, or
 * -errno.
 */
long	objindex_write(struct objindex_builder *b, const char *path);
void	objindex_builder_free(struct objindex_builder *b);

/* Maps and checks the file.  Returns 0, -errno, or -EBADMSG. */
int	objindex_open(const char *path, struct objindex *ret);
/* The entry whose [start, start + size) holds addr, or NULL. */
const struct objindex_entry *objindex_lookup(const struct objindex *x,
	    uint64_t addr);
/* The string at off ("" when out of range). */
const char *objindex_string(const struct objindex *x, uint32_t off);
void	objindex_close(struct objindex *x);

#endif
