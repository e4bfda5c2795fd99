/*
 * sandbox.c: the worker's seccomp filter (--seccomp), loaded after its
 * post_fork hooks and for every thread (TSYNC), before it serves.
 *
 *   default  system calls a WSGI app has no business with answer EPERM,
 *            and the worker says so once per call: ptrace, reading or
 *            writing other processes' memory, kexec, kernel modules,
 *            mounts, bpf, perf events, userfaultfd (forkd's own was
 *            taken at fork), keyrings, io_uring, swap, reboot, setting
 *            the clock, acct, open_by_handle_at, namespaces
 *   strict   also: running a program and starting a process (a thread
 *            may still start); a denied call stops the worker, which
 *            names it first
 *   off      no filter
 *
 * A denied call traps (SIGSYS) into a handler that writes one line and
 * either makes the call return EPERM (default) or stops the worker
 * (strict).  The handler is async-signal-safe: the names it prints are
 * looked up before the filter is loaded.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

static const char *const deny_default[] = {
	"ptrace", "process_vm_readv", "process_vm_writev", "kexec_load",
	"kexec_file_load", "init_module", "finit_module", "delete_module",
	"mount", "umount2", "pivot_root", "move_mount", "fsopen", "fsmount",
	"open_tree", "bpf", "perf_event_open", "userfaultfd", "keyctl",
	"add_key", "request_key", "io_uring_setup", "io_uring_enter",
	"io_uring_register", "swapon", "swapoff", "reboot", "settimeofday",
	"clock_settime", "clock_adjtime", "adjtimex", "acct",
	"open_by_handle_at", "setns", "unshare", NULL
};

/* strict: a program or a process; clone() with CLONE_THREAD stays. */
static const char *const deny_strict[] = {
	"execve", "execveat", "fork", "vfork", NULL
};

#define SANDBOX_NAMES	64

static struct {
	int		 nr;
	const char	*name;
	int		 said;
}		 names[SANDBOX_NAMES];
static int	 nnames;
static int	 strict;

static void
sandbox_say(const char *a, const char *b, const char *c)
{
	struct iovec	iov[3] = {
		{ (void *)a, strlen(a) }, { (void *)b, strlen(b) },
		{ (void *)c, strlen(c) }
	};

	(void)!writev(STDERR_FILENO, iov, 3);
}

static void
sandbox_trap(int sig, siginfo_t *si, void *uc)
{
	const char	*name = "a system call";
	int		 i, saved = errno;

	(void)sig;
	for (i = 0; i < nnames; i++)
		if (names[i].nr == si->si_syscall)
			break;
	if (i < nnames)
		name = names[i].name;
	if (strict) {
		sandbox_say("forkd worker: seccomp: ", name,
		    " is denied under --seccomp strict: the worker stops\n");
		signal(SIGSYS, SIG_DFL);
		raise(SIGSYS);
		_exit(128 + SIGSYS);
	}
	if (i >= nnames || !names[i].said)
		sandbox_say("forkd worker: seccomp: ", name,
		    " denied (EPERM), --seccomp default; said once\n");
	if (i < nnames)
		names[i].said = 1;
	/* The call returns -EPERM. */
#if defined(__x86_64__)
	((ucontext_t *)uc)->uc_mcontext.gregs[REG_RAX] = -EPERM;
#elif defined(__aarch64__)
	((ucontext_t *)uc)->uc_mcontext.regs[0] = (unsigned long long)-EPERM;
#else
	(void)uc;
#endif
	errno = saved;
}

/* Denies each of list with action; names are kept for the handler. */
static int
sandbox_add(scmp_filter_ctx ctx, const char *const *list, uint32_t action)
{
	int	i, nr, r;

	for (i = 0; list[i] != NULL; i++) {
		/* A call this kernel or architecture does not have. */
		if ((nr = seccomp_syscall_resolve_name(list[i])) ==
		    __NR_SCMP_ERROR || nr < 0)
			continue;
		if ((r = seccomp_rule_add(ctx, action, nr, 0)) != 0)
			return r;
		if (nnames < SANDBOX_NAMES) {
			names[nnames].nr = nr;
			names[nnames++].name = list[i];
		}
	}
	return 0;
}

int
sandbox_load(enum sandbox_mode mode)
{
	scmp_filter_ctx		 ctx;
	struct sigaction	 sa;
	uint32_t		 action;
	int			 nr, r;

	if (mode == SANDBOX_OFF)
		return 0;
#if defined(__x86_64__) || defined(__aarch64__)
	action = SCMP_ACT_TRAP;
#else
	action = mode == SANDBOX_STRICT ? SCMP_ACT_KILL_PROCESS :
	    SCMP_ACT_ERRNO(EPERM);
#endif
	strict = mode == SANDBOX_STRICT;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_trap;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		return -errno;
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return -ENOMEM;
	/* Every thread: a post_fork hook may have started some. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (r == 0)
		r = sandbox_add(ctx, deny_default, action);
	if (r == 0 && strict) {
		r = sandbox_add(ctx, deny_strict, action);
		/* A process, not a thread: clone() without CLONE_THREAD. */
		if (r == 0 && (nr = seccomp_syscall_resolve_name("clone")) >= 0) {
			r = seccomp_rule_add(ctx, action, nr, 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
			if (r == 0 && nnames < SANDBOX_NAMES) {
				names[nnames].nr = nr;
				names[nnames++].name = "clone (a process)";
			}
		}
		/* clone3 hides its flags from seccomp: glibc falls back. */
		if (r == 0 && (nr = seccomp_syscall_resolve_name("clone3")) >= 0)
			r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	}
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}
