/*
 * t0003-wstatus.c: unit test of server/wstatus.c.  Every wait status is
 * made by a real child that exits or dies of a signal, collected with
 * waitpid, never encoded by hand.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include "exitcodes.h"
#include "wstatus.h"
#include "tap.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN	1
#endif
#endif

static char	tmpdir[] = "/tmp/t0003-wstatus.XXXXXX";

static void
bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
reap(pid_t pid)
{
	int	st;

	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			bail("waitpid");
	return st;
}

/* Returns the wait status of a child that exits with code. */
static int
exited(int code)
{
	pid_t	pid;
	int	st;

	fflush(stdout);
	if ((pid = fork()) == -1)
		bail("fork");
	if (pid == 0)
		_exit(code);
	st = reap(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != code) {
		printf("Bail out! child did not exit %d (status 0x%x)\n", code,
		    st);
		exit(1);
	}
	return st;
}

/*
 * Returns the wait status of a child killed by sig.  With want_core the
 * child tries to dump core (into tmpdir); without, it makes itself
 * undumpable so it cannot.
 */
static int
signaled(int sig, int want_core)
{
	struct rlimit	rl;
	pid_t		pid;
	int		st;

	fflush(stdout);
	if ((pid = fork()) == -1)
		bail("fork");
	if (pid == 0) {
		signal(sig, SIG_DFL);
		if (want_core) {
			if (getrlimit(RLIMIT_CORE, &rl) == 0) {
				rl.rlim_cur = rl.rlim_max;
				(void)setrlimit(RLIMIT_CORE, &rl);
			}
			if (chdir(tmpdir) == -1)
				_exit(98);
		} else
			(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		raise(sig);
		_exit(99);
	}
	st = reap(pid);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != sig) {
		printf("Bail out! child was not killed by signal %d "
		    "(status 0x%x)\n", sig, st);
		exit(1);
	}
	return st;
}

/* Removes what a core dump left in tmpdir, then tmpdir. */
static void
tmpdir_remove(void)
{
	struct dirent	*de;
	DIR		*d;
	char		 path[PATH_MAX];

	if ((d = opendir(tmpdir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", tmpdir,
			    de->d_name);
			(void)unlink(path);
		}
		closedir(d);
	}
	if (rmdir(tmpdir) == -1)
		diag("rmdir %s: %s", tmpdir, strerror(errno));
}

struct case_ {
	const char	*name;
	int		 status;
	enum verdict	 verdict;
};

