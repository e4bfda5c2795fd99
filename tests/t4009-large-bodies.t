#!/bin/sh
# Bodies: small ones stay in memory; past 1 MiB they spill to an unlinked
# temporary file that the app reads as wsgi.input; chunked bodies are
# decoded before the app sees them, with CONTENT_LENGTH set.
. "$(dirname "$0")/lib.sh"
plan 6

start_forkd --app app:app --chdir "$APPDIR" -w 1
ok $? "forkd starts"
head -c 5000 /dev/urandom > "$T/small"
head -c 5000000 /dev/urandom > "$T/big"
sum() { "$PY" -c 'import sys; d=open(sys.argv[1],"rb").read(); print(sum(d) % 1000003)' "$1"; }
is "$(curl -s --max-time 20 --data-binary @"$T/small" "$URL/input")" "BytesIO 5000 5000 $(sum "$T/small")" "a small body is an in-memory wsgi.input"
is "$(curl -s --max-time 20 --data-binary @"$T/big" "$URL/input")" "BufferedReader 5000000 5000000 $(sum "$T/big")" "a 5 MB body arrives whole through a spilled file"
is "$(curl -s --max-time 20 -H 'Transfer-Encoding: chunked' --data-binary @"$T/big" "$URL/input")" "BufferedReader 5000000 5000000 $(sum "$T/big")" "a 5 MB chunked body is decoded, spilled, and given a CONTENT_LENGTH"
is "$(curl -s --max-time 20 -H 'Transfer-Encoding: chunked' --data-binary @"$T/small" "$URL/input")" "BytesIO 5000 5000 $(sum "$T/small")" "a small chunked body is decoded in memory"
w=$(worker_pids)
is "$(ls -l "/proc/$w/fd" | grep -c 'forkd-body\|O_TMPFILE\|(deleted)')" 0 "no temporary file is left open after the requests"
done_testing
