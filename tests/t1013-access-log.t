#!/bin/sh
# The access log (issue 9, item 9) and SIGUSR1 (item 8): gunicorn's
# default layout, a custom format, values a client chose escaped, two
# workers appending 2,000 lines under load without one torn or lost,
# mv + SIGUSR1 moving the next lines to a new file without a loss (and
# a storm of SIGUSR1 harmless), '-' writing to the log, a bad format or
# path refused at start.
. "$(dirname "$0")/lib.sh"
plan 30

ACC=$T/access.log
DATE='\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\]'

# lines FILE: its line count (0 when it does not exist).
lines() { [ -f "$1" ] && wc -l < "$1" | tr -d ' ' || echo 0; }

# load N FIRST [PARALLEL]: N GETs of /echo?n=FIRST.., PARALLEL at a
# time, each on a new connection (an idle worker takes it, so both
# workers serve); prints how many answered 200.
load() {
	_i=$2
	_end=$(($2 + $1))
	: > "$T/urls"
	while [ $_i -lt $_end ]; do
		printf 'url = "%s/echo?n=%d"\noutput = "/dev/null"\n' "$URL" $_i
		_i=$((_i + 1))
	done >> "$T/urls"
	curl -s -Z --parallel-immediate --parallel-max "${3:-8}" --max-time 60 \
	    -H 'Connection: close' -K "$T/urls" -w '%{http_code}\n' \
	    2>/dev/null | grep -c '^200$'
}

# Relative: resolved against the directory forkd starts in, not --chdir.
cd "$T" || exit 1
umask 022	# the file's mode is 0640 under it
start_forkd --app app:app --chdir "$APPDIR" -w 2 --access-log access.log \
    --log-level debug
ok $? "forkd starts 2 workers with --access-log access.log"
get '/echo?a=1' -H 'Referer: http://ref.example/page' -A 'agent/1.0' \
    > /dev/null
wait_for "[ \$(lines '$ACC') -ge 1 ]" 5
like "$(tail -n 1 "$ACC")" "^127\\.0\\.0\\.1 - - $DATE \"GET /echo\\?a=1 HTTP/1\\.1\" 200 3 \"http://ref\\.example/page\" \"agent/1\\.0\"\$" \
    "a GET with Referer and User-Agent: gunicorn's default layout"
is "$(stat -c %a "$ACC")" 640 "the file is made with mode 0640"
get / -u 'alice:secret' -I > /dev/null
wait_for "[ \$(lines '$ACC') -ge 2 ]" 5
like "$(tail -n 1 "$ACC")" "^127\\.0\\.0\\.1 - alice $DATE \"HEAD / HTTP/1\\.1\" 200 - \"-\" \"curl/[^\"]*\"\$" \
    "u is the Basic auth user; a HEAD sent no body: b is -"

# A client tries to end the quoted fields and forge a line.
"$PY" "$TOP/tests/client.py" "$PORT" raw 'GET /x"y\\z%0d%0a" HTTP/1.1\r\nHost: x\r\nUser-Agent: evil" 200 "forged\t\xc2\x9b\\\r\nConnection: close\r\n\r\n' > /dev/null
wait_for "[ \$(lines '$ACC') -ge 3 ]" 5
is "$(tail -n 1 "$ACC" | sed 's/\[[^]]*\]/[T]/')" \
    '127.0.0.1 - - [T] "GET /x\"y\\z%0d%0a\" HTTP/1.1" 404 10 "-" "evil\" 200 \"forged\x09\xc2\x9b\\"' \
    "quotes, backslashes, tabs and high bytes are escaped"
"$PY" "$TOP/tests/client.py" "$PORT" raw 'GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: a\nforged 200\r\n\r\n' > "$T/bad.out"
like "$(cat "$T/bad.out")" '^HTTP/1.1 400' "a bare LF in a header is refused (400)"
get / > /dev/null
wait_for "[ \$(lines '$ACC') -ge 4 ]" 5
is "$(grep -c forged "$ACC")" 1 "and makes no line: only the escaped one names 'forged'"

# Two workers append concurrently.
before=$(lines "$ACC")
is "$(load 2000 1 8)" 2000 "2,000 requests over 8 connections answer 200"
wait_for "[ \$(lines '$ACC') -ge $((before + 2000)) ]" 10
is "$(($(lines "$ACC") - before))" 2000 "2,000 lines more"
is "$(tail -n 2000 "$ACC" | grep -Ec "^127\\.0\\.0\\.1 - - $DATE \"GET /echo\\?n=[0-9]+ HTTP/1\\.1\" 200 [0-9]+ \"-\" \"curl/[^\"]*\"\$")" 2000 \
    "every one well formed: none torn, none interleaved"
is "$(tail -n 2000 "$ACC" | sed -n 's/.*n=\([0-9]*\) .*/\1/p' | sort -un | wc -l)" 2000 \
    "each request once"
