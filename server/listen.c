/*
 * listen.c: turns -b specs into bound, listening sockets.  The supervisor
 * owns them and hands them to each zygote; it never accepts on them, but
 * it reads how full their accept queues are for the admin socket.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

static int
listen_port_ok(const char *p)
{
	unsigned long	v;
	char		*end;

	if (*p < '0' || *p > '9' || strlen(p) > 5)
		return 0;
	v = strtoul(p, &end, 10);
	return *end == '\0' && v <= 65535;
}

int
listen_parse(const char *spec, struct listen_spec *ret)
{
	struct listen_spec	ls;
	const char		*colon, *host, *end;
	size_t			 hostlen;

	memset(&ls, 0, sizeof(ls));
	if (strncmp(spec, "unix:", 5) == 0) {
		spec += 5;
		if (*spec == '\0' || strlen(spec) >= sizeof(ls.path))
			return -EINVAL;
		ls.kind = LISTEN_UNIX;
		strcpy(ls.path, spec);
		*ret = ls;
		return 0;
	}
	if (strncmp(spec, "fd://", 5) == 0) {
		char	*e;
		long	 v;

		spec += 5;
		if (*spec < '0' || *spec > '9')
			return -EINVAL;
		v = strtol(spec, &e, 10);
		if (*e != '\0' || v < 0 || v > 65535)
			return -EINVAL;
		ls.kind = LISTEN_FD;
		ls.fd = (int)v;
		*ret = ls;
		return 0;
	}
	if (*spec == '[') {
		host = spec + 1;
		if ((end = strchr(host, ']')) == NULL || end[1] != ':')
			return -EINVAL;
		hostlen = end - host;
		colon = end + 1;
		if (hostlen == 0)
			return -EINVAL;
	} else {
		if ((colon = strrchr(spec, ':')) == NULL)
			return -EINVAL;
		host = spec;
		hostlen = colon - spec;
		if (memchr(host, ':', hostlen) != NULL)
			return -EINVAL;	/* bare IPv6 needs brackets */
	}
	if (hostlen >= sizeof(ls.host) || !listen_port_ok(colon + 1))
		return -EINVAL;
	ls.kind = LISTEN_TCP;
	memcpy(ls.host, host, hostlen);
	ls.host[hostlen] = '\0';
	if (hostlen == 0)
		strcpy(ls.host, "0.0.0.0");
	snprintf(ls.port, sizeof(ls.port), "%s", colon + 1);
	*ret = ls;
	return 0;
}

int
listen_bound_port(int fd, struct listen_spec *ls)
{
	struct sockaddr_storage	ss;
	socklen_t		slen = sizeof(ss);
	unsigned		port;

	if (ls->kind != LISTEN_TCP)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &slen) == -1)
		return -errno;
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return -EAFNOSUPPORT;
	snprintf(ls->port, sizeof(ls->port), "%u", port);
	return 0;
}

const char *
listen_format(const struct listen_spec *ls, char *buf, size_t len)
{
	switch (ls->kind) {
	case LISTEN_UNIX:
		snprintf(buf, len, "unix:%s", ls->path);
		break;
	case LISTEN_FD:
		snprintf(buf, len, "fd://%d", ls->fd);
		break;
	default:
		if (strchr(ls->host, ':') != NULL)
			snprintf(buf, len, "http://[%s]:%s", ls->host,
			    ls->port);
		else
			snprintf(buf, len, "http://%s:%s", ls->host,
			    ls->port);
	}
	return buf;
}

static int
listen_finish(int fd, int backlog)
{
	int	fl;

	if (listen(fd, backlog) == -1)
		return -errno;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -errno;
	return 0;
}

static int
listen_open_unix(const struct listen_spec *ls, int backlog)
{
	struct sockaddr_un	sun;
	struct stat		st;
	int			fd, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, ls->path);
	/* A stale socket from a previous run would make bind fail. */
	if (lstat(ls->path, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)unlink(ls->path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    (r = listen_finish(fd, backlog)) != 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int
listen_open_tcp(const struct listen_spec *ls, int backlog)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1, r, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((r = getaddrinfo(ls->host, ls->port, &hints, &res)) != 0)
		return r == EAI_SYSTEM ? -errno : -EADDRNOTAVAIL;
	r = -EADDRNOTAVAIL;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			r = -errno;
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		/*
		 * accept() only once the request has arrived (see
		 * http/http_conn.c).
		 */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &one,
		    sizeof(one));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    (r = listen_finish(fd, backlog)) == 0)
			break;
		if (r == 0 || r == -EADDRNOTAVAIL)
			r = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd >= 0 ? fd : r;
}

