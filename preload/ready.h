/*
 * ready.h: READY's payload, one JSON object of what the zygote did
 * before it was ready: the import, the warmup, code packing and the seal
 * (doc/ARCHITECTURE.md, "Supervisor ↔ zygote", has the format).
 */
#ifndef FORKD_READY_H
#define FORKD_READY_H

#include "pack.h"
#include "proto.h"
#include "seal.h"
#include "warmup.h"

struct ready_report {
	const char			*python;	/* "3.12.1" */
	const char			*app;		/* --app */
	double				 import_ms;
	const struct warmup		*warmup;	/* !summed: none ran */
	const struct pack_result	*pack;		/* !packed: none */
	const struct seal_report	*seal;
};

/*
 * Sets m's payload to r as JSON.  Returns 0, -ENOMEM, or -EMSGSIZE when
 * it is longer than a payload; the payload is then "{}".
 */
int	ready_set(struct proto_msg *m, const struct ready_report *r);

#endif
