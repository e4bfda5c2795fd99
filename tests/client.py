"""A tiny HTTP client for forkd's black-box tests (stdlib only).

  client.py PORT keepalive PATH N   N requests on one connection; prints
                                    "status local_port body" per request
  client.py PORT raw DATA           sends DATA (Python escapes: \\r \\n),
                                    prints everything read until close or
                                    a 3 s silence
  client.py PORT slowloris N SECS   N connections trickle a head one byte
                                    at a time for SECS while plain GETs
                                    run; prints the slowest GET in ms
  client.py PORT hangup PATH        reads 1 kB of PATH's answer, then
                                    closes the connection
  client.py PORT slowread PATH SECS requests PATH, reads nothing for SECS
                                    while GET / runs on other connections,
                                    then reads it all; prints the slowest
                                    GET / in ms and the bytes received
  client.py PORT hold N FILE        opens N keep-alive connections, each
                                    sending GET /; prints how many were
                                    answered, holds them all until FILE
                                    exists (20 s at most), closes the
                                    answered ones, then prints how many
                                    of the others are answered within 5 s
  client.py PORT load STOP OUT      300 GET / a second (keep-alive and new
                                    connections) until file STOP exists;
                                    writes "answered failed resent req/s"
                                    and the first errors to file OUT
  client.py PORT burst N            N connections at once, each GET / and
                                    Connection: close; prints how many
                                    were answered 200, how many failed,
                                    and the slowest in ms
"""
import http.client
import os
import resource
import select
import socket
import sys
import threading
import time


def keepalive(port, path, n):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(n):
        c.request("GET", path)
        r = c.getresponse()
        body = r.read().decode().strip()
        print(r.status, c.sock.getsockname()[1], body)


