/*
 * zyglink.c: starts a generation's zygote (fork + exec of forkd-zygote
 * with the control socket on fd 3, its options waiting there in a
 * PROTO_CONFIG, and the listeners after it) and speaks proto.h with it:
 * what it says becomes an event for sv.c.  The zygote's own side of the
 * link is preload/zygote.c.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "forkd.h"
#include "log.h"
#include "wstatus.h"
#include "zygopts.h"

/*
 * The longest title a worker of the zygote takes, but for the app:
 * common/proctitle.c writes it over the bytes of the zygote's argv.
 */
#define ZYGOTE_TITLE	"forkd: worker 4294967295 generation 4294967295, app "
/* The zygote's and the workers' oom_score_adj; the supervisor's is 0. */
#define FORKD_OOM_SCORE_ADJ	"200"

static void	zyglink_recv_done(struct op *, int, uint32_t);

struct zyglink *
zyglink_of(struct forkd *f, unsigned gen)
{
	struct generation	*g = sv_gen(&f->sv, gen);

	if (g == NULL)
		return NULL;
	return &f->link[sv_gen_index(&f->sv, g)];
}

static int
zyglink_arm(struct zyglink *l)
{
	l->recv_op.done = zyglink_recv_done;
	/* MSG_TRUNC: a packet longer than any message shows as such. */
	return loop_recv(&l->recv_op, l->ctl, &l->msg, PROTO_MSG_MAX);
}

/*
 * Fills m with generation gen's PROTO_CONFIG: the command line's options
 * and this start's values.  Returns 0, or zygopts_encode()'s -errno.
 */
static int
zyglink_config(struct forkd *f, unsigned gen, struct proto_msg *m)
{
	struct zygopts	z = f->cfg.zyg;
	char		ranges[PATH_MAX], index[PATH_MAX];

	z.nlisten = (unsigned)f->nlisten;
	z.supervisor = getpid();
	z.generation = gen;
	if (cow_ranges_path(f, gen, ranges, sizeof(ranges)) == 0)
		z.cow_ranges = ranges;
	if (cow_index_path(f, gen, index, sizeof(index)) == 0)
		z.cow_index = index;
	return zygopts_encode(&z, m);
}

int
zyglink_check(struct forkd *f)
{
	struct proto_msg	m;
	int			r;

	/* The widest generation, and room for the tracker's two paths. */
	if ((r = zyglink_config(f, UINT_MAX, &m)) != 0)
		return r;
	if (m.len + 2 * (cow_path_max(f) + 2) > PROTO_PAYLOAD_MAX)
		return -EMSGSIZE;
	return 0;
}

