/*
 * t0006-cowmap: the copy-on-write tracker's kinds classifier
 * (server/cowmap.c) and the shared vocabulary under it
 * (common/cowkind.c): modes, kinds, ranges file lines, maps lines.
 */
#include <errno.h>
#include <string.h>

#include "cowkind.h"
#include "cowmap.h"
#include "tap.h"

static const char maps[] =
"55d0c0000000-55d0c0001000 r--p 00000000 08:01 123    /usr/bin/forkd-zygote\n"
"55d0c0001000-55d0c0002000 rw-p 00001000 08:01 123    /usr/bin/forkd-zygote\n"
"55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0      [heap]\n"
"7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \n"
"7f1000000000-7f1000100000 r-xp 00000000 08:01 456    /usr/lib/libpython3.12.so.1.0\n"
"7f1000100000-7f1000110000 rw-p 00100000 08:01 456    /usr/lib/libpython3.12.so.1.0\n"
"7f1000110000-7f1000120000 rw-p 00000000 00:00 0 \n"
"7f1000120000-7f1000130000 rw-p 00000000 00:00 0 \n"
"7f2000000000-7f2000001000 rw-p 00000000 08:01 789    /tmp/a file with spaces\n"
"garbage line\n"
"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0      [stack]\n"
"7ffd00100000-7ffd00102000 rw-p 00000000 00:00 0      [vvar]\n"
"7ffd00102000-7ffd00104000 r-xp 00000000 00:00 0      [vdso]\n"
"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]";

static const char ranges[] =
"code 7f0000380000 7f0000390000\n"
"obmalloc 7f0000100000 7f0000300000\n";

