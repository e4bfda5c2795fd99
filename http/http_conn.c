/*
 * http_conn.c: the connection loop each worker runs.  Level-triggered
 * epoll over the shared listeners, a signalfd and the worker's client
 * connections.  Heads and bodies are read and buffered here, under
 * deadlines, before the handler (the app) is called, so a slow client
 * never holds the interpreter.  A listener is only polled while the
 * worker is in epoll_wait, which is the only time it is idle: a busy
 * worker never accepts.  When accept() fails for want of descriptors
 * (EMFILE) or memory, the listeners rest ACCEPT_PAUSE_MS at a time, so
 * the worker neither spins nor exits and serves again once it can.
 *
 * After each response it writes the access log line (accesslog.c);
 * SIGUSR1 reopens that log, read like TERM from the signalfd, so a
 * reopen never interrupts a request.
 *
 * It uses epoll and plain syscalls, never io_uring, so that a seccomp
 * filter sees every syscall a worker makes.  It knows nothing of Python.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http_conn.h"
#include "http_util.h"
#include "log.h"
#include "parkmsg.h"

#define CONN_INITIAL_BUF	16384
#define CONN_READ_MIN		4096

enum conn_state {
	CONN_IDLE = 0,	/* between requests: keep-alive deadline */
	CONN_HEAD,	/* part of a head is buffered: head deadline */
	CONN_BODY,	/* head parsed, body incomplete: body idle deadline */
	CONN_WRITING,	/* the answer is out but partly held in c->out */
	CONN_LINGER,	/* an error answer is out: drain, then close */
};

#define CONN_LINGER_MS	2000

#define CONN_OUT_MAX	(4 << 20)	/* held for a slow reader, per conn */

/* accept() failed for want of a descriptor or memory: try again after. */
#define ACCEPT_PAUSE_MS	100

struct conn {
	int			 fd;
	enum conn_state		 state;
	char			*buf;
	size_t			 len;
	size_t			 cap;
	uint64_t		 deadline_ms;
	size_t			 head_len;
	size_t			 body_len;	/* decoded bytes after the head */
	int64_t			 want;		/* Content-Length, or -1 */
	int			 chunked;
	struct http_chunked	 ch;
	int			 body_fd;	/* spilled body, or -1 */
	uint64_t		 spilled;	/* body bytes in body_fd */
	unsigned		 nrequests;
	struct http_outbuf	 out;		/* see CONN_WRITING */
	unsigned		 closing:1;	/* close after this response */
	unsigned		 close_after:1;	/* close once out is sent */
	unsigned		 parked:1;	/* the supervisor's now: freed at
						   the end of the loop's round */
	char			 remote_addr[INET6_ADDRSTRLEN];
	char			 remote_port[8];
	char			 server_name[INET6_ADDRSTRLEN];
	char			 server_port[8];
	struct conn		*next;
};

struct server {
	const struct http_serve_opts	*o;
	http_handler			*handler;
	void				*arg;
	int				 ep;
	int				 sigfd;
	int				 stopping;
	int				 paused;	/* listeners out of epoll */
	/* accept() failing (EMFILE...): listeners back at this time, or 0. */
	uint64_t			 accept_again_ms;
	uint64_t			 accept_failed_ms;	/* burst began */
	uint64_t			 accept_failures;	/* in the burst */
	struct conn			*conns;
	size_t				 nconns;
	struct http_exchange		 ex;	/* reused for every request */
	char				 client_addr[INET6_ADDRSTRLEN];
	struct http_stats		 stats;
	uint64_t			 tag_signal;	/* epoll tags */
	uint64_t			 tag_queue;
	/* Balanced keep-alive: see server_park_others(). */
	timer_t				 timer;
	int				 timer_ok;
	int				 timer_on;	/* ticking */
	sigset_t			 waitmask;	/* in epoll_pwait */
	volatile sig_atomic_t		 in_app;
	volatile uint64_t		 app_ms;	/* when the app began */
	struct conn			*current;	/* the app's, in_app */
	size_t				 nparked;	/* to free */
	int				 queue_on;	/* in epoll */
	char				 park_buf[PARK_BYTES_MAX];
	int				 log_failing;	/* said once */
};

static uint64_t	conn_now_ms(void);
static void	server_timer(struct server *);

/*
 * At max_conns, and for ACCEPT_PAUSE_MS after accept() failed, the
 * listeners leave epoll: level-triggered, they would wake the loop at
 * once, forever.  They come back below the cap once the pause is over.
 */
