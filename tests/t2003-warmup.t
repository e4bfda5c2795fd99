#!/bin/sh
# Warmup in the zygote: a --warmup file for --warmup-rounds rounds and
# @forkd.warmup hooks with the in-process client, environ["forkd.warmup"],
# non-2xx answers reported, --warmup-strict, a bad file, the summary
# (in the log, and in READY's JSON).
. "$(dirname "$0")/lib.sh"
plan 21

mkdir "$T/app"
cat > "$T/app/warm.py" <<'PY'
import os
import forkd

log = []

@forkd.warmup
def warm(client):
    r = client.get("/hello", headers={"X-From": "hook"})
    log.append(("hook-get", r.status, r.body.decode()))
    r = client.post("/echo", body=b"posted", headers={"Content-Type": "text/plain"})
    log.append(("hook-post", r.status, r.body.decode(), dict(r.headers)["Content-Type"]))
    if os.environ.get("WARM_RAISE"):
        raise RuntimeError("hook failed on purpose")

@forkd.pre_fork
def pre():
    log.append(("pre_fork",))

def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/log":
        body = repr(log)
    elif path == "/echo":
        body = environ["wsgi.input"].read().decode()
    elif path == "/missing":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no"]
    else:
        body = "warm=%s from=%s" % (environ.get("forkd.warmup", False),
                                    environ.get("HTTP_X_FROM", "-"))
        log.append(("req", path, environ.get("forkd.warmup", False)))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
PY
cat > "$T/warm.txt" <<'TXT'
# a URL list and a POST with a body
GET /a
GET /b
X-From: file

POST /echo
Content-Type: text/plain
--
line one
line two
TXT

start_forkd --app warm:app --chdir "$T/app" --warmup "$T/warm.txt" --warmup-rounds 2 \
    --log-level debug
ok $? "forkd starts with a warmup file and a hook"
log=$(get /log)
is "$(echo "$log" | grep -o "('req', '/a', True)" | wc -l)" 2 "each file request ran once per round (2 rounds)"
like "$log" "\('hook-get', 200, 'warm=True from=hook'\)" "the hook's client.get reaches the app, headers included"
like "$log" "\('hook-post', 200, 'posted', 'text/plain'\)" "client.post sends its body; the response has headers"
like "$log" "\('req', '/b', True\).*\('pre_fork',\)" "pre_fork hooks run after warmup"
is "$(get /x -H 'X-From: live')" "warm=False from=live" "live requests do not carry forkd.warmup"
like "$(cat "$LOG")" "warmup: round 2/2 done: 10 requests so far, 0 not 2xx" "each round is logged"
like "$(cat "$LOG")" "warmup: 10 requests in [0-9.]+ s, 0 not 2xx; [0-9]+ of [0-9]+ code objects ran specialized, [0-9.]+% of their [0-9]+ specializable instructions specialized" "the summary gives requests, time and specialization"
like "$(cat "$LOG")" "zygote pid [0-9]+ ready: python [0-9.]+, app warm:app, imported in [0-9.]+ ms, warmup 10 requests in [0-9.]+ ms, (full|freeze) seal in [0-9.]+ ms$" \
    "the ready line sums up the import, the warmup and the seal"
ready=$(sed -n 's/.*zygote pid [0-9]* summary: //p' "$LOG" | "$PY" -c '
import json, sys
d = json.loads(sys.stdin.read())
w, s = d["warmup"], d["seal"]
print(d["app"], w["rounds"], w["requests"], w["non_2xx"], w["bytecode"]["codes"] > 0,
      s["mode"] in ("full", "freeze"), s["frozen"] > 0, d["import_ms"] >= 0)')
is "$ready" "warm:app 2 10 0 True True True True" "READY's JSON has the warmup's and the seal's figures"
stop_forkd TERM

# Off a TTY, 60 rounds log about a line per tenth, not 60.
start_forkd --app warm:app --chdir "$T/app" --warmup "$T/warm.txt" --warmup-rounds 60
n=$(loggrep 'warmup: round [0-9]+/60 done')
ok $([ "$n" -ge 10 ] && [ "$n" -le 13 ]; echo $?) "60 warmup rounds log $n progress lines (a tenth at a time, and the last)"
like "$(cat "$LOG")" "warmup: round 60/60 done" "the last round is logged"
stop_forkd TERM

printf 'GET /missing\n' > "$T/bad.txt"
start_forkd --app warm:app --chdir "$T/app" --warmup "$T/bad.txt"
ok $? "a non-2xx warmup answer is not fatal by default"
is "$(loggrep 'warmup: GET /missing answered 404')" 2 "it is reported, in each of the 2 default rounds"
stop_forkd TERM

"$FORKD" --app warm:app --chdir "$T/app" --warmup "$T/bad.txt" --warmup-strict -b 127.0.0.1:0 > "$LOG" 2>&1
is $? 101 "--warmup-strict: a non-2xx answer exits 101"
like "$(cat "$LOG")" "warmup failed and --warmup-strict is set" "and says why"

WARM_RAISE=1 start_forkd --app warm:app --chdir "$T/app"
ok $? "a raising hook is not fatal by default"
is "$(loggrep 'RuntimeError: hook failed on purpose')" 2 "its traceback is logged, in each of the 2 default rounds"
stop_forkd TERM
WARM_RAISE=1 "$FORKD" --app warm:app --chdir "$T/app" --warmup-strict -b 127.0.0.1:0 > "$LOG" 2>&1
is $? 101 "--warmup-strict: a raising hook exits 101"

printf 'GET /a\nnot a header\n' > "$T/broken.txt"
"$FORKD" --app warm:app --chdir "$T/app" --warmup "$T/broken.txt" -b 127.0.0.1:0 > "$LOG" 2>&1
is $? 100 "a malformed warmup file exits 100"
like "$(cat "$LOG")" "broken.txt: line 2: want" "naming the line"
done_testing
