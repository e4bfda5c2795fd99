#!/bin/sh
# Slow and vanishing clients: one worker keeps answering while 50 clients
# trickle their heads, and a client that hangs up mid-response gets the
# app's iterable closed without harm to the worker.
. "$(dirname "$0")/lib.sh"
plan 6

start_forkd --app app:app --chdir "$APPDIR" -w 1
ok $? "forkd starts one worker"
before=$(worker_pids)
worst=$("$PY" "$TOP/tests/client.py" "$PORT" slowloris 50 3)
ok $([ -n "$worst" ] && [ "$worst" -lt 1000 ]; echo $?) "50 slow clients: the slowest other request took ${worst} ms"

"$PY" "$TOP/tests/client.py" "$PORT" hangup '/stream?n=2000000'
wait_for "[ \$(loggrep 'stream closed') -ge 1 ]" 10
ok $? "a client gone mid-response: the iterable's close() runs"
is "$(get /)" "Hello from forkd" "the worker goes on serving"
is "$(worker_pids)" "$before" "and it is the same process"
is "$(loggrep 'killed by|respawning')" 0 "no worker died"
done_testing