static void
server_listen(struct server *s, int on)
{
	struct epoll_event	ev;
	size_t			i;

	if (s->stopping || s->paused == !on)
		return;
	if (on && (s->nconns >= s->o->max_conns || s->accept_again_ms != 0))
		return;
	for (i = 0; i < s->o->nlisten; i++) {
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = i;
		(void)epoll_ctl(s->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		    s->o->listen_fds[i], &ev);
	}
	if (s->queue_on) {
		/* The ready queue is a listener too: a worker at its cap
		 * takes nothing from it. */
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = &s->tag_queue;
		(void)epoll_ctl(s->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		    s->o->queue_fd, &ev);
	}
	s->paused = !on;
}

/*
 * Parks c with the supervisor if it waits for a request (idle, or with
 * part of a head): its socket and bytes go over the park socket, and c
 * is the supervisor's from then on (freed at the end of the loop's
 * round).  Returns 0 or -errno.  Async-signal-safe: the timer's handler
 * calls it while the app runs.
 */
static int
conn_park(struct server *s, struct conn *c)
{
	struct park_hdr	h;
	uint64_t	now;
	int		r;

	if (s->o->park_fd < 0 || c->parked || c == s->current ||
	    (c->state != CONN_IDLE && c->state != CONN_HEAD) ||
	    c->len > PARK_BYTES_MAX || c->out.len > c->out.off)
		return -EINVAL;
	now = conn_now_ms();	/* clock_gettime: async-signal-safe */
	h.magic = PARK_MAGIC;
	h.nrequests = c->nrequests;
	h.left_ms = c->deadline_ms > now ? (uint32_t)(c->deadline_ms - now) :
	    0;
	h.len = (uint32_t)c->len;
	if ((r = park_send(s->o->park_fd, &h, c->buf, c->fd)) != 0)
		return r;
	c->parked = 1;
	s->nparked++;
	s->stats.parked++;
	return 0;
}

/*
 * Every park_busy_ms the worker spends in the app (a timer's signal,
 * SIGRTMIN, on this thread), this worker's other connections a request
 * has come on go to the supervisor, which queues them for the next
 * worker that is free: requests are then answered about in the order
 * they came, by whichever worker frees up first, not behind the app's
 * slow one.  Waiting for another worker to be idle first was measured
 * and is worse (doc/ARCHITECTURE.md).  The loop is not running (the app
 * is), so the list holds still; poll() and conn_park() are
 * async-signal-safe.
 */
static struct server	*park_server;

static void
server_park_others(int sig)
{
	struct server	*s = park_server;
	struct conn	*c;
	struct pollfd	 pfd;
	int		 saved = errno;

	(void)sig;
	if (s == NULL || !s->in_app ||
	    conn_now_ms() - s->app_ms < s->o->park_busy_ms)
		return;
	for (c = s->conns; c != NULL; c = c->next) {
		if (c == s->current || c->parked ||
		    (c->state != CONN_IDLE && c->state != CONN_HEAD))
			continue;
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == 1)
			(void)conn_park(s, c);
	}
	errno = saved;
}

/* Frees the connections parked during this round of the loop. */
static void	conn_close(struct server *, struct conn *);

static void
server_free_parked(struct server *s)
{
	struct conn	*c, *next;

	for (c = s->conns; c != NULL && s->nparked > 0; c = next) {
		next = c->next;
		if (c->parked) {
			s->nparked--;
			conn_close(s, c);
		}
	}
}

static uint64_t
conn_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
conn_close(struct server *s, struct conn *c)
{
	struct conn	**pp;

	for (pp = &s->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	s->nconns--;
	server_timer(s);
	if (s->paused)
		server_listen(s, 1);
	(void)epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->body_fd >= 0)
		close(c->body_fd);
	http_outbuf_free(&c->out);
	free(c->buf);
	free(c);
}

