#!/bin/sh
# Scaling (doc/admin.md): TTIN adds a worker and TTOU removes one, as in
# gunicorn; forkctl scale N sets the number; the highest slots' workers
# stop gracefully, the others are untouched.  A storm of HUP, TTIN, TTOU
# and USR1 (fault S12) leaves forkd serving with as many workers as it
# says it wants, and no zombie.
. "$(dirname "$0")/lib.sh"
plan 16

running() {
	"$FORKCTL" stats --json | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for w in d["workers"] if w["state"] == "running"), d["workers_wanted"])'
}

start_forkd --app app:app --chdir "$APPDIR" -w 2
ok $? "forkd starts with 2 workers"
first=$(sed -n 's/.*worker 1 pid \([0-9]*\) started.*/\1/p' "$LOG" | head -n 1)

kill -TTIN "$FORKD_PID"
wait_for "[ \"\$(running)\" = '3 3' ]" 10
is "$(running)" "3 3" "TTIN: a third worker runs"
like "$(cat "$LOG")" 'scale: 3 workers \(were 2\)' "the log says so"

kill -TTOU "$FORKD_PID"
wait_for "[ \"\$(running)\" = '2 2' ]" 10
kill -TTOU "$FORKD_PID"
wait_for "[ \"\$(running)\" = '1 1' ] && [ \$(worker_pids | wc -l) -eq 1 ]" 10
is "$(running)" "1 1" "TTOU twice: one worker"
is "$(worker_pids)" "$first" "the one left is slot 1's, never stopped"
kill -TTOU "$FORKD_PID"
wait_for "[ \$(loggrep 'SIGTTOU: one worker already') -ge 1 ]" 5
ok $? "TTOU at one worker: refused, and logged"

out=$("$FORKCTL" scale 3)
is $? 0 "forkctl scale 3 exits 0"
like "$out" 'scale: 3 workers \(were 1\)' "and says what changed"
wait_for "[ \"\$(running)\" = '3 3' ]" 10
is "$(running)" "3 3" "three workers run"
"$FORKCTL" scale 0 > /dev/null 2>&1
is $? 100 "forkctl scale 0: a usage error"
err=$("$PY" - "$ADMIN" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"cmd": "scale", "workers": 5000}\n')
print(s.makefile("rb").readline().decode().strip())
PY
)
like "$err" '"ok": ?false.*want 1 to 4096 workers' "the admin socket refuses 5000 workers, with why"

# S12: a storm of signals.
i=0
while [ $i -lt 20 ]; do
	for s in TTIN HUP TTOU USR1 TTIN; do kill -$s "$FORKD_PID"; done
	i=$((i + 1))
done
wait_for "[ \$(loggrep 'reload: generation [0-9]+ serves') -ge 1 ]" 20
settled() {
	_r=$(running)
	[ "${_r% *}" = "${_r#* }" ] && [ "$(worker_pids | wc -l)" -eq "${_r#* }" ]
}
wait_for "settled" 40
ok $? "after a storm of 100 signals the workers running are the workers wanted ($(running))"
ok $(kill -0 "$FORKD_PID"; echo $?) "forkd runs on"
like "$(get /)" "Hello" "and answers"
is "$(ps -o stat= --ppid "$FORKD_PID" | grep -c Z)" 0 "no zombie"

stop_forkd
is "$STATUS" 0 "forkd stops with exit 0"
done_testing
