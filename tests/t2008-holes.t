#!/bin/sh
# Allocator holes: with --fill-holes on (the default) the seal takes the
# free blocks of the zygote's obmalloc pools and the free chunks of its
# glibc heap, and takes its empty pools whole, so a worker's new
# objects go to memory of its own instead of into holes on pages it
# shares with the zygote.  A worker that keeps
# 60,000 new small objects holds less private memory with it than
# without it, and says what it took.
. "$(dirname "$0")/lib.sh"
plan 8

mkdir "$T/app"
cat > "$T/app/holes.py" <<'PY'
# Every other small object of the import is freed: holes all over.
KEEP = [(i, i + 1, i + 2) for i in range(240000)]
del KEEP[::2]
BIG = [bytearray(700 + i % 300) for i in range(6000)]
del BIG[::2]
# Whole pools emptied: obmalloc keeps them, pages resident.  Chunks
# of four pools' worth of 64-byte tuples, every other one dropped.
CHUNKS = [[(i, j, 0) for j in range(1020)] for i in range(300)]
KEEP2 = CHUNKS[1::2]
del CHUNKS
MINE = []

def app(environ, start_response):
    if environ["PATH_INFO"] == "/grow":
        MINE.extend((i, i + 1, i + 2) for i in range(60000))
        MINE.extend(bytearray(700 + i % 300) for i in range(3000))
        body = str(len(MINE))
    else:
        body = "ok"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
PY

# grow MODE: one worker, one /grow, sets USS_KB.
grow() {
	start_forkd --app holes:app --chdir "$T/app" -w 1 --fill-holes "$1" \
	    || return 1
	GROWN=$(get /grow)
	w=$(worker_pids)
	USS_KB=$(awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s }' "/proc/$w/smaps_rollup")
	cp "$LOG" "$T/log.$1"
	stop_forkd TERM
}

grow off
off_kb=$USS_KB
is "$GROWN" 63000 "--fill-holes off: the worker keeps its new objects"
is "$(grep -c 'seal: fill' "$T/log.off")" 0 "--fill-holes off: nothing is filled"
grow on
on_kb=$USS_KB
is "$GROWN" 63000 "--fill-holes on: the worker keeps its new objects"
like "$(cat "$T/log.on")" "seal: fill pools: [1-9][0-9]* free blocks taken" "the pools' free blocks are taken, and logged"
like "$(cat "$T/log.on")" "seal: fill heap: ([1-9][0-9]* free chunks of the glibc heap taken|malloc is not glibc's: nothing to fill)" "the heap's free chunks are taken (a sanitizer's malloc: skipped), and logged"
like "$(cat "$T/log.on")" "of [1-9][0-9]* empty pools in [1-9][0-9]* arenas, [1-9][0-9]* taken whole" "empty pools are taken whole, and logged"
msg="worker USS after growing: $((off_kb / 1024)) MiB with holes, $((on_kb / 1024)) MiB filled"
echo "# $msg"
if [ -n "${FORKD_ASAN:-}" ]; then
	ok 0 "# SKIP under the sanitizers, which have a malloc and memory of their own ($msg)"
else
	ok $([ $((on_kb * 4)) -lt $((off_kb * 3)) ]; echo $?) "filled, the worker holds under 3/4 of the private memory ($msg)"
fi
is "$STATUS" 0 "forkd stops cleanly"

done_testing
