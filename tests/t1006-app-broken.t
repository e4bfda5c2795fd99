#!/bin/sh
# An app that cannot be imported: exit 101 with the traceback in the log,
# and no respawn loop; the zygote tells the supervisor why (PROTO_FAILED,
# logged at debug level).  Bad flags: exit 100 with the reason.
. "$(dirname "$0")/lib.sh"
plan 12

mkdir "$T/app"
cat > "$T/app/broken.py" <<'PY'
import json
raise ImportError("this app is broken on purpose")
PY
"$FORKD" --app broken:app --chdir "$T/app" -w 2 -b 127.0.0.1:0 > "$LOG" 2>&1 &
FORKD_PID=$!
wait_for "! kill -0 $FORKD_PID" 20
wait $FORKD_PID
is $? 101 "an import error exits 101"
FORKD_PID=
is "$(loggrep 'ImportError: this app is broken on purpose')" 1 "the traceback is in the log"
is "$(loggrep 'zygote pid [0-9]+ starting')" 1 "the zygote was started once: no respawn loop"
is "$(loggrep 'worker [0-9]+ pid')" 0 "no worker was forked"

cat > "$T/app/noattr.py" <<'PY'
application = None
PY
"$FORKD" --app noattr:app --chdir "$T/app" -b 127.0.0.1:0 --log-level debug \
    > "$LOG" 2>&1
is $? 101 "a missing callable exits 101"
like "$(cat "$LOG")" "failed to find attribute 'app' in 'noattr'" "and says which"
is "$(loggrep "forkd\[[0-9]+\]: zygote pid [0-9]+ failed: cannot load the app noattr:app: AttributeError: failed to find attribute 'app' in 'noattr'$")" 1 \
    "the supervisor got the reason and the traceback's last line"

"$FORKD" --app app:app --bogus > "$LOG" 2>&1
is $? 100 "an unknown flag exits 100"
like "$(cat "$LOG")" "unknown option --bogus" "and names it"
"$FORKD" --app app:app -w 0 > "$LOG" 2>&1
is $? 100 "-w 0 exits 100"
"$FORKD" --app app:app -b 'nonsense' > "$LOG" 2>&1
is $? 100 "a malformed -b exits 100"
"$FORKD" --app app:app --chdir "$T/nowhere" -b 127.0.0.1:0 > "$LOG" 2>&1
is $? 100 "a missing --chdir exits 100"
done_testing
