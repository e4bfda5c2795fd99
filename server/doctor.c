/*
 * doctor.c: "forkd doctor", what this host gives forkd, each check with
 * what to do when it is missing.  Exit 0 when forkd can run here (the
 * ring and pidfds), 1 when it cannot; the rest only costs memory or
 * figures.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "forkd.h"

static int	doctor_bad;

static void
doctor_say(int good, int essential, const char *what, const char *state,
    const char *fix)
{
	printf("%-4s %-24s %s\n", good ? "ok" : essential ? "FAIL" : "warn",
	    what, state);
	if (!good)
		printf("     %-24s %s\n", "", fix);
	if (!good && essential)
		doctor_bad = 1;
}

void
doctor_read(const char *path, char *buf, size_t len)
{
	FILE	*fp;

	buf[0] = '\0';
	if ((fp = fopen(path, "r")) == NULL)
		return;
	if (fgets(buf, (int)len, fp) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
}

static void
doctor_ring(void)
{
	static const struct {
		int		 op;
		const char	*name;
	} ops[] = {
		{ IORING_OP_READ, "read" }, { IORING_OP_RECV, "recv" },
		{ IORING_OP_POLL_ADD, "poll" }, { IORING_OP_TIMEOUT, "timeout" },
		{ IORING_OP_ASYNC_CANCEL, "cancel" },
	};
	struct io_uring_probe	*p;
	struct io_uring		 ring;
	char			 state[128] = "", missing[64] = "";
	size_t			 i;
	int			 r;

	if ((r = io_uring_queue_init(4, &ring, 0)) != 0) {
		snprintf(state, sizeof(state), "unavailable: %s", strerror(-r));
		doctor_say(0, 1, "io_uring", state, "the supervisor's loop "
		    "needs it: Linux 5.19 or later, and io_uring not disabled "
		    "(sysctl kernel.io_uring_disabled=0; a container's seccomp "
		    "profile may deny it)");
		return;
	}
	if ((p = io_uring_get_probe_ring(&ring)) != NULL) {
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (!io_uring_opcode_supported(p, ops[i].op))
				snprintf(missing + strlen(missing),
				    sizeof(missing) - strlen(missing), " %s",
				    ops[i].name);
		io_uring_free_probe(p);
	}
	io_uring_queue_exit(&ring);
	snprintf(state, sizeof(state), missing[0] == '\0' ? "yes, with the "
	    "operations forkd uses" : "yes, but without:%s", missing);
	doctor_say(missing[0] == '\0', 1, "io_uring", state, "a newer kernel");
}

static void
doctor_kernel(void)
{
	char	buf[192], state[256];
	int	fd;

	fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	doctor_say(fd >= 0, 1, "pidfd", fd >= 0 ? "yes" : strerror(errno),
	    "Linux 5.3 or later: the supervisor signals its processes "
	    "through pidfds");
	if (fd >= 0)
		close(fd);
	cow_probe(buf, sizeof(buf));
	doctor_say(strncmp(buf, "none", 4) != 0, 0, "copy-on-write tracker",
	    buf, "--cow counts nothing: userfaultfd write-protect needs "
	    "Linux 5.7+ (CONFIG_USERFAULTFD, CONFIG_PTE_MARKER_UFFD_WP); "
	    "attribute mode needs root or vm.unprivileged_userfaultfd=1");
	doctor_read("/sys/kernel/mm/transparent_hugepage/enabled", buf,
	    sizeof(buf));
	snprintf(state, sizeof(state), "%s", buf[0] != '\0' ? buf :
	    "unknown");
	doctor_say(strstr(buf, "[always]") == NULL, 0, "transparent huge "
	    "pages", state, "with THP always, one write copies 2 MiB, not "
	    "4 KiB: set it to madvise (echo madvise > /sys/kernel/mm/"
	    "transparent_hugepage/enabled); forkd's seal asks for small "
	    "pages on its heap either way");
	doctor_read("/sys/kernel/mm/ksm/run", buf, sizeof(buf));
	snprintf(state, sizeof(state), "%s", buf[0] == '\0' ? "not built "
	    "in" : strcmp(buf, "1") == 0 ? "running" : "built in, stopped");
	doctor_say(buf[0] != '\0', 0, "KSM", state, "--ksm needs "
	    "CONFIG_KSM; it merges only while /sys/kernel/mm/ksm/run is 1");
	doctor_read("/proc/sys/kernel/seccomp/actions_avail", buf,
	    sizeof(buf));
	snprintf(state, sizeof(state), "%s", buf[0] != '\0' ? buf :
	    "unavailable");
	doctor_say(strstr(buf, "trap") != NULL, 0, "seccomp", state,
	    "--seccomp needs CONFIG_SECCOMP_FILTER; without it workers run "
	    "unfiltered and say so");
}

/* The embedded Python, as forkd-zygote --version says. */
static void
doctor_python(struct forkd *f)
{
	char	 cmd[PATH_MAX + 32], line[256], py[256] = "", imm[256] = "";
	FILE	*fp;

	snprintf(cmd, sizeof(cmd), "'%s' --version 2>&1", f->zygote_path);
	if ((fp = popen(cmd, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (strncmp(line, "python: ", 8) == 0)
				snprintf(py, sizeof(py), "%s", line + 8);
			else if (strncmp(line, "immortal objects: ", 18) == 0)
				snprintf(imm, sizeof(imm), "%s", line + 18);
		}
		(void)pclose(fp);
	}
	doctor_say(py[0] != '\0', 1, "python", py[0] != '\0' ? py :
	    "forkd-zygote does not run", "forkd-zygote beside forkd, built "
	    "with make; make deps installs what it needs");
	doctor_say(strncmp(imm, "yes", 3) == 0, 0, "immortal objects",
	    imm[0] != '\0' ? imm : "unknown", "CPython 3.12 or later: on "
	    "3.11 the seal can only freeze, and workers copy more of the "
	    "heap");
}

int
doctor_run(struct forkd *f)
{
	printf("forkd doctor: what this host gives forkd\n\n");
	doctor_ring();
	doctor_kernel();
	doctor_python(f);
	printf("\n%s\n", doctor_bad ? "forkd cannot run here: see FAIL above" :
	    "forkd can run here");
	return doctor_bad ? 1 : EXIT_CLEAN;
}
