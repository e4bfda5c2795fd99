/*
 * admin.c: the admin socket's transport (admin.h).
 *
 * Security, after ../shared/research/reliability.md §6 and fault S16:
 * only AF_UNIX; the socket is bound under umask(0177), so it is created
 * 0600 and never world-reachable even for an instant; a parent directory
 * forkd has to create is made 0700; every connection's SO_PEERCRED must
 * be root or our own uid, and then pass the caller's gate; a path that
 * is not a socket, or is another user's, is never removed.
 *
 * I/O runs on the supervisor's io_uring loop as one-shot polls: the
 * listener is polled for a connection, each connection for input or,
 * while an answer does not fit the socket buffer, for output.  Reads and
 * writes are then non-blocking system calls, so a slow or stuck client
 * never blocks the loop.  A connection owns at most one pending poll; a
 * closed one is freed when the loop returns that poll.
 *
 * What it does not do: parse requests (the handler does), or limit how
 * often a client asks (the commands do).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "log.h"
#include "loop.h"

struct conn {
	struct admin		*ad;
	int			 fd;
	struct admin_peer	 peer;
	struct op		 op;
	char			*in;		/* ADMIN_MSG_MAX + 1 bytes */
	size_t			 inlen;
	struct abuf		 out;
	size_t			 outoff;
	int			 closing;	/* close once out is sent */
	int			 dead;		/* free when op returns */
	uint64_t		 last_ms;
};

struct admin {
	int		 fd;
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t		 dev;
	ino_t		 ino;
	struct op	 op;
	int		 closed;
	admin_handler	 fn;
	admin_gate	 gate;
	void		*arg;
	struct conn	*conns[ADMIN_CLIENTS_MAX];
	unsigned	 nconns;
};

static void	admin_accept_done(struct op *, int, uint32_t);
static void	conn_done(struct op *, int, uint32_t);

static uint64_t
admin_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
abuf_add(struct abuf *b, const char *s, size_t n)
{
	size_t	 cap;
	char	*p;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->buf, cap)) == NULL) {
			b->err = -ENOMEM;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void
abuf_printf(struct abuf *b, const char *fmt, ...)
{
	char	 small[512], *big;
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		abuf_add(b, small, (size_t)n);
		return;
	}
	if ((big = malloc((size_t)n + 1)) == NULL) {
		b->err = -ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	abuf_add(b, big, (size_t)n);
	free(big);
}

int
admin_default_path(char *buf, size_t len, const char *appdir)
{
	const char	*rt = getenv("RUNTIME_DIRECTORY");
	char		 cwd[PATH_MAX];
	int		 n;

	/* systemd's RuntimeDirectory= may list several: the first. */
	if (rt != NULL && *rt != '\0')
		n = snprintf(buf, len, "%.*s/forkd.sock",
		    (int)strcspn(rt, ":"), rt);
	else {
		if (appdir == NULL) {
			if (getcwd(cwd, sizeof(cwd)) == NULL)
				return -errno;
			appdir = cwd;
		}
		n = snprintf(buf, len, "%s/forkd.sock", appdir);
	}
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Creates path's parent directory, 0700, if it does not exist. */
static int
admin_parent(const char *path)
{
	char		 dir[PATH_MAX], *slash;
	struct stat	 st;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (errno != ENOENT)
		return -errno;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Whether a forkd answers on fd within a second.  A socket can accept
 * connections after its forkd died: the kernel tears a killed process's
 * io_uring down after the exit, and the ring's pending poll holds the
 * listener until then.  Nothing answers on such a socket.
 */
static int
admin_answers(int fd)
{
	static const char	ping[] = "{\"cmd\":\"ping\"}\n";
	struct pollfd		pfd = { .fd = fd, .events = POLLIN };
	char			c;

	if (send(fd, ping, sizeof(ping) - 1, MSG_NOSIGNAL) == -1)
		return 0;
	return poll(&pfd, 1, 1000) == 1 && recv(fd, &c, 1, 0) == 1;
}

/*
 * What lies at path may be replaced: nothing, or a socket of ours that
 * nobody answers on (a crashed run's).  Fault S16.
 */
static int
admin_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat	 st;
	int		 fd, r;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	if (st.st_uid != geteuid())
		return -EPERM;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		r = admin_answers(fd) ? -EADDRINUSE : 0;
	else
		r = errno == ECONNREFUSED ? 0 : -errno;
	close(fd);
	if (r == 0 && unlink(path) == -1 && errno != ENOENT)
		r = -errno;
	return r;
}

/* Serves the listening socket fd, bound at path; 0 or -errno. */
static int
admin_start(struct admin **ret, int fd, const char *path, admin_handler fn,
    admin_gate gate, void *arg)
{
	struct admin	*ad;
	struct stat	 st;
	int		 r;

	if (stat(path, &st) == -1)
		return -errno;
	if ((ad = calloc(1, sizeof(*ad))) == NULL)
		return -ENOMEM;
	ad->fd = fd;
	strcpy(ad->path, path);
	ad->dev = st.st_dev;
	ad->ino = st.st_ino;
	ad->fn = fn;
	ad->gate = gate;
	ad->arg = arg;
	ad->op.done = admin_accept_done;
	if ((r = loop_poll(&ad->op, fd, POLLIN)) != 0) {
		free(ad);
		return r;
	}
	*ret = ad;
	return 0;
}

int
admin_open(struct admin **ret, const char *path, admin_handler fn,
    admin_gate gate, void *arg)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	if ((r = admin_parent(path)) != 0 || (r = admin_stale(path, &sun)) != 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == -1 || listen(fd, ADMIN_CLIENTS_MAX) == -1) {
		r = -errno;
		close(fd);
		return r;
	}
	if ((r = admin_start(ret, fd, path, fn, gate, arg)) != 0) {
		close(fd);
		unlink(path);
	}
	return r;
}

int
admin_adopt(struct admin **ret, const char *path, int fd, admin_handler fn,
    admin_gate gate, void *arg)
{
	int	r, on;
	socklen_t len = sizeof(on);

	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == -1)
		return -errno;
	if (!on)
		return -EINVAL;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -errno;
	if ((r = admin_start(ret, fd, path, fn, gate, arg)) != 0)
		close(fd);
	return r;
}

