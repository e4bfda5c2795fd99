/*
 * ready.c: writes READY's JSON from the figures the zygote's steps logged
 * (see ready.h).  It measures nothing itself: warmup.c, pack.c and
 * seal.c keep what they logged, main.c times the import.
 */
#include <errno.h>
#include <stdint.h>

#include "json.h"
#include "ready.h"

static void
ready_uint(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

static void
ready_ms(struct jw *w, const char *key, double ms)
{
	jw_key(w, key);
	jw_double(w, ms, 1);
}

static void
ready_warmup(struct jw *w, const struct warmup *wu)
{
	if (wu == NULL || !wu->summed) {
		jw_null(w);
		return;
	}
	jw_obj_open(w);
	ready_uint(w, "rounds", wu->round);
	ready_uint(w, "requests", wu->requests);
	ready_uint(w, "non_2xx", wu->non2xx);
	ready_ms(w, "ms", wu->seconds * 1e3);
	jw_key(w, "bytecode");
	if (!wu->spec_ok)
		jw_null(w);
	else {
		jw_obj_open(w);
		ready_uint(w, "codes", (uint64_t)wu->spec.codes);
		ready_uint(w, "codes_run", (uint64_t)wu->spec.codes_run);
		ready_uint(w, "specializable",
		    (uint64_t)wu->spec.specializable);
		ready_uint(w, "specialized", (uint64_t)wu->spec.specialized);
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

static void
ready_pack(struct jw *w, const struct pack_result *p)
{
	if (p == NULL || !p->packed) {
		jw_null(w);
		return;
	}
	jw_obj_open(w);
	ready_uint(w, "candidates", p->rep.candidates);
	ready_uint(w, "unstable", p->rep.unstable);
	ready_uint(w, "moved", p->rep.moved);
	ready_uint(w, "functions", p->rep.functions);
	ready_uint(w, "region_bytes", p->rep.region_bytes);
	ready_ms(w, "ms", p->ms);
	jw_obj_close(w);
}

static void
ready_seal(struct jw *w, const struct seal_report *s)
{
	const struct {
		const char	*key;
		int64_t		 v;
	} steps[] = {
		{ "collected", s->collected },
		{ "immortal", s->immortal },
		{ "frozen", s->frozen },
	};
	size_t	i;

	jw_obj_open(w);
	jw_key(w, "mode");
	jw_str(w, seal_name(s->mode));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i].v >= 0)
			ready_uint(w, steps[i].key, (uint64_t)steps[i].v);
	ready_ms(w, "ms", s->ms);
	jw_obj_close(w);
}

int
ready_set(struct proto_msg *m, const struct ready_report *r)
{
	struct jw	w;
	int		rc;

	jw_init(&w);
	jw_obj_open(&w);
	jw_key(&w, "python");
	jw_str(&w, r->python);
	jw_key(&w, "app");
	jw_str(&w, r->app);
	ready_ms(&w, "import_ms", r->import_ms);
	jw_key(&w, "warmup");
	ready_warmup(&w, r->warmup);
	jw_key(&w, "pack");
	ready_pack(&w, r->pack);
	jw_key(&w, "seal");
	ready_seal(&w, r->seal);
	jw_obj_close(&w);
	if ((rc = jw_finish(&w)) == 0 && w.len > PROTO_PAYLOAD_MAX)
		rc = -EMSGSIZE;
	(void)proto_set_text(m, "%s", rc == 0 ? w.buf : "{}");
	jw_free(&w);
	return rc;
}