int
main(void)
{
	struct case_	 cases[7];
	char		 buf[64], small[8];
	const char	*want;
	unsigned	 i, n, prev, ms;
	int		 st, core, mono;

	plan(41);
	if (mkdtemp(tmpdir) == NULL)
		bail("mkdtemp");

	cases[0] = (struct case_){ "exit 0", exited(0), VERDICT_RESPAWN };
	cases[1] = (struct case_){ "exit 1", exited(1), VERDICT_RESPAWN };
	cases[2] = (struct case_){ "exit 100 (usage)", exited(EXIT_USAGE),
	    VERDICT_HOLD };
	cases[3] = (struct case_){ "exit 101 (app broken)",
	    exited(EXIT_APP_BROKEN), VERDICT_HOLD };
	cases[4] = (struct case_){ "exit 111 (syscall)", exited(EXIT_SYSCALL),
	    VERDICT_RESPAWN };
	cases[5] = (struct case_){ "SIGSEGV", signaled(SIGSEGV, 0),
	    VERDICT_RESPAWN };
	cases[6] = (struct case_){ "SIGKILL", signaled(SIGKILL, 0),
	    VERDICT_RESPAWN };
	n = sizeof(cases) / sizeof(cases[0]);

	for (i = 0; i < n; i++)
		is_int(wstatus_verdict(cases[i].status, 0), cases[i].verdict,
		    "%s while running: %s", cases[i].name,
		    cases[i].verdict == VERDICT_HOLD ? "slot held" :
		    "respawned");
	for (i = 0; i < n; i++)
		is_int(wstatus_verdict(cases[i].status, 1), VERDICT_RETIRE,
		    "%s while stopping: retired", cases[i].name);

	/* wstatus_describe */
	ok(wstatus_describe(exited(3), buf, sizeof(buf)) == buf,
	    "wstatus_describe returns buf");
	is_str(buf, "exited with status 3", "exit 3 is described as "
	    "\"exited with status 3\"");
	is_str(wstatus_describe(cases[0].status, buf, sizeof(buf)),
	    "exited with status 0", "exit 0 is described with its status");
	is_str(wstatus_describe(cases[3].status, buf, sizeof(buf)),
	    "exited with status 101", "exit 101 is described with its status");
	is_str(wstatus_describe(cases[5].status, buf, sizeof(buf)),
	    "killed by SIGSEGV", "SIGSEGV without a core is \"killed by "
	    "SIGSEGV\"");
	is_str(wstatus_describe(cases[6].status, buf, sizeof(buf)),
	    "killed by SIGKILL", "SIGKILL is \"killed by SIGKILL\"");
	is_str(wstatus_describe(signaled(SIGTERM, 0), buf, sizeof(buf)),
	    "killed by SIGTERM", "SIGTERM is \"killed by SIGTERM\"");

#ifdef UNDER_ASAN
	/* ASan reserves terabytes of shadow: do not try to dump that. */
	st = signaled(SIGABRT, 0);
#else
	st = signaled(SIGABRT, 1);
#endif
	core = WCOREDUMP(st) != 0;
	want = core ? "killed by SIGABRT (core dumped)" : "killed by SIGABRT";
	if (!core)
		diag("SIGABRT child dumped no core here: checking the "
		    "no-core form");
	is_str(wstatus_describe(st, buf, sizeof(buf)), want,
	    "SIGABRT is described with \"(core dumped)\" exactly when "
	    "WCOREDUMP is set");
	st = signaled(SIGSEGV, 0);
	ok(!WCOREDUMP(st) && strstr(wstatus_describe(st, buf, sizeof(buf)),
	    "core") == NULL, "no \"(core dumped)\" when WCOREDUMP is clear");

	memset(small, 'x', sizeof(small));
	is_str(wstatus_describe(cases[1].status, small, sizeof(small)),
	    "exited ", "wstatus_describe truncates to len and NUL-terminates");

	/* wstatus_startup_code */
	is_int(wstatus_startup_code(cases[2].status), EXIT_USAGE,
	    "a zygote that exits 100 at startup makes forkd exit 100");
	is_int(wstatus_startup_code(cases[3].status), EXIT_APP_BROKEN,
	    "a zygote that exits 101 at startup makes forkd exit 101");
	is_int(wstatus_startup_code(cases[4].status), EXIT_SYSCALL,
	    "a zygote that exits 111 at startup makes forkd exit 111");
	is_int(wstatus_startup_code(cases[1].status), EXIT_APP_BROKEN,
	    "a zygote that exits 1 at startup means the app is broken (101)");
	is_int(wstatus_startup_code(exited(2)), EXIT_APP_BROKEN,
	    "a zygote that exits 2 at startup means the app is broken (101)");
	is_int(wstatus_startup_code(cases[5].status), EXIT_APP_BROKEN,
	    "a zygote killed by SIGSEGV at startup means the app is broken");
	is_int(wstatus_startup_code(cases[6].status), EXIT_APP_BROKEN,
	    "a zygote killed by SIGKILL at startup means the app is broken");

	/* wstatus_backoff_ms */
	is_int(wstatus_backoff_ms(0), 0, "no backoff after 0 fast deaths");
	is_int(wstatus_backoff_ms(1), 100, "100 ms backoff after 1 fast death");
	is_int(wstatus_backoff_ms(2), 200, "backoff doubles: 200 ms after 2");
	is_int(wstatus_backoff_ms(3), 400, "backoff doubles: 400 ms after 3");
	is_int(wstatus_backoff_ms(7), 6400, "backoff doubles: 6400 ms after 7");
	is_int(wstatus_backoff_ms(8), 10000, "backoff is capped at 10000 ms "
	    "after 8");
	is_int(wstatus_backoff_ms(9), 10000, "backoff stays at 10000 ms "
	    "after 9");
	is_int(wstatus_backoff_ms(1000), 10000, "backoff is 10000 ms after "
	    "1000");
	is_int(wstatus_backoff_ms(UINT_MAX), 10000, "backoff is 10000 ms "
	    "after UINT_MAX fast deaths");
	mono = 1;
	prev = 0;
	for (i = 0; i <= 64; i++) {
		ms = wstatus_backoff_ms(i);
		if (ms < prev || ms > 10000)
			mono = 0;
		prev = ms;
	}
	ok(mono, "backoff never decreases and never exceeds 10000 ms for "
	    "0..64 deaths");

	tmpdir_remove();
	return done();
}
