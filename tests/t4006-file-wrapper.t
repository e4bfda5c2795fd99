#!/bin/sh
# wsgi.file_wrapper: a regular file goes out with sendfile(2), from the
# file object's position, with a Content-Length.
. "$(dirname "$0")/lib.sh"
plan 6

start_forkd --app app:app --chdir "$APPDIR" -w 1
ok $? "forkd starts"
get /file > "$T/got"
cmp -s "$T/got" "$APPDIR/app.py"
ok $? "the whole file arrives intact"
size=$(wc -c < "$APPDIR/app.py")
like "$(curl -s -I --max-time 5 "$URL/file")" "Content-Length: $size" "with its length as Content-Length"
get '/file?skip=100' > "$T/part"
tail -c +101 "$APPDIR/app.py" | cmp -s - "$T/part"
ok $? "from the position the app left the file at (tell())"
w=$(worker_pids)
if command -v strace > /dev/null 2>&1; then
	strace -f -e trace=sendfile -p "$w" -o "$T/strace" 2> /dev/null &
	spid=$!
	wait_for "[ -s '$T/strace' ] || grep -q . '$T/strace'" 2
	sleep 0.3
	get /file > /dev/null
	wait_for "grep -q sendfile '$T/strace'" 5
	ok $? "the worker used sendfile(2)"
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
else
	ok 0 "# SKIP strace is not installed"
fi
is "$(get /)" "Hello from forkd" "the worker keeps serving"
done_testing
