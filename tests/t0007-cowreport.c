/*
 * t0007-cowreport: the copy-on-write tracker's JSON writer
 * (server/cowreport.c): the exact text of a count report and of an
 * attribute report, and string escaping.
 */
#include <string.h>

#include "cowreport.h"
#include "tap.h"

static const char want_count[] =
"{\"forkd_cow_report\": 1, \"time\": 1700000000, \"mode\": \"count\", "
"\"page_size\": 4096, \"workers\": [\n"
"  {\"id\": 1, \"pid\": 4242, \"generation\": 2, \"method\": \"uffd-async\", "
"\"written\": {\"pages\": {\"obmalloc\": 256, \"heap\": 1, \"libpython\": 2, "
"\"code\": 0, \"other\": 3, \"total\": 262}, \"mib\": {\"obmalloc\": 1.00, "
"\"heap\": 0.00, \"libpython\": 0.01, \"code\": 0.00, \"other\": 0.01, "
"\"total\": 1.02}}, \"new\": {\"pages\": {\"obmalloc\": 0, \"heap\": 0, "
"\"libpython\": 0, \"code\": 0, \"other\": 512, \"total\": 512}, \"mib\": "
"{\"obmalloc\": 0.00, \"heap\": 0.00, \"libpython\": 0.00, \"code\": 0.00, "
"\"other\": 2.00, \"total\": 2.00}}}\n"
" ],\n"
" \"total\": {\"workers\": 1, \"written\": {\"pages\": {\"obmalloc\": 256, "
"\"heap\": 1, \"libpython\": 2, \"code\": 0, \"other\": 3, \"total\": 262}, "
"\"mib\": {\"obmalloc\": 1.00, \"heap\": 0.00, \"libpython\": 0.01, "
"\"code\": 0.00, \"other\": 0.01, \"total\": 1.02}}, \"new\": null}}\n";

static const char want_empty[] =
"{\"forkd_cow_report\": 1, \"time\": 1, \"mode\": \"count\", "
"\"page_size\": 4096, \"workers\": [],\n"
" \"total\": {\"workers\": 0, \"written\": {\"pages\": {\"obmalloc\": 0, "
"\"heap\": 0, \"libpython\": 0, \"code\": 0, \"other\": 0, \"total\": 0}, "
"\"mib\": {\"obmalloc\": 0.00, \"heap\": 0.00, \"libpython\": 0.00, "
"\"code\": 0.00, \"other\": 0.00, \"total\": 0.00}}, \"new\": null}}\n";

int
main(void)
{
	struct cow_worker_report	w, total;
	struct cow_report		r;
	struct cow_buf			b;
	const char			*p;

	plan(10);
	memset(&b, 0, sizeof(b));
	cow_buf_json_str(&b, "a\"b\\c\nd\x01\xc3\xa9");
	is_mem(b.p, b.len, "\"a\\\"b\\\\c\\u000ad\\u0001\xc3\xa9\"",
	    "quotes, backslashes and controls are escaped, UTF-8 kept");
	cow_buf_free(&b);

	memset(&w, 0, sizeof(w));
	w.id = 1;
	w.pid = 4242;
	w.generation = 2;
	w.method = "uffd-async";
	w.compared = 1;
	w.pages.written[COW_KIND_OBMALLOC] = 256;
	w.pages.written[COW_KIND_HEAP] = 1;
	w.pages.written[COW_KIND_LIBPYTHON] = 2;
	w.pages.written[COW_KIND_OTHER] = 3;
	w.pages.fresh[COW_KIND_OTHER] = 512;
	total = w;
	total.compared = 0;
	is_int(cow_pages_sum(w.pages.written), 262, "pages add up");

	memset(&r, 0, sizeof(r));
	r.time = 1700000000;
	r.mode = "count";
	r.page_size = 4096;
	r.workers = &w;
	r.nworkers = 1;
	r.total = &total;
	cowreport_json(&r, &b);
	ok(!b.oom, "the report is formatted");
	is_mem(b.p, b.len, want_count, "a count report, exactly");
	cow_buf_free(&b);

	memset(&total, 0, sizeof(total));
	r.time = 1;
	r.nworkers = 0;
	cowreport_json(&r, &b);
	is_mem(b.p, b.len, want_empty, "no workers: an empty list");
	cow_buf_free(&b);

	r.mode = "attribute";
	r.nworkers = 1;
	w.attributed = 1;
	w.faults = 7;
	w.unresolved = 1;
	w.top[COW_LIST_TYPES][0].name = "Tracker\"Type";
	w.top[COW_LIST_TYPES][0].faults = 5;
	w.top[COW_LIST_TYPES][0].pages = 2;
	w.ntop[COW_LIST_TYPES] = 1;
	w.top[COW_LIST_FUNCTIONS][0].name = "handler";
	w.top[COW_LIST_FUNCTIONS][0].faults = 1;
	w.top[COW_LIST_FUNCTIONS][0].pages = 1;
	w.ntop[COW_LIST_FUNCTIONS] = 1;
	cowreport_json(&r, &b);
	ok(!b.oom, "an attribute report is formatted");
	p = b.p == NULL ? "" : b.p;
	ok(strstr(p, "\"faults\": 7, \"unresolved\": 1, \"top\": {") != NULL,
	    "a worker's faults and unresolved count");
	ok(strstr(p, "\"types\": [{\"name\": \"Tracker\\\"Type\", \"faults\": "
	    "5, \"pages\": 2}]") != NULL, "its top types, name escaped");
	ok(strstr(p, "\"modules\": [], \"functions\": [{\"name\": \"handler\"")
	    != NULL, "an empty list and the top functions");
	ok(strstr(p, "\"total\": {\"workers\": 1, ") != NULL &&
	    strstr(strstr(p, "\"total\": {\"workers\""), "\"top\"") == NULL,
	    "the total has no top lists unless attributed");
	cow_buf_free(&b);
	return done();
}
