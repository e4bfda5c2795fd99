#!/bin/sh
# An exception in the app answers 500, logs the traceback, and the same
# worker keeps serving.
. "$(dirname "$0")/lib.sh"
plan 11

start_forkd --app app:app --chdir "$APPDIR" -w 1
ok $? "forkd starts one worker"
before=$(worker_pids)

is "$(status /error)" 500 "an app exception answers 500"
wait_for "[ \$(loggrep 'RuntimeError: boom') -ge 1 ]" 5
ok $? "the traceback is in the log"
is "$(loggrep 'GET /error: the app raised, answered 500')" 1 "one line names the request"
is "$(get /)" "Hello from forkd" "the worker answers the next request"
is "$(worker_pids)" "$before" "and it is the same worker process"
is "$(status /exit)" 500 "SystemExit in the app answers 500"
is "$(get /)" "Hello from forkd" "and does not end the worker"
is "$(worker_pids)" "$before" "(same process)"
is "$(status /badlen)" 500 "a body longer than the app's Content-Length answers 500"
is "$(loggrep 'sent more than its Content-Length')" 1 "and is logged"
done_testing
