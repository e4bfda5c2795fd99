"""warm.py PORT N CONCURRENCY: N GET / requests to 127.0.0.1:PORT, one
connection each, CONCURRENCY at a time (stdlib only).  Checks each is a
200 whose body starts with "Hello"; prints "warm: ok/N"; exit 1 on any
failure."""
import http.client
import sys
import threading

port, n, conc = (int(a) for a in sys.argv[1:4])
lock = threading.Lock()
left = [n]
ok = [0]
bad = []


def run():
    while True:
        with lock:
            if left[0] == 0:
                return
            left[0] -= 1
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/")
            r = c.getresponse()
            body = r.read()
            c.close()
            good = r.status == 200 and body.startswith(b"Hello")
            err = "%d %r" % (r.status, body[:40])
        except OSError as e:
            good, err = False, repr(e)
        with lock:
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
sys.exit(0 if ok[0] == n else 1)
