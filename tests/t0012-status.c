/*
 * t0012-status.c: unit test of common/status.c, the status page: created
 * in a memfd and mapped again from its fd (as the zygote does) showing
 * the same memory, a child process writing its slot and the parent
 * reading it, latency buckets and percentiles, the request line cut to
 * its room, and a page with a wrong magic refused.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <unistd.h>

#include "status.h"
#include "tap.h"

int
main(void)
{
	struct status_page	*sp, *sp2;
	struct status_slot	*s;
	uint64_t		 hist[STATUS_HIST];
	char			 line[STATUS_LINE], longpath[300];
	int			 fd, st;
	pid_t			 pid;

	plan(17);
	is_int(status_create(8, &fd, &sp), 0, "status_create: a page of 8 slots");
	is_int(status_map(fd, &sp2), 0, "status_map maps it again from the fd");
	ok(status_slot(sp, 0) == NULL && status_slot(sp, 9) == NULL &&
	    status_slot(sp, 8) != NULL, "slots are 1 to 8");

	/* A forked writer, as a worker, and the parent reading. */
	if ((pid = fork()) == 0) {
		s = status_slot(sp2, 3);
		status_claim(s, getpid());
		status_begin(s, "GET", 3, "/a", 2);
		status_end(s);
		status_begin(s, "POST", 4, "/form", 5);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	s = status_slot(sp, 3);
	is_int(s->pid, pid, "the child's claim shows in the parent's mapping");
	is_int(s->requests, 1, "one request answered");
	ok(s->started_ns != 0, "one request in progress");
	status_read_line(s, line, sizeof(line));
	is_str(line, "POST /form", "its line");
	is_int(s->hist[0], 1, "the answered one took under 1 ms");

	status_claim(s, 42);
	ok(s->pid == 42 && s->requests == 0 && s->started_ns == 0,
	    "a new claim starts the slot over");
	memset(longpath, 'p', sizeof(longpath));
	status_begin(s, "GET", 3, longpath, sizeof(longpath));
	status_read_line(s, line, sizeof(line));
	is_int(strlen(line), STATUS_LINE - 1, "a long path is cut to the room");

	is_int(status_bucket(0), 0, "0 ms: bucket 0");
	is_int(status_bucket(1500000), 1, "1.5 ms: bucket 1");
	is_int(status_bucket(5000000), 3, "5 ms: bucket 3 (4 to 8 ms)");
	is_int(status_bucket(UINT64_MAX), STATUS_HIST - 1, "forever: the last");

	memset(hist, 0, sizeof(hist));
	hist[0] = 90;
	hist[5] = 9;
	hist[9] = 1;
	ok(status_percentile(hist, 0.5) == 1 &&
	    status_percentile(hist, 0.9) == 1 &&
	    status_percentile(hist, 0.99) == 32 &&
	    status_percentile(hist, 1.0) == 512,
	    "percentiles are their buckets' upper bounds");
	memset(hist, 0, sizeof(hist));
	ok(status_percentile(hist, 0.5) == 0, "no requests: 0");

	sp->magic = 0;
	is_int(status_map(fd, &sp2), -EBADMSG, "a page without the magic is refused");
	return done();
}
