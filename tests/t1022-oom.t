#!/bin/sh
# Fault S7: the kernel's OOM killer takes a worker.  forkd runs in a
# memory cgroup of its own with a 256 MiB limit; a request makes its
# worker allocate more.  The worker (oom_score_adj 200, the supervisor's
# is 0) is killed, and forkd says it was the OOM killer (the cgroup's
# oom_kill count grew), respawns it and serves on.  Needs root and a
# memory cgroup it can make (v1's memory controller or v2's).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root, to make a memory cgroup"
newest_only "supervisor logic"
CG=
v1=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup)
v2=$(sed -n 's/^0::\(.*\)$/\1/p' /proc/self/cgroup)
if [ -n "$v1" ] && [ -w "/sys/fs/cgroup/memory$v1" ]; then
	CG=/sys/fs/cgroup/memory${v1%/}/forkd-t1022-$$
	mkdir "$CG" 2>/dev/null && echo $((256 << 20)) > "$CG/memory.limit_in_bytes" 2>/dev/null || CG=
	[ -n "$CG" ] && [ -f "$CG/memory.memsw.limit_in_bytes" ] &&
	    echo $((256 << 20)) > "$CG/memory.memsw.limit_in_bytes" 2>/dev/null
elif [ -n "$v2" ] && grep -qw memory "/sys/fs/cgroup${v2%/}/cgroup.subtree_control" 2>/dev/null; then
	CG=/sys/fs/cgroup${v2%/}/forkd-t1022-$$
	mkdir "$CG" 2>/dev/null && echo $((256 << 20)) > "$CG/memory.max" 2>/dev/null || CG=
	[ -n "$CG" ] && echo 0 > "$CG/memory.swap.max" 2>/dev/null
fi
[ -n "$CG" ] || skip_all "no memory cgroup this test can make here"
plan 7

# forkd starts inside the cgroup: its zygote and workers are born there.
REAL=$FORKD
FORKD=$T/forkd-in-cgroup
printf '#!/bin/sh\necho $$ > "%s/cgroup.procs" || exit 111\nexec "%s" "$@"\n' "$CG" "$REAL" > "$FORKD"
chmod +x "$FORKD"

mkdir -p "$T/app"
cat > "$T/app/eat.py" <<'PY'
import os
hoard = []

def app(environ, start_response):
    if environ["PATH_INFO"] == "/eat":
        while True:
            hoard.append(b"x" * (32 << 20))     # written: charged
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"pid %d" % os.getpid()]
PY

start_forkd --app eat:app --chdir "$T/app" -w 1
ok $? "forkd starts in a memory cgroup of 256 MiB"
adj=$(cat "/proc/$(worker_pids | head -n 1)/oom_score_adj")
is "$adj:$(cat /proc/$FORKD_PID/oom_score_adj)" "200:0" "the worker's oom_score_adj is 200, the supervisor's 0"
before=$(get /)
status /eat > /dev/null
wait_for "[ \$(loggrep 'killed by SIGKILL from the kernel.s OOM killer') -ge 1 ]" 20
ok $? "the worker's death is put down to the OOM killer"
like "$(cat "$LOG")" "worker 1 pid [0-9]+ killed by SIGKILL from the kernel's OOM killer \(the memory cgroup counted [1-9][0-9]* more OOM kills\), respawning" "in stable words, with the count, and it is respawned"
wait_for "[ \"\$(get /)\" != \"$before\" ] && [ \"\$(get /)\" != curl-failed ]" 10
like "$(get /)" '^pid [0-9]+$' "a new worker answers ($(get /), was $before)"
ok $(kill -0 "$FORKD_PID"; echo $?) "the supervisor lives"
stop_forkd
is "$STATUS" 0 "forkd stops with exit 0"
wait_for "rmdir '$CG'" 5 || echo "# could not remove $CG" >&2
done_testing
