/*
 * admin.h: the admin socket's transport.  An AF_UNIX stream socket (never
 * TCP), bound with mode 0600; each connection's peer is checked with
 * SO_PEERCRED; requests are lines of at most ADMIN_MSG_MAX bytes, each
 * answered by one line; idle connections are closed.  What a line means
 * is the caller's (the handler's): this file knows no command.
 */
#ifndef FORKD_ADMIN_H
#define FORKD_ADMIN_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define ADMIN_MSG_MAX		(64 * 1024)	/* a request line, bytes */
#define ADMIN_CLIENTS_MAX	8		/* connections at once */
#define ADMIN_IDLE_MS		30000		/* without a full request */

struct admin;

struct admin_peer {
	pid_t	pid;
	uid_t	uid;
	gid_t	gid;
};

/* A growable output buffer the handler appends its answer to. */
struct abuf {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 err;		/* sticky -ENOMEM */
};

void	abuf_add(struct abuf *, const char *, size_t);
void	abuf_printf(struct abuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Answers one request line (without its newline, NUL-terminated at
 * line[len]) by appending one line of text, without the newline, to out.
 * Returns 0 to keep the connection, 1 to close it after the answer.
 */
typedef int	(*admin_handler)(void *arg, const struct admin_peer *peer,
		    const char *line, size_t len, struct abuf *out);
/*
 * Whether peer, already checked to be root or this process's own uid,
 * may talk to the socket: NULL if it may, else the reason it may not
 * (the supervisor refuses its own zygote and workers, which share its
 * uid and must not reload or stop it).
 */
typedef const char *(*admin_gate)(void *arg, const struct admin_peer *peer);

/*
 * Binds path and starts accepting on the supervisor's loop (loop.h).
 * A missing parent directory is created with mode 0700.  A socket left
 * at path by a run that crashed (connect refused) is replaced; returns
 * -EADDRINUSE if something answers there, -EEXIST if path is not a
 * socket (never removed), -EPERM if it is another user's socket,
 * -ENAMETOOLONG, or another -errno.
 */
int	admin_open(struct admin **ret, const char *path, admin_handler fn,
	    admin_gate gate, void *arg);
/*
 * The same with a listening socket already bound at path, inherited
 * from the forkd this one upgrades (fault S11): nothing is bound nor
 * removed.  Returns 0 or -errno (-EINVAL: fd does not listen); fd is
 * closed on failure.
 */
int	admin_adopt(struct admin **ret, const char *path, int fd,
	    admin_handler fn, admin_gate gate, void *arg);
/* The listening socket, for the forkd an upgrade starts; or -1. */
int	admin_fd(const struct admin *);
/* The socket is another forkd's now: admin_close() leaves the path. */
void	admin_disown(struct admin *);
/* Closes idle connections; call every tick. */
void	admin_tick(struct admin *, uint64_t now_ms);
/* Connections open now. */
unsigned admin_clients(const struct admin *);
/*
 * Closes the listener and every connection and removes the socket if it
 * is still the one admin_open made.  The struct is freed once the loop
 * has returned its pending operations: keep running the loop if any.
 */
void	admin_close(struct admin *);

/* Where the socket goes when --admin is not given: see admin.c. */
int	admin_default_path(char *buf, size_t len, const char *appdir);

#endif