/* An unlinked file in $TMPDIR for a large body; the fd or -errno. */
static int
conn_tmpfile(void)
{
	const char	*dir = getenv("TMPDIR");
	char		 path[4096];
	int		 fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	/* Filesystems without O_TMPFILE: create, then unlink at once. */
	snprintf(path, sizeof(path), "%s/forkd-body-XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -errno;
	(void)unlink(path);
	return fd;
}

/*
 * Moves the decoded body bytes held in the buffer to c->body_fd, and
 * what follows them down to the head.  Returns 0 or -errno.
 */
static int
conn_spill(struct conn *c)
{
	char	*p = c->buf + c->head_len;
	size_t	 done = 0;
	ssize_t	 n;
	int	 fd;

	if (c->body_fd < 0) {
		if ((fd = conn_tmpfile()) < 0)
			return fd;
		c->body_fd = fd;
	}
	while (done < c->body_len) {
		n = write(c->body_fd, p + done, c->body_len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -EIO : -errno;
		done += n;
	}
	memmove(p, p + c->body_len, c->len - c->head_len - c->body_len);
	c->len -= c->body_len;
	c->spilled += c->body_len;
	c->body_len = 0;
	return 0;
}

/* Answers an error and closes: nothing after a bad head is parsed. */
static void
conn_fail(struct server *s, struct conn *c, int status)
{
	char	body[64];

	snprintf(body, sizeof(body), "%d %s\n", status, http_reason(status));
	(void)http_resp_simple(c->fd, 1, status, body, 1);
	s->stats.bad_requests++;
	/*
	 * Closing with unread input would send a reset that can destroy
	 * the answer before the client reads it: half-close, then read and
	 * discard until the client closes or CONN_LINGER_MS pass (nginx's
	 * lingering close).  Nothing read is ever parsed.
	 */
	(void)shutdown(c->fd, SHUT_WR);
	c->state = CONN_LINGER;
	c->len = 0;
	c->deadline_ms = conn_now_ms() + CONN_LINGER_MS;
}

static void
conn_peer(struct conn *c, const struct sockaddr_storage *ss)
{
	const void	*a = NULL;
	unsigned	 port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;
		a = &in->sin_addr;
		port = ntohs(in->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;
		a = &in6->sin6_addr;
		port = ntohs(in6->sin6_port);
	}
	if (a == NULL || inet_ntop(ss->ss_family, a, c->remote_addr,
	    sizeof(c->remote_addr)) == NULL)
		c->remote_addr[0] = '\0';
	snprintf(c->remote_port, sizeof(c->remote_port), "%u", port);
}

static void
conn_local(struct conn *c)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	const void		*a = NULL;
	unsigned		 port = 0;

	strcpy(c->server_name, "localhost");
	strcpy(c->server_port, "0");
	if (getsockname(c->fd, (struct sockaddr *)&ss, &len) == -1)
		return;
	if (ss.ss_family == AF_INET) {
		a = &((struct sockaddr_in *)&ss)->sin_addr;
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	if (a != NULL)
		(void)inet_ntop(ss.ss_family, a, c->server_name,
		    sizeof(c->server_name));
	snprintf(c->server_port, sizeof(c->server_port), "%u", port);
}

static void	conn_readable(struct server *, struct conn *);
static int	conn_advance(struct server *, struct conn *);
static int	conn_reserve(struct conn *, size_t);

/*
 * accept() fails with an error of the connection (it was reset while
 * queued, or Linux passes on a pending network error): the next one in
 * the queue may be fine.
 */
static int
accept_conn_error(int err)
{
	switch (err) {
	case EAGAIN:
	case EINTR:
	case ECONNABORTED:
	case EPERM:		/* a firewall rule */
	case EPROTO:
	case ENOPROTOOPT:
	case ENETDOWN:
	case ENETUNREACH:
	case EHOSTDOWN:
	case EHOSTUNREACH:
	case ENONET:
	case EOPNOTSUPP:
		return 1;
	}
	return 0;
}

/*
 * A new connection could not be taken for want of something this
 * process or the system lacks (EMFILE, ENFILE, ENOBUFS, ENOMEM, or
 * worse): err is -errno.  The connection stays queued, so the listeners
 * leave epoll for ACCEPT_PAUSE_MS rather than wake the loop at once
 * (nginx and OpenBSD httpd do the same); meanwhile the connections this
 * worker has are served, which frees descriptors, and other workers take
 * the queue.  Said once per burst of failures, and again when accept()
 * works.
 */
static void
server_accept_pause(struct server *s, int err)
{
	uint64_t	now = conn_now_ms();

	if (s->accept_failures++ == 0) {
		s->accept_failed_ms = now;
		log_warnc(err, "accept failed, not accepting for %d ms at a "
		    "time until it works again", ACCEPT_PAUSE_MS);
	}
	server_listen(s, 0);
	s->accept_again_ms = now + ACCEPT_PAUSE_MS;
}

/*
 * A connection of fd, from peer ss, in the loop; NULL (fd closed, the
 * listeners resting) without memory or epoll room.
 */
static struct conn *
conn_new(struct server *s, int fd, const struct sockaddr_storage *ss)
{
	struct epoll_event	 ev;
	struct conn		*c;
	int			 err;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		server_accept_pause(s, -ENOMEM);
		return NULL;
	}
	c->fd = fd;
	c->want = -1;
	c->body_fd = -1;
	conn_peer(c, ss);
	conn_local(c);
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		/* ENOMEM, or ENOSPC: past fs.epoll.max_user_watches. */
		err = -errno;
		close(fd);
		free(c);
		server_accept_pause(s, err);
		return NULL;
	}
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	c->state = CONN_IDLE;
	server_timer(s);
	return c;
}

