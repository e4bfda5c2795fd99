#!/bin/sh
# Listeners: several -b, IPv6, unix sockets; a port in use exits 111;
# the workers and the zygote die with the supervisor.
. "$(dirname "$0")/lib.sh"
plan 9

sock=$T/app.sock
start_forkd --app app:app --chdir "$APPDIR" -b "unix:$sock" -b '[::1]:0'
ok $? "forkd starts on TCP, unix and IPv6 listeners at once"
is "$(get /)" "Hello from forkd" "the IPv4 listener answers"
is "$(curl -s --max-time 5 --unix-socket "$sock" http://x/)" "Hello from forkd" "the unix socket answers"
p6=$(sed -n 's|.*listening on http://\[::1\]:\([0-9]*\).*|\1|p' "$LOG")
if [ -n "$p6" ] && curl -s --max-time 2 "http://[::1]:$p6/" > /dev/null 2>&1; then
	is "$(curl -s --max-time 5 "http://[::1]:$p6/")" "Hello from forkd" "the IPv6 listener answers"
else
	ok 0 "# SKIP no IPv6 loopback here"
fi
like "$(get /env)" '"REMOTE_ADDR": "127.0.0.1"' "REMOTE_ADDR is the peer's address"

# Someone else's port: bind fails, exit 111 with the reason.
"$FORKD" --app app:app --chdir "$APPDIR" -b "127.0.0.1:$PORT" > "$T/log2" 2>&1
is $? 111 "a port in use exits 111"
like "$(cat "$T/log2")" "Address already in use" "and says why"

# kill -9 of the supervisor takes the zygote and the workers with it.
kids=$(ps -o pid= --ppid "$FORKD_PID" | tr -d ' ' | tr '\n' ' ')
kill -9 "$FORKD_PID"
wait "$FORKD_PID" 2>/dev/null
FORKD_PID=
gone() { for k in $kids; do kill -0 "$k" 2>/dev/null && return 1; done; return 0; }
wait_for gone 5
ok $? "the zygote and workers die with the supervisor"
ok $([ -n "$kids" ]; echo $?) "(there were children to check: $kids)"
done_testing
