#!/bin/sh
# Balanced keep-alive (doc/ARCHITECTURE.md): a worker busy in the app
# parks its other keep-alive connections with the supervisor, which
# hands each to an idle worker once a request comes on it.  With two
# workers and two keep-alive connections on the same worker, a slow
# request on one never holds up fast requests on the other; a moved
# connection keeps its requests in order, with the bytes of a head its
# first worker had read; 1,000 idle keep-alive connections cost no
# worker and are closed at --keep-alive; an idle connection outlives a
# reload; and --park-after 0 turns it off.
. "$(dirname "$0")/lib.sh"
newest_only "HTTP engine and supervisor logic"
plan 12

mkdir -p "$T/app"
cat > "$T/app/ka.py" <<'PY'
import os, time

def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/slow":
        time.sleep(2)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("%s %s %d" % (path, environ["QUERY_STRING"], os.getpid())).encode()]
PY

cat > "$T/ka.py" <<'PY'
import os, socket, sys, threading, time

port, what = int(sys.argv[1]), sys.argv[2]

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def req(path):
    return ("GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path).encode()

def answer(s, buf=b""):
    """One response (Content-Length framed): its body, and what follows."""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise EOFError("closed")
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    n = int([l.split(b":")[1] for l in head.split(b"\r\n")
             if l.lower().startswith(b"content-length")][0])
    while len(rest) < n:
        rest += s.recv(65536)
    return rest[:n].decode(), rest[n:]

def pid_of(body):
    return body.rsplit(" ", 1)[1]

def same_worker():
    """Two keep-alive connections one worker holds, and its pid.  A worker
    takes a new connection only while idle: open both, then use them."""
    for _ in range(50):
        a, b = conn(), conn()
        a.sendall(req("/a")); pa = pid_of(answer(a)[0])
        b.sendall(req("/b")); pb = pid_of(answer(b)[0])
        if pa == pb:
            return a, b, pa
        a.close(); b.close()
    print("never on one worker"); sys.exit(0)

if what == "slow-fast":
    a, b, pa = same_worker()
    res = {}
    def slow():
        a.sendall(req("/slow")); res["slow"] = answer(a)[0]
    t = threading.Thread(target=slow); t.start()
    time.sleep(0.3)
    worst, pids = 0.0, set()
    for i in range(20):
        t0 = time.monotonic()
        b.sendall(req("/fast?%d" % i))
        body = answer(b)[0]
        worst = max(worst, time.monotonic() - t0)
        pids.add(pid_of(body))
    t.join()
    print("%.0f %s %s" % (worst * 1000, pa in pids, pid_of(res["slow"]) == pa))

elif what == "pipeline":
    # b's first worker reads part of a head, then is busy on a: b moves
    # with those bytes, and its two pipelined requests come back in order.
    a, b, pa = same_worker()
    b.sendall(b"GET /one?1 HTTP/1.1\r\nHo")
    time.sleep(0.2)
    a.sendall(req("/slow"))
    time.sleep(0.3)
    b.sendall(b"st: t\r\n\r\n" + req("/two?2"))
    one, rest = answer(b)
    two, rest = answer(b, rest)
    answer(a)
    print(one.split(" ")[0], two.split(" ")[0], pid_of(one) != pa, pid_of(two) == pid_of(one))

elif what == "idle":
    n = int(sys.argv[3])
    socks = []
    for i in range(n):
        s = conn()
        s.sendall(req("/i?%d" % i))
        answer(s)
        socks.append(s)
    print("open", flush=True)
    t0 = time.monotonic()
    # Wait for the server to close them all (--keep-alive), bounded.
    closed = 0
    for s in socks:
        s.settimeout(max(0.1, 15 - (time.monotonic() - t0)))
        try:
            if s.recv(1) == b"":
                closed += 1
        except (socket.timeout, ConnectionResetError):
            pass
    print(closed, "%.1f" % (time.monotonic() - t0))

elif what == "reload":
    s = conn()
    s.sendall(req("/x?before")); before = pid_of(answer(s)[0])
    print(before, flush=True)
    sys.stdin.readline()            # the reload is done
    s.sendall(req("/x?after")); after = pid_of(answer(s)[0])
    print(after)
PY

start_forkd --app ka:app --chdir "$T/app" -w 2 --keep-alive 3
ok $? "forkd starts with 2 workers"

out=$("$PY" "$T/ka.py" "$PORT" slow-fast)
set -- $out
ok $([ "${1:-9999}" -lt 200 ]; echo $?) \
    "a fast request never waits for the slow one on its worker (worst of 20: ${1:-?} ms, the slow one takes 2000)"
is "${2:-}:${3:-}" "False:True" "the fast ones were answered by the other worker; the slow one by its own"

out=$("$PY" "$T/ka.py" "$PORT" pipeline)
is "$out" "/one /two True True" \
    "a moved connection keeps its requests in order, with the bytes of a head its first worker had read"

s0=$("$FORKCTL" stats --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["keepalive"]["forwarded"])')
ok $([ "$s0" -ge 2 ]; echo $?) "the supervisor forwarded the moved connections ($s0)"

# 1,000 idle keep-alive connections: parked after a second idle, so the
# workers hold none; closed at --keep-alive (3 s).
"$PY" "$T/ka.py" "$PORT" idle 1000 > "$T/idle.out" 2>&1 &
client=$!
wait_for "grep -q open '$T/idle.out'" 30
wait_for "[ \$(\"$FORKCTL\" stats --json | \"$PY\" -c 'import json,sys; print(json.load(sys.stdin)[\"keepalive\"][\"parked\"])') -ge 990 ]" 10
ok $? "1,000 idle connections are parked with the supervisor"
held=0
for w in $(worker_pids); do
	held=$((held + $(ls -l "/proc/$w/fd" | grep -c socket)))
done
ok $([ $held -lt 40 ]; echo $?) "the workers hold few sockets meanwhile ($held, listeners and queues included)"
wait "$client"
set -- $(tail -n 1 "$T/idle.out")
is "${1:-}" 1000 "all are closed at --keep-alive (in ${2:-?} s)"

# An idle connection outlives a reload: the new generation answers it.
mkfifo "$T/go"
"$PY" "$T/ka.py" "$PORT" reload < "$T/go" > "$T/reload.out" 2>&1 &
client=$!
exec 3> "$T/go"
wait_for "[ -s '$T/reload.out' ]" 10
"$FORKCTL" reload > /dev/null
echo >&3
exec 3>&-
wait "$client"
before=$(sed -n 1p "$T/reload.out")
after=$(sed -n 2p "$T/reload.out")
ok $([ -n "$after" ] && [ "$after" != "$before" ]; echo $?) \
    "a keep-alive connection idle over a reload is answered by the new generation ($before -> $after)"
stop_forkd
is "$STATUS" 0 "forkd stops with exit 0"

# Off: the slow request holds up the fast ones on its worker.
start_forkd --app ka:app --chdir "$T/app" -w 2 --park-after 0
out=$("$PY" "$T/ka.py" "$PORT" slow-fast)
set -- $out
ok $([ "${1:-0}" -ge 1000 ]; echo $?) \
    "with --park-after 0 the fast requests wait behind the slow one (${1:-?} ms)"
stop_forkd
is "$STATUS" 0 "and forkd stops with exit 0"
done_testing