static void
conn_accept(struct server *s, int lfd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct conn		*c;
	int			 fd, one = 1;

	if (s->nconns >= s->o->max_conns) {
		server_listen(s, 0);
		return;
	}
	fd = accept4(lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (!accept_conn_error(errno))
			server_accept_pause(s, -errno);
		return;
	}
	if (s->accept_failures != 0) {
		log_info("accept works again, after %" PRIu64 " failed tries "
		    "in %" PRIu64 " ms", s->accept_failures,
		    conn_now_ms() - s->accept_failed_ms);
		s->accept_failures = 0;
	}
	if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if ((c = conn_new(s, fd, &ss)) == NULL)
		return;
	s->stats.connections++;
	c->deadline_ms = conn_now_ms() + s->o->head_timeout_ms;
	/*
	 * The request is usually there already (TCP_DEFER_ACCEPT): serve it
	 * now, so this worker is busy, not idle, while the next connection
	 * waits for another worker.
	 */
	conn_readable(s, c);
}

/*
 * A connection parked by a worker became readable: take it from the
 * ready queue, with the bytes of a head its worker had read, and serve
 * it as if accepted.  One per wake-up, as accept.
 */
static void
conn_adopt(struct server *s)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct park_hdr		 h;
	struct conn		*c;
	int			 fd;

	if (s->nconns >= s->o->max_conns) {
		server_listen(s, 0);
		return;
	}
	if ((fd = park_recv(s->o->queue_fd, &h, s->park_buf)) < 0) {
		if (fd == -EPIPE) {
			/* The supervisor is gone or stopping. */
			(void)epoll_ctl(s->ep, EPOLL_CTL_DEL, s->o->queue_fd,
			    NULL);
			s->queue_on = 0;
		} else if (fd != -EAGAIN)
			log_warnc(fd, "keep-alive: the ready queue");
		return;
	}
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		memset(&ss, 0, sizeof(ss));
	if ((c = conn_new(s, fd, &ss)) == NULL)
		return;
	s->stats.adopted++;
	c->nrequests = h.nrequests;
	if (h.len > 0 && conn_reserve(c, h.len) == 0) {
		memcpy(c->buf, s->park_buf, h.len);
		c->len = h.len;
		c->state = CONN_HEAD;
		c->deadline_ms = conn_now_ms() + h.left_ms;
	} else
		c->deadline_ms = conn_now_ms() + s->o->head_timeout_ms;
	conn_readable(s, c);
}

/* Makes room for at least want more bytes; returns 0 or -ENOMEM. */
static int
conn_reserve(struct conn *c, size_t want)
{
	size_t	 cap = c->cap ? c->cap : CONN_INITIAL_BUF;
	char	*p;

	if (c->len + want <= c->cap)
		return 0;
	while (cap < c->len + want)
		cap *= 2;
	if ((p = realloc(c->buf, cap)) == NULL)
		return -ENOMEM;
	c->buf = p;
	c->cap = cap;
	return 0;
}

/*
 * Writes the access log line of the request just answered.  A failing
 * log is said once, not once per request, and again once it recovers.
 */
static void
server_log_access(struct server *s, uint64_t ns)
{
	int	r;

	r = accesslog_write(s->o->access_log, &s->ex, ns);
	if (r != 0 && !s->log_failing)
		log_warnc(r, "access log: lines are lost");
	else if (r == 0 && s->log_failing)
		log_info("access log: written again");
	s->log_failing = r != 0;
}

/* SIGUSR1: the access log's file may have been moved away. */
static void
server_reopen(struct server *s)
{
	struct accesslog	*al = s->o->access_log;
	int			 r;

	if (al == NULL || al->path == NULL)
		return;
	if ((r = accesslog_reopen(al)) != 0)
		log_warnc(r, "access log %s: cannot reopen, writing on to "
		    "the file already open", al->path);
	else
		log_debug("access log %s reopened", al->path);
}

