#!/bin/sh
# S14, accept() fails with EMFILE: a worker under `ulimit -n 1024` holds
# as many keep-alive connections as it has descriptors left, and more
# wait in the listen queue.  It must not spin on the listener (its CPU
# time stays flat), it says so once, not once per try, and once the
# connections close it serves the ones that waited and new ones.
# HTTP engine logic, the same whatever Python the app runs on: checked
# on the newest one only.
. "$(dirname "$0")/lib.sh"

newest_only "HTTP engine logic"
# 1024 is the usual default; forkd needs more than 1001 (its zygote's
# descriptors 1000 and 1001), so it is also about the least it runs with.
limit=1024
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $((limit + 100)) ]; then
	skip_all "the client needs more than $limit descriptors (hard limit $hard)"
fi
ulimit -Sn $limit || skip_all "cannot set ulimit -n $limit"
plan 11

# --keep-alive 60: idle connections must not be closed under the test;
# --park-after 0: nor parked with the supervisor after a second idle
# (balanced keep-alive), which would free the worker's descriptors.
start_forkd --app app:app --chdir "$APPDIR" -w 1 --keep-alive 60 --park-after 0
ok $? "forkd starts one worker under ulimit -n $limit"
w=$(worker_pids)
is "$(sed -n 's/^Max open files *\([0-9]*\).*/\1/p' "/proc/$w/limits")" $limit \
    "the worker inherits the limit"

# Every descriptor below the limit that is not open is room for one
# connection; 5 more wait in the listen queue.
room=$((limit - $(ls "/proc/$w/fd" | wc -l)))
"$PY" "$TOP/tests/client.py" "$PORT" hold $((room + 5)) "$T/release" \
    > "$T/hold.out" 2>"$T/hold.err" &
client=$!
wait_for "[ -s '$T/hold.out' ]" 15
is "$(head -n 1 "$T/hold.out")" "$room" \
    "the worker answers as many connections as it has descriptors ($room)"
wait_for "[ \$(loggrep 'accept failed') -ge 1 ]" 5
ok $([ "$(loggrep "worker\.1\[$w\]: accept failed, not accepting for 100 ms at a time until it works again: Too many open files")" -ge 1 ]; echo $?) \
    "EMFILE is logged"

# Before the fix this was 100% of a CPU: accept, EMFILE, epoll_wait
# returns at once, thousands of times a second.
cputime() { sed 's/.*) //' "/proc/$w/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)
c0=$(cputime)
sleep 1
c1=$(cputime)
ticks=$((c1 - c0))
ok $([ $ticks -le $((hz / 20)) ]; echo $?) \
    "the worker does not spin while it cannot accept ($ticks of $hz ticks in 1 s)"
is "$(loggrep 'accept failed')" 1 "the failure is logged once, not once per try"

touch "$T/release"
wait "$client"
is "$(sed -n 2p "$T/hold.out")" 5 \
    "once connections close, the 5 that waited in the queue are answered"
is "$(loggrep 'accept works again, after [0-9]+ failed tries in [0-9]+ ms')" 1 \
    "the recovery is logged"
is "$(get /)" "Hello from forkd" "a new connection is answered"
is "$(worker_pids)" "$w" "by the same worker"
is "$(loggrep 'killed by|respawning')" 0 "no worker died"
done_testing
