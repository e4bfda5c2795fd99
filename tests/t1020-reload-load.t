#!/bin/sh
# Reload under load (fault S10): 20 reloads while a client keeps at
# least 200 requests a second going over keep-alive connections and over
# new ones, and not one request fails.
#
# A request on a reused keep-alive connection that the server closed
# before any byte of an answer is sent again on a new connection, as
# HTTP clients and proxies do for idempotent requests (RFC 9112, 9.3.1);
# those are counted apart.  Any other error, a status other than 200, or
# a new connection that gets no answer is a failure.  Supervisor logic:
# checked on the newest Python only.
. "$(dirname "$0")/lib.sh"

newest=$("$TOP/scripts/find-python.sh" | head -n 1 | cut -d' ' -f1)
if [ -n "${FORKD_PYVER:-}" ] && [ "$FORKD_PYVER" != "$newest" ]; then
	skip_all "supervisor logic, checked once, on the newest Python ($newest)"
fi
plan 7

start_forkd --app app:app --chdir "$APPDIR" -w 2
ok $? "forkd starts with 2 workers"

cat > "$T/client.py" <<'PY'
import http.client, os, sys, threading, time

port, stop, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
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
PY
"$PY" "$T/client.py" "$PORT" "$T/stop" "$T/result" &
client=$!
sleep 1

t0=$(date +%s%N)
done_ok=0
i=0
while [ $i -lt 20 ]; do
	"$FORKCTL" --timeout 60 reload > "$T/reload.out" 2>&1 && done_ok=$((done_ok + 1))
	i=$((i + 1))
done
t1=$(date +%s%N)
sleep 1
touch "$T/stop"
wait "$client"
read -r okn failed retried rps < "$T/result"
echo "# $okn requests answered, $failed failed, $retried sent again after a keep-alive close; $rps req/s; 20 reloads in $(( (t1 - t0) / 1000000 )) ms" >&2
grep '^#' "$T/result" >&2

is "$done_ok" 20 "20 reloads, each reported done by forkctl"
is "$failed" 0 "no request failed"
ok $([ "$rps" -ge 200 ]; echo $?) "the client kept at least 200 req/s ($rps)"
ok $([ "$okn" -gt 0 ]; echo $?) "requests were answered ($okn)"
check=$("$FORKCTL" stats --json | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(d["totals"]["reloads"], d["zygote"]["generation"],
      sorted(set(w["generation"] for w in d["workers"])))')
is "$check" "20 21 [21]" "stats: 20 reloads, generation 21 serves every worker"
stop_forkd
is "$STATUS" 0 "forkd stops with exit 0"
done_testing
