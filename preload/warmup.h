/*
 * warmup.h: warmup requests the zygote drives through the app before it
 * seals the heap (doc/warmup.md has the file format).
 */
#ifndef FORKD_WARMUP_H
#define FORKD_WARMUP_H

#include <stddef.h>

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
/*
 * Loads the file, runs the rounds and the hooks, logs progress and a
 * summary.  Returns 0, -EINVAL for a bad file (usage), or -1 when the
 * warmup failed and o->strict is set.
 */
int	warmup_run(const struct warmup_opts *o);

#endif