/*
 * The timer ticks every park_busy_ms / 2 while the worker holds two
 * connections or more: no system call per request.  Called as their
 * number changes.
 */
static void
server_timer(struct server *s)
{
	struct itimerspec	its;
	unsigned		ms = s->o->park_busy_ms / 2;
	int			on = s->nconns >= 2;

	if (!s->timer_ok || on == s->timer_on)
		return;
	memset(&its, 0, sizeof(its));
	if (on) {
		ms = ms > 0 ? ms : 1;
		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
		its.it_interval = its.it_value;
	}
	if (timer_settime(s->timer, 0, &its, NULL) == 0)
		s->timer_on = on;
}

/* The app is about to run for c (the timer's signal looks at in_app). */
static int
server_busy(struct server *s, struct conn *c)
{
	if (!s->timer_ok)
		return 0;
	s->current = c;
	s->app_ms = conn_now_ms();
	s->in_app = 1;
	return 1;
}

static void
server_idle(struct server *s)
{
	s->in_app = 0;
	s->current = NULL;
}

/* Returns 1 when c stays open for the next request, -1 when closed. */
static int
conn_dispatch(struct server *s, struct conn *c)
{
	struct http_exchange	*ex = &s->ex;
	size_t			 end, rest;
	uint64_t		 t0 = 0;
	int			 keep, armed;

	/* The buffer may have moved since the head was parsed. */
	if (http_parse_request(c->buf, c->head_len, &ex->req,
	    &s->o->limits) <= 0) {
		conn_fail(s, c, 400);
		return -1;
	}
	c->nrequests++;
	ex->body = c->buf + c->head_len;
	ex->body_len = c->body_len;
	ex->body_fd = c->body_fd;
	ex->body_total = c->spilled + c->body_len;
	if (http_forwarded(&ex->req, c->remote_addr,
	    s->o->forwarded_allow_ips, s->client_addr,
	    sizeof(s->client_addr), &ex->url_scheme) != 0) {
		conn_fail(s, c, 400);
		return -1;
	}
	ex->remote_addr = s->client_addr;
	ex->remote_port = c->remote_port;
	ex->server_name = c->server_name;
	ex->server_port = c->server_port;
	ex->warmup = 0;
	keep = ex->req.keep_alive && !c->closing && !s->stopping &&
	    c->nrequests < s->o->max_requests_per_conn;
	http_resp_init(&ex->resp, c->fd, ex->req.minor_version,
	    ex->req.method_len == 4 && memcmp(ex->req.method, "HEAD", 4) == 0,
	    keep);
	ex->resp.out = &c->out;
	ex->resp.out_max = CONN_OUT_MAX;
	status_begin(s->o->status, ex->req.method, ex->req.method_len,
	    ex->req.path, ex->req.path_len);
	if (s->o->access_log != NULL)
		t0 = status_now_ns();
	armed = server_busy(s, c);
	s->handler(ex, s->arg);
	if (armed)
		server_idle(s);
	s->stats.requests++;
	if (!ex->resp.finished)
		(void)http_resp_finish(&ex->resp);
	status_end(s->o->status);
	if (s->o->access_log != NULL)
		server_log_access(s, status_now_ns() - t0);
	if (ex->resp.error != 0)
		s->stats.disconnects++;
	if (ex->resp.error != 0) {
		conn_close(s, c);
		return -1;
	}
	if (!ex->resp.keep_alive && c->out.len == c->out.off) {
		(void)shutdown(c->fd, SHUT_WR);
		conn_close(s, c);
		return -1;
	}
	/* Keep what follows: a pipelined request may be there already. */
	end = c->head_len + c->body_len;
	rest = c->len - end;
	memmove(c->buf, c->buf + end, rest);
	c->len = rest;
	c->state = rest > 0 ? CONN_HEAD : CONN_IDLE;
	c->head_len = c->body_len = 0;
	c->want = -1;
	c->chunked = 0;
	if (c->body_fd >= 0)
		close(c->body_fd);
	c->body_fd = -1;
	c->spilled = 0;
	c->deadline_ms = conn_now_ms() + (rest > 0 ? s->o->head_timeout_ms :
	    s->o->keepalive_ms);
	if (c->out.len > c->out.off) {
		/*
		 * The reader is slow: the worker serves others while the
		 * kernel drains c->out; the next request waits its turn.
		 */
		struct epoll_event ev = { EPOLLOUT | EPOLLRDHUP, { .ptr = c } };

		c->close_after = !ex->resp.keep_alive;
		c->state = CONN_WRITING;
		c->deadline_ms = conn_now_ms() + 30000;
		(void)epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
		return 0;
	}
	return 1;
}