static int
listen_check_fd(const struct listen_spec *ls)
{
	int		type, acc;
	socklen_t	len = sizeof(type);

	if (getsockopt(ls->fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1)
		return -errno;
	len = sizeof(acc);
	if (type != SOCK_STREAM ||
	    getsockopt(ls->fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == -1 ||
	    !acc)
		return -ENOTSOCK;
	if (fcntl(ls->fd, F_SETFL, fcntl(ls->fd, F_GETFL) | O_NONBLOCK) == -1 ||
	    fcntl(ls->fd, F_SETFD, FD_CLOEXEC) == -1)
		return -errno;
	return ls->fd;
}

int
listen_open(const struct listen_spec *ls, int backlog)
{
	switch (ls->kind) {
	case LISTEN_UNIX:
		return listen_open_unix(ls, backlog);
	case LISTEN_FD:
		return listen_check_fd(ls);
	case LISTEN_TCP:
		return listen_open_tcp(ls, backlog);
	}
	return -EINVAL;
}

int
listen_describe(int fd, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;
	socklen_t		 slen = sizeof(ss);
	struct listen_spec	 ls;
	const void		*a;
	int			 r;

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &slen) == -1)
		return -errno;
	memset(&ls, 0, sizeof(ls));
	switch (ss.ss_family) {
	case AF_UNIX:
		ls.kind = LISTEN_UNIX;
		/* An abstract or unnamed socket has no path to show. */
		memcpy(ls.path, ((struct sockaddr_un *)&ss)->sun_path,
		    sizeof(ls.path) - 1);
		break;
	case AF_INET:
	case AF_INET6:
		ls.kind = LISTEN_TCP;
		a = ss.ss_family == AF_INET ?
		    (const void *)&((struct sockaddr_in *)&ss)->sin_addr :
		    (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
		if (inet_ntop(ss.ss_family, a, ls.host,
		    sizeof(ls.host)) == NULL)
			return -errno;
		if ((r = listen_bound_port(fd, &ls)) != 0)
			return r;
		break;
	default:
		return -EAFNOSUPPORT;
	}
	listen_format(&ls, buf, len);
	return 0;
}

int
listen_queue(int fd, unsigned *ret_queued, unsigned *ret_backlog)
{
	struct tcp_info	ti;
	socklen_t	len = sizeof(ti), dlen;
	int		domain;

	dlen = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) == -1)
		return -errno;
	if (domain != AF_INET && domain != AF_INET6)
		return -EOPNOTSUPP;
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return -errno;
	/* For a listener, Linux puts the queue in these two fields. */
	if (ti.tcpi_state != TCP_LISTEN)
		return -EINVAL;
	*ret_queued = ti.tcpi_unacked;
	*ret_backlog = ti.tcpi_sacked;
	return 0;
}

/* The value under name in a "TcpExt: names" / "TcpExt: values" pair. */
static int
listen_netstat_field(const char *names, const char *values,
    const char *name, uint64_t *ret)
{
	size_t		 nlen = strlen(name), i = 0, k;
	const char	*p = names, *v = values;
	char		*end;
	uint64_t	 val = 0;

	/* Find name's position among the space-separated names. */
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\n' || *p == '\0')
			return -ENOENT;
		if (strncmp(p, name, nlen) == 0 &&
		    (p[nlen] == ' ' || p[nlen] == '\n' || p[nlen] == '\0'))
			break;
		p += strcspn(p, " \n");
		i++;
	}
	for (k = 0; k <= i; k++) {
		while (*v == ' ')
			v++;
		if (*v < '0' || *v > '9')
			return -ENOENT;
		errno = 0;
		val = strtoull(v, &end, 10);
		if (errno != 0)
			return -ENOENT;
		v = end;
	}
	*ret = val;
	return 0;
}

int
listen_drops_parse(const char *text, struct listen_drops *ret)
{
	struct listen_drops	 d;
	const char		*names, *values;

	/* "TcpExt: names...\nTcpExt: values...\n" */
	if (strncmp(text, "TcpExt: ", 8) == 0)
		names = text;
	else if ((names = strstr(text, "\nTcpExt: ")) != NULL)
		names++;
	else
		return -ENOENT;
	if ((values = strchr(names, '\n')) == NULL ||
	    strncmp(values + 1, "TcpExt: ", 8) != 0)
		return -ENOENT;
	names += 8;
	values += 9;
	if (listen_netstat_field(names, values, "ListenOverflows",
	    &d.overflows) != 0 ||
	    listen_netstat_field(names, values, "ListenDrops",
	    &d.drops) != 0)
		return -ENOENT;
	*ret = d;
	return 0;
}

int
listen_drops_read(struct listen_drops *ret)
{
	char	buf[16384];
	size_t	len = 0;
	ssize_t	n;
	int	fd, r;

	if ((fd = open("/proc/net/netstat", O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return listen_drops_parse(buf, ret);
}
