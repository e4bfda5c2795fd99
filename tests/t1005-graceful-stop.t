#!/bin/sh
# SIGTERM with a slow request in flight: it completes, new connections
# are refused, and forkd exits 0.  SIGINT stops at once.
. "$(dirname "$0")/lib.sh"
plan 10

start_forkd --app app:app --chdir "$APPDIR" -w 1
ok $? "forkd starts"
curl -s --max-time 10 "$URL/slow?s=2" > "$T/slow" &
cpid=$!
wait_for "ss -tn state established '( dport = :$PORT )' | grep -q $PORT" 5
t0=$(date +%s)
stop_forkd TERM
t1=$(date +%s)
wait $cpid
is "$(cat "$T/slow")" "slept" "the request in flight completes"
is "$STATUS" 0 "forkd exits 0"
ok $([ $((t1 - t0)) -ge 1 ]; echo $?) "it waited for the request ($((t1 - t0)) s)"
is "$(loggrep 'stopped, exit 0')" 1 "the stop is logged"

start_forkd --app app:app --chdir "$APPDIR" -w 1
curl -s --max-time 10 "$URL/slow?s=5" > /dev/null &
wait_for "ss -tn state established '( dport = :$PORT )' | grep -q $PORT" 5
t0=$(date +%s%N)
stop_forkd INT
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$STATUS" 0 "SIGINT: exit 0"
ok $([ $ms -lt 3000 ]; echo $?) "SIGINT does not wait for the slow request (${ms} ms)"

# A request longer than --graceful-timeout is cut off by SIGKILL.
start_forkd --app app:app --chdir "$APPDIR" -w 1 --graceful-timeout 1
curl -s --max-time 10 "$URL/slow?s=6" > /dev/null &
wait_for "ss -tn state established '( dport = :$PORT )' | grep -q $PORT" 5
t0=$(date +%s%N)
stop_forkd TERM
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$STATUS" 0 "a graceful stop that times out still exits 0"
ok $([ $ms -ge 900 ] && [ $ms -lt 4000 ]; echo $?) "after about --graceful-timeout 1 (${ms} ms)"
is "$(loggrep 'stop timeout: killing 1 workers')" 1 "the kill is logged"
done_testing