/* c's socket is writable again: send what it holds, then carry on. */
static void
conn_writable(struct server *s, struct conn *c)
{
	struct epoll_event	ev = { EPOLLIN | EPOLLRDHUP, { .ptr = c } };
	int			r;

	if ((r = http_outbuf_flush(&c->out, c->fd)) < 0) {
		s->stats.disconnects++;
		conn_close(s, c);
		return;
	}
	if (r == 0) {
		c->deadline_ms = conn_now_ms() + 30000;	/* it moves */
		return;
	}
	if (c->close_after || s->stopping) {
		(void)shutdown(c->fd, SHUT_WR);
		conn_close(s, c);
		return;
	}
	(void)epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
	c->state = c->len > 0 ? CONN_HEAD : CONN_IDLE;
	c->deadline_ms = conn_now_ms() + (c->len > 0 ?
	    s->o->head_timeout_ms : s->o->keepalive_ms);
	/* A pipelined request may be waiting in the buffer. */
	while (c->len > 0 && (r = conn_advance(s, c)) == 1)
		;
}

/*
 * Advances c over the bytes it has.  Returns 1 when a request was served
 * and more buffered bytes may hold the next one, 0 when it needs input,
 * -1 when c was closed.
 */
static int
conn_advance(struct server *s, struct conn *c)
{
	struct http_request	 req;
	size_t			 n, consumed;
	char			*p;
	int			 r;

	if (c->state != CONN_BODY) {
		if (c->len == 0)
			return 0;
		r = http_parse_request(c->buf, c->len, &req,
		    &s->o->limits);
		if (r < 0) {
			conn_fail(s, c, -r);
			return -1;
		}
		if (r == 0) {
			if (c->state == CONN_IDLE) {
				c->state = CONN_HEAD;
				c->deadline_ms = conn_now_ms() +
				    s->o->head_timeout_ms;
			}
			return 0;
		}
		c->head_len = r;
		c->body_len = 0;
		c->spilled = 0;
		c->want = req.content_length;
		c->chunked = req.chunked;
		if (c->want > 0 && (uint64_t)c->want > s->o->max_body) {
			conn_fail(s, c, 413);
			return -1;
		}
		if (c->chunked)
			http_chunked_init(&c->ch);
		c->state = CONN_BODY;
		c->deadline_ms = conn_now_ms() + s->o->body_timeout_ms;
		if (req.expect_continue && req.minor_version == 1 &&
		    (c->chunked || (c->want > 0 &&
		    c->len - c->head_len < (uint64_t)c->want))) {
			struct iovec iov = { "HTTP/1.1 100 Continue\r\n\r\n",
			    25 };
			(void)http_send_all(c->fd, &iov, 1, 5000);
		}
	}
	/* CONN_BODY */
	if (c->chunked) {
		p = c->buf + c->head_len + c->body_len;
		n = c->len - c->head_len - c->body_len;
		consumed = 0;
		r = http_chunked_decode(&c->ch, p, &n, &consumed);
		if (r < 0) {
			conn_fail(s, c, -r);
			return -1;
		}
		memmove(p + n, p + consumed,
		    c->len - c->head_len - c->body_len - consumed);
		c->len -= consumed - n;
		c->body_len += n;
	} else {
		/* The bytes are already in place: count what belongs. */
		uint64_t want = c->want > 0 ? (uint64_t)c->want : 0;
		uint64_t left = want - c->spilled - c->body_len;

		n = c->len - c->head_len - c->body_len;
		if (n > left)
			n = left;
		c->body_len += n;
		r = c->spilled + c->body_len == want;
	}
	if (c->spilled + c->body_len > s->o->max_body) {
		conn_fail(s, c, 413);
		return -1;
	}
	/* Past the threshold the body goes to a file, not to memory. */
	if ((c->body_fd >= 0 || c->body_len > s->o->spill_threshold) &&
	    c->body_len > 0 && conn_spill(c) != 0) {
		conn_fail(s, c, 503);
		return -1;
	}
	if (r == 0)
		return 0;
	return conn_dispatch(s, c);
}

