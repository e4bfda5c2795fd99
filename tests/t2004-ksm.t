#!/bin/sh
# --ksm marks the zygote and so every worker KSM-mergeable, and says
# plainly when the kernel's KSM is off.
. "$(dirname "$0")/lib.sh"
plan 3

start_forkd --app app:app --chdir "$APPDIR" -w 2 --ksm
ok $? "forkd starts with --ksm"
w=$(worker_pids | head -n 1)
if [ -r "/proc/$w/ksm_stat" ]; then
	like "$(cat "/proc/$w/ksm_stat")" "ksm_merge_any: yes" "a worker inherits PR_SET_MEMORY_MERGE"
else
	ok 0 "# SKIP this kernel has no /proc/PID/ksm_stat"
fi
if [ "$(cat /sys/kernel/mm/ksm/run 2>/dev/null)" = 1 ]; then
	is "$(loggrep 'mergeable by KSM')" 1 "KSM on: the log says the tree is mergeable"
else
	is "$(loggrep "KSM is off: nothing merges until root writes 1")" 1 "KSM off: the log says so and how to turn it on"
fi
done_testing
