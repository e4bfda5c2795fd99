/*
 * objindex.c: the object index file of attribute mode (objindex.h):
 * building it with interned strings, writing it sorted, mapping it and
 * looking an address up.  Pure C: it knows bytes and files, not Python.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "grow.h"
#include "objindex.h"

static uint64_t
objindex_hash(const char *s, size_t n)
{
	uint64_t	h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t		i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* Doubles the interning table; returns 0 or -ENOMEM. */
static int
objindex_rehash(struct objindex_builder *b)
{
	uint32_t	*old = b->slots, *s;
	size_t		 i, j, n = b->nslots ? b->nslots * 2 : 4096;
	const char	*str;

	if ((s = calloc(n, sizeof(*s))) == NULL)
		return -ENOMEM;
	for (i = 0; i < b->nslots; i++) {
		if (old[i] == 0)
			continue;
		str = b->str + old[i] - 1;
		j = objindex_hash(str, strlen(str)) & (n - 1);
		while (s[j] != 0)
			j = (j + 1) & (n - 1);
		s[j] = old[i];
	}
	free(old);
	b->slots = s;
	b->nslots = n;
	return 0;
}

uint32_t
objindex_intern(struct objindex_builder *b, const char *s, size_t n)
{
	const char	*nul;
	size_t		 i, off;

	if ((nul = memchr(s, '\0', n)) != NULL)
		n = (size_t)(nul - s);
	if (n == 0 || b->oom)
		return 0;
	if (b->strlen == 0) {			/* offset 0 is "" */
		if (grow_array((void **)&b->str, &b->strcap, 1, 1, 1024) != 0)
			goto oom;
		b->str[0] = '\0';
		b->strlen = 1;
	}
	if ((b->nstrings + 1) * 2 > b->nslots && objindex_rehash(b) != 0)
		goto oom;
	for (i = objindex_hash(s, n) & (b->nslots - 1); b->slots[i] != 0;
	    i = (i + 1) & (b->nslots - 1)) {
		off = b->slots[i] - 1;
		if (memcmp(b->str + off, s, n) == 0 && b->str[off + n] == '\0')
			return (uint32_t)off;
	}
	if (b->strlen + n + 1 > UINT32_MAX - 1 ||
	    grow_array((void **)&b->str, &b->strcap, b->strlen + n + 1,
	    1, 1024) != 0)
		goto oom;
	off = b->strlen;
	memcpy(b->str + off, s, n);
	b->str[off + n] = '\0';
	b->strlen += n + 1;
	b->slots[i] = (uint32_t)off + 1;
	b->nstrings++;
	return (uint32_t)off;
 oom:
	b->oom = 1;
	return 0;
}

long
objindex_add(struct objindex_builder *b, uint64_t start, uint64_t size,
    uint32_t type, uint32_t module, uint32_t label, uint32_t flags)
{
	struct objindex_entry	*e;

	if (b->oom || grow_array((void **)&b->e, &b->cap, b->n + 1,
	    sizeof(*b->e), 1024) != 0) {
		b->oom = 1;
		return -ENOMEM;
	}
	e = &b->e[b->n];
	memset(e, 0, sizeof(*e));
	e->start = start;
	e->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	e->type = type;
	e->module = module;
	e->label = label;
	e->flags = flags;
	return (long)b->n++;
}

static int
objindex_cmp(const void *a, const void *b)
{
	const struct objindex_entry	*x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return (int)(x->flags & OBJINDEX_F_PART) -
	    (int)(y->flags & OBJINDEX_F_PART);
}

long
objindex_write(struct objindex_builder *b, const char *path)
{
	struct objindex_header	h;
	struct iovec		iov[3];
	size_t			i, out = 0;
	uint64_t		end = 0;
	char			nul = '\0';
	int			r;

	if (b->oom)
		return -ENOMEM;
	if (b->n > 0)		/* qsort(NULL, 0) is undefined */
		qsort(b->e, b->n, sizeof(*b->e), objindex_cmp);
	/* An object reached twice, or a part inside another: first wins. */
	for (i = 0; i < b->n; i++) {
		if (b->e[i].size == 0 || (out > 0 && b->e[i].start < end))
			continue;
		end = b->e[i].start + b->e[i].size;
		b->e[out++] = b->e[i];
	}
	b->n = out;
	if (b->n > UINT32_MAX)
		return -EFBIG;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, OBJINDEX_MAGIC, sizeof(h.magic));
	h.version = OBJINDEX_VERSION;
	h.nentries = (uint32_t)b->n;
	h.entries_off = sizeof(h);
	h.strings_off = h.entries_off + b->n * sizeof(*b->e);
	h.strings_len = b->strlen ? b->strlen : 1;
	h.pool_size = b->pool_size;
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = b->e;
	iov[1].iov_len = b->n * sizeof(*b->e);
	iov[2].iov_base = b->strlen ? b->str : &nul;
	iov[2].iov_len = b->strlen ? b->strlen : 1;
	if ((r = atomicfile_replace(path, iov, 3, 0600)) != 0)
		return r;
	return (long)b->n;
}

void
objindex_builder_free(struct objindex_builder *b)
{
	free(b->e);
	free(b->str);
	free(b->slots);
	memset(b, 0, sizeof(*b));
}

int
objindex_open(const char *path, struct objindex *ret)
{
	struct objindex_header	 h;
	struct objindex		 x;
	struct stat		 sb;
	int			 fd, r = -EBADMSG;

	memset(&x, 0, sizeof(x));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	if (fstat(fd, &sb) == -1) {
		r = -errno;
		close(fd);
		return r;
	}
	x.len = (size_t)sb.st_size;
	if (x.len < sizeof(h)) {
		close(fd);
		return -EBADMSG;
	}
	x.map = mmap(NULL, x.len, PROT_READ, MAP_PRIVATE, fd, 0);
	r = x.map == MAP_FAILED ? -errno : -EBADMSG;
	close(fd);
	if (x.map == MAP_FAILED)
		return r;
	memcpy(&h, x.map, sizeof(h));
	if (memcmp(h.magic, OBJINDEX_MAGIC, sizeof(h.magic)) != 0 ||
	    h.version != OBJINDEX_VERSION || h.entries_off != sizeof(h) ||
	    h.strings_off != h.entries_off +
	    (uint64_t)h.nentries * sizeof(struct objindex_entry) ||
	    h.strings_len == 0 || h.strings_off > x.len ||
	    h.strings_len > x.len - h.strings_off ||
	    ((const char *)x.map)[h.strings_off + h.strings_len - 1] != '\0') {
		(void)munmap(x.map, x.len);
		return -EBADMSG;
	}
	x.e = (const struct objindex_entry *)((const char *)x.map +
	    h.entries_off);
	x.n = h.nentries;
	x.str = (const char *)x.map + h.strings_off;
	x.strlen = h.strings_len;
	x.pool_size = h.pool_size;
	*ret = x;
	return 0;
}

const struct objindex_entry *
objindex_lookup(const struct objindex *x, uint64_t addr)
{
	size_t	lo = 0, hi = x->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (x->e[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr - x->e[lo - 1].start >= x->e[lo - 1].size)
		return NULL;
	return &x->e[lo - 1];
}

const char *
objindex_string(const struct objindex *x, uint32_t off)
{
	if (off >= x->strlen)
		return "";
	return x->str + off;
}

void
objindex_close(struct objindex *x)
{
	if (x->map != NULL && x->map != MAP_FAILED)
		(void)munmap(x->map, x->len);
	memset(x, 0, sizeof(*x));
}
