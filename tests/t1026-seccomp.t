#!/bin/sh
# --seccomp (fault S18): under default a worker's ptrace() answers EPERM
# and the worker says so once; under strict running a program stops the
# worker, which names the call first, and it is respawned; off loads no
# filter.
. "$(dirname "$0")/lib.sh"
newest_only "the worker's filter"
plan 8

mkdir -p "$T/app"
cat > "$T/app/sb.py" <<'PY'
import ctypes, errno, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)

def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/ptrace":
        # PTRACE_PEEKUSER on pid 1: refused by seccomp, or ESRCH/EPERM.
        r = libc.ptrace(3, 1, 0, 0)
        out = "ptrace %d %s" % (r, errno.errorcode.get(ctypes.get_errno()))
    elif path == "/exec":
        out = "exec %d" % subprocess.run(["/bin/true"]).returncode
    elif path == "/execv":
        os.execv("/bin/true", ["true"])
    else:
        out = "hello"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [out.encode()]
PY

start_forkd --app sb:app --chdir "$T/app" -w 1
ok $? "forkd starts (--seccomp default)"
is "$(get /ptrace)" "ptrace -1 EPERM" "ptrace answers EPERM"
get /ptrace > /dev/null
is "$(loggrep 'seccomp: ptrace denied \(EPERM\), --seccomp default; said once')" 1 \
    "the worker says so, once for two calls"
is "$(get /exec)" "exec 0" "running a program is allowed under default"
stop_forkd

start_forkd --app sb:app --chdir "$T/app" -w 1 --seccomp strict
w=$(worker_pids)
get /exec > /dev/null
wait_for "[ \$(loggrep 'killed by SIGSYS') -ge 1 ]" 10
like "$(cat "$LOG")" "worker 1 pid $w killed by SIGSYS: a system call --seccomp strict denies \\(running a program, or a process\\), respawning" \
    "strict: starting a program stops the worker; forkd says why, and respawns it"
wait_for "[ \$(loggrep 'worker 1 pid [0-9]+ started') -ge 2 ]" 10
get /execv > /dev/null
wait_for "[ \$(loggrep 'killed by SIGSYS') -ge 2 ]" 10
like "$(cat "$LOG")" "seccomp: execve is denied under --seccomp strict: the worker stops" \
    "a worker that can still run its handler names the call"
stop_forkd

start_forkd --app sb:app --chdir "$T/app" -w 1 --seccomp off
get /ptrace > /dev/null
is "$(loggrep 'seccomp:')" 0 "off: no filter, nothing said"
stop_forkd
is "$STATUS" 0 "forkd stops with exit 0"
done_testing
