/*
 * notify.c: systemd's notify protocol (sd_notify(3)), written by hand:
 * one datagram of "KEY=value" lines to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or "@name" in the abstract namespace).  It
 * is a dozen lines, and libsystemd would be forkd's only reason to link
 * it.  Without $NOTIFY_SOCKET nothing is sent.
 *
 * What forkd says, and when (doc/deploy.md):
 *   READY=1, STATUS=...        the first generation serves
 *   EXTEND_TIMEOUT_USEC=...    every 5 s until then (a long warmup)
 *   RELOADING=1, MONOTONIC_USEC=..., STATUS=...   a reload begins
 *   READY=1, STATUS=...        it is done, or failed (the old one serves)
 *   STOPPING=1                 a stop begins
 *   WATCHDOG=1                 every WATCHDOG_USEC / 2, from the loop
 *   MAINPID=...                a binary upgrade hands over (S11)
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "forkd.h"
#include "log.h"

#define NOTIFY_EXTEND_MS	5000
#define NOTIFY_EXTEND_USEC	"30000000"	/* 30 s more each time */

static struct {
	struct sockaddr_un	sun;
	socklen_t		len;
	int			fd;
	uint64_t		watchdog_ms;	/* the interval; 0: none */
	uint64_t		next_watchdog;
	uint64_t		next_extend;
	int			ready;
	unsigned		reloading;	/* the generation announced */
	int			stopping;
	char			env[sizeof(((struct sockaddr_un *)0)->sun_path)];
} nt = { .fd = -1 };

/* Sends the lines; returns 0 or -errno (the caller logs nothing). */
static int
notify_send(const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;
	int	n;

	if (nt.fd < 0)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EMSGSIZE;
	if (sendto(nt.fd, buf, (size_t)n, MSG_NOSIGNAL,
	    (struct sockaddr *)&nt.sun, nt.len) == -1)
		return -errno;
	return 0;
}

void
notify_init(void)
{
	const char	*p = getenv("NOTIFY_SOCKET");
	const char	*w = getenv("WATCHDOG_USEC");
	const char	*wp = getenv("WATCHDOG_PID");
	size_t		 n;

	if (p == NULL || (p[0] != '/' && p[0] != '@') ||
	    (n = strlen(p)) >= sizeof(nt.sun.sun_path))
		return;
	snprintf(nt.env, sizeof(nt.env), "%s", p);
	memset(&nt.sun, 0, sizeof(nt.sun));
	nt.sun.sun_family = AF_UNIX;
	memcpy(nt.sun.sun_path, p, n);
	if (p[0] == '@')
		nt.sun.sun_path[0] = '\0';	/* abstract */
	nt.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if ((nt.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warnc(-errno, "systemd: NOTIFY_SOCKET");
		return;
	}
	if (w != NULL && (wp == NULL || atol(wp) == (long)getpid()))
		nt.watchdog_ms = strtoull(w, NULL, 10) / 1000;
	/* Not the zygote's nor the workers' to use. */
	(void)unsetenv("NOTIFY_SOCKET");
	(void)unsetenv("WATCHDOG_USEC");
	(void)unsetenv("WATCHDOG_PID");
}

const char *
notify_socket(void)
{
	return nt.fd >= 0 ? nt.env : NULL;
}

/* "generation 3, 8 workers, 96.0 MiB PSS": for STATUS=. */
static void
notify_status(struct forkd *f, char *buf, size_t len)
{
	struct memstat	m;
	struct worker	*w;
	uint64_t	pss = 0;
	unsigned	it = 0, i, n = 0;

	for (i = 0; i < SV_GENS; i++)
		if (f->sv.gen[i].pid > 0 &&
		    memstat_read(f->sv.gen[i].pid, &m) == 0)
			pss += m.pss_kb;
	while ((w = sv_next_worker(&f->sv, &it)) != NULL) {
		n++;
		if (memstat_read(w->pid, &m) == 0)
			pss += m.pss_kb;
	}
	snprintf(buf, len, "generation %u, %u workers, %.1f MiB PSS",
	    f->sv.serving, n, pss / 1024.0);
}

/* Every worker of the serving generation runs. */
static int
notify_all_serve(struct forkd *f)
{
	struct slot	*s;
	unsigned	 i;

	if (f->sv.serving == 0)
		return 0;
	for (i = 0; i < f->sv.nslots; i++) {
		s = &f->sv.slots[i];
		if (s->intent == SLOT_RUN && (s->cur.state != WORKER_RUNNING ||
		    s->cur.generation != f->sv.serving))
			return 0;
	}
	return 1;
}

void
notify_tick(struct forkd *f, uint64_t now)
{
	struct timespec	ts;
	char		st[128];
	int		r = 0;

	if (nt.fd < 0)
		return;
	if (nt.watchdog_ms != 0 && now >= nt.next_watchdog) {
		/* The loop ran this tick: it is alive. */
		r = notify_send("WATCHDOG=1");
		nt.next_watchdog = now + nt.watchdog_ms / 2;
	}
	if (f->sv.mode != SV_RUN) {
		if (!nt.stopping) {
			nt.stopping = 1;
			r = notify_send("STOPPING=1\nSTATUS=stopping");
		}
	} else if (!nt.ready) {
		if (notify_all_serve(f)) {
			nt.ready = 1;
			notify_status(f, st, sizeof(st));
			r = notify_send("READY=1\nSTATUS=%s", st);
		} else if (now >= nt.next_extend) {
			/* The import and warmup may take long: more time. */
			nt.next_extend = now + NOTIFY_EXTEND_MS;
			r = notify_send("EXTEND_TIMEOUT_USEC=" NOTIFY_EXTEND_USEC
			    "\nSTATUS=starting: importing and warming the app");
		}
	} else if (f->sv.reloading != 0 && nt.reloading == 0) {
		nt.reloading = f->sv.reloading;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = notify_send("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS="
		    "reloading: generation %u starting",
		    (unsigned long long)ts.tv_sec * 1000000ULL +
		    (unsigned long long)ts.tv_nsec / 1000, f->sv.reloading);
	} else if (nt.reloading != 0 && f->sv.reloading != nt.reloading) {
		/* Done, failed, or followed by another (HUPs coalesce). */
		notify_status(f, st, sizeof(st));
		r = notify_send("READY=1\nSTATUS=%s%s", st,
		    f->sv.serving == nt.reloading ? "" :
		    " (the reload failed: forkctl stats says why)");
		nt.reloading = 0;
	}
	if (r != 0 && r != -ECONNREFUSED)
		log_debug("systemd: notify: %s", strerror(-r));
}

void
notify_mainpid(pid_t pid)
{
	(void)notify_send("MAINPID=%d", (int)pid);
}
