/*
 * listen.h: the listening sockets named by -b.  Parsing is pure (and unit
 * tested); listen_open() does the binding.
 */
#ifndef FORKD_LISTEN_H
#define FORKD_LISTEN_H

#include <stddef.h>
#include <stdint.h>

enum listen_kind {
	LISTEN_TCP = 1,		/* host (name, IPv4 or bracketed IPv6) and port */
	LISTEN_UNIX,		/* path */
	LISTEN_FD,		/* an inherited descriptor */
};

struct listen_spec {
	enum listen_kind kind;
	char		 host[256];	/* LISTEN_TCP, brackets removed */
	char		 port[8];	/* LISTEN_TCP */
	char		 path[108];	/* LISTEN_UNIX, sun_path's size */
	int		 fd;		/* LISTEN_FD */
};

/* Returns 0 and fills *ret, or -EINVAL when spec is malformed. */
int	listen_parse(const char *spec, struct listen_spec *ret);
/*
 * Binds and listens (or checks an inherited fd).  Returns the fd, which
 * is non-blocking and close-on-exec, or -errno.
 */
int	listen_open(const struct listen_spec *ls, int backlog);
/* Writes the port fd is bound to into ls (for port 0); 0 or -errno. */
int	listen_bound_port(int fd, struct listen_spec *ls);
/* Formats ls as text for log lines into buf; returns buf. */
const char *listen_format(const struct listen_spec *ls, char *buf,
	    size_t len);
/*
 * Names the address fd listens on, as listen_format() would ("http://
 * 127.0.0.1:8000", "unix:/run/app.sock").  Returns 0 or -errno.
 */
int	listen_describe(int fd, char *buf, size_t len);

/*
 * A TCP listener's accept queue, as `ss -lnt` shows it: connections the
 * kernel has completed that no worker has accepted yet, and the most it
 * holds (the backlog, capped by net.core.somaxconn); past that it drops
 * new connections.  Returns 0, or -EOPNOTSUPP for a unix socket (Linux
 * does not say), or -errno.
 */
int	listen_queue(int fd, unsigned *ret_queued, unsigned *ret_backlog);

/*
 * The kernel's TcpExt ListenOverflows and ListenDrops of /proc/net/netstat:
 * connections dropped because an accept queue was full (and for that or
 * another reason), since boot, for every listener of the network
 * namespace, not only forkd's.
 */
struct listen_drops {
	uint64_t	overflows;
	uint64_t	drops;
};
/* Parses /proc/net/netstat's text; 0, or -ENOENT without the fields. */
int	listen_drops_parse(const char *text, struct listen_drops *ret);
/* Reads /proc/net/netstat; 0 or -errno. */
int	listen_drops_read(struct listen_drops *ret);

#endif
