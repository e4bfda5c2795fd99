#!/bin/sh
# Limits with flags (414, 431, 413 early on Expect, 408) and
# --forwarded-allow-ips: X-Forwarded-For/-Proto from trusted peers only.
. "$(dirname "$0")/lib.sh"
plan 11

start_forkd --app app:app --chdir "$APPDIR" --limit-request-line 200 \
    --limit-request-field_size 300 --limit-request-fields 10 \
    --limit-request-body 1000 --header-timeout 1
ok $? "forkd starts with limit flags"
long=$(head -c 300 /dev/zero | tr '\0' a)
is "$(status "/$long")" 414 "a request line over --limit-request-line: 414"
is "$(status / -H "X-Big: $long")" 431 "a field over --limit-request-field_size: 431"
set --
for i in 1 2 3 4 5 6 7 8 9 10 11; do set -- "$@" -H "X-H$i: v"; done
is "$(status / "$@")" 431 "more fields than --limit-request-fields: 431"
resp=$("$PY" "$TOP/tests/client.py" "$PORT" raw 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n')
like "$resp" "^HTTP/1.1 413" "a body over --limit-request-body is refused before it is sent, even on Expect"
t0=$(date +%s%N)
resp=$("$PY" "$TOP/tests/client.py" "$PORT" raw 'GET / HTTP/1.1\r\nHost: x\r\n')
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
like "$resp" "^HTTP/1.1 408" "a head that stalls past --header-timeout: 408 (${ms} ms)"
env=$(get /env -H 'X-Forwarded-For: 198.51.100.7' -H 'X-Forwarded-Proto: https')
like "$env" '"REMOTE_ADDR": "198.51.100.7"' "default trust (127.0.0.1): REMOTE_ADDR from X-Forwarded-For"
like "$env" '"wsgi.url_scheme": "https"' "and wsgi.url_scheme from X-Forwarded-Proto"
is "$(status / -H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Ssl: off')" 400 "conflicting scheme headers: 400"
stop_forkd TERM

start_forkd --app app:app --chdir "$APPDIR" --forwarded-allow-ips 192.0.2.1
env=$(get /env -H 'X-Forwarded-For: 198.51.100.7' -H 'X-Forwarded-Proto: https')
like "$env" '"REMOTE_ADDR": "127.0.0.1"' "an untrusted peer's X-Forwarded-For is ignored"
like "$env" '"wsgi.url_scheme": "http"' "and so is its X-Forwarded-Proto"
done_testing
