/*
 * listen.h: the listening sockets named by -b.  Parsing is pure (and unit
 * tested); listen_open() does the binding.
 */
#ifndef FORKD_LISTEN_H
#define FORKD_LISTEN_H

#include <stddef.h>

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

#endif
