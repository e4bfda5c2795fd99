/*
 * warmup.h: warmup requests the zygote drives through the app before it
 * seals the heap (doc/warmup.md has the file format).
 */
#ifndef FORKD_WARMUP_H
#define FORKD_WARMUP_H

#include <stddef.h>

#include "py.h"

struct warmup_req {
	char	*raw;		/* a complete HTTP/1.1 request (owned) */
	size_t	 len;
	unsigned line;		/* where it starts in the file */
};

struct warmup_list {
	struct warmup_req	*reqs;
	size_t			 n;
};

struct warmup_opts {
	const char	*file;		/* NULL: hooks only */
	unsigned	 rounds;	/* >= 1 */
	unsigned	 budget_s;	/* stop starting rounds after this */
	int		 strict;	/* a non-2xx or a raising hook is fatal */
};

/*
 * Parses a warmup file's text.  Returns 0 and fills *ret, or -EINVAL
 * after writing "line N: reason" into err.
 */
int	warmup_parse(const char *text, size_t len, struct warmup_list *ret,
	    char *err, size_t errlen);
void	warmup_free(struct warmup_list *l);
/* A warmup that ran, its last round kept for code packing's probe. */
struct warmup {
	struct warmup_list	l;
	int			active;	/* there is something to run */
	int			held;	/* the last round has not run */
	unsigned		round;	/* rounds run */
	double			seconds; /* spent in them */
	/* The summary logged at the end, kept for READY. */
	int			summed;	/* 1 once it was */
	size_t			requests;
	size_t			non2xx;
	int			spec_ok; /* spec was read */
	struct py_spec_report	spec;
};

/*
 * Loads the file, runs the rounds and the hooks, logs progress and a
 * summary, and keeps the requests in *ret until warmup_end().  With
 * hold_last and two rounds or more, the last round is held back for
 * warmup_last().  Returns 0, -EINVAL for a bad file (usage), -ENOMEM, or
 * -1 when the warmup failed and o->strict is set (*ret is then ended).
 */
int	warmup_run(const struct warmup_opts *o, int hold_last,
	    struct warmup *ret);
/*
 * Runs the held last round of rounds.  Returns 0, -ENOENT when no round
 * was held, -EIO if a request answered other than 2xx or a hook raised.
 */
int	warmup_last(struct warmup *w, unsigned rounds);
void	warmup_end(struct warmup *w);

#endif
