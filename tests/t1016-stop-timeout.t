#!/bin/sh
# Fault S4/S20: a graceful stop while a worker is stuck on a request.
# The worker gets --graceful-timeout to finish; then it is killed, and
# forkd still exits 0, since the stop was asked for.
. "$(dirname "$0")/lib.sh"
plan 4

mkdir -p "$T/app"
cat > "$T/app/slow.py" <<'PY'
import time

def app(environ, start_response):
    time.sleep(60)
    start_response("200 OK", [])
    return [b"late"]
PY

start_forkd --app slow:app --chdir "$T/app" -w 1 --graceful-timeout 2 --timeout 0
ok $? "forkd starts with --graceful-timeout 2"
curl -s --max-time 20 "$URL/" > /dev/null 2>&1 &
wait_for "\"$FORKCTL\" --admin \"$ADMIN\" workers | grep -q 'GET /'" 5
t0=$(date +%s%N)
stop_forkd TERM
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$STATUS" 0 "forkd exits 0: the stop was asked for"
ok $([ $ms -ge 1900 ] && [ $ms -le 4000 ]; echo $?) "after the 2 s of --graceful-timeout ($ms ms)"
like "$(cat "$LOG")" "stop timeout: killing 1 workers that are still running" "the kill is logged"
done_testing
