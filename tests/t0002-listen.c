/*
 * t0002-listen.c: unit test of server/listen.c.  listen_parse and
 * listen_format are pure; listen_open binds for real, on 127.0.0.1 port 0
 * and on unix sockets in a mkdtemp directory, and checks inherited fds.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "listen.h"
#include "tap.h"

static char	tmpdir[] = "/tmp/t0002-listen.XXXXXX";

static void
bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
test_parse_tcp(void)
{
	struct listen_spec	ls;
	char			host[300], spec[320];

	memset(&ls, 0, sizeof(ls));
	is_int(listen_parse("127.0.0.1:8080", &ls), 0, "HOST:PORT parses");
	is_int(ls.kind, LISTEN_TCP, "HOST:PORT is LISTEN_TCP");
	is_str(ls.host, "127.0.0.1", "HOST:PORT keeps the host");
	is_str(ls.port, "8080", "HOST:PORT keeps the port");

	memset(&ls, 0, sizeof(ls));
	is_int(listen_parse(":9000", &ls), 0, ":PORT parses");
	is_str(ls.host, "0.0.0.0", ":PORT listens on 0.0.0.0");
	is_str(ls.port, "9000", ":PORT keeps the port");

	memset(&ls, 0, sizeof(ls));
	is_int(listen_parse("[::1]:8081", &ls), 0, "[V6]:PORT parses");
	ok(ls.kind == LISTEN_TCP && strcmp(ls.host, "::1") == 0 &&
	    strcmp(ls.port, "8081") == 0,
	    "[V6]:PORT gives host ::1 without brackets and the port");

	memset(&ls, 0, sizeof(ls));
	is_int(listen_parse("localhost:80", &ls), 0, "a host name parses");
	is_str(ls.host, "localhost", "a host name is kept as given");

	is_int(listen_parse("::1:8080", &ls), -EINVAL,
	    "bare IPv6 without brackets is -EINVAL");
	is_int(listen_parse("8080", &ls), -EINVAL, "a port without a colon "
	    "is -EINVAL");
	is_int(listen_parse("[::1]", &ls), -EINVAL, "[V6] without a port is "
	    "-EINVAL");
	is_int(listen_parse("[::1]8080", &ls), -EINVAL, "[V6]PORT without "
	    "a colon is -EINVAL");
	is_int(listen_parse("[::1:8080", &ls), -EINVAL, "an unclosed bracket "
	    "is -EINVAL");
	is_int(listen_parse("[]:80", &ls), -EINVAL, "empty brackets are "
	    "-EINVAL");

	is_int(listen_parse("h:65535", &ls), 0, "port 65535 is accepted");
	is_int(listen_parse("h:0", &ls), 0, "port 0 is accepted");
	is_int(listen_parse("h:65536", &ls), -EINVAL, "port 65536 is -EINVAL");
	is_int(listen_parse("h:100000", &ls), -EINVAL, "a six-digit port is "
	    "-EINVAL");
	is_int(listen_parse("h:abc", &ls), -EINVAL, "port abc is -EINVAL");
	is_int(listen_parse("h:", &ls), -EINVAL, "an empty port is -EINVAL");
	is_int(listen_parse("h:80x", &ls), -EINVAL, "port 80x is -EINVAL");
	is_int(listen_parse("h:-1", &ls), -EINVAL, "port -1 is -EINVAL");
	is_int(listen_parse("h:+80", &ls), -EINVAL, "port +80 is -EINVAL");
	is_int(listen_parse("[::1]:", &ls), -EINVAL, "[V6]: with an empty "
	    "port is -EINVAL");
	is_int(listen_parse("", &ls), -EINVAL, "an empty spec is -EINVAL");

	memset(host, 'h', 255);
	host[255] = '\0';
	snprintf(spec, sizeof(spec), "%s:80", host);
	memset(&ls, 0, sizeof(ls));
	is_int(listen_parse(spec, &ls), 0, "a 255-byte host is accepted");
	is_int(strlen(ls.host), 255, "a 255-byte host is kept whole");
	snprintf(spec, sizeof(spec), "%sh:80", host);
	is_int(listen_parse(spec, &ls), -EINVAL, "a 256-byte host is -EINVAL");
}

static void
test_parse_other(void)
{
	struct listen_spec	ls;
	char			path[200], spec[220];

	memset(&ls, 0, sizeof(ls));
	is_int(listen_parse("unix:/run/forkd.sock", &ls), 0, "unix:PATH "
	    "parses");
	is_int(ls.kind, LISTEN_UNIX, "unix:PATH is LISTEN_UNIX");
	is_str(ls.path, "/run/forkd.sock", "unix:PATH keeps the path");
	is_int(listen_parse("unix:", &ls), -EINVAL, "unix: without a path is "
	    "-EINVAL");

	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[107] = '\0';
	snprintf(spec, sizeof(spec), "unix:%s", path);
	memset(&ls, 0, sizeof(ls));
	is_int(listen_parse(spec, &ls), 0, "a 107-byte unix path (sun_path "
	    "minus its NUL) is accepted");
	is_int(strlen(ls.path), 107, "a 107-byte unix path is kept whole");
	path[107] = 'p';
	path[108] = '\0';
	snprintf(spec, sizeof(spec), "unix:%s", path);
	is_int(listen_parse(spec, &ls), -EINVAL, "a 108-byte unix path is "
	    "-EINVAL");

	memset(&ls, 0, sizeof(ls));
	is_int(listen_parse("fd://3", &ls), 0, "fd://N parses");
	ok(ls.kind == LISTEN_FD && ls.fd == 3, "fd://3 is LISTEN_FD fd 3");
	is_int(listen_parse("fd://", &ls), -EINVAL, "fd:// without a number "
	    "is -EINVAL");
	is_int(listen_parse("fd://x", &ls), -EINVAL, "fd://x is -EINVAL");
	is_int(listen_parse("fd://3x", &ls), -EINVAL, "fd://3x is -EINVAL");
	is_int(listen_parse("fd://-1", &ls), -EINVAL, "fd://-1 is -EINVAL");
}

static void
test_format(void)
{
	struct listen_spec	ls;
	char			buf[128], small[8];

	listen_parse("127.0.0.1:8080", &ls);
	ok(listen_format(&ls, buf, sizeof(buf)) == buf,
	    "listen_format returns buf");
	is_str(buf, "http://127.0.0.1:8080", "IPv4 formats as http://H:P");
	listen_parse("[::1]:8080", &ls);
	is_str(listen_format(&ls, buf, sizeof(buf)), "http://[::1]:8080",
	    "IPv6 formats with brackets");
	listen_parse(":80", &ls);
	is_str(listen_format(&ls, buf, sizeof(buf)), "http://0.0.0.0:80",
	    ":PORT formats as 0.0.0.0");
	listen_parse("unix:/run/f.sock", &ls);
	is_str(listen_format(&ls, buf, sizeof(buf)), "unix:/run/f.sock",
	    "unix formats as unix:PATH");
	listen_parse("fd://7", &ls);
	is_str(listen_format(&ls, buf, sizeof(buf)), "fd://7",
	    "fd formats as fd://N");
	listen_parse("127.0.0.1:8080", &ls);
	memset(small, 'x', sizeof(small));
	is_str(listen_format(&ls, small, sizeof(small)), "http://",
	    "listen_format truncates to len and NUL-terminates");
}

/* Checks that fd is a listening, non-blocking, close-on-exec stream. */
static void
check_listener(int fd, const char *what)
{
	int		acc = 0, type = 0, fl, fdfl;
	socklen_t	len;

	len = sizeof(acc);
	ok(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 &&
	    acc == 1, "%s: the socket is listening (SO_ACCEPTCONN)", what);
	len = sizeof(type);
	ok(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_STREAM, "%s: the socket is SOCK_STREAM", what);
	fl = fcntl(fd, F_GETFL);
	ok(fl != -1 && (fl & O_NONBLOCK), "%s: the fd is O_NONBLOCK", what);
	fdfl = fcntl(fd, F_GETFD);
	ok(fdfl != -1 && (fdfl & FD_CLOEXEC), "%s: the fd is FD_CLOEXEC",
	    what);
}

