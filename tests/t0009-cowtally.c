/*
 * t0009-cowtally: attribute mode's counts (server/cowtally.c): faults
 * and distinct pages per name, top lists merged over workers.
 */
#include <string.h>

#include "cowtally.h"
#include "tap.h"

int
main(void)
{
	static const char	 widget[] = "app.Widget", dict[] = "dict";
	char			 other_widget[] = "app.Widget";
	struct cow_tally	 a, b;
	const struct cow_tally	*both[2] = { &a, &b };
	struct cow_top		 top[COW_TOP_MAX];
	size_t			 n;
	int			 i;

	plan(10);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	is_int(cow_tally_add(&a, COW_LIST_TYPES, widget, 100), 0,
	    "a fault is counted");
	cow_tally_add(&a, COW_LIST_TYPES, widget, 100);
	cow_tally_add(&a, COW_LIST_TYPES, widget, 101);
	cow_tally_add(&a, COW_LIST_TYPES, dict, 100);
	cow_tally_add(&a, COW_LIST_MODULES, widget, 100);
	n = cow_tally_top(both, 1, COW_LIST_TYPES, top, COW_TOP_MAX);
	is_int(n, 2, "two types");
	ok(n == 2 && top[0].name == widget && top[0].faults == 3 &&
	    top[0].pages == 2, "three faults on two distinct pages, first");
	ok(n == 2 && top[1].name == dict && top[1].faults == 1 &&
	    top[1].pages == 1, "a page another name shares counts for it too");
	n = cow_tally_top(both, 1, COW_LIST_MODULES, top, COW_TOP_MAX);
	ok(n == 1 && top[0].faults == 1, "lists are kept apart");
	is_int(cow_tally_top(both, 1, COW_LIST_FUNCTIONS, top, COW_TOP_MAX), 0,
	    "an empty list");

	/* Another worker's index: an equal name at another address. */
	for (i = 0; i < 5; i++)
		cow_tally_add(&b, COW_LIST_TYPES, other_widget, 200 + i);
	cow_tally_add(&b, COW_LIST_TYPES, "zzz", 1);
	n = cow_tally_top(both, 2, COW_LIST_TYPES, top, COW_TOP_MAX);
	is_int(n, 3, "merged over two tallies, by name");
	ok(strcmp(top[0].name, "app.Widget") == 0 && top[0].faults == 8 &&
	    top[0].pages == 7, "equal names add up");
	n = cow_tally_top(both, 2, COW_LIST_TYPES, top, 1);
	is_int(n, 1, "the list is cut at max");
	for (i = 0; i < 100000; i++)
		cow_tally_add(&a, COW_LIST_OBJECTS, dict, (uint64_t)i);
	n = cow_tally_top(both, 1, COW_LIST_OBJECTS, top, COW_TOP_MAX);
	ok(n == 1 && top[0].faults == 100000 && top[0].pages == 100000,
	    "tables grow");
	cow_tally_free(&a);
	cow_tally_free(&b);
	return done();
}
