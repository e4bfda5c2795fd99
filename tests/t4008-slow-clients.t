#!/bin/sh
# Slow and vanishing clients: one worker keeps answering while 50 clients
# trickle their heads, and while a client does not read a 3 MB answer
# (held for it, up to 4 MiB a connection); a client that hangs up
# mid-response gets the app's iterable closed without harm to the worker.
. "$(dirname "$0")/lib.sh"
plan 8

start_forkd --app app:app --chdir "$APPDIR" -w 1
ok $? "forkd starts one worker"
before=$(worker_pids)
worst=$("$PY" "$TOP/tests/client.py" "$PORT" slowloris 50 3)
ok $([ -n "$worst" ] && [ "$worst" -lt 1000 ]; echo $?) "50 slow clients: the slowest other request took ${worst} ms"

set -- $("$PY" "$TOP/tests/client.py" "$PORT" slowread '/big?n=3000000' 2)
ok $([ -n "$1" ] && [ "$1" -lt 1000 ]; echo $?) "a client not reading 3 MB does not hold the worker (slowest other request ${1} ms)"
ok $([ "${2:-0}" -gt 3000000 ]; echo $?) "and it gets the whole answer when it reads (${2} bytes)"

"$PY" "$TOP/tests/client.py" "$PORT" hangup '/stream?n=2000000'
wait_for "[ \$(loggrep 'stream closed') -ge 1 ]" 10
ok $? "a client gone mid-response: the iterable's close() runs"
is "$(get /)" "Hello from forkd" "the worker goes on serving"
is "$(worker_pids)" "$before" "and it is the same process"
is "$(loggrep 'killed by|respawning')" 0 "no worker died"
done_testing
