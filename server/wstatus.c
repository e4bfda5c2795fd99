/*
 * wstatus.c: interprets wait(2) statuses for the worker table.  It decides
 * and describes; it never signals, forks or logs.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "exitcodes.h"
#include "wstatus.h"

enum verdict
wstatus_verdict(int status, int stopping)
{
	if (stopping)
		return VERDICT_RETIRE;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_APP_BROKEN)
		return VERDICT_HOLD;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_USAGE)
		return VERDICT_HOLD;
	return VERDICT_RESPAWN;
}

const char *
wstatus_describe(int status, char *buf, size_t len)
{
	const char	*name;

	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		name = sigabbrev_np(WTERMSIG(status));
		snprintf(buf, len, "killed by SIG%s%s",
		    name != NULL ? name : "?",
		    WCOREDUMP(status) ? " (core dumped)" : "");
	} else
		snprintf(buf, len, "changed state 0x%x", status);
	return buf;
}

int
wstatus_startup_code(int status)
{
	if (WIFEXITED(status)) {
		switch (WEXITSTATUS(status)) {
		case EXIT_USAGE:
		case EXIT_APP_BROKEN:
		case EXIT_SYSCALL:
			return WEXITSTATUS(status);
		}
	}
	/* A zygote that crashed while importing the app: the app is broken. */
	return EXIT_APP_BROKEN;
}

unsigned
wstatus_backoff_ms(unsigned fast_deaths)
{
	unsigned	ms = 100;

	if (fast_deaths == 0)
		return 0;
	while (--fast_deaths > 0 && ms < 10000)
		ms *= 2;
	return ms < 10000 ? ms : 10000;
}
