/*
 * cowtally.c: attribute mode's counts (cowtally.h): two open-addressing
 * tables, one of (list, name) -> faults and pages, one of the (list,
 * name, page) triples seen, so a page is counted once per name.  Pure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cowtally.h"

static size_t
tally_hash(const char *name, uint64_t key, size_t mask)
{
	uint64_t	h = (uint64_t)(uintptr_t)name * 0x9E3779B97F4A7C15ULL;

	h ^= key * 0xC2B2AE3D27D4EB4FULL;
	return (size_t)(h >> 17) & mask;
}

static int
tally_grow_counts(struct cow_tally *t)
{
	struct cow_tally_count	*old = t->c, *c;
	size_t			 i, j, cap = t->ccap ? t->ccap * 2 : 256;

	if ((c = calloc(cap, sizeof(*c))) == NULL)
		return -ENOMEM;
	for (i = 0; i < t->ccap; i++) {
		if (old[i].name == NULL)
			continue;
		for (j = tally_hash(old[i].name, old[i].list, cap - 1);
		    c[j].name != NULL; j = (j + 1) & (cap - 1))
			;
		c[j] = old[i];
	}
	free(old);
	t->c = c;
	t->ccap = cap;
	return 0;
}

static int
tally_grow_pages(struct cow_tally *t)
{
	struct cow_tally_page	*old = t->p, *p;
	size_t			 i, j, cap = t->pcap ? t->pcap * 2 : 1024;

	if ((p = calloc(cap, sizeof(*p))) == NULL)
		return -ENOMEM;
	for (i = 0; i < t->pcap; i++) {
		if (old[i].name == NULL)
			continue;
		for (j = tally_hash(old[i].name, old[i].key, cap - 1);
		    p[j].name != NULL; j = (j + 1) & (cap - 1))
			;
		p[j] = old[i];
	}
	free(old);
	t->p = p;
	t->pcap = cap;
	return 0;
}

/* 1 if (name, key) is new (and is now recorded), 0 if seen or full. */
static int
tally_new_page(struct cow_tally *t, const char *name, uint64_t key)
{
	size_t	i;

	if (t->full)
		return 0;
	if ((t->plen + 1) * 2 > t->pcap) {
		if (t->plen >= COW_TALLY_MAX_PAGES || tally_grow_pages(t) != 0) {
			t->full = 1;
			return 0;
		}
	}
	for (i = tally_hash(name, key, t->pcap - 1); t->p[i].name != NULL;
	    i = (i + 1) & (t->pcap - 1))
		if (t->p[i].name == name && t->p[i].key == key)
			return 0;
	t->p[i].name = name;
	t->p[i].key = key;
	t->plen++;
	return 1;
}

int
cow_tally_add(struct cow_tally *t, enum cow_list l, const char *name,
    uint64_t page)
{
	struct cow_tally_count	*c;
	size_t			 i;

	if ((t->clen + 1) * 2 > t->ccap && tally_grow_counts(t) != 0)
		return -ENOMEM;
	for (i = tally_hash(name, (uint64_t)l, t->ccap - 1);
	    t->c[i].name != NULL; i = (i + 1) & (t->ccap - 1))
		if (t->c[i].name == name && t->c[i].list == (uint32_t)l)
			break;
	c = &t->c[i];
	if (c->name == NULL) {
		c->name = name;
		c->list = (uint32_t)l;
		t->clen++;
	}
	c->faults++;
	if (tally_new_page(t, name, (uint64_t)l << 56 | page))
		c->pages++;
	return 0;
}

static int
tally_by_name(const void *a, const void *b)
{
	return strcmp(((const struct cow_top *)a)->name,
	    ((const struct cow_top *)b)->name);
}

static int
tally_by_faults(const void *a, const void *b)
{
	const struct cow_top	*x = a, *y = b;

	if (x->faults != y->faults)
		return x->faults > y->faults ? -1 : 1;
	if (x->pages != y->pages)
		return x->pages > y->pages ? -1 : 1;
	return strcmp(x->name, y->name);
}

size_t
cow_tally_top(const struct cow_tally *const *t, size_t n, enum cow_list l,
    struct cow_top *out, size_t max)
{
	struct cow_top	*all;
	size_t		 i, j, k = 0, m = 0;

	for (i = 0; i < n; i++)
		m += t[i]->clen;
	if (m == 0 || (all = calloc(m, sizeof(*all))) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < t[i]->ccap; j++)
			if (t[i]->c[j].name != NULL &&
			    t[i]->c[j].list == (uint32_t)l) {
				all[k].name = t[i]->c[j].name;
				all[k].faults = t[i]->c[j].faults;
				all[k].pages = t[i]->c[j].pages;
				k++;
			}
	qsort(all, k, sizeof(*all), tally_by_name);
	for (i = 0, m = 0; i < k; i++) {
		if (m > 0 && strcmp(all[m - 1].name, all[i].name) == 0) {
			all[m - 1].faults += all[i].faults;
			all[m - 1].pages += all[i].pages;
			continue;
		}
		all[m++] = all[i];
	}
	qsort(all, m, sizeof(*all), tally_by_faults);
	if (m > max)
		m = max;
	memcpy(out, all, m * sizeof(*out));
	free(all);
	return m;
}

void
cow_tally_free(struct cow_tally *t)
{
	free(t->c);
	free(t->p);
	memset(t, 0, sizeof(*t));
}