/* Runs in the forked child: never returns. */
static void __attribute__((noreturn))
zyglink_exec(struct forkd *f, unsigned generation, int ctl,
    pid_t supervisor)
{
	const char	*argv[7];
	char		 gen[16], pad[sizeof(ZYGOTE_TITLE)];
	int		 moved[CONFIG_MAX_BINDS + 1], status, fd, parkfd, queue;
	size_t		 i, n = 0, room, have;
	sigset_t	 all;

	/* Terminal signals go to the supervisor alone; it relays them. */
	(void)setpgid(0, 0);
	/*
	 * Out of memory, the kernel kills the zygote or a worker before
	 * the supervisor (fault S7): the workers inherit this, and a dead
	 * worker or zygote is replaced.
	 */
	if ((fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC))
	    != -1) {
		(void)!write(fd, FORKD_OOM_SCORE_ADJ, strlen(FORKD_OOM_SCORE_ADJ));
		close(fd);
	}
	/* --user: before PDEATHSIG, which a change of credentials clears. */
	if (f->drop && (setgroups(0, NULL) == -1 ||
	    setgid(f->run_gid) == -1 || setuid(f->run_uid) == -1))
		_exit(EXIT_SYSCALL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != supervisor)
		_exit(EXIT_SYSCALL);
	sigfillset(&all);
	(void)sigprocmask(SIG_UNBLOCK, &all, NULL);

	/*
	 * Move every fd above the fixed numbers before placing them at 3,
	 * 4, ... and 1001, 1002, 1003: the supervisor may hold thousands
	 * (parked connections), any of them at a target.
	 */
	moved[0] = fcntl(ctl, F_DUPFD_CLOEXEC, PROTO_QUEUE_FD + 1);
	for (i = 0; i < f->nlisten; i++)
		moved[i + 1] = fcntl(f->listen_fds[i], F_DUPFD_CLOEXEC,
		    PROTO_QUEUE_FD + 1);
	status = fcntl(f->status_fd, F_DUPFD_CLOEXEC, PROTO_QUEUE_FD + 1);
	parkfd = park_worker_fd(f->park) < 0 ? -1 :
	    fcntl(park_worker_fd(f->park), F_DUPFD_CLOEXEC, PROTO_QUEUE_FD + 1);
	queue = park_queue_fd(f->park) < 0 ? -1 :
	    fcntl(park_queue_fd(f->park), F_DUPFD_CLOEXEC, PROTO_QUEUE_FD + 1);
	for (i = 0; i <= f->nlisten; i++)
		if (moved[i] == -1 ||
		    dup2(moved[i], PROTO_CONTROL_FD + (int)i) == -1)
			_exit(EXIT_SYSCALL);
	if (status == -1 || dup2(status, PROTO_STATUS_FD) == -1)
		_exit(EXIT_SYSCALL);
	/* Without them the workers keep their connections, as before. */
	if (parkfd >= 0 && queue >= 0 && (dup2(parkfd, PROTO_PARK_FD) == -1 ||
	    dup2(queue, PROTO_QUEUE_FD) == -1))
		_exit(EXIT_SYSCALL);
	(void)close_range(PROTO_CONTROL_FD + f->nlisten + 1,
	    PROTO_STATUS_FD - 1, 0);
	(void)close_range(parkfd >= 0 && queue >= 0 ? PROTO_QUEUE_FD + 1 :
	    PROTO_STATUS_FD + 1, ~0U, 0);
	/* The app's limit is the one forkd was started with. */
	if (f->nofile.rlim_cur != 0)
		(void)setrlimit(RLIMIT_NOFILE, &f->nofile);

	/*
	 * The options wait on fd 3 (PROTO_CONFIG); argv is what ps shows
	 * until the zygote sets its title, and the room for that title:
	 * padded with spaces where the worker's longest would not fit.
	 */
	snprintf(gen, sizeof(gen), "%u", generation);
	argv[n++] = f->zygote_path;
	argv[n++] = "--app";
	argv[n++] = f->cfg.zyg.app;
	argv[n++] = "--generation";
	argv[n++] = gen;
	room = sizeof(ZYGOTE_TITLE) - 1 + strlen(f->cfg.zyg.app);
	for (have = 0, i = 0; i < n; i++)
		have += strlen(argv[i]) + 1;
	if (have <= room) {
		i = room - have < sizeof(pad) - 1 ? room - have :
		    sizeof(pad) - 1;
		memset(pad, ' ', i);
		pad[i] = '\0';
		argv[n++] = pad;
	}
	argv[n] = NULL;
	execv(f->zygote_path, (char *const *)argv);
	fprintf(stderr, "forkd[%d]: exec %s: %s\n", (int)getpid(),
	    f->zygote_path, strerror(errno));
	_exit(EXIT_SYSCALL);
}

