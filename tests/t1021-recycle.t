#!/bin/sh
# Recycling (fault S9): --max-requests (with --max-requests-jitter) and
# --max-worker-memory replace a worker, its replacement serving before
# it is told to stop, one at a time, and no request fails meanwhile.
. "$(dirname "$0")/lib.sh"
plan 11

mkdir -p "$T/app"
cat > "$T/app/leak.py" <<'PY'
import os
hoard = []

def app(environ, start_response):
    if environ["PATH_INFO"] == "/grow":
        hoard.append(bytearray(40 << 20))   # 40 MiB, written: in the USS
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"pid %d" % os.getpid()]
PY

start_forkd --app leak:app --chdir "$T/app" -w 2 --max-requests 5 --max-requests-jitter 2
ok $? "forkd starts with --max-requests 5 --max-requests-jitter 2"
# Requests until three workers were replaced (bounded: 300).
codes=""
i=0
while [ $i -lt 300 ] && [ "$(loggrep 'replacing it')" -lt 3 ]; do
	codes="$codes$(status /)"
	i=$((i + 1))
done
is "$(printf '%s' "$codes" | sed 's/200//g')" "" "$i requests, every one answered 200"
is "$(loggrep 'replacing it')" 3 "three workers were replaced, one at a time"
lims=$(sed -n 's/.*answered \([0-9]*\) requests (--max-requests \([0-9]*\)): replacing it.*/\1 \2/p' "$LOG")
ok $(echo "$lims" | { bad=0; while read -r got lim; do
	[ "$lim" -ge 5 ] && [ "$lim" -le 7 ] && [ "$got" -ge "$lim" ] || bad=1; done; exit $bad; }; echo $?) \
    "each had answered its limit, 5 plus a jitter of 0 to 2 ($(echo $lims))"
wait_for "[ \"\$(\"$FORKCTL\" stats --json | \"$PY\" -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for w in d[\"workers\"] if w[\"state\"] == \"running\"))')\" = 2 ]" 10
n=$("$FORKCTL" stats --json | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(d["totals"]["recycled"], sum(1 for w in d["workers"] if w["state"] == "running"))')
like "$n" '^[3-9] 2$' "stats: workers recycled, 2 running ($n)"
stop_forkd
is "$STATUS" 0 "forkd stops with exit 0"

start_forkd --app leak:app --chdir "$T/app" -w 1 --max-worker-memory 30
ok $? "forkd starts with --max-worker-memory 30"
p1=$(get /)
p2=$(get /grow)
is "$p2" "$p1" "the worker grows by 40 MiB"
wait_for "[ \$(loggrep 'its USS is [0-9.]+ MiB \\(--max-worker-memory 30\\): replacing it') -ge 1 ]" 10
ok $? "it is replaced once its USS passes 30 MiB"
wait_for "[ \"\$(get /)\" != \"$p1\" ]" 10
like "$(get /)" '^pid [0-9]+$' "a new worker answers ($(get /), was $p1)"
stop_forkd
is "$STATUS" 0 "forkd stops with exit 0"
done_testing
