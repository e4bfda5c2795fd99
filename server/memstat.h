/*
 * memstat.h: a process's memory as the kernel accounts it, from
 * /proc/PID/smaps_rollup: RSS, PSS, and USS (Private_Clean +
 * Private_Dirty: what the process alone holds).
 */
#ifndef FORKD_MEMSTAT_H
#define FORKD_MEMSTAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct memstat {
	uint64_t	rss_kb;
	uint64_t	pss_kb;
	uint64_t	uss_kb;		/* Private_Clean + Private_Dirty */
	uint64_t	private_dirty_kb;
};

/* Parses smaps_rollup text; returns 0, or -EINVAL if a field is missing. */
int	memstat_parse(const char *text, struct memstat *ret);
/* Reads pid's figures; returns 0 or -errno. */
int	memstat_read(pid_t pid, struct memstat *ret);
/*
 * The OOM kills the kernel counted in this process's memory cgroup
 * ("oom_kill" of cgroup v2's memory.events, or of v1's
 * memory.oom_control) into *ret; returns 0, or -ENOENT when neither is
 * there.  cgroup is /proc/self/cgroup's text.
 */
int	memstat_oom_kills(const char *cgroup, uint64_t *ret);

#endif
