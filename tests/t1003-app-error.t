#!/bin/sh
# An exception in the app answers 500, logs the traceback, and the same
# worker keeps serving.
. "$(dirname "$0")/lib.sh"
plan 6

start_forkd --app app:app --chdir "$APPDIR" -w 1
ok $? "forkd starts one worker"
before=$(worker_pids)

is "$(status /error)" 500 "an app exception answers 500"
wait_for "[ \$(loggrep 'RuntimeError: boom') -ge 1 ]" 5
ok $? "the traceback is in the log"
is "$(loggrep 'GET /error: the app raised, answered 500')" 1 "one line names the request"
is "$(get /)" "Hello from forkd" "the worker answers the next request"
is "$(worker_pids)" "$before" "and it is the same worker process"
done_testing
