#!/bin/sh
# --timeout (faults S3, S6): a worker stuck on one request past --timeout
# has its Python traceback logged, is killed and replaced, within
# [timeout, timeout + 2.5 s]; other workers keep serving; idle workers,
# even after the supervisor was stopped and continued, are never killed.
# The admin socket shows the request a worker is on.
. "$(dirname "$0")/lib.sh"
plan 12

mkdir -p "$T/app"
cat > "$T/app/stuck.py" <<'PY'
import time

def stuck_here():
    time.sleep(3600)

def app(environ, start_response):
    if environ["PATH_INFO"] == "/stuck":
        stuck_here()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
PY

start_forkd --app stuck:app --chdir "$T/app" -w 2 --timeout 2
ok $? "forkd starts with --timeout 2"
before=$(worker_pids | sort -n | tr '\n' ' ')
t0=$(date +%s%N)
curl -s --max-time 15 "$URL/stuck" > "$T/stuck.out" 2>&1 &
cpid=$!
wait_for "\"$FORKCTL\" --admin \"$ADMIN\" workers | grep -q 'GET /stuck'" 5
"$FORKCTL" --admin "$ADMIN" --json workers > "$T/w.json"
like "$(cat "$T/w.json")" '"request":"GET /stuck","request_s":' "the admin socket shows the request a worker is on"
wait_for "[ \$(loggrep 'WORKER TIMEOUT') -ge 1 ]" 10
ok $? "the stuck worker times out"
wait_for "[ \$(loggrep 'worker [0-9]+ pid [0-9]+ killed by SIGKILL|SIGKILL') -ge 1 ]" 5
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
ok $([ $ms -ge 2000 ] && [ $ms -le 4500 ]; echo $?) "killed ${ms} ms after the request began (--timeout 2: within 2-4.5 s)"
like "$(cat "$LOG")" "WORKER TIMEOUT: 'GET /stuck' has run [0-9.]+ s, over --timeout 2 s" "the log names the request"
like "$(cat "$LOG")" 'File "[^"]*stuck.py", line 4 in stuck_here' "and the worker's Python traceback, to the stuck line"
wait "$cpid"
rc=$?
ok $([ $rc -ne 0 ] || [ ! -s "$T/stuck.out" ]; echo $?) "the stuck client gets no answer (curl $rc), not a hang"
wait_for "[ \$(worker_pids | wc -l) -eq 2 ]" 10
ok $? "the slot is respawned: 2 workers again"
is "$(get /)" ok "and the server answers"

# S6: the supervisor stopped 3 s with idle workers: nobody is killed.
pids=$(worker_pids | sort -n | tr '\n' ' ')
kill -STOP "$FORKD_PID"
sleep 3
kill -CONT "$FORKD_PID"
sleep 1.5
is "$(worker_pids | sort -n | tr '\n' ' ')" "$pids" "after SIGSTOP/SIGCONT of the supervisor, idle workers are not killed"
is "$(loggrep 'WORKER TIMEOUT')" 1 "and no new timeout is logged"
stop_forkd TERM
is "$STATUS" 0 "forkd stops cleanly"
done_testing
