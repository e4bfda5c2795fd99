/*
 * http_conn.h: the worker's connection loop.  It accepts (only while the
 * worker is idle), reads and buffers each request's head and body under
 * deadlines, then calls the handler once per complete request.
 */
#ifndef FORKD_HTTP_CONN_H
#define FORKD_HTTP_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "accesslog.h"
#include "http_parse.h"
#include "http_resp.h"
#include "status.h"

struct http_exchange {
	struct http_request	 req;
	const char		*body;		/* decoded, body_len bytes */
	size_t			 body_len;
	int			 body_fd;	/* or the body is in this file */
	uint64_t		 body_total;	/* body bytes, either way */
	const char		*remote_addr;	/* "" for unix sockets */
	const char		*remote_port;
	const char		*server_name;
	const char		*server_port;
	const char		*url_scheme;	/* "http", or "https" via a proxy */
	unsigned		 warmup:1;	/* from the zygote's warmup */
	struct http_resp	 resp;
};

/* Called once per request; it must answer through ex->resp. */
typedef void	http_handler(struct http_exchange *ex, void *arg);

struct http_serve_opts {
	const int	*listen_fds;
	size_t		 nlisten;
	unsigned	 keepalive_ms;		/* idle keep-alive connection */
	unsigned	 head_timeout_ms;	/* whole head must arrive */
	unsigned	 body_timeout_ms;	/* idle while reading a body */
	unsigned	 max_requests_per_conn;
	size_t		 max_body;
	size_t		 spill_threshold;	/* larger bodies go to a file */
	size_t		 max_conns;
	pid_t		 parent;		/* exit when it is gone */
	struct http_limits limits;
	/* Peers whose X-Forwarded-For/-Proto are believed: "*" or a list. */
	const char	*forwarded_allow_ips;
	/* This worker's slot of the status page, or NULL (status.h). */
	struct status_slot *status;
	/* A line per answered request, reopened on SIGUSR1; or NULL. */
	struct accesslog *access_log;
	/*
	 * Balanced keep-alive (common/parkmsg.h), off when park_fd is -1:
	 * the park socket and the ready queue; every park_busy_ms in the
	 * app, the worker parks its other connections a request is waiting
	 * on; and a connection idle for park_idle_ms.
	 */
	int		 park_fd;
	int		 queue_fd;
	unsigned	 park_busy_ms;
	unsigned	 park_idle_ms;
};

struct http_stats {
	uint64_t	requests;
	uint64_t	connections;
	uint64_t	parked;		/* connections handed to the supervisor */
	uint64_t	adopted;	/* taken from the ready queue */
	uint64_t	bad_requests;
	uint64_t	disconnects;	/* clients gone mid-response */
};

/*
 * Serves until SIGTERM (graceful: open requests finish, idle connections
 * close) or until the parent is gone; SIGUSR1 reopens the access log
 * between requests.  The caller has blocked SIGTERM, SIGINT, SIGHUP and
 * SIGUSR1.  Returns 0 on a clean stop or -errno.
 */
int	http_serve(const struct http_serve_opts *o, http_handler *h,
	    void *arg, struct http_stats *ret_stats);

#endif
