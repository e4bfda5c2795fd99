/*
 * t0011-admin.c: unit test of server/admin.c, the admin socket's
 * transport, on a real io_uring loop and real AF_UNIX sockets: the
 * socket's mode and its new parent's, one answer per request line (two
 * lines in one write answered in order), an over-long request refused,
 * a stale socket replaced, a live one, a file and a symlink left alone,
 * the gate, another uid refused (as root), idle connections closed, and
 * the path removed on close.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "log.h"
#include "loop.h"
#include "tap.h"

static char	tmpdir[] = "/tmp/forkd-t0011.XXXXXX";
static char	path[256];
static pid_t	gate_refuses = -1;

static void
bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Echoes "ok <line>"; "bye" closes after the answer. */
static int
echo(void *arg, const struct admin_peer *peer, const char *line,
    size_t len, struct abuf *out)
{
	(void)arg;
	(void)peer;
	abuf_printf(out, "ok %zu %s", len, line);
	return strcmp(line, "bye") == 0;
}

static const char *
gate(void *arg, const struct admin_peer *peer)
{
	(void)arg;
	return peer->pid == gate_refuses ? "not from a worker" : NULL;
}

static void
timeout_noop(struct op *op, int res, uint32_t flags)
{
	(void)op;
	(void)res;
	(void)flags;
}

/* Runs the loop until a 20 ms timeout fires, n times. */
static void
spin(int n)
{
	struct __kernel_timespec	ts = { 0, 20 * 1000000 };
	struct op			t;
	int				i;

	for (i = 0; i < n; i++) {
		t.done = timeout_noop;
		t.pending = 0;
		if (loop_timeout(&t, &ts) != 0)
			bail("loop_timeout");
		while (t.pending)
			if (loop_run_once() != 0)
				bail("loop_run_once");
	}
}

