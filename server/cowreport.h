/*
 * cowreport.h: the copy-on-write tracker's report, as figures and as
 * JSON (doc/cow.md has the format).  Pure: it formats into a buffer; the
 * caller writes the file.
 */
#ifndef FORKD_COWREPORT_H
#define FORKD_COWREPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cowkind.h"

/* Longest top lists kept (the log shows the first five). */
#define COW_TOP_MAX	10

enum cow_list {
	COW_LIST_TYPES = 0,	/* the written objects' types */
	COW_LIST_MODULES,	/* their modules */
	COW_LIST_FUNCTIONS,	/* code objects written: their functions */
	COW_LIST_OBJECTS,	/* the objects: label, or type if none */
	COW_NLISTS
};

struct cow_pages {
	uint64_t	written[COW_NKINDS];	/* inherited pages written */
	uint64_t	fresh[COW_NKINDS];	/* pages the zygote lacked */
};

struct cow_top {
	const char	*name;
	uint64_t	 faults;
	uint64_t	 pages;		/* distinct pages */
};

struct cow_worker_report {
	unsigned	 id;
	int		 pid;
	unsigned	 generation;
	const char	*method;	/* "uffd-async", "uffd-sync", "pagemap" */
	int		 compared;	/* fresh[] known: the zygote was there */
	struct cow_pages pages;
	/* Attribute mode only (attributed = 1). */
	int		 attributed;
	uint64_t	 faults;
	uint64_t	 unresolved;	/* faults on no indexed object */
	struct cow_top	 top[COW_NLISTS][COW_TOP_MAX];
	size_t		 ntop[COW_NLISTS];
};

struct cow_report {
	uint64_t			 time;		/* Unix seconds */
	const char			*mode;		/* --cow */
	unsigned			 page_size;
	const struct cow_worker_report	*workers;
	size_t				 nworkers;
	/* Sums over the workers; its id, pid and method are not used. */
	const struct cow_worker_report	*total;
};

/* A growing text buffer; oom stays set after an allocation failed. */
struct cow_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 oom;
};

/* "types", "modules", "functions", "objects". */
const char *cow_list_name(enum cow_list l);
void	cow_buf_printf(struct cow_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string, quotes and escapes included. */
void	cow_buf_json_str(struct cow_buf *b, const char *s);
void	cow_buf_free(struct cow_buf *b);

/* Sums the pages of the written and fresh kinds. */
uint64_t cow_pages_sum(const uint64_t pages[COW_NKINDS]);
/* Appends the report as one JSON object and a newline to b. */
void	cowreport_json(const struct cow_report *r, struct cow_buf *b);

#endif
