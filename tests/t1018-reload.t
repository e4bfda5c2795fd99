#!/bin/sh
# Reload by generation (doc/supervisor.md): forkctl reload imports the
# app's new code in a new zygote, whose workers serve before the old
# ones stop; a new generation that cannot import, or whose worker dies
# in its post_fork hook, fails and the old one keeps serving, and
# forkctl reload says why and exits 1; SIGHUP reloads, and HUPs during a
# reload coalesce into one more; the admin socket answers during a
# reload and refuses a second one (fault S13).
. "$(dirname "$0")/lib.sh"
plan 25

mkdir -p "$T/app"
cat > "$T/app/ver.py" <<'PY'
import os, time
import forkd

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = open(os.path.join(HERE, "version")).read().strip()
if os.path.exists(os.path.join(HERE, "broken")):
    raise RuntimeError("this version does not import")
if os.path.exists(os.path.join(HERE, "slow")):
    time.sleep(1.5)

@forkd.post_fork
def hook():
    if os.path.exists(os.path.join(HERE, "badhook")):
        raise RuntimeError("this version's post_fork hook fails")

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("v%s %d" % (VERSION, os.getpid())).encode()]
PY
echo 1 > "$T/app/version"

start_forkd --app ver:app --chdir "$T/app" -w 2
ok $? "forkd starts with 2 workers"
like "$(get /)" '^v1 ' "generation 1 answers"
old=$(worker_pids | sort -n | tr '\n' ' ')

echo 2 > "$T/app/version"
out=$("$FORKCTL" reload 2>&1)
is $? 0 "forkctl reload exits 0"
like "$out" 'generation 2 serves with 2 workers, [0-9.]+ s after the reload began' "and says generation 2 serves"
like "$(get /)" '^v2 ' "the new code answers"
wait_for "[ \$(worker_pids | wc -l) -eq 2 ]" 10
new=$(worker_pids | sort -n | tr '\n' ' ')
ok $([ -n "$new" ] && for p in $new; do case " $old " in *" $p "*) exit 1;; esac; done; echo $?) \
    "every worker was replaced ($old -> $new)"
ok $([ "$(loggrep 'reload: generation 2 is ready')" -eq 1 ] &&
    [ "$(grep -n 'worker 1 pid [0-9]* started (generation 2)' "$LOG" | cut -d: -f1)" -lt \
      "$(grep -n 'reload: generation 2 serves' "$LOG" | cut -d: -f1)" ]; echo $?) \
    "the new workers started before the reload was done"
json=$("$FORKCTL" stats --json)
check=$(printf '%s' "$json" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
g = {x["generation"]: x for x in d["generations"]}
print(d["zygote"]["generation"], sorted(set(w["generation"] for w in d["workers"])),
      g[2]["serving"], g[2]["origin"], d["totals"]["reloads"],
      g[2]["summary"]["app"], g[2]["summary_text"].startswith("python "))')
is "$check" "2 [2] True reload 1 ver:app True" "stats: generation 2 serves every worker, one reload done, its zygote's summary"

# A version that does not import: the reload fails, v2 keeps serving.
pids2=$(worker_pids | sort -n | tr '\n' ' ')
echo 3 > "$T/app/version"
touch "$T/app/broken"
err=$("$FORKCTL" reload 2>&1)
is $? 1 "a reload whose code does not import: forkctl exits 1"
like "$err" 'generation 3 failed: its zygote exited with status 101 before it was ready' "and says why"
like "$err" '  RuntimeError: this version does not import' "with the last lines of its traceback"
like "$(cat "$LOG")" 'RuntimeError: this version does not import' "the traceback is in the log"
like "$(get /)" '^v2 ' "generation 2 keeps serving"
is "$(worker_pids | sort -n | tr '\n' ' ')" "$pids2" "with the same workers"

# A version whose workers die in post_fork: fails after the zygote was ready.
rm -f "$T/app/broken"
touch "$T/app/badhook"
err=$("$FORKCTL" reload 2>&1)
is $? 1 "a reload whose workers die at start: forkctl exits 1"
like "$err" 'generation 4 failed: worker [0-9]+ pid [0-9]+ exited with status 101 before it served' "and says why"
wait_for "[ \"\$(worker_pids | sort -n | tr '\n' ' ')\" = \"$pids2\" ]" 10
is "$(worker_pids | sort -n | tr '\n' ' ')" "$pids2" "the old workers never stopped"
like "$(get /)" '^v2 ' "and still answer"

# SIGHUP, and HUPs during a slow reload coalesce; the admin socket
# answers during it and refuses a second reload.
rm -f "$T/app/badhook"
touch "$T/app/slow"
echo 5 > "$T/app/version"
n0=$(loggrep 'reload: generation [0-9]+ starting')
kill -HUP "$FORKD_PID"
wait_for "[ \$(loggrep 'reload: generation [0-9]+ starting') -gt $n0 ]" 5
for i in 1 2 3 4 5; do kill -HUP "$FORKD_PID"; done
ans=$("$PY" - "$ADMIN" <<'PY'
import socket, sys
def ask(req):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(req + b"\n")
    return s.makefile("rb").readline().decode().strip()
print(ask(b'{"cmd": "reload"}'))
print(ask(b'{"cmd": "stats"}')[:12])
PY
)
like "$ans" '"ok": ?false.*a reload is in progress \(generation 5\)' "a second reload during one is refused, with why (S13)"
like "$ans" '\{"ok": ?true' "stats answers during a reload (S13)"
wait_for "[ \$(loggrep 'reload: generation 6 serves') -ge 1 ]" 20
sleep 0.5
is "$(loggrep 'reload: generation [0-9]+ starting')" $((n0 + 2)) "six HUPs: the reload they started, and one more after it"
is "$(loggrep 'reload: generation 6 starting \(SIGHUP during the last one\)')" 1 "the log says so"
like "$(get /)" '^v5 ' "the new code answers"

stop_forkd
is "$STATUS" 0 "forkd stops with exit 0"
# A stopped worker may still be on its way out as forkd's last line is
# written: give the kernel a moment.
wait_for "[ \$(pgrep -fc 'forkd: .*app ver:app') -eq 0 ]" 5
is "$(pgrep -fc 'forkd: .*app ver:app')" 0 "no zygote or worker is left behind"
pgrep -fa 'forkd: .*app ver:app' | sed 's/^/# left: /' >&2
done_testing