static int
client(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		bail("socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Reads what is there after letting the loop run; "" on nothing. */
static const char *
answer(int fd, int spins)
{
	static char	buf[200000];
	ssize_t		n;
	size_t		len = 0;

	spin(spins);
	for (;;) {
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, MSG_DONTWAIT);
		if (n <= 0)
			break;
		len += (size_t)n;
		spin(1);
	}
	buf[len] = '\0';
	return buf;
}

/* Whether the server closed fd (recv returns 0). */
static int
closed(int fd)
{
	char	c;

	spin(2);
	return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

int
main(void)
{
	struct admin	*ad, *ad2;
	struct stat	 st;
	char		 big[ADMIN_MSG_MAX + 16];
	int		 fd, fd2, r, status;
	pid_t		 pid;

	log_init("t0011", LOG_LEVEL_ERROR);
	plan(24);
	if (mkdtemp(tmpdir) == NULL)
		bail("mkdtemp");
	if (loop_init(64) != 0)
		bail("loop_init");
	snprintf(path, sizeof(path), "%s/run/forkd.sock", tmpdir);

	r = admin_open(&ad, path, echo, gate, NULL);
	is_int(r, 0, "admin_open binds in a directory it creates");
	ok(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    (st.st_mode & 0777) == 0600, "the socket is mode 0600");
	snprintf(big, sizeof(big), "%s/run", tmpdir);
	ok(stat(big, &st) == 0 && (st.st_mode & 0777) == 0700,
	    "the directory it created is mode 0700");

	fd = client();
	ok(fd >= 0, "a client of the same uid connects");
	spin(2);
	is_int((int)admin_clients(ad), 1, "it is counted");
	(void)send(fd, "ping\n", 5, 0);
	is_str(answer(fd, 2), "ok 4 ping\n", "one line in, one line out");
	(void)send(fd, "a\r\nbb\n", 6, 0);
	is_str(answer(fd, 2), "ok 1 a\nok 2 bb\n",
	    "two lines in one write: two answers, in order, CR dropped");
	(void)send(fd, "bye\n", 4, 0);
	is_str(answer(fd, 2), "ok 3 bye\n", "the handler can close");
	ok(closed(fd), "and the connection is closed after the answer");
	close(fd);

	fd = client();
	memset(big, 'x', sizeof(big));
	(void)send(fd, big, sizeof(big), MSG_DONTWAIT);
	ok(strstr(answer(fd, 4), "longer than 65536 bytes") != NULL,
	    "a request over 64 KiB is refused with the reason");
	ok(closed(fd), "and the connection closed");
	close(fd);

	/* The gate: here, refuse this very process. */
	gate_refuses = getpid();
	fd = client();
	ok(strstr(answer(fd, 2), "not from a worker") != NULL,
	    "the gate's refusal is answered");
	ok(closed(fd), "and the connection closed");
	close(fd);
	gate_refuses = -1;

	/* Idle: a tick 31 s later closes it. */
	fd = client();
	spin(2);
	{
		struct timespec	ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		admin_tick(ad, (uint64_t)ts.tv_sec * 1000 +
		    (uint64_t)ts.tv_nsec / 1000000 + ADMIN_IDLE_MS - 1000);
		ok(!closed(fd), "a connection idle for under 30 s stays");
		admin_tick(ad, (uint64_t)ts.tv_sec * 1000 +
		    (uint64_t)ts.tv_nsec / 1000000 + ADMIN_IDLE_MS + 1000);
	}
	ok(closed(fd), "an idle connection is closed by the tick");
	close(fd);

	/*
	 * A path a live server answers on (another process: this one's
	 * loop does not run while admin_open waits for the answer).
	 */
	{
		char	live[300];
		int	sync[2];

		snprintf(live, sizeof(live), "%s/live.sock", tmpdir);
		if (pipe(sync) == -1 || (pid = fork()) == -1)
			bail("fork");
		if (pid == 0) {
			loop_fini();
			if (loop_init(16) != 0 ||
			    admin_open(&ad2, live, echo, NULL, NULL) != 0)
				_exit(1);
			(void)write(sync[1], "r", 1);
			for (;;)
				spin(10);
		}
		if (read(sync[0], big, 1) != 1)
			bail("the live server did not start");
		is_int(admin_open(&ad2, live, echo, NULL, NULL), -EADDRINUSE,
		    "a path something answers on is not taken over");
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		unlink(live);
		close(sync[0]);
		close(sync[1]);
	}

	/* Another uid, as root: the socket's mode stops it. */
	if (geteuid() != 0) {
		ok(1, "# SKIP not root: cannot try another uid");
	} else {
		if ((pid = fork()) == -1)
			bail("fork");
		if (pid == 0) {
			if (setgid(65534) == -1 || setuid(65534) == -1)
				_exit(2);
			fd2 = client();
			_exit(fd2 == -EACCES ? 0 : 1);
		}
		waitpid(pid, &status, 0);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "another uid cannot connect (EACCES)");
	}

	admin_close(ad);
	spin(2);
	ok(lstat(path, &st) == -1 && errno == ENOENT,
	    "admin_close removes the socket");

	/* A stale socket: bound, never listened on, closed. */
	{
		struct sockaddr_un	sun;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		strcpy(sun.sun_path, path);
		fd2 = socket(AF_UNIX, SOCK_STREAM, 0);
		if (bind(fd2, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			bail("bind");
		close(fd2);
	}
	is_int(admin_open(&ad, path, echo, NULL, NULL), 0,
	    "a stale socket from a crashed run is replaced");
	fd = client();
	(void)send(fd, "x\n", 2, 0);
	is_str(answer(fd, 2), "ok 1 x\n", "and the new one answers");
	close(fd);
	admin_close(ad);
	spin(2);

	/* A regular file and a symlink are never removed. */
	if ((fd = open(path, O_CREAT | O_WRONLY, 0600)) == -1)
		bail("open");
	close(fd);
	is_int(admin_open(&ad, path, echo, NULL, NULL), -EEXIST,
	    "a regular file at the path: refused");
	ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode),
	    "and left in place");
	unlink(path);
	if (symlink("/nonexistent", path) == -1)
		bail("symlink");
	is_int(admin_open(&ad, path, echo, NULL, NULL), -EEXIST,
	    "a symlink at the path: refused");
	ok(lstat(path, &st) == 0 && S_ISLNK(st.st_mode),
	    "and left in place");
	unlink(path);

	snprintf(big, sizeof(big), "%s/run", tmpdir);
	rmdir(big);
	rmdir(tmpdir);
	loop_fini();
	return done();
}
