#!/bin/sh
# Crash backoff, bounded: a worker that dies as soon as it starts is
# respawned after growing delays, and after 10 such deaths in a row
# forkd stops with exit 101 and says why, rather than retry forever.
# Supervisor logic, the same whatever Python the app runs on: checked on
# the newest one only (the backoff makes it take about 35 s).
. "$(dirname "$0")/lib.sh"

newest_only "supervisor logic"
plan 4

mkdir -p "$T/app"
cat > "$T/app/dies.py" <<'PY'
import os
import forkd

@forkd.post_fork
def die():
    os._exit(3)     # as a C extension crashing at start would

def app(environ, start_response):
    start_response("200 OK", [])
    return [b"never"]
PY

t0=$(date +%s)
"$FORKD" -b 127.0.0.1:0 --app dies:app --chdir "$T/app" -w 1 > "$LOG" 2>&1
rc=$?
t1=$(date +%s)
is "$rc" 101 "forkd stops with exit 101"
like "$(cat "$LOG")" "died within 1000 ms of starting 10 times in a row, stopping" "and says why"
is "$(loggrep 'respawning')" 9 "after 9 respawns"
ok $([ $((t1 - t0)) -ge 20 ] && [ $((t1 - t0)) -le 60 ]; echo $?) "with backoff between them ($((t1 - t0)) s in all)"
done_testing
