#!/bin/sh
# S15, listen backlog overflow: one worker busy on a 3 s request, a
# --backlog of 4, and a burst of 20 connections.  The kernel queues 5 and
# drops the rest's SYNs, which their clients send again 1 s, then 2 s
# later.  forkd neither crashes nor sticks; the admin socket shows the
# full queue and the kernel's count of dropped connections; once the
# worker is free every client of the burst is answered, and a new one at
# once.  Kernel and HTTP engine behaviour, the same whatever Python the
# app runs on: checked on the newest one only.
. "$(dirname "$0")/lib.sh"

newest_only "kernel and HTTP engine behaviour"
# With it set the kernel resets the connections it cannot queue.
if [ "$(cat /proc/sys/net/ipv4/tcp_abort_on_overflow 2>/dev/null)" = 1 ]; then
	skip_all "net.ipv4.tcp_abort_on_overflow is 1"
fi
[ -r /proc/net/netstat ] || skip_all "no /proc/net/netstat"
plan 12

start_forkd --app app:app --chdir "$APPDIR" -w 1 --backlog 4
ok $? "forkd starts one worker with --backlog 4"
w=$(worker_pids)
stats() { "$FORKCTL" --admin "$ADMIN" --json stats; }
queue() { stats | sed -n 's/.*"queued":\([0-9]*\),"backlog":\([0-9]*\).*/\1 \2/p'; }
overflows() { stats | sed -n 's/.*"listen_overflows":\([0-9]*\).*/\1/p'; }
before=$(overflows)
is "$(queue)" "0 4" "the admin socket shows the listen queue: 0 queued, backlog 4"

get '/slow?s=3' > "$T/slow.out" &
slow=$!
wait_for "\"$FORKCTL\" --admin \"$ADMIN\" workers | grep -q 'GET /slow'" 5
"$PY" "$TOP/tests/client.py" "$PORT" burst 20 > "$T/burst.out" 2>&1 &
burst=$!
wait_for '[ "$(queue)" = "5 4" ]' 3
is "$(queue)" "5 4" "while the worker is busy the queue fills: 5 queued, backlog 4"
after=$(overflows)
"$FORKCTL" --admin "$ADMIN" metrics > "$T/metrics"
is "$(grep -c "^forkd_listen_\(queued\|backlog\){listener=\"http://127.0.0.1:$PORT\"} [45]\$" "$T/metrics")" 2 \
    "and its metrics: forkd_listen_queued 5, forkd_listen_backlog 4"
ok $([ -n "$after" ] && [ "$after" -gt "${before:-0}" ]; echo $?) \
    "the kernel's ListenOverflows, which stats shows, grows ($before -> $after)"

wait "$slow"
is "$(cat "$T/slow.out")" "slept" "the busy request finishes"
wait "$burst"
set -- $(cat "$T/burst.out")
is "$1 $2" "20 0" "every client of the burst is answered (slowest ${3:-?} ms)"

t0=$(date +%s%N)
is "$(get /)" "Hello from forkd" "a new request is answered"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok $([ $ms -lt 1000 ]; echo $?) "at once (${ms} ms)"
is "$(queue)" "0 4" "the queue is empty again"
is "$(worker_pids)" "$w" "the same worker serves"
is "$(loggrep 'killed by|respawning')" 0 "no worker died"
done_testing
