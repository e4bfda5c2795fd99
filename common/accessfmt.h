/*
 * accessfmt.h: gunicorn's access log format ("%(h)s %(l)s %(u)s ..."),
 * compiled once into a list of pieces: literal text and atoms.  Both
 * programs compile it: the supervisor to refuse a bad format before
 * anything starts, the zygote for its workers, which render each request
 * with http/accesslog.c.  Nothing here does I/O.
 */
#ifndef FORKD_ACCESSFMT_H
#define FORKD_ACCESSFMT_H

#include <stddef.h>

/* gunicorn's default, the Apache "combined" layout. */
#define ACCESSFMT_DEFAULT \
	"%(h)s %(l)s %(u)s %(t)s \"%(r)s\" %(s)s %(b)s \"%(f)s\" \"%(a)s\""

/* Formats longer than this are refused. */
#define ACCESSFMT_MAX	4096

enum accessfmt_atom {
	ACCESSFMT_TEXT = 0,	/* literal text, written as it is */
	ACCESSFMT_HOST,		/* h: the client's address */
	ACCESSFMT_IDENT,	/* l: always "-" */
	ACCESSFMT_USER,		/* u: Basic auth user, or "-" */
	ACCESSFMT_TIME,		/* t: [10/Oct/2000:13:55:36 -0700], local */
	ACCESSFMT_REQUEST,	/* r: "GET /p?q HTTP/1.1" */
	ACCESSFMT_METHOD,	/* m */
	ACCESSFMT_PATH,		/* U: the path, percent-decoded */
	ACCESSFMT_QUERY,	/* q: the query, as sent */
	ACCESSFMT_PROTOCOL,	/* H: "HTTP/1.1" */
	ACCESSFMT_STATUS,	/* s */
	ACCESSFMT_LENGTH,	/* B: body bytes sent */
	ACCESSFMT_LENGTH_CLF,	/* b: body bytes sent, "-" for none */
	ACCESSFMT_REFERER,	/* f */
	ACCESSFMT_AGENT,	/* a */
	ACCESSFMT_SECONDS,	/* T: whole seconds */
	ACCESSFMT_MILLIS,	/* M */
	ACCESSFMT_MICROS,	/* D */
	ACCESSFMT_DECIMAL,	/* L: seconds with six decimals */
	ACCESSFMT_PID,		/* p: "<pid>" */
	ACCESSFMT_REQ_HEADER,	/* {name}i */
	ACCESSFMT_RESP_HEADER,	/* {name}o */
};

struct accessfmt_piece {
	enum accessfmt_atom	 atom;
	/* The literal text, or a header's name in lower case. */
	const char		*text;
	size_t			 len;
};

struct accessfmt {
	struct accessfmt_piece	*pieces;
	size_t			 npieces;
};

/*
 * Compiles fmt (gunicorn's %(name)s atoms and %%) into *ret, one
 * allocation that accessfmt_free() releases.  Returns 0, -EINVAL after
 * writing the reason to err (at most errlen bytes), or -ENOMEM.
 */
int	accessfmt_compile(const char *fmt, struct accessfmt **ret, char *err,
	    size_t errlen);
/* Takes NULL. */
void	accessfmt_free(struct accessfmt *af);

#endif
