#!/bin/sh
# The zygote: the forkd module's hooks and ids, app factories, sys.path
# from --chdir/--pythonpath/PYTHONPATH/VIRTUAL_ENV, the refusal to fork
# a threaded process, the frozen heap, fresh random state per worker.
. "$(dirname "$0")/lib.sh"
plan 17

mkdir -p "$T/app" "$T/extra" "$T/envpath"
cat > "$T/extra/extra_mod.py" <<'PY'
WHERE = "pythonpath"
PY
cat > "$T/envpath/env_mod.py" <<'PY'
WHERE = "PYTHONPATH"
PY
cat > "$T/app/hooks.py" <<'PY'
import gc, os, random, sys
import forkd
import extra_mod, env_mod

state = {"pre": [], "post": [], "zygote_pid": os.getpid()}

@forkd.pre_fork
def pre():
    state["pre"].append(os.getpid())

ticks = [0]

@forkd.post_fork
def post():
    state["post"].append((forkd.worker_id(), os.getpid()))
    import threading, time
    def tick():
        while True:
            ticks[0] += 1
            time.sleep(0.01)
    threading.Thread(target=tick, daemon=True).start()

def create_app(greeting, punct="!"):
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/ticks":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [str(ticks[0]).encode()]
        if environ["PATH_INFO"] == "/slow":
            import time
            time.sleep(0.3)
        body = "%s%s wid=%d gen=%d pre=%r post=%r zygote=%d pid=%d frozen=%d rnd=%r gc=%s path0=%s extra=%s env=%s" % (
            greeting, punct, forkd.worker_id(), forkd.generation(),
            state["pre"], state["post"], state["zygote_pid"], os.getpid(),
            gc.get_freeze_count(), random.random(), gc.isenabled(),
            sys.path[0] if sys.path else "", extra_mod.WHERE, env_mod.WHERE)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body.encode()]
    return app
PY
PYTHONPATH=$T/envpath start_forkd --app 'hooks:create_app("hi", punct="?")' \
    --chdir "$T/app" --pythonpath "$T/extra" -w 2
ok $? "a factory spec with literal args starts"
r1=$(get /)
like "$r1" '^hi\? ' "the factory got its positional and keyword args"
like "$r1" 'pre=\[[0-9]+\]' "pre_fork ran once"
zpid=$(echo "$r1" | sed 's/.*zygote=\([0-9]*\).*/\1/')
like "$r1" "pre=\[$zpid\]" "pre_fork ran in the zygote"
like "$r1" 'post=\[\([12], [0-9]+\)\]' "post_fork ran once in this worker, with its id"
like "$r1" 'gen=1 ' "forkd.generation() is 1"
like "$r1" 'frozen=[1-9]' "the heap was frozen before fork"
like "$r1" 'gc=True' "the collector is on again in the worker"
like "$r1" "path0=$T/extra" "--pythonpath comes first on sys.path"
like "$r1" 'extra=pythonpath env=PYTHONPATH' "PYTHONPATH is honoured"
# Two workers: distinct ids and distinct random streams.
pids=
for i in 1 2 3 4; do
	curl -s --max-time 5 "$URL/slow" > "$T/par.$i" &
	pids="$pids $!"
done
wait $pids
seen=$(for f in "$T"/par.*; do cat "$f"; echo; done)
ids=$(echo "$seen" | sed -n 's/.*wid=\([0-9]*\).*/\1/p' | sort -u | tr '\n' ' ')
is "$ids" "1 2 " "concurrent requests reach both workers, ids 1 and 2"
w1=$(echo "$seen" | grep 'wid=1' | head -n 1 | sed 's/.*rnd=\([0-9.]*\).*/\1/')
w2=$(echo "$seen" | grep 'wid=2' | head -n 1 | sed 's/.*rnd=\([0-9.]*\).*/\1/')
ok $([ -n "$w1" ] && [ "$w1" != "$w2" ]; echo $?) "workers get different random state ($w1 vs $w2)"
# A thread started in post_fork runs while the worker waits for requests.
t1=$(get /ticks -H 'Connection: close')
sleep 1
t2=$(get /ticks -H 'Connection: close')
ok $([ $((t2 - t1)) -ge 30 ] 2>/dev/null; echo $?) "a post_fork thread runs while the worker is idle ($t1 -> $t2 ticks in 1 s)"
stop_forkd TERM

# A virtualenv made for this Python is honoured as a python command would.
if "$PY" -m venv --without-pip "$T/venv" 2>/dev/null; then
	site=$("$T/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
	echo 'WHERE = "venv"' > "$site/venv_mod.py"
	cat > "$T/app/venvapp.py" <<'PY'
import sys, venv_mod
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("%s %s" % (venv_mod.WHERE, sys.prefix)).encode()]
PY
	VIRTUAL_ENV=$T/venv start_forkd --app venvapp:app --chdir "$T/app"
	like "$(get /)" "^venv $T/venv" "VIRTUAL_ENV: its site-packages and sys.prefix"
	stop_forkd TERM
else
	ok 0 "# SKIP python -m venv unavailable"
fi

# Threads started at import: refuse to fork, exit 101, say why.
cat > "$T/app/threaded.py" <<'PY'
import threading, time
threading.Thread(target=time.sleep, args=(60,), name="app-poller", daemon=True).start()
def app(environ, start_response):
    start_response("200 OK", [])
    return [b""]
PY
"$FORKD" --app threaded:app --chdir "$T/app" -b 127.0.0.1:0 > "$LOG" 2>&1
is $? 101 "an app that starts threads at import exits 101"
like "$(cat "$LOG")" "started threads at import \(2 threads\)" "with a clear reason"
like "$(cat "$LOG")" "app-poller" "naming the thread"
done_testing
