/*
 * t0008-objindex: attribute mode's object index (common/objindex.c):
 * interning, writing sorted without overlaps, mapping, looking up, and
 * refusing a damaged file.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "objindex.h"
#include "tap.h"

static char	dir[] = "/tmp/t0008-objindex.XXXXXX";

int
main(void)
{
	struct objindex_builder		 b;
	struct objindex			 x;
	const struct objindex_entry	*e;
	char				 path[64], bad[64];
	uint32_t			 t_dict, t_widget, mod, lab, again;
	int				 fd;

	plan(24);
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/index", dir);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	memset(&b, 0, sizeof(b));
	b.pool_size = 16384;

	is_int(objindex_intern(&b, "", 0), 0, "\"\" is offset 0");
	t_dict = objindex_intern(&b, "dict", 4);
	t_widget = objindex_intern(&b, "Widget", 6);
	again = objindex_intern(&b, "dictionary", 4);
	is_int(again, t_dict, "a string interned twice has one offset");
	ok(t_dict != 0 && t_widget != 0 && t_widget != t_dict,
	    "distinct strings, distinct offsets");
	mod = objindex_intern(&b, "app", 3);
	lab = objindex_intern(&b, "app.REGISTRY", 12);

	/* Out of order, one overlapping, one empty. */
	is_int(objindex_add(&b, 0x2000, 0x40, t_widget, mod, 0, 0), 0,
	    "an entry is added");
	objindex_add(&b, 0x1000, 0x100, t_dict, mod, lab, 0);
	objindex_add(&b, 0x1080, 0x10, t_widget, 0, 0, 0);	/* inside */
	objindex_add(&b, 0x3000, 0, t_widget, 0, 0, 0);		/* empty */
	objindex_add(&b, 0x1100, 0x20, t_widget, 0, 0, OBJINDEX_F_CODE);
	is_int(objindex_write(&b, path), 3, "three entries are written: "
	    "overlapping and empty ones dropped");
	objindex_builder_free(&b);

	is_int(objindex_open(path, &x), 0, "the file maps");
	is_int(x.n, 3, "three entries");
	is_int(x.pool_size, 16384, "the pool size comes back");
	e = objindex_lookup(&x, 0x1000);
	ok(e != NULL && e->start == 0x1000, "an entry's first byte resolves");
	is_str(objindex_string(&x, e ? e->type : 0), "dict", "... its type");
	is_str(objindex_string(&x, e ? e->label : 0), "app.REGISTRY",
	    "... its label");
	is_str(objindex_string(&x, e ? e->module : 0), "app", "... its module");
	e = objindex_lookup(&x, 0x10ff);
	ok(e != NULL && e->start == 0x1000, "its last byte too");
	e = objindex_lookup(&x, 0x1100);
	ok(e != NULL && e->start == 0x1100 && (e->flags & OBJINDEX_F_CODE),
	    "the next entry starts right after, flags kept");
	ok(objindex_lookup(&x, 0x1120) == NULL, "a gap resolves to nothing");
	ok(objindex_lookup(&x, 0xfff) == NULL, "below the first entry: nothing");
	e = objindex_lookup(&x, 0x203f);
	ok(e != NULL && e->start == 0x2000, "the last entry's last byte");
	ok(objindex_lookup(&x, 0x2040) == NULL, "past the last entry: nothing");
	is_str(objindex_string(&x, 1u << 30), "", "an offset out of range is \"\"");
	objindex_close(&x);

	/* A damaged file is refused. */
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	(void)!write(fd, "FKDOIX1\0garbage", 15);
	close(fd);
	is_int(objindex_open(bad, &x), -EBADMSG, "a short file is refused");
	fd = open(path, O_RDWR);
	(void)!pwrite(fd, "X", 1, 0);
	close(fd);
	is_int(objindex_open(path, &x), -EBADMSG, "a wrong magic is refused");
	is_int(objindex_open("/nonexistent/index", &x), -ENOENT,
	    "a missing file says so");

	memset(&b, 0, sizeof(b));
	is_int(objindex_write(&b, path), 0, "an empty index is written");
	is_int(objindex_open(path, &x), 0, "... and maps");
	objindex_close(&x);
	(void)unlink(path);
	(void)unlink(bad);
	(void)rmdir(dir);
	return done();
}
