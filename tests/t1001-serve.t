#!/bin/sh
# The walking skeleton end to end: supervisor, zygote and workers in ps,
# GET/POST/HEAD/HTTP/1.0, the PEP 3333 environ, write(), iterables with
# close().
. "$(dirname "$0")/lib.sh"
plan 19

start_forkd --app app:app --chdir "$APPDIR" -w 3
ok $? "forkd starts 3 workers"

is "$(get /)" "Hello from forkd" "GET / answers"
is "$(get /echo -d 'posted body')" "posted body" "POST body is echoed"
is "$(get '/echo?a=1&b=2')" "a=1&b=2" "query string reaches the app"
big=$(head -c 300000 /dev/zero | tr '\0' 'x')
is "$(printf %s "$big" | curl -s --max-time 10 --data-binary @- "$URL/echo" | wc -c)" 300000 "a 300 kB body round-trips"
is "$(status /nope)" 404 "the app's 404 passes through"
h=$(curl -s -I --max-time 5 "$URL/")
like "$h" "^HTTP/1.1 200" "HEAD answers 200"
like "$h" "Content-Length: 17" "HEAD keeps the Content-Length"
is "$(curl -s --http1.0 --max-time 5 "$URL/")" "Hello from forkd" "HTTP/1.0 is served"
is "$(get /write)" "written and returned" "the write() callable and the iterable both reach the client"
is "$(get '/stream?n=4' | wc -l)" 4 "a generator body is streamed"
wait_for "[ \$(loggrep 'stream closed') -ge 1 ]" 5
ok $? "close() of the iterable is called"
like "$(curl -s -i --max-time 5 "$URL/stream")" "Transfer-Encoding: chunked" "an unknown-length body is chunked on HTTP/1.1"

env=$(get '/env?x=%20y' -H 'X-Custom: one' -H 'X-Custom: two')
like "$env" '"PATH_INFO": "/env"' "PATH_INFO"
like "$env" '"QUERY_STRING": "x=%20y"' "QUERY_STRING stays encoded"
like "$env" '"HTTP_X_CUSTOM": "one,two"' "repeated headers join with a comma"
like "$env" '"wsgi.multiprocess": true' "wsgi.multiprocess is true"

# ps: the supervisor, one zygote, three workers, all its children.
kids=$(ps -o pid= --ppid "$FORKD_PID" | wc -l)
is "$kids" 4 "ps shows a zygote and 3 workers under the supervisor"

stop_forkd TERM
is "$STATUS" 0 "SIGTERM stops forkd with exit 0"
done_testing