busy=$("$FORKCTL" --admin "$ADMIN" --json workers | grep -o '"requests":[0-9]*' |
    awk -F: '$2 >= 100 { n++ } END { print n + 0 }')
is "$busy" 2 "both workers answered, and wrote, 100 of them or more"

# mv + SIGUSR1 while requests run: nothing lost, later lines go to a new file.
pids=$(worker_pids | sort -n | tr '\n' ' ')
before=$(lines "$ACC")
load 1000 10000 4 > "$T/load.out" &
lpid=$!
wait_for "[ \$(lines '$ACC') -ge $((before + 100)) ]" 10
mv "$ACC" "$ACC.1"
kill -USR1 "$FORKD_PID"
wait_for "[ \$(loggrep 'access log .*access.log reopened') -ge 2 ]" 5
ok $? "each worker reopens the access log"
is "$(loggrep 'SIGUSR1: workers reopen their access logs')" 1 \
    "the supervisor says it once"
wait "$lpid"
is "$(cat "$T/load.out")" 1000 "the 1,000 requests around the move answer 200"
wait_for "[ \$(( \$(lines '$ACC.1') + \$(lines '$ACC') )) -ge $((before + 1000)) ]" 10
is "$(( $(lines "$ACC.1") + $(lines "$ACC") - before ))" 1000 \
    "their 1,000 lines are in the old file and the new one"
is "$(cat "$ACC.1" "$ACC" | sed -n 's/.*n=\(1[0-9]\{4\}\) .*/\1/p' | sort -un | wc -l)" 1000 \
    "each request once: none lost"
# The load may end before both workers reopened: a request after it.
get /echo?late=1 > /dev/null
wait_for "[ \$(lines '$ACC') -gt 0 ]" 5
ok $? "the new file has lines"
n1=$(lines "$ACC.1")
get '/echo?after=1' > /dev/null
get '/echo?after=2' > /dev/null
wait_for "[ \$(grep -c 'after=' '$ACC') -ge 2 ]" 5
ok $? "requests after the reopen go to the new file"
is "$(lines "$ACC.1")" "$n1" "and none to the old one"

# A storm of SIGUSR1 under load is harmless.
before=$(lines "$ACC")
load 1000 20000 4 > "$T/load.out" &
lpid=$!
i=0
while [ $i -lt 100 ]; do kill -USR1 "$FORKD_PID"; i=$((i + 1)); done
wait "$lpid"
is "$(cat "$T/load.out")" 1000 "100 SIGUSR1 during 1,000 requests: all answer 200"
wait_for "[ \$(lines '$ACC') -ge $((before + 1000)) ]" 10
is "$(( $(lines "$ACC") - before ))" 1000 "and all are logged"
is "$(worker_pids | sort -n | tr '\n' ' ')" "$pids" "no worker died"
stop_forkd TERM
is "$STATUS" 0 "forkd stops cleanly"

# '-' (and gunicorn's --access-logfile spelling): the log, i.e. stderr;
# a custom format.
start_forkd --app app:app --chdir "$APPDIR" -w 1 --access-logfile - \
    --access-log-format '%(p)s %(m)s %(U)s %(q)s %(H)s %(s)s %(B)s %(b)s %(M)s %({x-test}i)s %({content-type}o)s %(L)s'
get '/echo?k=v' -H 'X-Test: hello' > /dev/null
wpid=$(worker_pids)
wait_for "[ \$(loggrep '^<$wpid> GET') -ge 1 ]" 5
like "$(grep '^<' "$LOG")" "^<$wpid> GET /echo k=v HTTP/1\\.1 200 3 3 [0-9]+ hello text/plain [0-9]+\\.[0-9]{6}\$" \
    "--access-logfile - writes a custom format to the log"
kill -USR1 "$FORKD_PID"
wait_for "[ \$(loggrep 'SIGUSR1: no access log file, nothing to reopen') -ge 1 ]" 5
ok $? "SIGUSR1 with no access log file: nothing to reopen, said so"
stop_forkd TERM

# A bad format or an unwritable path stops forkd at start.
"$FORKD" --app app:app --chdir "$APPDIR" --access-log x.log \
    --access-log-format '%(h)s %(zz)s' > "$T/bad.log" 2>&1
is "$?" 100 "an unknown atom exits 100"
like "$(cat "$T/bad.log")" 'unknown atom %\(zz\)s' "with the reason"
"$FORKD" --app app:app --chdir "$APPDIR" \
    --access-log "$T/no/such/dir/access.log" > "$T/bad.log" 2>&1
is "$?" 100 "an access log forkd cannot open exits 100"
like "$(cat "$T/bad.log")" "access-log .*/no/such/dir/access.log: No such file or directory" \
    "with the reason"
done_testing