/* Connects to sa and accepts on lfd; returns whether both worked. */
static int
connect_accept(int lfd, const struct sockaddr *sa, socklen_t salen)
{
	struct pollfd	pfd;
	int		c, a;

	if ((c = socket(sa->sa_family, SOCK_STREAM, 0)) == -1)
		return 0;
	if (connect(c, sa, salen) == -1) {
		close(c);
		return 0;
	}
	pfd.fd = lfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1 || (a = accept(lfd, NULL, NULL)) == -1) {
		close(c);
		return 0;
	}
	close(a);
	close(c);
	return 1;
}

static void
test_open_tcp(void)
{
	struct listen_spec	ls;
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	char			spec[64];
	int			fd, fd2;

	listen_parse("127.0.0.1:0", &ls);
	fd = listen_open(&ls, 16);
	if (!ok(fd >= 0, "listen_open on 127.0.0.1:0 returns an fd"))
		diag("  listen_open: %s", strerror(-fd));
	if (fd < 0) {
		printf("Bail out! cannot listen on 127.0.0.1\n");
		exit(1);
	}
	check_listener(fd, "127.0.0.1:0");
	memset(&sin, 0, sizeof(sin));
	ok(getsockname(fd, (struct sockaddr *)&sin, &len) == 0 &&
	    sin.sin_family == AF_INET &&
	    sin.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && sin.sin_port != 0,
	    "127.0.0.1:0 is bound to 127.0.0.1 on an ephemeral port");
	ok(connect_accept(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    "127.0.0.1:0 accepts a TCP connection");

	snprintf(spec, sizeof(spec), "127.0.0.1:%u", ntohs(sin.sin_port));
	listen_parse(spec, &ls);
	fd2 = listen_open(&ls, 16);
	is_int(fd2, -EADDRINUSE, "listening again on a port in use is "
	    "-EADDRINUSE");
	if (fd2 >= 0)
		close(fd2);
	close(fd);

	/* TEST-NET-1 (RFC 5737) is not on any interface here. */
	listen_parse("192.0.2.1:0", &ls);
	fd = listen_open(&ls, 16);
	is_int(fd, -EADDRNOTAVAIL, "an address not on this host is "
	    "-EADDRNOTAVAIL");
	if (fd >= 0)
		close(fd);
}

static void
test_open_unix(void)
{
	struct listen_spec	ls;
	struct sockaddr_un	sun;
	struct stat		st;
	char			spec[160], buf[8];
	int			fd, fd2, f;

	snprintf(spec, sizeof(spec), "unix:%s/s.sock", tmpdir);
	if (listen_parse(spec, &ls) != 0)
		bail("listen_parse of the temporary path");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", ls.path);

	fd = listen_open(&ls, 16);
	if (!ok(fd >= 0, "listen_open on unix:PATH returns an fd"))
		diag("  listen_open: %s", strerror(-fd));
	if (fd < 0)
		bail("listen_open unix");
	check_listener(fd, "unix:PATH");
	ok(lstat(ls.path, &st) == 0 && S_ISSOCK(st.st_mode),
	    "unix:PATH creates a socket file at PATH");
	ok(connect_accept(fd, (struct sockaddr *)&sun, sizeof(sun)),
	    "unix:PATH accepts a connection");

	/* Closing leaves the socket file behind: a stale one. */
	close(fd);
	fd = listen_open(&ls, 16);
	if (!ok(fd >= 0, "listen_open replaces a stale socket file"))
		diag("  listen_open: %s", strerror(-fd));
	ok(fd >= 0 && connect_accept(fd, (struct sockaddr *)&sun,
	    sizeof(sun)), "the replacing socket accepts connections");
	if (fd >= 0)
		close(fd);
	unlink(ls.path);

	/* A regular file at PATH is not a stale socket: it stays. */
	if ((f = open(ls.path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(f, "keep", 4) != 4)
		bail("creating a regular file");
	close(f);
	fd2 = listen_open(&ls, 16);
	ok(fd2 < 0, "listen_open over a regular file fails");
	if (fd2 >= 0)
		close(fd2);
	memset(buf, 0, sizeof(buf));
	f = -1;
	ok(lstat(ls.path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (f = open(ls.path, O_RDONLY)) != -1 && read(f, buf, 4) == 4 &&
	    memcmp(buf, "keep", 4) == 0,
	    "listen_open leaves a regular file at PATH untouched");
	if (f >= 0)
		close(f);
	unlink(ls.path);

	snprintf(spec, sizeof(spec), "unix:%s/no/such/dir/s.sock", tmpdir);
	listen_parse(spec, &ls);
	fd = listen_open(&ls, 16);
	is_int(fd, -ENOENT, "a unix path in a missing directory is -ENOENT");
	if (fd >= 0)
		close(fd);
}

/* The accept queue and the name of a TCP and of a unix listener. */
static void
test_queue(void)
{
	struct listen_spec	ls;
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	struct pollfd		pfd;
	char			spec[160], want[160], name[160];
	unsigned		queued = 99, backlog = 99;
	int			fd, c[2], i, r;

	listen_parse("127.0.0.1:0", &ls);
	if ((fd = listen_open(&ls, 3)) < 0)
		bail("listen_open 127.0.0.1:0");
	memset(&sin, 0, sizeof(sin));
	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		bail("getsockname");
	snprintf(want, sizeof(want), "http://127.0.0.1:%u",
	    ntohs(sin.sin_port));
	is_int(listen_describe(fd, name, sizeof(name)), 0,
	    "listen_describe of a TCP listener returns 0");
	is_str(name, want, "it names the address and the port bound");
	r = listen_queue(fd, &queued, &backlog);
	ok(r == 0 && queued == 0 && backlog == 3,
	    "an idle listener: 0 queued, backlog 3 (r %d, %u, %u)", r, queued,
	    backlog);
	/* TCP_DEFER_ACCEPT: a connection is queued once its data is in. */
	for (i = 0; i < 2; i++) {
		if ((c[i] = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    connect(c[i], (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
		    write(c[i], "x", 1) != 1)
			bail("connect");
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (i = 0; i < 100; i++) {
		if (listen_queue(fd, &queued, &backlog) != 0 || queued == 2)
			break;
		(void)poll(&pfd, 1, 10);
	}
	r = listen_queue(fd, &queued, &backlog);
	ok(r == 0 && queued == 2 && backlog == 3,
	    "two connections not accepted: 2 queued, backlog 3 (%u, %u)",
	    queued, backlog);
	close(c[0]);
	close(c[1]);
	close(fd);

	snprintf(spec, sizeof(spec), "unix:%s/q.sock", tmpdir);
	listen_parse(spec, &ls);
	if ((fd = listen_open(&ls, 3)) < 0)
		bail("listen_open unix");
	snprintf(want, sizeof(want), "unix:%s/q.sock", tmpdir);
	is_int(listen_describe(fd, name, sizeof(name)), 0,
	    "listen_describe of a unix listener returns 0");
	is_str(name, want, "it names the path");
	is_int(listen_queue(fd, &queued, &backlog), -EOPNOTSUPP,
	    "a unix listener's queue is -EOPNOTSUPP");
	close(fd);
	unlink(ls.path);
}

static void
test_drops(void)
{
	struct listen_drops	d;
	const char		*text =
	    "TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPHPHits\n"
	    "TcpExt: 34 118 120 7\n"
	    "IpExt: InNoRoutes\n"
	    "IpExt: 0\n";

	memset(&d, 0, sizeof(d));
	is_int(listen_drops_parse(text, &d), 0, "netstat text parses");
	ok(d.overflows == 118 && d.drops == 120,
	    "ListenOverflows and ListenDrops are read from their columns");
	is_int(listen_drops_parse("IpExt: A\nIpExt: 1\n"
	    "TcpExt: ListenDrops ListenOverflows\nTcpExt: 5 4\n", &d), 0,
	    "TcpExt need not come first");
	ok(d.overflows == 4 && d.drops == 5, "and the columns follow the names");
	is_int(listen_drops_parse("TcpExt: ListenOverflowsX ListenDrops\n"
	    "TcpExt: 1 2\n", &d), -ENOENT,
	    "a name that only starts with ListenOverflows is not it");
	is_int(listen_drops_parse("TcpExt: ListenOverflows ListenDrops\n"
	    "TcpExt: 1\n", &d), -ENOENT, "a missing value is -ENOENT");
	is_int(listen_drops_parse("TcpExt: ListenOverflows ListenDrops\n",
	    &d), -ENOENT, "a missing values line is -ENOENT");
	is_int(listen_drops_parse("", &d), -ENOENT, "empty text is -ENOENT");
	is_int(listen_drops_read(&d), 0,
	    "this kernel's /proc/net/netstat has both counters");
}

static void
test_open_fd(void)
{
	struct listen_spec	ls;
	struct sockaddr_in	sin;
	int			s, r, p[2];

	memset(&ls, 0, sizeof(ls));
	ls.kind = LISTEN_FD;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 4) == -1)
		bail("an inherited listener");
	ls.fd = s;
	is_int(listen_open(&ls, 16), s, "fd://N of a listening socket "
	    "returns N");
	check_listener(s, "fd://N");
	close(s);

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		bail("socket");
	ls.fd = s;
	is_int(listen_open(&ls, 16), -ENOTSOCK, "fd://N of a stream socket "
	    "that is not listening is -ENOTSOCK");
	close(s);

	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		bail("socket");
	ls.fd = s;
	is_int(listen_open(&ls, 16), -ENOTSOCK, "fd://N of a datagram "
	    "socket is -ENOTSOCK");
	close(s);

	if (pipe(p) == -1)
		bail("pipe");
	ls.fd = p[0];
	is_int(listen_open(&ls, 16), -ENOTSOCK, "fd://N of a pipe is "
	    "-ENOTSOCK");
	close(p[0]);
	close(p[1]);

	ls.fd = p[0];	/* closed just above */
	r = listen_open(&ls, 16);
	is_int(r, -EBADF, "fd://N of a closed descriptor is -EBADF");

	memset(&ls, 0, sizeof(ls));
	is_int(listen_open(&ls, 16), -EINVAL, "listen_open of a zeroed spec "
	    "(no kind) is -EINVAL");
}

int
main(void)
{
	plan(82 + 7 + 9);
	if (mkdtemp(tmpdir) == NULL)
		bail("mkdtemp");
	test_parse_tcp();
	test_parse_other();
	test_format();
	test_open_tcp();
	test_open_unix();
	test_open_fd();
	test_queue();
	test_drops();
	if (rmdir(tmpdir) == -1)
		diag("rmdir %s: %s", tmpdir, strerror(errno));
	return done();
}