static void
conn_readable(struct server *s, struct conn *c)
{
	size_t	room;
	ssize_t	n;
	int	r;

	if (c->state == CONN_LINGER) {
		char	sink[4096];

		n = read(c->fd, sink, sizeof(sink));
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			conn_close(s, c);
		return;
	}
	/* Size reads by what is expected so a body lands in one read. */
	room = CONN_READ_MIN;
	if (c->state == CONN_BODY && !c->chunked && c->want > 0) {
		/* Where the body will end in the buffer, if it all fits. */
		uint64_t end = c->head_len + c->body_len +
		    ((uint64_t)c->want - c->spilled - c->body_len);

		if (end > c->len)
			room = end - c->len;
		if (room > s->o->spill_threshold)
			room = s->o->spill_threshold;	/* it spills as it comes */
		if (room < CONN_READ_MIN)
			room = CONN_READ_MIN;
	}
	if (conn_reserve(c, room) != 0) {
		conn_fail(s, c, 503);
		return;
	}
	n = read(c->fd, c->buf + c->len, c->cap - c->len);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		conn_close(s, c);
		return;
	}
	if (n == -1)
		return;
	c->len += n;
	if (c->state == CONN_BODY)
		c->deadline_ms = conn_now_ms() + s->o->body_timeout_ms;
	while ((r = conn_advance(s, c)) == 1)
		if (c->len == 0)
			break;
	if (r == 0 && s->stopping && c->state == CONN_IDLE)
		conn_close(s, c);
}

/* When c, idle between requests, is to be parked: never if not so. */
static uint64_t
conn_idle_park_ms(const struct server *s, const struct conn *c)
{
	if (s->o->park_fd < 0 || s->o->park_idle_ms == 0 || s->stopping ||
	    c->state != CONN_IDLE || c->len != 0 || c->nrequests == 0 ||
	    s->o->park_idle_ms >= s->o->keepalive_ms)
		return UINT64_MAX;
	/* Its deadline is keepalive_ms after it went idle. */
	return c->deadline_ms - s->o->keepalive_ms + s->o->park_idle_ms;
}

static void
conn_sweep(struct server *s, uint64_t now)
{
	struct conn	*c, *next;

	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (c->parked)
			continue;
		/* Idle a while: a parked connection costs no worker. */
		if (conn_idle_park_ms(s, c) <= now && conn_park(s, c) == 0) {
			s->nparked--;
			conn_close(s, c);
			continue;
		}
		if (c->deadline_ms > now)
			continue;
		if (c->state == CONN_IDLE || c->state == CONN_WRITING ||
		    c->state == CONN_LINGER)
			conn_close(s, c);
		else
			conn_fail(s, c, 408);
	}
}

static int
conn_next_timeout(struct server *s, uint64_t now)
{
	struct conn	*c;
	uint64_t	 t = now + 1000;	/* check the parent each second */

	if (s->accept_again_ms != 0 && s->accept_again_ms < t)
		t = s->accept_again_ms;
	for (c = s->conns; c != NULL; c = c->next) {
		if (c->parked)
			continue;
		if (c->deadline_ms < t)
			t = c->deadline_ms;
		if (conn_idle_park_ms(s, c) < t)
			t = conn_idle_park_ms(s, c);
	}
	return t > now ? (int)(t - now) : 0;
}

static void
server_stop(struct server *s)
{
	struct conn	*c;
	size_t		 i;

	if (s->stopping)
		return;
	s->stopping = 1;
	for (i = 0; i < s->o->nlisten; i++) {
		if (!s->paused)
			(void)epoll_ctl(s->ep, EPOLL_CTL_DEL,
			    s->o->listen_fds[i], NULL);
		close(s->o->listen_fds[i]);
	}
	/*
	 * Idle keep-alive connections close at the sweep that ends this
	 * round (events later in the round may name them); open requests
	 * finish and then close.  A connection accepted but not yet sent a
	 * request keeps its deadline: its client has sent, or is sending,
	 * a first request it would otherwise lose (a reload stops workers
	 * while clients connect), and gets its answer with a close.
	 */
	for (c = s->conns; c != NULL; c = c->next) {
		if (c->parked)
			continue;
		c->closing = 1;
		/* A reload: the next generation's workers take it over. */
		if (c->state == CONN_IDLE && c->len == 0 && c->nrequests > 0 &&
		    conn_park(s, c) != 0)
			c->deadline_ms = 0;
	}
	if (s->queue_on) {
		(void)epoll_ctl(s->ep, EPOLL_CTL_DEL, s->o->queue_fd, NULL);
		s->queue_on = 0;
	}
}

/*
 * Balanced keep-alive: the ready queue in epoll, as a listener, and the
 * timer whose signal parks the other connections while the app runs.
 * Without the timer, connections are still parked when idle and taken
 * from the queue.
 */