pid_t
zyglink_start(struct forkd *f, unsigned gen)
{
	struct zyglink		*l = zyglink_of(f, gen);
	struct proto_msg	 m;
	int			 sv[2], r;
	pid_t			 pid = -1, self = getpid();

	if (l == NULL)
		return -ENOENT;
	if (l->ctl >= 0)
		return -EBUSY;	/* sv.c reuses drained records only */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -errno;
	/* Without it the zygote still starts: arenas count as "other". */
	if ((r = cow_zygote_starting(f, gen)) != 0)
		log_warnc(r, "cow: cannot make a private directory");
	/*
	 * The options wait in the socket for the zygote to read first: what
	 * can fail is done before the fork.
	 */
	if ((r = zyglink_config(f, gen, &m)) == 0 &&
	    send(sv[0], &m, proto_size(&m), MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
		r = -errno;
	if (r == 0 && (pid = fork()) == -1)
		r = -errno;
	if (r != 0) {
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0)
		zyglink_exec(f, gen, sv[1], self);
	close(sv[1]);
	free(l->ready);
	free(l->failed);
	l->ready = NULL;
	l->failed = NULL;
	l->f = f;
	l->gen = gen;
	l->pid = pid;
	l->ctl = sv[0];
	if ((l->pidfd = pidfd_get(pid)) < 0)
		l->pidfd = -1;
	if ((r = zyglink_arm(l)) != 0) {
		/* No channel: the zygote sees EOF and exits, and is reaped. */
		log_warnc(r, "cannot read the zygote's control channel");
		close(l->ctl);
		l->ctl = -1;
		(void)kill(pid, SIGKILL);
	}
	return pid;
}

int
zyglink_send_fork(struct forkd *f, unsigned gen, unsigned slot,
    unsigned ix)
{
	struct zyglink		*l = zyglink_of(f, gen);
	struct proto_msg	 m;

	if (l == NULL || l->ctl < 0)
		return -EPIPE;
	proto_init(&m, PROTO_FORK);
	m.worker_id = slot;
	m.index = ix;
	m.generation = gen;
	if (send(l->ctl, &m, proto_size(&m), MSG_NOSIGNAL | MSG_DONTWAIT)
	    == -1)
		return -errno;
	return 0;
}

static void
zyglink_recv_done(struct op *op, int res, uint32_t flags)
{
	struct zyglink		*l = container_of(op, struct zyglink, recv_op);
	struct forkd		*f = l->f;
	struct proto_msg	*m = &l->msg;
	struct sv_event		 ev;

	(void)flags;
	memset(&ev, 0, sizeof(ev));
	ev.gen = l->gen;
	if (res <= 0) {
		/*
		 * End of the channel: every message the zygote sent has been
		 * read, so the orders it never answered can be given up now
		 * (not at its SIGCHLD, which may come first).
		 */
		if (res < 0 && res != -ECANCELED)
			log_warnc(res, "zygote control channel");
		close(l->ctl);
		l->ctl = -1;
		ev.type = SV_EV_CHANNEL_CLOSED;
		(void)forkd_event(f, &ev, NULL, 0);
		return;
	}
	if (proto_check(m, res) != 0)
		ev.type = SV_EV_MALFORMED;
	else {
		switch (m->type) {
		case PROTO_READY:
			zyglink_ready(l, m);
			ev.type = SV_EV_READY;
			break;
		case PROTO_FORKED:
		case PROTO_FORK_FAILED:
			ev.type = m->type == PROTO_FORKED ? SV_EV_FORKED :
			    SV_EV_FORK_FAILED;
			ev.slot = m->worker_id;
			ev.ix = m->index;
			ev.pid = m->pid;
			ev.err = m->err;
			break;
		case PROTO_FAILED:
			zyglink_failed(l, m);
			break;
		default:
			log_warnx("zygote sent unexpected message type %u",
			    m->type);
		}
	}
	if (ev.type != 0)
		(void)forkd_event(f, &ev, NULL, 0);
	/* The event may have stopped forkd, never this channel. */
	if (l->ctl >= 0 && zyglink_arm(l) != 0)
		log_warnx("cannot re-arm the zygote control channel");
}

void
zyglink_reaped(struct forkd *f, pid_t pid)
{
	unsigned	i;

	for (i = 0; i < SV_GENS; i++) {
		if (f->link[i].pid != pid || pid <= 0)
			continue;
		/* The socket stays open until its last message is read. */
		if (f->link[i].pidfd >= 0)
			close(f->link[i].pidfd);
		f->link[i].pidfd = -1;
		f->link[i].pid = 0;
	}
}

void
zyglink_signal(struct forkd *f, unsigned gen, int sig)
{
	struct zyglink	*l = zyglink_of(f, gen);

	if (l == NULL || l->pid <= 0)
		return;
	if (l->pidfd >= 0)
		(void)pidfd_signal(l->pidfd, sig);
	else
		(void)kill(l->pid, sig);
}
