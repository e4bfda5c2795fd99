/*
 * proctitle.c: process titles for ps.  Only the argv strings' own bytes
 * are reused, never the environment's that follow them, so nothing
 * else in the process is disturbed.
 */
#include <sys/prctl.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proctitle.h"

/* The argv area: one per process, set once at start. */
static char	*title_base;
static size_t	 title_len;

void
proctitle_init(int argc, char *argv[])
{
	char	*end;
	int	 i;

	if (argc < 1 || argv[0] == NULL)
		return;
	end = argv[0] + strlen(argv[0]);
	for (i = 1; i < argc; i++) {
		if (argv[i] != end + 1)
			break;		/* not contiguous: stop here */
		end = argv[i] + strlen(argv[i]);
	}
	title_base = argv[0];
	title_len = end - argv[0];
	for (i = 0; i < argc; i++)
		if ((argv[i] = strdup(argv[i])) == NULL)
			abort();
}

void
proctitle_set(const char *comm, const char *fmt, ...)
{
	va_list	ap;

	(void)prctl(PR_SET_NAME, comm, 0, 0, 0);
	if (title_base == NULL || title_len == 0)
		return;
	memset(title_base, '\0', title_len + 1);
	va_start(ap, fmt);
	vsnprintf(title_base, title_len + 1, fmt, ap);
	va_end(ap);
}
