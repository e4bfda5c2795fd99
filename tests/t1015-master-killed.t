#!/bin/sh
# Fault S5: the supervisor SIGKILLed.  Its zygote and every worker exit
# within a second (PR_SET_PDEATHSIG, set after adoption and checked
# against the fork race), the listening port is free for the next start,
# and the next forkd replaces the dead one's admin socket.
. "$(dirname "$0")/lib.sh"
plan 5

# running PIDS: those still running (a zombie waiting for init to reap it
# has exited).
running() {
	for _p in "$@"; do
		_s=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
		    "/proc/$_p/status" 2>/dev/null)
		[ -n "$_s" ] && [ "$_s" != Z ] && [ "$_s" != X ] && echo "$_p"
	done
}

start_forkd --app app:app --chdir "$APPDIR" -w 4
ok $? "forkd starts 4 workers"
port=$PORT
zpid=$(sed -n 's/.*zygote pid \([0-9]*\) ready.*/\1/p' "$LOG" | head -n 1)
pids="$zpid $(worker_pids | tr '\n' ' ')"
kill -KILL "$FORKD_PID"
wait "$FORKD_PID" 2>/dev/null
FORKD_PID=
t0=$(date +%s%N)
wait_for "[ -z \"\$(running $pids)\" ]" 5
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$(running $pids)" "" "the zygote and the 4 workers are gone"
ok $([ $ms -le 1000 ]; echo $?) "within a second ($ms ms)"

: > "$LOG"
"$FORKD" -b "127.0.0.1:$port" --app app:app --chdir "$APPDIR" >> "$LOG" 2>&1 &
FORKD_PID=$!
wait_for "[ \$(loggrep 'worker [0-9]+ pid [0-9]+ started') -ge 1 ] || ! kill -0 $FORKD_PID" 20
is "$(curl -s --max-time 5 "http://127.0.0.1:$port/")" "Hello from forkd" "a new forkd binds the same port and serves"
like "$(cat "$LOG")" "admin socket $ADMIN" "and takes over the dead one's admin socket"
stop_forkd TERM
done_testing