int
main(void)
{
	struct cow_vmas		 v;
	struct cow_ranges	 rs, none;
	struct cow_range	 r;
	struct cow_maps_line	 l;
	enum cow_mode		 m;
	enum cow_kind		 k;
	uint64_t		 pages[COW_NKINDS];
	char			 buf[COW_RANGE_LINE_MAX];
	const char		*line;

	plan(37);
	memset(&v, 0, sizeof(v));
	memset(&rs, 0, sizeof(rs));
	memset(&none, 0, sizeof(none));

	is_int(cow_mode_parse("attribute", &m), 0, "attribute is a mode");
	is_int(m, COW_ATTRIBUTE, "... parsed as such");
	is_int(cow_mode_parse("on", &m), -EINVAL, "on is not a mode");
	is_str(cow_mode_name(COW_COUNT), "count", "count's name");
	is_int(cow_kind_parse("code", 4, &k), 0, "code is a kind");
	is_int(k, COW_KIND_CODE, "... the reserved code kind");
	is_int(cow_kind_parse("codex", 5, &k), -EINVAL, "codex is not");
	is_str(cow_kind_name(COW_KIND_LIBPYTHON), "libpython",
	    "libpython's name");

	r.kind = COW_KIND_OBMALLOC;
	r.start = 0x7f00c0000000ULL;
	r.end = 0x7f00c0100000ULL;
	is_int(cow_range_format(buf, sizeof(buf), &r), 35,
	    "a ranges line is formatted");
	is_str(buf, "obmalloc 7f00c0000000 7f00c0100000\n", "... as text");
	memset(&r, 0, sizeof(r));
	is_int(cow_range_parse(buf, strlen(buf) - 1, &r), 0, "and parses back");
	ok(r.kind == COW_KIND_OBMALLOC && r.start == 0x7f00c0000000ULL &&
	    r.end == 0x7f00c0100000ULL, "... to the same range");
	line = "heap 2000 1000";
	is_int(cow_range_parse(line, strlen(line), &r), -EINVAL,
	    "start after end is refused");
	line = "obmalloc 1000 2000 junk";
	is_int(cow_range_parse(line, strlen(line), &r), -EINVAL,
	    "trailing junk is refused");
	is_int(cow_range_format(buf, 10, &r), -ENOSPC, "a short buffer is "
	    "refused");

	line = "7f2000000000-7f2000001000 rw-p 00000000 08:01 789    "
	    "/tmp/a file with spaces";
	is_int(cow_maps_parse(line, strlen(line), &l), 0, "a maps line parses");
	is_mem(l.path, l.pathlen, "/tmp/a file with spaces",
	    "... a path with spaces whole");
	ok(l.inode == 789 && strcmp(l.perms, "rw-p") == 0 &&
	    cow_maps_trackable(&l), "... inode, perms, trackable");

	is_int(cowmap_parse_maps(&v, maps, strlen(maps)), 0, "maps parse");
	is_int(v.n, 13, "every well-formed line is a mapping");
	ok(!v.v[0].trackable && v.v[1].trackable && v.v[9].trackable &&
	    !v.v[10].trackable && !v.v[11].trackable && !v.v[12].trackable,
	    "read-only, [vvar], [vdso], [vsyscall] are not tracked; [stack] is");
	is_int(cowmap_parse_ranges(&rs, ranges, strlen(ranges)), 0,
	    "the ranges file parses");
	ok(rs.n == 2 && rs.r[0].kind == COW_KIND_OBMALLOC,
	    "ranges are sorted by address");

	is_int(cowmap_kind(&v, &rs, 0x55d0c1000000ULL), COW_KIND_HEAP,
	    "[heap] is the glibc heap");
	is_int(cowmap_kind(&v, &rs, 0x7f1000100000ULL), COW_KIND_LIBPYTHON,
	    "libpython's writable file mapping is libpython");
	is_int(cowmap_kind(&v, &rs, 0x7f100011f000ULL), COW_KIND_LIBPYTHON,
	    "the anonymous mapping right after it (.bss) too");
	is_int(cowmap_kind(&v, &rs, 0x7f1000120000ULL), COW_KIND_OTHER,
	    "the one after that is not");
	is_int(cowmap_kind(&v, &rs, 0x7f0000200123ULL), COW_KIND_OBMALLOC,
	    "an arena from the ranges file is obmalloc");
	is_int(cowmap_kind(&v, &rs, 0x7f0000388000ULL), COW_KIND_CODE,
	    "the code range is code");
	is_int(cowmap_kind(&v, &rs, 0x7f0000300000ULL), COW_KIND_OTHER,
	    "anonymous memory past an arena is other");
	is_int(cowmap_kind(&v, &none, 0x7f0000200000ULL), COW_KIND_OTHER,
	    "without the ranges file, arenas are other");
	is_int(cowmap_kind(&v, &rs, 0x1000ULL), COW_KIND_OTHER,
	    "an unmapped address is other");

	memset(pages, 0, sizeof(pages));
	cowmap_count(&v, &rs, 0x7f0000000000ULL, 0x7f0000400000ULL, 12,
	    pages);
	ok(pages[COW_KIND_OBMALLOC] == 512 && pages[COW_KIND_CODE] == 16 &&
	    pages[COW_KIND_OTHER] == 1024 - 512 - 16,
	    "a region across arenas and code splits page by page");
	memset(pages, 0, sizeof(pages));
	cowmap_count(&v, &rs, 0x7f10000ff000ULL, 0x7f1000121000ULL, 12,
	    pages);
	ok(pages[COW_KIND_LIBPYTHON] == 33 && pages[COW_KIND_OTHER] == 1,
	    "a region across libpython's text (never tracked), data, .bss "
	    "and beyond");
	memset(pages, 0, sizeof(pages));
	cowmap_count(&v, &rs, 0x55d0c0001000ULL, 0x55d0c1001000ULL, 12,
	    pages);
	ok(pages[COW_KIND_HEAP] == 1 && pages[COW_KIND_OTHER] == 4095,
	    "a region across a hole counts the hole as other");

	line = "obmalloc 1000 2000\nbogus 1 2\n";
	is_int(cowmap_parse_ranges(&rs, line, strlen(line)), -EINVAL,
	    "a malformed ranges file is refused");
	is_int(rs.n, 0, "... and leaves no ranges");

	cowmap_vmas_free(&v);
	cowmap_ranges_free(&rs);
	return done();
}
