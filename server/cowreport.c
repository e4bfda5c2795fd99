/*
 * cowreport.c: formats the copy-on-write tracker's report as JSON
 * (doc/cow.md, "The JSON report").  Pure: it writes into a cow_buf and
 * knows nothing of files, workers or the kernel.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cowreport.h"

void
cow_buf_printf(struct cow_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 cap;
	char	*p;
	int	 n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL,
		    b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if (b->p != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		cap = b->cap ? b->cap : 4096;
		while (cap - b->len <= (size_t)n)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

void
cow_buf_json_str(struct cow_buf *b, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;

	cow_buf_printf(b, "\"");
	for (; *u != '\0'; u++) {
		if (*u == '"' || *u == '\\')
			cow_buf_printf(b, "\\%c", *u);
		else if (*u < 0x20)
			cow_buf_printf(b, "\\u%04x", *u);
		else
			cow_buf_printf(b, "%c", *u);
	}
	cow_buf_printf(b, "\"");
}

void
cow_buf_free(struct cow_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

uint64_t
cow_pages_sum(const uint64_t pages[COW_NKINDS])
{
	uint64_t	sum = 0;
	unsigned	k;

	for (k = 0; k < COW_NKINDS; k++)
		sum += pages[k];
	return sum;
}

/* {"pages": {"obmalloc": N, ..., "total": N}, "mib": {...}} */
static void
cowreport_kinds(struct cow_buf *b, const uint64_t pages[COW_NKINDS],
    unsigned page_size)
{
	unsigned	k;
	int		mib;

	cow_buf_printf(b, "{");
	for (mib = 0; mib < 2; mib++) {
		cow_buf_printf(b, "%s\"%s\": {", mib ? ", " : "",
		    mib ? "mib" : "pages");
		for (k = 0; k <= COW_NKINDS; k++) {
			uint64_t n = k < COW_NKINDS ? pages[k] :
			    cow_pages_sum(pages);

			cow_buf_printf(b, "%s\"%s\": ", k ? ", " : "",
			    k < COW_NKINDS ? cow_kind_name(k) : "total");
			if (mib)
				cow_buf_printf(b, "%.2f",
				    (double)n * page_size / 1048576.0);
			else
				cow_buf_printf(b, "%llu", (unsigned long long)n);
		}
		cow_buf_printf(b, "}");
	}
	cow_buf_printf(b, "}");
}

/* The lists' names: JSON keys and log words. */
static const char *const cowreport_lists[COW_NLISTS] = {
	[COW_LIST_TYPES] = "types",
	[COW_LIST_MODULES] = "modules",
	[COW_LIST_FUNCTIONS] = "functions",
	[COW_LIST_OBJECTS] = "objects",
};

const char *
cow_list_name(enum cow_list l)
{
	return (unsigned)l < COW_NLISTS ? cowreport_lists[l] : "?";
}

static void
cowreport_tops(struct cow_buf *b, const struct cow_worker_report *w)
{
	unsigned	l;
	size_t		i;

	cow_buf_printf(b, ", \"faults\": %llu, \"unresolved\": %llu, "
	    "\"top\": {", (unsigned long long)w->faults,
	    (unsigned long long)w->unresolved);
	for (l = 0; l < COW_NLISTS; l++) {
		cow_buf_printf(b, "%s\"%s\": [", l ? ", " : "",
		    cow_list_name(l));
		for (i = 0; i < w->ntop[l]; i++) {
			cow_buf_printf(b, "%s{\"name\": ", i ? ", " : "");
			cow_buf_json_str(b, w->top[l][i].name);
			cow_buf_printf(b, ", \"faults\": %llu, \"pages\": %llu}",
			    (unsigned long long)w->top[l][i].faults,
			    (unsigned long long)w->top[l][i].pages);
		}
		cow_buf_printf(b, "]");
	}
	cow_buf_printf(b, "}");
}

/* The figures a worker and the total share. */
static void
cowreport_figures(struct cow_buf *b, const struct cow_worker_report *w,
    unsigned page_size)
{
	cow_buf_printf(b, "\"written\": ");
	cowreport_kinds(b, w->pages.written, page_size);
	cow_buf_printf(b, ", \"new\": ");
	if (w->compared)
		cowreport_kinds(b, w->pages.fresh, page_size);
	else
		cow_buf_printf(b, "null");
	if (w->attributed)
		cowreport_tops(b, w);
}

void
cowreport_json(const struct cow_report *r, struct cow_buf *b)
{
	const struct cow_worker_report	*w;
	size_t				 i;

	cow_buf_printf(b, "{\"forkd_cow_report\": 1, \"time\": %llu, "
	    "\"mode\": ", (unsigned long long)r->time);
	cow_buf_json_str(b, r->mode);
	cow_buf_printf(b, ", \"page_size\": %u, \"workers\": [",
	    r->page_size);
	for (i = 0; i < r->nworkers; i++) {
		w = &r->workers[i];
		cow_buf_printf(b, "%s\n  {\"id\": %u, \"pid\": %d, "
		    "\"generation\": %u, \"method\": ", i ? "," : "", w->id,
		    w->pid, w->generation);
		cow_buf_json_str(b, w->method);
		cow_buf_printf(b, ", ");
		cowreport_figures(b, w, r->page_size);
		cow_buf_printf(b, "}");
	}
	cow_buf_printf(b, "%s],\n \"total\": {\"workers\": %zu, ",
	    r->nworkers ? "\n " : "", r->nworkers);
	cowreport_figures(b, r->total, r->page_size);
	cow_buf_printf(b, "}}\n");
}
