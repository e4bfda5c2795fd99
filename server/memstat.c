/*
 * memstat.c: reads /proc/PID/smaps_rollup.  The kernel walks the
 * process's page tables to answer, so the supervisor calls this from its
 * tick every --stats-interval, never per request.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memstat.h"

static int
memstat_field(const char *text, const char *name, uint64_t *ret)
{
	const char	*p = text;
	size_t		 n = strlen(name);
	char		*end;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ':') {
			*ret = strtoull(p + n + 1, &end, 10);
			if (end == p + n + 1)
				return -EINVAL;
			return 0;
		}
		p += n;
	}
	return -EINVAL;
}

int
memstat_parse(const char *text, struct memstat *ret)
{
	struct memstat	m;
	uint64_t	clean;

	memset(&m, 0, sizeof(m));
	if (memstat_field(text, "Rss", &m.rss_kb) != 0 ||
	    memstat_field(text, "Pss", &m.pss_kb) != 0 ||
	    memstat_field(text, "Private_Clean", &clean) != 0 ||
	    memstat_field(text, "Private_Dirty", &m.private_dirty_kb) != 0)
		return -EINVAL;
	m.uss_kb = clean + m.private_dirty_kb;
	*ret = m;
	return 0;
}

int
memstat_read(pid_t pid, struct memstat *ret)
{
	char	path[64], buf[4096];
	ssize_t	n, len = 0;
	int	fd, r;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r != 0)
		return r;
	buf[len] = '\0';
	return memstat_parse(buf, ret);
}

/* The "oom_kill N" line of a memory.events or memory.oom_control. */
static int
memstat_oom_file(const char *path, uint64_t *ret)
{
	char	buf[1024], *p;
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, "oom_kill ")) != NULL; p++)
		if (p == buf || p[-1] == '\n') {
			*ret = strtoull(p + 9, NULL, 10);
			return 0;
		}
	return -ENOENT;
}

int
memstat_oom_kills(const char *cgroup, uint64_t *ret)
{
	static const char *const v2roots[] = {
		"/sys/fs/cgroup", "/sys/fs/cgroup/unified",
	};
	char		 path[PATH_MAX];
	const char	*l, *e;
	size_t		 i;

	/* v1's memory controller, when mounted, is the one that limits. */
	if ((l = strstr(cgroup, ":memory:/")) != NULL) {
		l += 9;
		e = l + strcspn(l, "\n");
		snprintf(path, sizeof(path), "/sys/fs/cgroup/memory/%.*s%s"
		    "memory.oom_control", (int)(e - l), l, e > l ? "/" : "");
		if (memstat_oom_file(path, ret) == 0)
			return 0;
	}
	if ((l = strncmp(cgroup, "0::/", 4) == 0 ? cgroup :
	    strstr(cgroup, "\n0::/")) == NULL)
		return -ENOENT;
	l += l == cgroup ? 4 : 5;
	e = l + strcspn(l, "\n");
	for (i = 0; i < sizeof(v2roots) / sizeof(v2roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/%.*s%smemory.events",
		    v2roots[i], (int)(e - l), l, e > l ? "/" : "");
		if (memstat_oom_file(path, ret) == 0)
			return 0;
	}
	return -ENOENT;
}
