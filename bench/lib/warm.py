"""warm.py PORT N CONCURRENCY [URLFILE]: N GET requests to 127.0.0.1:PORT,
one connection each, CONCURRENCY at a time (stdlib only).

Without URLFILE every request is GET / and must be a 200 whose body
starts with "Hello" (examples/hello).  With URLFILE (one path a line,
lines not starting with "/" ignored) the requests go through its paths
in order, round-robin (N = 0: each path once), and must answer 2xx; the
statuses seen per path are printed after the summary line, one
"STATUS PATH" line each.

Prints "warm: ok/N" first; exit 1 on any failure."""
import http.client
import sys
import threading

port, n, conc = (int(a) for a in sys.argv[1:4])
urls = None
if len(sys.argv) > 4:
    with open(sys.argv[4]) as f:
        urls = [line.strip() for line in f if line.startswith("/")]
    if not urls:
        sys.exit("warm: no path in %s" % sys.argv[4])
    if n == 0:
        n = len(urls)
lock = threading.Lock()
left = [n]
ok = [0]
bad = []
seen = {}


def run():
    while True:
        with lock:
            if left[0] == 0:
                return
            left[0] -= 1
            i = n - 1 - left[0]
        path = urls[i % len(urls)] if urls else "/"
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            c.close()
            if urls:
                good = 200 <= r.status < 300
            else:
                good = r.status == 200 and body.startswith(b"Hello")
            status = str(r.status)
            err = "%s %d %r" % (path, r.status, body[:40])
        except OSError as e:
            good, status, err = False, "error", "%s %r" % (path, e)
        with lock:
            seen.setdefault(path, set()).add(status)
            if good:
                ok[0] += 1
            elif len(bad) < 5:
                bad.append(err)


threads = [threading.Thread(target=run) for _ in range(conc)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("warm: %d/%d ok%s" % (ok[0], n, "".join("; " + b for b in bad)))
if urls:
    for path in urls:
        if path in seen:
            print("%s %s" % (",".join(sorted(seen.pop(path))), path))
sys.exit(0 if ok[0] == n else 1)