int
admin_fd(const struct admin *ad)
{
	return ad != NULL ? ad->fd : -1;
}

void
admin_disown(struct admin *ad)
{
	if (ad != NULL)
		ad->dev = ad->ino = 0;	/* admin_close() unlinks nothing */
}

static void
conn_free(struct conn *c)
{
	free(c->in);
	free(c->out.buf);
	free(c);
}

/* Forgets c; it is freed now, or when its pending poll returns. */
static void
conn_drop(struct conn *c)
{
	struct admin	*ad = c->ad;
	unsigned	 i;

	for (i = 0; i < ad->nconns; i++)
		if (ad->conns[i] == c) {
			ad->conns[i] = ad->conns[--ad->nconns];
			break;
		}
	close(c->fd);
	c->fd = -1;
	if (c->op.pending) {
		c->dead = 1;
		(void)loop_cancel(&c->op);
	} else
		conn_free(c);
}

/* Waits for mask on c's socket; drops c if the ring refuses. */
static void
conn_arm(struct conn *c, unsigned mask)
{
	if (loop_poll(&c->op, c->fd, mask) != 0)
		conn_drop(c);
}

/* Sends what is left of c's answer; 1 if all of it went, 0 if not yet. */
static int
conn_flush(struct conn *c)
{
	ssize_t	n;

	while (c->outoff < c->out.len) {
		n = send(c->fd, c->out.buf + c->outoff, c->out.len - c->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		c->outoff += (size_t)n;
	}
	c->out.len = c->outoff = 0;
	return 1;
}

/* Answers every complete line in c's input. */
static void
conn_lines(struct conn *c)
{
	char	*nl;
	size_t	 len;

	while (!c->closing &&
	    (nl = memchr(c->in, '\n', c->inlen)) != NULL) {
		len = (size_t)(nl - c->in);
		*nl = '\0';
		if (len > 0 && c->in[len - 1] == '\r')
			c->in[--len] = '\0';
		if (c->ad->fn(c->ad->arg, &c->peer, c->in, len, &c->out) != 0)
			c->closing = 1;
		abuf_add(&c->out, "\n", 1);
		len = (size_t)(nl - c->in) + 1;
		memmove(c->in, c->in + len, c->inlen - len);
		c->inlen -= len;
	}
	if (!c->closing && c->inlen >= ADMIN_MSG_MAX) {
		abuf_printf(&c->out, "{\"ok\":false,\"error\":\"request "
		    "longer than %d bytes\"}\n", ADMIN_MSG_MAX);
		c->closing = 1;
	}
}

static void
conn_done(struct op *op, int res, uint32_t flags)
{
	struct conn	*c = container_of(op, struct conn, op);
	ssize_t		 n;
	int		 r;

	(void)flags;
	if (c->dead) {
		conn_free(c);
		return;
	}
	if (res < 0) {
		conn_drop(c);
		return;
	}
	if (c->out.len > 0) {
		/* Waiting to send: nothing is read meanwhile. */
		if ((r = conn_flush(c)) < 0 || (r == 1 && c->closing))
			conn_drop(c);
		else
			conn_arm(c, r == 1 ? POLLIN : POLLOUT);
		return;
	}
	n = read(c->fd, c->in + c->inlen, ADMIN_MSG_MAX - c->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		conn_arm(c, POLLIN);
		return;
	}
	if (n <= 0) {
		conn_drop(c);
		return;
	}
	c->inlen += (size_t)n;
	c->last_ms = admin_now();
	conn_lines(c);
	if (c->out.err) {
		conn_drop(c);
		return;
	}
	if ((r = conn_flush(c)) < 0 || (r == 1 && c->closing))
		conn_drop(c);
	else
		conn_arm(c, r == 1 ? POLLIN : POLLOUT);
}

/* Refuses a connection with one line, as well as a full buffer lets. */
static void
admin_refuse(int fd, const char *why)
{
	char	line[256];
	int	n;

	n = snprintf(line, sizeof(line), "{\"ok\":false,\"error\":\"%s\"}\n",
	    why);
	if (n > 0)
		(void)send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void
admin_accept_one(struct admin *ad, int fd)
{
	struct ucred	 cred;
	socklen_t	 sl = sizeof(cred);
	struct conn	*c;
	const char	*why = NULL;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) == -1) {
		log_warn("admin: SO_PEERCRED");
		close(fd);
		return;
	}
	if (cred.uid != 0 && cred.uid != geteuid())
		why = "permission denied: another user";
	else if (ad->gate != NULL)
		why = ad->gate(ad->arg, &(struct admin_peer){ cred.pid,
		    cred.uid, cred.gid });
	if (why == NULL && ad->nconns == ADMIN_CLIENTS_MAX)
		why = "too many admin connections";
	if (why != NULL) {
		log_warnx("admin: refused pid %d uid %u: %s", (int)cred.pid,
		    (unsigned)cred.uid, why);
		admin_refuse(fd, why);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->in = malloc(ADMIN_MSG_MAX + 1)) == NULL) {
		free(c);
		admin_refuse(fd, "out of memory");
		return;
	}
	c->ad = ad;
	c->fd = fd;
	c->peer = (struct admin_peer){ cred.pid, cred.uid, cred.gid };
	c->op.done = conn_done;
	c->last_ms = admin_now();
	ad->conns[ad->nconns++] = c;
	log_debug("admin: pid %d uid %u connected", (int)cred.pid,
	    (unsigned)cred.uid);
	conn_arm(c, POLLIN);
}

