#!/bin/sh
# kill -9 of a worker: the supervisor logs it and a new worker serves
# within a second.
. "$(dirname "$0")/lib.sh"
plan 5

start_forkd --app app:app --chdir "$APPDIR" -w 1
ok $? "forkd starts one worker"
victim=$(worker_pids)
kill -9 "$victim"
t0=$(date +%s%N)
wait_for "[ \$(loggrep 'worker 1 pid [0-9]+ started') -ge 2 ]" 5
ok $? "a new worker is forked"
while [ "$(get /)" != "Hello from forkd" ]; do
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 3000 ] && break
	sleep 0.02
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok $([ $ms -lt 1000 ]; echo $?) "the new worker serves within a second (${ms} ms)"
is "$(loggrep "worker 1 pid $victim killed by SIGKILL, not from forkd.*, respawning")" 1 "the death is logged with pid and signal, and not put down to the OOM killer"
new=$(worker_pids)
ok $([ -n "$new" ] && [ "$new" != "$victim" ]; echo $?) "the new worker has a new pid ($victim -> $new)"
done_testing
