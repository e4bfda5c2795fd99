#!/bin/sh
# A free-threaded CPython (3.13t, 3.14t) is refused: forkd built against
# one says so in --version, and at start the zygote exits with the
# reason and forkd with 100, before any worker.  Needs such a build
# (scripts/find-python.sh --free-threaded, or FORKD_FT_PYTHON); the test
# builds forkd against it into its own directory.
. "$(dirname "$0")/lib.sh"

ft=$("$TOP/scripts/find-python.sh" --free-threaded | head -n 1)
[ -n "$ft" ] || skip_all "no free-threaded CPython here (set FORKD_FT_PYTHON to one built with --disable-gil)"
ver=${ft%% *}
ftpy=${ft#* }
plan 5

dir=$TOP/build/ft-$ver
make -s -C "$TOP" -j"$(nproc 2>/dev/null || echo 2)" BUILD="$dir" \
    PYTHON="$ftpy" all > "$T/build" 2>&1
ok $? "forkd builds against $ftpy"
out=$("$dir/forkd" --version 2>&1)
like "$out" "free-threaded build: yes: not supported" "--version says the build is free-threaded and not supported"

"$dir/forkd" -b 127.0.0.1:0 --app app:app --chdir "$TOP/examples/hello" \
    -w 1 > "$LOG" 2>&1
is $? 100 "forkd exits 100"
like "$(cat "$LOG")" "is a free-threaded build: forkd does not support it" "the zygote says why"
is "$(grep -c 'worker [0-9]* pid [0-9]* started' "$LOG")" 0 "no worker started"
done_testing
