/*
 * cowkind.c: the copy-on-write tracker's shared vocabulary (cowkind.h):
 * mode and kind names, the ranges file's line format, and a parser for
 * one line of /proc/PID/maps.  Pure: it reads and writes only the
 * buffers it is given.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cowkind.h"
#include "hexdigit.h"

/* The one table of kind names: the ranges file, the report and the log. */
static const char *const cow_kind_names[COW_NKINDS] = {
	[COW_KIND_OBMALLOC] =	"obmalloc",
	[COW_KIND_HEAP] =	"heap",
	[COW_KIND_LIBPYTHON] =	"libpython",
	[COW_KIND_CODE] =	"code",
	[COW_KIND_OTHER] =	"other",
};

const char *const cow_mode_names[] = {
	[COW_OFF] =		"off",
	[COW_COUNT] =		"count",
	[COW_ATTRIBUTE] =	"attribute",
	NULL
};

const char *
cow_mode_name(enum cow_mode m)
{
	if ((unsigned)m > COW_ATTRIBUTE)
		return "?";
	return cow_mode_names[m];
}

int
cow_mode_parse(const char *s, enum cow_mode *ret)
{
	size_t	i;

	for (i = 0; cow_mode_names[i] != NULL; i++)
		if (strcmp(s, cow_mode_names[i]) == 0) {
			*ret = (enum cow_mode)i;
			return 0;
		}
	return -EINVAL;
}

const char *
cow_kind_name(enum cow_kind k)
{
	if ((unsigned)k >= COW_NKINDS)
		return "?";
	return cow_kind_names[k];
}

int
cow_kind_parse(const char *s, size_t n, enum cow_kind *ret)
{
	unsigned	i;

	for (i = 0; i < COW_NKINDS; i++)
		if (strlen(cow_kind_names[i]) == n &&
		    memcmp(s, cow_kind_names[i], n) == 0) {
			*ret = (enum cow_kind)i;
			return 0;
		}
	return -EINVAL;
}

int
cow_range_format(char *buf, size_t len, const struct cow_range *r)
{
	int	n;

	n = snprintf(buf, len, "%s %llx %llx\n", cow_kind_name(r->kind),
	    (unsigned long long)r->start, (unsigned long long)r->end);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

/* Reads a hex number at s[*i..n); returns 0 or -EINVAL. */
static int
cow_hex(const char *s, size_t n, size_t *i, uint64_t *ret)
{
	uint64_t	v = 0;
	size_t		j = *i;
	int		d;

	for (; j < n && (d = hex_digit(s[j])) >= 0; j++) {
		if (v >> 60)
			return -EINVAL;		/* over 64 bits */
		v = v << 4 | (uint64_t)d;
	}
	if (j == *i)
		return -EINVAL;
	*i = j;
	*ret = v;
	return 0;
}

static size_t
cow_skip_spaces(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

int
cow_range_parse(const char *s, size_t n, struct cow_range *ret)
{
	struct cow_range	r;
	size_t			i = 0, w;

	while (i < n && s[i] != ' ')
		i++;
	if (cow_kind_parse(s, i, &r.kind) != 0)
		return -EINVAL;
	w = cow_skip_spaces(s, n, i);
	if (w == i || cow_hex(s, n, &w, &r.start) != 0)
		return -EINVAL;
	i = cow_skip_spaces(s, n, w);
	if (i == w || cow_hex(s, n, &i, &r.end) != 0)
		return -EINVAL;
	if (cow_skip_spaces(s, n, i) != n || r.start >= r.end)
		return -EINVAL;
	*ret = r;
	return 0;
}

int
cow_maps_parse(const char *s, size_t n, struct cow_maps_line *ret)
{
	struct cow_maps_line	l;
	uint64_t		skip;
	size_t			i = 0;

	memset(&l, 0, sizeof(l));
	/* "start-end perms offset dev inode   path" */
	if (cow_hex(s, n, &i, &l.start) != 0 || i >= n || s[i++] != '-' ||
	    cow_hex(s, n, &i, &l.end) != 0 || i + 5 > n || s[i] != ' ')
		return -EINVAL;
	memcpy(l.perms, s + i + 1, 4);
	i += 5;
	i = cow_skip_spaces(s, n, i);
	if (cow_hex(s, n, &i, &skip) != 0)		/* offset */
		return -EINVAL;
	i = cow_skip_spaces(s, n, i);
	if (cow_hex(s, n, &i, &skip) != 0 || i >= n || s[i++] != ':' ||
	    cow_hex(s, n, &i, &skip) != 0)		/* major:minor */
		return -EINVAL;
	i = cow_skip_spaces(s, n, i);
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		l.inode = l.inode * 10 + (uint64_t)(s[i] - '0');
	i = cow_skip_spaces(s, n, i);
	l.path = s + i;
	l.pathlen = n - i;
	if (l.start >= l.end)
		return -EINVAL;
	*ret = l;
	return 0;
}

static int
cow_path_is(const struct cow_maps_line *l, const char *name)
{
	return l->pathlen == strlen(name) &&
	    memcmp(l->path, name, l->pathlen) == 0;
}

int
cow_maps_trackable(const struct cow_maps_line *l)
{
	if (l->perms[1] != 'w' || l->perms[3] != 'p')
		return 0;
	return !cow_path_is(l, "[vvar]") && !cow_path_is(l, "[vdso]") &&
	    !cow_path_is(l, "[vsyscall]") && !cow_path_is(l, "[vvar_vclock]");
}
