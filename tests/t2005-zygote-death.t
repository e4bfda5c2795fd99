#!/bin/sh
# The zygote dies while forking: every worker it forked is accounted
# for (no untracked duplicate), a new zygote takes over, the workers keep
# serving throughout, and a later stop reaches them all.
. "$(dirname "$0")/lib.sh"
plan 6

start_forkd --app app:app --chdir "$APPDIR" -w 12
ok $? "forkd starts 12 workers"
z=$(sed -n 's/.*zygote pid \([0-9]*\) ready.*/\1/p' "$LOG" | head -n 1)
# Kill a worker and the zygote at once: the respawn races the death.
kill -9 $(worker_pids | head -n 3) "$z"
wait_for "[ \$(loggrep 'zygote pid [0-9]+ ready') -ge 2 ]" 20
ok $? "a new zygote is started and ready"
count() { ps -o args= --ppid "$FORKD_PID" | grep -c '^forkd: worker'; }
wait_for "[ \$(count) -eq 12 ]" 10
is "$(count)" 12 "exactly 12 workers run: none lost, none untracked"
is "$(ps -o args= --ppid "$FORKD_PID" | grep '^forkd: worker' | sed 's/generation.*//' | sort | uniq -d | wc -l)" 0 "no slot has two workers"
is "$(get /)" "Hello from forkd" "forkd serves"
stop_forkd TERM
is "$STATUS" 0 "and stops cleanly, every worker reached"
done_testing