static void
admin_accept_done(struct op *op, int res, uint32_t flags)
{
	struct admin	*ad = container_of(op, struct admin, op);
	int		 fd, r;

	(void)flags;
	if (ad->closed) {
		free(ad);
		return;
	}
	if (res < 0 && res != -EINTR)
		log_warnc(res, "admin: poll");
	while ((fd = accept4(ad->fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1)
		admin_accept_one(ad, fd);
	if (errno != EAGAIN && errno != EINTR)
		log_warn("admin: accept");
	if ((r = loop_poll(&ad->op, ad->fd, POLLIN)) != 0)
		log_warnc(r, "admin: cannot poll the socket: no more admin "
		    "connections");
}

void
admin_tick(struct admin *ad, uint64_t now_ms)
{
	struct conn	*c;
	unsigned	 i;

	for (i = ad->nconns; i-- > 0; ) {
		c = ad->conns[i];
		if (now_ms > c->last_ms && now_ms - c->last_ms >= ADMIN_IDLE_MS) {
			log_debug("admin: pid %d idle for %d s: closed",
			    (int)c->peer.pid, ADMIN_IDLE_MS / 1000);
			conn_drop(c);
		}
	}
}

unsigned
admin_clients(const struct admin *ad)
{
	return ad->nconns;
}

void
admin_close(struct admin *ad)
{
	struct stat	st;

	if (ad == NULL)
		return;
	while (ad->nconns > 0)
		conn_drop(ad->conns[0]);
	/* Only our own socket: a later run may have replaced it. */
	if (lstat(ad->path, &st) == 0 && st.st_dev == ad->dev &&
	    st.st_ino == ad->ino)
		(void)unlink(ad->path);
	close(ad->fd);
	ad->fd = -1;
	ad->closed = 1;
	if (ad->op.pending)
		(void)loop_cancel(&ad->op);
	else
		free(ad);
}
