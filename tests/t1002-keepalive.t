#!/bin/sh
# Keep-alive: several requests reuse one connection and one worker;
# Connection: close is honoured; pipelined requests are answered in order.
. "$(dirname "$0")/lib.sh"
plan 7

start_forkd --app app:app --chdir "$APPDIR" -w 2
ok $? "forkd starts"

out=$("$PY" "$TOP/tests/client.py" "$PORT" keepalive /pid 5)
is "$(echo "$out" | wc -l)" 5 "five requests on one connection"
is "$(echo "$out" | awk '{print $2}' | sort -u | wc -l)" 1 "they share one client socket"
is "$(echo "$out" | awk '{print $4}' | sort -u | wc -l)" 1 "and one worker pid"

resp=$("$PY" "$TOP/tests/client.py" "$PORT" raw 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
like "$resp" "Connection: close" "Connection: close is echoed and the server closes"

resp=$("$PY" "$TOP/tests/client.py" "$PORT" raw 'GET /echo?first HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
is "$(echo "$resp" | grep -o 'HTTP/1.1 200' | wc -l)" 2 "two pipelined requests get two answers"
is "$(echo "$resp" | grep -oE 'first|second' | tr '\n' ' ')" "first second " "in order"
done_testing
