/*
 * t0016-zygready.c: unit test of server/zygready.c, READY's JSON on the
 * supervisor's side: the short text of the "ready:" log line (every
 * part, parts missing, a seal of none, a payload that is not JSON, a
 * buffer too small) and the JSON kept in struct zyglink.
 */
#include <string.h>

#include "forkd.h"
#include "log.h"
#include "tap.h"

static const char full[] = "{\"python\":\"3.12.1\",\"app\":\"app:app\","
    "\"import_ms\":182.4,\"warmup\":{\"rounds\":2,\"requests\":40,"
    "\"non_2xx\":0,\"ms\":311.2,\"bytecode\":{\"codes\":917,"
    "\"codes_run\":174,\"specializable\":3945,\"specialized\":1852}},"
    "\"pack\":{\"candidates\":654,\"unstable\":2,\"moved\":2,"
    "\"functions\":2,\"region_bytes\":1872,\"ms\":13.7},\"seal\":{"
    "\"mode\":\"full\",\"collected\":14,\"immortal\":17198,"
    "\"frozen\":7703,\"ms\":45.1}}";

static void
test_summary(void)
{
	static const struct {
		const char	*json;
		const char	*want;
		const char	*what;
	} cases[] = {
		{ full, "python 3.12.1, app app:app, imported in 182.4 ms, "
		    "warmup 40 requests in 311.2 ms, full seal in 45.1 ms",
		    "every part of a full summary" },
		{ "{\"python\":\"3.11.2\",\"app\":\"a:b\",\"import_ms\":3,"
		    "\"warmup\":null,\"pack\":null,\"seal\":{\"mode\":\"none\","
		    "\"ms\":0}}", "python 3.11.2, app a:b, imported in 3 ms, "
		    "no seal", "no warmup and no seal" },
		{ "{\"app\":\"a:b\",\"future\":[1,2,{}]}", "app a:b",
		    "a part missing is left out, an unknown key passed over" },
		{ "{}", "", "an empty summary: nothing" },
		{ "{\"import_ms\":3}", "imported in 3 ms", "no separator "
		    "before the first part shown" },
		{ "python 3.12.1, app app:app", "python 3.12.1, app app:app",
		    "a payload that is not JSON is shown as it came" },
		{ "[1]", "[1]", "nor is JSON that is not an object" },
		{ "{\"app\":\"caf\\u00e9:app\",\"import_ms\":\"12\"}",
		    "app caf\xc3\xa9:app", "strings unescaped; a string where "
		    "a number belongs is passed over" },
	};
	char	buf[256];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(zygready_summary(cases[i].json, buf, sizeof(buf)),
		    cases[i].want, "%s", cases[i].what);
	is_str(zygready_summary(full, buf, 30), "python 3.12.1, app app:app, i",
	    "cut to a small buffer");
	is_str(zygready_summary(full, buf, 1), "", "a buffer of 1: empty");
}

static void
test_keep(void)
{
	static struct zyglink	f;	/* large: not on the stack */
	struct proto_msg	m;

	proto_init(&m, PROTO_READY);
	(void)proto_set_text(&m, "%s", full);
	zyglink_ready(&f, &m);
	is_str(f.ready, full, "zyglink_ready keeps the JSON");
	(void)proto_set_text(&m, "{}");
	zyglink_ready(&f, &m);
	is_str(f.ready, "{}", "the next READY replaces it");
	free(f.ready);
}

int
main(void)
{
	plan(12);
	log_init("t0016", LOG_LEVEL_WARN);	/* zyglink_ready logs info */
	test_summary();
	test_keep();
	return done();
}