static void
server_init_park(struct server *s)
{
	struct epoll_event	ev;
	struct sigevent		sev;
	struct sigaction	sa;

	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.ptr = &s->tag_queue;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, s->o->queue_fd, &ev) == 0)
		s->queue_on = 1;
	if (s->o->park_busy_ms == 0)
		return;
	park_server = s;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = server_park_others;
	sa.sa_flags = SA_RESTART;	/* the app's system calls go on */
	sigfillset(&sa.sa_mask);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGRTMIN;
	sev._sigev_un._tid = gettid();	/* this thread, not the app's */
	if (sigaction(SIGRTMIN, &sa, NULL) == -1 ||
	    timer_create(CLOCK_MONOTONIC, &sev, &s->timer) == -1) {
		log_warnc(-errno, "keep-alive: no park timer: a busy worker "
		    "keeps its other connections");
		return;
	}
	(void)sigprocmask(SIG_BLOCK, NULL, &s->waitmask);
	sigaddset(&s->waitmask, SIGRTMIN);
	s->timer_ok = 1;
}

static int
server_init(struct server *s)
{
	struct epoll_event	ev;
	sigset_t		set;
	size_t			i;

	if ((s->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if ((s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return -errno;
	ev.events = EPOLLIN;
	ev.data.ptr = &s->tag_signal;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, s->sigfd, &ev) == -1)
		return -errno;
	for (i = 0; i < s->o->nlisten; i++) {
		/* EXCLUSIVE: one idle worker is woken, not all of them. */
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = i;	/* below any heap pointer */
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, s->o->listen_fds[i],
		    &ev) == -1)
			return -errno;
	}
	if (s->o->park_fd >= 0 && s->o->queue_fd >= 0)
		server_init_park(s);
	return 0;
}

int
http_serve(const struct http_serve_opts *o, http_handler *h, void *arg,
    struct http_stats *ret_stats)
{
	struct server		 s;
	struct epoll_event	 evs[64];
	struct signalfd_siginfo	 si;
	uint64_t		 now;
	int			 n, i, r, reopen;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.handler = h;
	s.arg = arg;
	s.ep = s.sigfd = -1;
	if ((r = server_init(&s)) != 0)
		goto out;
	for (;;) {
		if (s.stopping && s.conns == NULL)
			break;
		now = conn_now_ms();
		/* The timer's signal waits: an idle worker sleeps. */
		n = epoll_pwait(s.ep, evs, 64, conn_next_timeout(&s, now),
		    s.timer_ok ? &s.waitmask : NULL);
		if (n == -1 && errno != EINTR) {
			r = -errno;
			goto out;
		}
		/* PDEATHSIG is the rule; this is the fallback, once idle. */
		if (n <= 0 && getppid() != o->parent) {
			r = -ESRCH;
			break;
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &s.tag_signal) {
				/* A storm of SIGUSR1 is one reopen. */
				reopen = 0;
				while (read(s.sigfd, &si, sizeof(si)) ==
				    sizeof(si)) {
					if (si.ssi_signo == SIGUSR1)
						reopen = 1;
					else
						server_stop(&s);
				}
				if (reopen)
					server_reopen(&s);
				continue;
			}
			if ((uintptr_t)p < o->nlisten) {
				if (!s.stopping)
					conn_accept(&s,
					    o->listen_fds[(uintptr_t)p]);
				continue;
			}
			if (p == &s.tag_queue) {
				if (!s.stopping)
					conn_adopt(&s);
				continue;
			}
			/*
			 * Only this connection can be closed here; one parked
			 * is the supervisor's, freed after the round.
			 */
			if (((struct conn *)p)->parked)
				continue;
			if (((struct conn *)p)->state == CONN_WRITING)
				conn_writable(&s, p);
			else
				conn_readable(&s, p);
		}
		server_free_parked(&s);
		now = conn_now_ms();
		conn_sweep(&s, now);
		if (s.accept_again_ms != 0 && s.accept_again_ms <= now) {
			s.accept_again_ms = 0;
			server_listen(&s, 1);
		}
	}
	r = 0;
 out:
	if (s.timer_ok) {
		park_server = NULL;
		(void)timer_delete(s.timer);
	}
	while (s.conns != NULL)
		conn_close(&s, s.conns);
	http_resp_free(&s.ex.resp);
	if (s.sigfd >= 0)
		close(s.sigfd);
	if (s.ep >= 0)
		close(s.ep);
	if (ret_stats != NULL)
		*ret_stats = s.stats;
	return r;
}
