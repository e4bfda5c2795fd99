#!/bin/sh
# The admin socket and forkctl (doc/admin.md): stats and workers name the
# real processes, the socket is 0600, unknown commands are refused, app
# code in a worker and another user cannot use it, shutdown stops forkd
# gracefully and removes the socket, a crashed run's socket is replaced
# and a file at the path is never removed (fault S16).
. "$(dirname "$0")/lib.sh"
plan 18

mkdir -p "$T/app"
cat > "$T/app/adm.py" <<'PY'
import json, os, socket

def app(environ, start_response):
    # App code trying the admin socket, as a compromised app could.
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.environ["ADMIN_PATH"])
    try:
        s.sendall(b'{"cmd": "shutdown"}\n')
    except OSError:
        pass    # refused already: the answer waits in the socket
    body = s.makefile("rb").readline()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
PY

ADMIN_PATH=$ADMIN
export ADMIN_PATH
start_forkd --app adm:app --chdir "$T/app" -w 2
ok $? "forkd starts with its admin socket in \$RUNTIME_DIRECTORY"
like "$(cat "$LOG")" "admin socket $ADMIN" "and says where it is"
mode=$(stat -c %a "$ADMIN")
is "$mode" 600 "the socket is mode 0600"

out=$("$FORKCTL" --admin "$ADMIN" workers)
is $? 0 "forkctl workers exits 0"
want=$(worker_pids | sort -n | tr '\n' ' ')
got=$(printf '%s\n' "$out" | awk 'NR > 1 { print $2 }' | sort -n | tr '\n' ' ')
is "$got" "$want" "forkctl workers lists the running workers' pids"

json=$(RUNTIME_DIRECTORY=$T "$FORKCTL" stats --json)
is $? 0 "forkctl stats --json (options after the command, the default path)"
zpid=$(sed -n 's/.*zygote pid \([0-9]*\) ready.*/\1/p' "$LOG" | tail -n 1)
check=$(printf '%s' "$json" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
ws = sorted(w["pid"] for w in d["workers"])
print(d["ok"], d["pid"], d["zygote"]["pid"], d["zygote"]["state"],
      " ".join(map(str, ws)), d["totals"]["workers"],
      d["totals"]["pss_kib"] > 0)')
is "$check" "True $FORKD_PID $zpid ready $(echo $want) 2 True" \
    "stats: forkd's pid, the zygote's, the workers', totals with memory"

"$FORKCTL" --admin "$ADMIN" stats > "$T/stats" 2>&1
like "$(cat "$T/stats")" "zygote pid $zpid, generation 1, ready" "the stats table shows the zygote"

err=$("$PY" - "$ADMIN" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"cmd": "frobnicate"}\n')
print(s.makefile("rb").readline().decode().strip())
PY
)
is $? 0 "a command this forkd does not have gets an answer"
like "$err" '"ok": ?false.*unknown command .frobnicate.' "with the server's reason"

body=$(get /)
like "$body" '"ok": ?false.*not from a process forkd started' "app code in a worker is refused"
is "$(get /health 2>/dev/null | head -c 0; kill -0 "$FORKD_PID" && echo alive)" alive "and forkd keeps running"

# A worker counts a request once its answer is out: the client may
# read the answer first.
metrics_check() {
"$FORKCTL" --admin "$ADMIN" metrics > "$T/metrics"
"$PY" - "$T/metrics" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
good = re.compile(r'^(# (HELP|TYPE) .*|[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? [0-9.e+-]+)$')
bad = [l for l in text.splitlines() if not good.match(l)]
v = dict(l.rsplit(" ", 1) for l in text.splitlines() if not l.startswith("#"))
reqs = sum(float(x) for k, x in v.items() if k.startswith("forkd_worker_requests_total{"))
print(len(bad), v["forkd_workers"], int(reqs), v["forkd_request_duration_seconds_count"],
      float(v['forkd_memory_bytes{process="zygote",generation="1",kind="pss"}']) > 0)
PY
}
wait_for '[ "$(metrics_check)" = "0 2 2 2 True" ]' 5
check=$(metrics_check)
is "$check" "0 2 2 2 True" "forkctl metrics: Prometheus text, 2 workers, the 2 requests answered, memory"

if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	chmod 755 "$T"
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$FORKCTL" --admin "$ADMIN" stats 2>&1)
	rc=$?
	chmod 700 "$T"
	ok $([ $rc -eq 2 ] && echo "$err" | grep -q 'Permission denied'; echo $?) "another user cannot use it (exit $rc: $err)"
else
	ok 0 "# SKIP needs root and setpriv to try another user"
fi

out=$("$FORKCTL" --admin "$ADMIN" shutdown)
wait "$FORKD_PID"
STATUS=$?
FORKD_PID=
is "$STATUS" 0 "forkctl shutdown: forkd stops gracefully, exit 0"
ok $([ ! -e "$ADMIN" ]; echo $?) "and removes its socket"

# A crashed run's socket is replaced; a file at the path is left alone.
start_forkd --app adm:app --chdir "$T/app" -w 1
kill -KILL "$FORKD_PID"
wait "$FORKD_PID" 2>/dev/null
FORKD_PID=
wait_for "[ -z \"\$(worker_pids)\" ]" 5
start_forkd --app adm:app --chdir "$T/app" -w 1
ok $? "a socket left by a SIGKILLed forkd is replaced at the next start"
stop_forkd TERM
echo "not a socket" > "$ADMIN"
"$FORKD" -b 127.0.0.1:0 --app adm:app --chdir "$T/app" > "$LOG" 2>&1
rc=$?
ok $([ $rc -eq 111 ] && [ "$(cat "$ADMIN")" = "not a socket" ]; echo $?) "a file at the path: forkd refuses to start (exit $rc) and leaves it"
done_testing
