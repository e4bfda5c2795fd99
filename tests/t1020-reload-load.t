#!/bin/sh
# Reload under load (fault S10): 20 reloads while a client keeps at
# least 200 requests a second going over keep-alive connections and over
# new ones, and not one request fails.
#
# A request on a reused keep-alive connection that the server closed
# before any byte of an answer is sent again on a new connection, as
# HTTP clients and proxies do for idempotent requests (RFC 9112, 9.3.1);
# those are counted apart.  Any other error, a status other than 200, or
# a new connection that gets no answer is a failure.  Supervisor logic:
# checked on the newest Python only.
. "$(dirname "$0")/lib.sh"

newest_only "supervisor logic"
plan 7

start_forkd --app app:app --chdir "$APPDIR" -w 2
ok $? "forkd starts with 2 workers"

"$PY" "$TOP/tests/client.py" "$PORT" load "$T/stop" "$T/result" &
client=$!
sleep 1

t0=$(date +%s%N)
done_ok=0
i=0
while [ $i -lt 20 ]; do
	"$FORKCTL" --timeout 60 reload > "$T/reload.out" 2>&1 && done_ok=$((done_ok + 1))
	i=$((i + 1))
done
t1=$(date +%s%N)
sleep 1
touch "$T/stop"
wait "$client"
read -r okn failed retried rps < "$T/result"
echo "# $okn requests answered, $failed failed, $retried sent again after a keep-alive close; $rps req/s; 20 reloads in $(( (t1 - t0) / 1000000 )) ms" >&2
grep '^#' "$T/result" >&2

is "$done_ok" 20 "20 reloads, each reported done by forkctl"
is "$failed" 0 "no request failed"
ok $([ "$rps" -ge 200 ]; echo $?) "the client kept at least 200 req/s ($rps)"
ok $([ "$okn" -gt 0 ]; echo $?) "requests were answered ($okn)"
check=$("$FORKCTL" stats --json | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(d["totals"]["reloads"], d["zygote"]["generation"],
      sorted(set(w["generation"] for w in d["workers"])))')
is "$check" "20 21 [21]" "stats: 20 reloads, generation 21 serves every worker"
stop_forkd
is "$STATUS" 0 "forkd stops with exit 0"
done_testing