def raw(port, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    s.sendall(data.encode("latin-1").decode("unicode_escape")
              .encode("latin-1"))
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
        pass
    sys.stdout.write(out.decode("latin-1"))


def slowloris(port, n, secs):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        socks.append(s)
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000
    stop = time.monotonic() + secs
    worst = 0.0

    def trickle():
        i = 0
        while time.monotonic() < stop:
            for s in socks:
                try:
                    s.send(head[i:i + 1])
                except OSError:
                    pass
            i += 1
            time.sleep(0.1)

    t = threading.Thread(target=trickle)
    t.start()
    time.sleep(0.3)
    while time.monotonic() < stop - 0.2:
        t0 = time.monotonic()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/")
        c.getresponse().read()
        c.close()
        worst = max(worst, time.monotonic() - t0)
        time.sleep(0.05)
    t.join()
    print(int(worst * 1000))


def hangup(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    s.recv(1024)
    s.close()


def slowread(port, path, secs):
    # A small receive buffer, set before connecting so that the window
    # scale fits it: set after, the window later reopens a few bytes per
    # zero-window probe and 3 MB take over a minute to drain.
    s = socket.socket()
    s.settimeout(10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    s.connect(("127.0.0.1", port))
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
               % path).encode())
    time.sleep(0.3)
    stop = time.monotonic() + secs
    worst = 0.0
    while time.monotonic() < stop:
        t0 = time.monotonic()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/")
        c.getresponse().read()
        c.close()
        worst = max(worst, time.monotonic() - t0)
        time.sleep(0.05)
    got = 0
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += len(b)
    print(int(worst * 1000), got)


def _answered(socks, quiet):
    """Reads from socks until none answers for quiet seconds."""
    p = select.poll()    # select() stops at descriptor 1023
    byfd = {s.fileno(): s for s in socks}
    for fd in byfd:
        p.register(fd, select.POLLIN)
    got = set()
    while len(got) < len(socks):
        ready = p.poll(quiet * 1000)
        if not ready:
            break
        for fd, _ in ready:
            p.unregister(fd)
            if byfd[fd].recv(65536):
                got.add(byfd[fd])
    return got


def hold(port, n, release):
    # Each connection is a descriptor here too.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        socks.append(s)
    got = _answered(socks, 1)
    print(len(got), flush=True)
    stop = time.monotonic() + 20
    while not os.path.exists(release) and time.monotonic() < stop:
        time.sleep(0.05)
    for s in got:
        s.close()
    waiting = [s for s in socks if s not in got]
    late = _answered(waiting, 5)
    print(len(late), flush=True)


def burst(port, n):
    results = []
    lock = threading.Lock()

    def one():
        t0 = time.monotonic()
        try:
            # A SYN dropped on a full queue is sent again after 1 s, 3 s...
            s = socket.create_connection(("127.0.0.1", port), timeout=20)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            data = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
            s.close()
            good = data.startswith(b"HTTP/1.1 200 ")
        except OSError:
            good = False
        with lock:
            results.append((good, time.monotonic() - t0))

    ts = [threading.Thread(target=one) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    answered = sum(1 for good, _ in results if good)
    print(answered, n - answered,
          int(max(secs for _, secs in results) * 1000))


def load(port, stop, out):
    """Requests at 300 a second until stop exists: one thread on a keep-alive
    connection, one on a new connection each time; writes to out the
    counts answered, failed and sent again, and the rate (see t1020)."""
    RATE = 150                      # per thread: two threads, 300 req/s
    lock = threading.Lock()
    n = {"ok": 0, "failed": 0, "retried": 0}
    errors = []

    def count(key, why=None):
        with lock:
            n[key] += 1
            if why is not None and len(errors) < 10:
                errors.append(why)

    def one(conn):
        conn.request("GET", "/")
        r = conn.getresponse()
        body = r.read()
        if r.status != 200 or not body.startswith(b"Hello"):
            raise ValueError("status %d body %r" % (r.status, body[:40]))

    def keepalive():
        conn, used = None, False
        while not os.path.exists(stop):
            t0 = time.monotonic()
            if conn is None:
                conn, used = http.client.HTTPConnection("127.0.0.1", port, timeout=10), False
            try:
                one(conn)
                used = True
                count("ok")
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError) as e:
                conn.close()
                conn = None
                if not used:
                    count("failed", "new keep-alive connection: %r" % e)
                    continue
                # Closed by the server while idle: send it again, anew.
                count("retried")
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                try:
                    one(conn)
                    used = True
                    count("ok")
                except Exception as e2:
                    count("failed", "retry: %r" % e2)
                    conn.close()
                    conn = None
            except Exception as e:
                count("failed", "keep-alive: %r" % e)
                conn.close()
                conn = None
            time.sleep(max(0, 1 / RATE - (time.monotonic() - t0)))

    def fresh():
        while not os.path.exists(stop):
            t0 = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", "/", headers={"Connection": "close"})
                r = conn.getresponse()
                body = r.read()
                if r.status != 200 or not body.startswith(b"Hello"):
                    raise ValueError("status %d" % r.status)
                count("ok")
            except Exception as e:
                count("failed", "new connection: %r" % e)
            finally:
                conn.close()
            time.sleep(max(0, 1 / RATE - (time.monotonic() - t0)))

    t0 = time.monotonic()
    ts = [threading.Thread(target=keepalive), threading.Thread(target=fresh)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    secs = time.monotonic() - t0
    with open(out, "w") as f:
        f.write("%d %d %d %.0f\n" % (n["ok"], n["failed"], n["retried"],
                                      (n["ok"] + n["failed"]) / secs))
        for e in errors:
            f.write("# %s\n" % e)


def main():
    port, cmd = int(sys.argv[1]), sys.argv[2]
    if cmd == "keepalive":
        keepalive(port, sys.argv[3], int(sys.argv[4]))
    elif cmd == "raw":
        raw(port, sys.argv[3])
    elif cmd == "slowloris":
        slowloris(port, int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "hangup":
        hangup(port, sys.argv[3])
    elif cmd == "slowread":
        slowread(port, sys.argv[3], float(sys.argv[4]))
    elif cmd == "burst":
        burst(port, int(sys.argv[3]))
    elif cmd == "hold":
        hold(port, int(sys.argv[3]), sys.argv[4])
    elif cmd == "load":
        load(port, sys.argv[3], sys.argv[4])
    else:
        sys.exit("unknown command " + cmd)


main()
