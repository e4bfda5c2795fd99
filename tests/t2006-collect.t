#!/bin/sh
# The collector in the zygote: it runs during import and warmup as in a
# plain Python process, and the seal collects for real (even when the
# app disabled the collector), so garbage made before the seal is freed,
# never sealed (on 3.12+: never made immortal) into the workers.
. "$(dirname "$0")/lib.sh"
plan 12

mkdir "$T/app"
cat > "$T/app/junk.py" <<'PY'
import gc, os, sys, weakref
import forkd

if os.environ.get("JUNK_GC_OFF"):
    gc.disable()

class Junk:
    """A reference cycle: only the collector can free it."""
    def __init__(self):
        self.me = self
        self.payload = [0] * 20

REFS = []           # weak references to every Junk ever made
BEFORE_SEAL = {}

def make(n):
    for _ in range(n):
        j = Junk()
        REFS.append(weakref.ref(j))

# Garbage made at import time.
make(200)

@forkd.pre_fork
def last_garbage():
    # Collections so far (import and warmup), then garbage only the
    # seal's own collection can free (no automatic one gets to it).
    BEFORE_SEAL["collections"] = sum(s["collections"] for s in gc.get_stats())
    BEFORE_SEAL["threshold"] = gc.get_threshold()
    gc.set_threshold(0)     # no automatic collection until the worker
    make(100)

@forkd.post_fork
def restore():
    gc.set_threshold(*BEFORE_SEAL["threshold"])

def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/junk":
        make(50)
        body = "made"
    elif path == "/census":
        alive = [r() for r in REFS if r() is not None]
        big = sum(1 for o in alive if sys.getrefcount(o) > 1000000000)
        body = "made=%d alive=%d immortal=%d collections=%d enabled=%d" % (
            len(REFS), len(alive), big, BEFORE_SEAL.get("collections", -1),
            gc.isenabled())
    else:
        body = "ok"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
PY
i=0
while [ $i -lt 40 ]; do
	echo "GET /junk"
	i=$((i + 1))
done > "$T/warm.txt"

# census ENV: starts forkd with the app (ENV exported), reads /census.
census() {
	env $1 "$FORKD" --app junk:app --chdir "$T/app" -w 1 -b 127.0.0.1:0 \
	    --warmup "$T/warm.txt" > "$LOG" 2>&1 &
	FORKD_PID=$!
	wait_for "[ \$(loggrep 'worker [0-9]+ pid [0-9]+ started') -ge 1 ] || ! kill -0 $FORKD_PID" 20
	PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$LOG" | head -n 1)
	URL=http://127.0.0.1:$PORT
	CENSUS=$(get /census)
	FREED=$(sed -n 's/.*seal: collect: \([0-9]*\) unreachable.*/\1/p' "$LOG")
	stop_forkd TERM
}

census "FORKD_T_UNUSED=1"
echo "# collector on: $CENSUS; the seal freed ${FREED:-?}"
like "$CENSUS" "^made=4300 " "import (200), two warmup rounds (2 x 40 x 50) and pre_fork (100) made 4300 cycles"
like "$CENSUS" " alive=0 " "every cycle made before the seal is gone in the worker"
like "$CENSUS" " immortal=0 " "none of them was sealed"
like "$CENSUS" " collections=[1-9][0-9]* " "the collector ran during import and warmup"
like "$CENSUS" " enabled=1$" "the worker's collector is on"
ok $([ "${FREED:-0}" -ge 100 ]; echo $?) "the seal's collection freed the pre_fork garbage (${FREED:-?} objects)"
is "$STATUS" 0 "forkd stops cleanly"

# An app that turns the collector off: the seal still collects, and
# the workers keep the app's choice.
census "JUNK_GC_OFF=1"
echo "# collector off by the app: $CENSUS; the seal freed ${FREED:-?}"
like "$CENSUS" " alive=0 " "gc.disable() at import: the seal still frees every cycle"
like "$CENSUS" " immortal=0 " "gc.disable() at import: none was sealed"
ok $([ "${FREED:-0}" -ge 4300 ]; echo $?) "the seal's collection freed all of them (${FREED:-?} objects)"
like "$CENSUS" " enabled=0$" "the worker keeps the app's gc.disable()"
is "$STATUS" 0 "forkd stops cleanly"
done_testing
