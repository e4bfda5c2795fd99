/*
 * zygopts.h: the zygote's options, described once in a table both
 * programs share (zygopts.c).
 *
 * The supervisor fills a struct zygopts from its command line, flag by
 * flag (zygopts_set, called by server/config.c), adds what it knows at
 * each start (the listeners, its pid, the generation, the tracker's
 * paths) and sends it encoded as one JSON object, the payload of
 * PROTO_CONFIG (server/zyglink.c).  The zygote decodes that payload into
 * the same struct (preload/main.c).  A new zygote flag is a field here,
 * a row in the table, a line of config_usage(), and its use in the
 * zygote.
 *
 * Pure: no I/O; it allocates only the JSON text while encoding and the
 * strings zygopts_decode keeps.  zygopts_set checks a flag's value (its
 * kind, its range, and the row's own check); zygopts_decode checks kinds
 * and ranges only, since the supervisor checked the values at start.
 */
#ifndef FORKD_ZYGOPTS_H
#define FORKD_ZYGOPTS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "cowkind.h"
#include "httpopts.h"

/* --pythonpath directories. */
#define ZYGOPTS_MAX_PYPATHS	16
/* Rows of the table, at most: zygopts_decode marks those seen in bits. */
#define ZYGOPTS_MAX_ROWS	64

struct proto_msg;

enum seal_mode {
	SEAL_AUTO = 0,	/* full where the Python supports it, else freeze */
	SEAL_NONE,	/* nothing: what a plain preload server does */
	SEAL_FREEZE,	/* collect, gc.freeze, malloc_trim, THP */
	SEAL_FULL,	/* collect, immortalize, gc.freeze, malloc_trim, THP */
};

/* --seccomp: the workers' filter (preload/sandbox.c). */
enum sandbox_mode {
	SANDBOX_OFF = 0,
	SANDBOX_DEFAULT,	/* EPERM for calls an app has no use for */
	SANDBOX_STRICT,		/* and no program nor process; stops */
};

enum pack_mode {
	PACK_AUTO = 0,	/* where it pays: under the full and freeze seals */
	PACK_ON,	/* also under --seal none */
	PACK_OFF,
};

/*
 * Plain C types only.  Strings are NULL when not given; in the
 * supervisor they point into argv (or memory that lives as long), in the
 * zygote into mem.
 */
struct zygopts {
	/* From the command line. */
	const char	*app;			/* "module:callable" */
	const char	*chdir;
	const char	*pythonpath[ZYGOPTS_MAX_PYPATHS];
	size_t		 npythonpath;
	unsigned	 graceful_timeout;	/* seconds */
	struct httpopts	 http;			/* limits and deadlines */
	const char	*forwarded_allow_ips;	/* "*" or a comma list */
	const char	*log_level;		/* log_parse_level()'s */
	enum seal_mode	 seal;
	const char	*warmup;		/* warmup file, absolute */
	unsigned	 warmup_rounds;
	unsigned	 warmup_time;		/* seconds */
	int		 warmup_strict;
	int		 ksm;
	enum pack_mode	 pack_code;
	unsigned	 fill_holes;		/* 0: off, 1: on */
	int		 watch_types;
	enum cow_mode	 cow;			/* the write tracker's mode */
	const char	*access_log;		/* absolute path, "-" or NULL */
	const char	*access_log_format;	/* NULL: ACCESSFMT_DEFAULT */
	enum sandbox_mode seccomp;

	/* Set by the supervisor at each start. */
	unsigned	 nlisten;		/* listeners, from fd 4 on */
	pid_t		 supervisor;
	unsigned	 generation;
	const char	*cow_ranges;		/* where the seal writes them */
	const char	*cow_index;		/* attribute mode's index */

	char		*mem;			/* zygopts_decode's strings */
};

enum zygopt_kind {
	ZYGOPT_STR = 1,		/* const char *; JSON: a string or null */
	ZYGOPT_LIST,		/* const char *[], size_t count; an array */
	ZYGOPT_UINT,		/* unsigned; a number */
	ZYGOPT_U64,		/* uint64_t; a number */
	ZYGOPT_PID,		/* pid_t; a number */
	ZYGOPT_BOOL,		/* int 0 or 1, a flag with no value; JSON:
				   true or false */
	ZYGOPT_ENUM,		/* an enum, by its name; a string */
};

/* A row's flags. */
#define ZYGOPT_START	0x1	/* set at each start, not a flag */

/*
 * One option.  As a flag, --name takes a value checked against min..max
 * (numbers), names (an enum) or check, and refused with "--name VALUE:
 * want"; a list is repeatable, its items separated by commas.
 */
struct zygopt {
	const char		*name;	/* the flag, --name, and the JSON key */
	const char		*alias;	/* another spelling of the flag */
	enum zygopt_kind	 kind;
	unsigned		 flags;
	size_t			 off;	/* the field in struct zygopts */
	size_t			 count;	/* ZYGOPT_LIST: its size_t count */
	uint64_t		 min;	/* numbers; ZYGOPT_LIST: 0 */
	uint64_t		 max;	/* numbers; ZYGOPT_LIST: items */
	uint64_t		 def;	/* numbers, bool, enum: the default */
	const char		*sdef;	/* ZYGOPT_STR: the default */
	const char *const	*names;	/* ZYGOPT_ENUM: by value, NULL-ended */
	const char		*want;	/* what the flag wants, when refused */
	/*
	 * A flag's check beyond its kind (may be NULL): 0, or -EINVAL with
	 * the reason in why ("" for the row's want).
	 */
	int			(*check)(const char *s, char *why, size_t len);
};

/* Row i of the table, NULL past its end. */
const struct zygopt *zygopts_row(size_t i);
/* The row called name (or its alias), NULL if none. */
const struct zygopt *zygopts_find(const char *name);
/* Every option at its default; no strings owned. */
void	zygopts_init(struct zygopts *o);
/*
 * Sets option name from its flag's text (NULL for a ZYGOPT_BOOL).
 * Strings point into text, which must live as long as o; a list's text
 * is cut at its commas.  Returns 0, -ENOENT for a name that is no flag,
 * or -EINVAL with the reason in err (at most errlen bytes); o is left
 * alone on failure.
 */
int	zygopts_set(struct zygopts *o, const char *name, char *text,
	    char *err, size_t errlen);
/*
 * Fills *m as a PROTO_CONFIG (its generation too) whose payload is o,
 * one JSON object with a key per row.  Returns 0, -EMSGSIZE when that
 * is over PROTO_PAYLOAD_MAX bytes, or -ENOMEM.
 */
int	zygopts_encode(const struct zygopts *o, struct proto_msg *m);
/*
 * Decodes payload[0..len), zygopts_encode's JSON, into *ret: a key left
 * out keeps its default.  Returns 0; -EINVAL with the reason in err for
 * text that is not one object of known keys, each once, with values of
 * their kinds and in range; or -ENOMEM.  *ret is set only on success;
 * its strings are then in ret->mem, freed by zygopts_free.
 */
int	zygopts_decode(const char *payload, size_t len, struct zygopts *ret,
	    char *err, size_t errlen);
/* Frees what zygopts_decode allocated; NULL does nothing. */
void	zygopts_free(struct zygopts *o);
/*
 * How a flag's number reads, the supervisor's own flags' too: decimal
 * digits only, in [min, max].  Returns 0 and sets *ret, or -EINVAL.
 */
int	zygopts_number(const char *s, uint64_t min, uint64_t max,
	    uint64_t *ret);

#endif
