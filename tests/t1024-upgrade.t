#!/bin/sh
# Binary upgrade (fault S11): SIGUSR2 starts the forkd binary its path
# names now beside the running one; the new forkd takes over the
# listening and admin sockets, and once its workers serve the old one
# stops gracefully, while a client keeps requests going and none fails.
# If the new binary cannot start, the old forkd serves on and says why.
# Supervisor logic: checked on the newest Python only.
. "$(dirname "$0")/lib.sh"

newest_only "supervisor logic"
plan 12

# A copy of the build, so that its forkd can be replaced.
mkdir -p "$T/bin"
cp "$FORKD_BUILD/forkd" "$FORKD_BUILD/forkd-zygote" "$T/bin/"
FORKD=$T/bin/forkd

start_forkd --app app:app --chdir "$APPDIR" -w 2
ok $? "forkd starts with 2 workers"
old=$FORKD_PID
"$PY" "$TOP/tests/client.py" "$PORT" load "$T/stop" "$T/result" &
client=$!
sleep 1

# The new binary: here the same file, put in place as a package would.
cp "$T/bin/forkd" "$T/bin/forkd.new"
mv "$T/bin/forkd.new" "$T/bin/forkd"
kill -USR2 "$old"
wait_for "[ \$(loggrep 'upgrade: forkd pid [0-9]+ serves: this one stops') -ge 1 ]" 20
ok $? "the new forkd's workers serve, and the old forkd hands over"
new=$(sed -n 's/.*upgrade: forkd pid \([0-9]*\) starting.*/\1/p' "$LOG" | head -n 1)
wait_for "! kill -0 $old" 10
ok $? "the old forkd exits"
wait "$old"
is $? 0 "with status 0"
FORKD_PID=$new
ok $(kill -0 "$new"; echo $?) "the new forkd ($new) runs"
like "$(cat "$LOG")" "forkd\\[$new\\]: listening on http://127.0.0.1:$PORT \\(the upgraded forkd's socket\\)" \
    "on the old forkd's listening socket"
is "$("$FORKCTL" stats --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')" "$new" \
    "the admin socket answers from the new forkd"
sleep 1
touch "$T/stop"
wait "$client"
read -r okn failed retried rps < "$T/result"
echo "# $okn answered, $failed failed, $retried sent again after a keep-alive close, $rps req/s" >&2
grep '^#' "$T/result" >&2
is "$failed" 0 "no request failed across the upgrade ($okn answered)"

# A binary that cannot start: the running forkd serves on.
printf '#!/bin/sh\necho "broken on purpose" >&2\nexit 111\n' > "$T/bin/forkd.new"
chmod +x "$T/bin/forkd.new"
mv "$T/bin/forkd.new" "$T/bin/forkd"
kill -USR2 "$new"
wait_for "[ \$(loggrep 'upgrade: forkd pid [0-9]+ exited with status 111 before it served; this one serves on') -ge 1 ]" 10
ok $? "a new binary that exits 111: the running forkd says so"
ok $(kill -0 "$new"; echo $?) "and runs on"
like "$(get /)" "Hello" "and answers"

kill -TERM "$new"
wait_for "! kill -0 $new" 10
ok $? "it stops on TERM"
FORKD_PID=
done_testing
