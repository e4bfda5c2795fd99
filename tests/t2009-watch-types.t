#!/bin/sh
# --watch-types: a worker logs each sealed class it modifies, with the
# attribute and the line, once per class and attribute; without the
# flag nothing is logged; on 3.11 (no type watchers) it says so and
# serves anyway.
. "$(dirname "$0")/lib.sh"
plan 6

mkdir "$T/app"
cat > "$T/app/mut.py" <<'PY'
class Settings:
    hits = 0
    tmp = 1

def app(environ, start_response):
    if environ["PATH_INFO"] == "/mutate":
        Settings.hits += 1                  # the store to name
        n = Settings.hits
    else:
        n = 0
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(n).encode()]
PY
line=$(grep -n 'the store to name' "$T/app/mut.py" | cut -d: -f1)
minor=$("$PY" -c 'import sys; print(sys.version_info[1])')

start_forkd --app mut:app --chdir "$T/app" -w 1 --watch-types
for i in 1 2 3; do get /mutate > /dev/null; done
is "$(get /mutate)" 4 "the app mutates its class and answers"
if [ "$minor" -ge 12 ]; then
	wait_for "[ \$(loggrep 'watch-types: class Settings modified') -ge 1 ]" 5
	like "$(cat "$LOG")" "watch-types: class Settings modified in a worker: attribute hits set at .*mut.py:$line" \
	    "the class, the attribute and the line are logged"
	is "$(loggrep 'watch-types: class Settings modified')" 1 "once, however often it happens"
	like "$(cat "$LOG")" "seal: watch-types: [1-9][0-9]* classes watched" "the seal says how many classes it watches"
else
	like "$(cat "$LOG")" "watch-types:.*needs Python 3.12" "3.$minor: it says type watchers need 3.12"
	ok 0 "# SKIP 3.$minor has no type watchers"
	ok 0 "# SKIP 3.$minor has no type watchers"
fi
stop_forkd TERM
is "$STATUS" 0 "forkd stops cleanly"

start_forkd --app mut:app --chdir "$T/app" -w 1
get /mutate > /dev/null
is "$(loggrep 'watch-types')" 0 "without --watch-types nothing is watched or logged"
stop_forkd TERM
done_testing
