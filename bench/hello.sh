#!/usr/bin/env bash
# hello.sh: forkd vs gunicorn's sync worker, side by side, on the same
# Python, the same worker count and the same app (examples/hello, GET /),
# driven by wrk.  Run by hand (not a test); takes about 2.5 minutes.
#
#   bench/hello.sh [-w WORKERS] [-r ROUNDS] [-d SECONDS] [-c CONNS] [-t THREADS]
#
#   -w  workers for each server (4)        -r  rounds (3)
#   -d  seconds per wrk run (10)           -c  wrk connections (50)
#   -t  wrk threads (2)
#
# Environment:
#   PYTHON=path     the interpreter both servers run on (/usr/bin/python3.11,
#                   Debian's, which is the one Debian's gunicorn is for).
#                   If gunicorn does not import there, the directory Debian's
#                   python3 imports gunicorn from is put on gunicorn's
#                   PYTHONPATH (found at run time).
#   FORKD_BUILD=dir an already built forkd tree for that Python; by default
#                   forkd is built into build/bench-py-X.Y with
#                   make BUILD=build/bench-py-X.Y PYTHON=$PYTHON all
#   GUNICORN_ARGS   extra gunicorn flags (e.g. --preload); default none
#   BENCH_KEEP=1    keep the temporary work directory
#
# Each round starts one server, waits until it answers (bounded poll),
# warms it with a few hundred requests, reads its memory (idle), runs wrk
# with keep-alive (wrk's default) then with "Connection: close", reads its
# memory again (after load) and stops it (SIGTERM, SIGKILL after a
# timeout); then the same for the other server.  The order alternates
# from round to round.  The report takes the median over the rounds.
#
# Writes bench/results/hello.md and the raw wrk outputs and server logs in
# bench/results/raw/.  Loopback only; the kernel picks the ports (bind to
# 127.0.0.1:0, the port is read from the server's log).
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$TOP/bench
LIB=$BENCH/lib
# shellcheck disable=SC2034  # PROG is for the messages of lib/common.sh
PROG=hello.sh
# shellcheck source=lib/common.sh
. "$LIB/common.sh"
RESULTS=$BENCH/results
RAW=$RESULTS/raw
APPDIR=$TOP/examples/hello

WORKERS=4
ROUNDS=3
DURATION=10
CONNS=50
THREADS=2
WARM=400            # warm-up requests
WARM_CONC=8         # ... this many at a time
READY_TIMEOUT=30    # seconds a server gets to answer after start
STOP_TIMEOUT=15     # seconds after SIGTERM before SIGKILL

usage() {
	sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit "${1:-100}"
}

die() {
	echo "hello.sh: $*" >&2
	exit 1
}

posint() {
	case $2 in
	'' | *[!0-9]* | 0*) die "$1 wants a positive integer, got '$2'" ;;
	esac
}

while getopts w:r:d:c:t:h opt; do
	case $opt in
	w) WORKERS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	d) DURATION=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	t) THREADS=$OPTARG ;;
	h) usage 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
posint -w "$WORKERS"
posint -r "$ROUNDS"
posint -d "$DURATION"
posint -c "$CONNS"
posint -t "$THREADS"
[ "$CONNS" -ge "$THREADS" ] || die "-c must be >= -t (wrk needs a connection per thread)"

# --- what the benchmark needs ---------------------------------------------

[ "$(uname -s)" = Linux ] || die "Linux only (/proc/PID/smaps_rollup)"
command -v wrk >/dev/null 2>&1 ||
	die "wrk is missing: run 'make deps' (it installs the Debian package wrk)"
command -v curl >/dev/null 2>&1 ||
	die "curl is missing: run 'make deps'"
command -v ps >/dev/null 2>&1 ||
	die "ps is missing: run 'make deps' (Debian package procps)"

PYTHON=${PYTHON:-/usr/bin/python3.11}
PYEXE=$("$PYTHON" -c 'import sys; print(sys.executable)' 2>/dev/null) ||
	die "PYTHON=$PYTHON does not run (default /usr/bin/python3.11: run 'make deps')"
PYEXE=$(readlink -f "$PYEXE")
PYVER=$("$PYEXE" -c 'import sys; print("%d.%d" % sys.version_info[:2]) if sys.version_info >= (3, 11) else None')
if [ -z "$PYVER" ] || [ "$PYVER" = None ]; then
	die "$PYEXE is older than 3.11: forkd needs CPython >= 3.11"
fi
PYFULL=$("$PYEXE" -c 'import platform; print(platform.python_version())')

# gunicorn on that Python.  Debian's gunicorn lives in the system python3's
# dist-packages; another interpreter (a pyenv 3.12, say) gets that
# directory on PYTHONPATH, found here at run time, not written down.
GUNI_PATH=""
if ! "$PYEXE" -c 'import gunicorn' 2>/dev/null; then
	cands=""
	if [ -x /usr/bin/python3 ]; then
		cands=$(/usr/bin/python3 -c 'import os, gunicorn; print(os.path.dirname(os.path.dirname(gunicorn.__file__)))' 2>/dev/null)
	fi
	cands="$cands /usr/lib/python3/dist-packages"
	for d in $cands; do
		if [ -d "$d" ] && PYTHONPATH=$d "$PYEXE" -c 'import gunicorn' 2>/dev/null; then
			GUNI_PATH=$d
			break
		fi
	done
	[ -n "$GUNI_PATH" ] ||
		die "gunicorn is missing for $PYEXE: run 'make deps' (it installs Debian's gunicorn, for /usr/bin/python3)"
fi
GUNI_PYTHONPATH=$LIB/shim${GUNI_PATH:+:$GUNI_PATH}${PYTHONPATH:+:$PYTHONPATH}
GUNI_VER=$(PYTHONPATH=$GUNI_PYTHONPATH "$PYEXE" -c 'import gunicorn; print(gunicorn.__version__)' 2>/dev/null) ||
	die "gunicorn does not import on $PYEXE"
# shellcheck disable=SC2086
PYTHONPATH=$GUNI_PYTHONPATH "$PYEXE" -m gunicorn --version >/dev/null 2>&1 ||
	die "'$PYEXE -m gunicorn' does not run (PYTHONPATH=$GUNI_PYTHONPATH)"

# forkd, built against that same Python.
if [ -n "${FORKD_BUILD:-}" ]; then
	case $FORKD_BUILD in /*) BUILD_DIR=$FORKD_BUILD ;; *) BUILD_DIR=$TOP/$FORKD_BUILD ;; esac
	BUILD_NOTE="prebuilt $FORKD_BUILD"
else
	rel=build/bench-py-$PYVER
	BUILD_DIR=$TOP/$rel
	echo "hello.sh: building forkd against $PYEXE into $rel" >&2
	make -s -C "$TOP" -j"$(nproc 2>/dev/null || echo 2)" BUILD="$rel" PYTHON="$PYEXE" all >&2 ||
		die "forkd does not build against $PYEXE (make BUILD=$rel PYTHON=$PYEXE all); pass FORKD_BUILD=dir to use a built tree"
	BUILD_NOTE="make BUILD=$rel PYTHON=$PYEXE all"
fi
FORKD=$BUILD_DIR/forkd
if [ ! -x "$FORKD" ] || [ ! -x "$BUILD_DIR/forkd-zygote" ]; then
	die "no forkd in $BUILD_DIR"
fi
FORKD_PY=$("$FORKD" --version 2>/dev/null | sed -n 's/^python: [^ ]* (\(.*\))$/\1/p')
[ "$(readlink -f "$FORKD_PY" 2>/dev/null)" = "$PYEXE" ] ||
	die "$FORKD embeds '$FORKD_PY', not $PYEXE: rebuild it for this Python"
FORKD_VER=$("$FORKD" --version 2>/dev/null | head -n 1)
COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$TOP" status --porcelain -- . ':!bench' 2>/dev/null)" ]; then
	COMMIT="$COMMIT + uncommitted changes"
fi

# --- processes --------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/forkd-bench.XXXXXX") || die "mktemp failed"
SERVER_PID=""       # the master of the server running now
WRK_PID=""

bench_traps

# --- one server, one round ----------------------------------------------------

# start_server NAME LOG: starts it on 127.0.0.1:0; sets SERVER_PID.
start_server() {
	: >"$2"
	case $1 in
	forkd)
		"$FORKD" --app app:app --chdir "$APPDIR" -w "$WORKERS" \
		    -b 127.0.0.1:0 >"$2" 2>&1 &
		;;
	gunicorn)
		# shellcheck disable=SC2086
		PYTHONPATH=$GUNI_PYTHONPATH "$PYEXE" -m gunicorn \
		    --chdir "$APPDIR" -w "$WORKERS" -b 127.0.0.1:0 \
		    ${GUNICORN_ARGS:-} app:app >"$2" 2>&1 &
		;;
	esac
	SERVER_PID=$!
}

port_of() { port_from_log "$@"; }

# workers_up NAME: how many workers SERVER_PID has (forkd's zygote is not one).
workers_up() {
	children_of "$SERVER_PID" | wc -l
}

# wait_ready NAME LOG: until it answers 200 on / with all workers up.
wait_ready() {
	local end code n
	end=$(($(now_ms) + READY_TIMEOUT * 1000))
	PORT=""
	while [ "$(now_ms)" -lt "$end" ]; do
		alive "$SERVER_PID" || break
		[ -n "$PORT" ] || PORT=$(port_of "$1" "$2")
		n=$(workers_up)
		if [ -n "$PORT" ] && [ "${n:-0}" -ge "$WORKERS" ]; then
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/")
			[ "$code" = 200 ] && return 0
		fi
		sleep 0.1
	done
	echo "hello.sh: $1 did not answer within ${READY_TIMEOUT}s; its log:" >&2
	sed 's/^/    /' "$2" >&2
	return 1
}

# run_wrk NAME ROUND MODE [wrk args]: one wrk run against PORT, its output
# in WRK_OUT.  wrk runs in the background so that a signal reaches the
# traps at once (cleanup then stops wrk too).
run_wrk() {
	local out=$RAW/$1-r$2-$3.txt
	shift 3
	{
		printf '# wrk -t%s -c%s -d%ss --latency' "$THREADS" "$CONNS" "$DURATION"
		[ $# -eq 0 ] || printf ' %q' "$@"
		printf ' http://127.0.0.1:%s/\n' "$PORT"
	} >"$out"
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION"s --latency "$@" "http://127.0.0.1:$PORT/" >>"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID"
	WRK_PID=""
	WRK_OUT=$out
}

# expected NAME: the log lines a clean start, load and stop write (grep -E);
# any other line is reported.  started NAME: a worker started.
expected() {
	case $1 in
	forkd) echo 'listening on http|zygote pid [0-9]+ (starting|ready)|zygote\[[0-9]+\]: seal: |forkd [0-9][^ ]*: pid [0-9]+, |worker [0-9]+ pid [0-9]+ started|stopping gracefully|stopped, exit 0' ;;
	gunicorn) echo '\[INFO\] (Starting gunicorn|Listening at|Using worker|Booting worker|Handling signal: term|Worker exiting|Shutting down)' ;;
	esac
}
started() {
	case $1 in
	forkd) echo 'worker [0-9]+ pid [0-9]+ started' ;;
	gunicorn) echo 'Booting worker with pid' ;;
	esac
}

bench_one() { # NAME ROUND
	local name=$1 r=$2 log="$WORK/$1-r$2.log" f rps n
	echo "hello.sh: round $r/$ROUNDS: $name" >&2
	start_server "$name" "$log"
	wait_ready "$name" "$log" || exit 1
	"$PYEXE" "$LIB/warm.py" "$PORT" "$WARM" "$WARM_CONC" >"$WORK/warm" 2>&1 || {
		echo "hello.sh: $name failed the warm-up: $(cat "$WORK/warm")" >&2
		sed 's/^/    /' "$log" >&2
		exit 1
	}
	"$PYEXE" "$LIB/procmem.py" "$SERVER_PID" | sed "s/^/$name	$r	idle	/" >>"$WORK/mem.tsv"

	for mode in keepalive close; do
		if [ $mode = close ]; then
			sleep 1
			run_wrk "$name" "$r" close -H 'Connection: close'
		else
			run_wrk "$name" "$r" keepalive
		fi
		f=$WRK_OUT
		printf '%s\t%s\t%s\t%s\n' "$name" "$r" "$mode" "$f" >>"$WORK/runs.tsv"
		rps=$(sed -n 's/^Requests\/sec: *//p' "$f")
		echo "hello.sh:   $mode: ${rps:-no result} req/s" >&2
	done

	if alive "$SERVER_PID"; then
		"$PYEXE" "$LIB/procmem.py" "$SERVER_PID" | sed "s/^/$name	$r	loaded	/" >>"$WORK/mem.tsv"
	else
		echo "hello.sh: $name died during the load" >&2
	fi
	stop_tree "$SERVER_PID" "$STOP_TIMEOUT"
	SERVER_PID=""

	n=$(grep -Ec -- "$(started "$name")" "$log")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$r" "$STOP_STATUS" \
	    "$STOP_MS" "$STOP_KILLED" "$((n - WORKERS))" "$log" >>"$WORK/stops.tsv"
	grep -Ev -- "$(expected "$name")" "$log" | head -n 50 | redact |
	    sed "s/^/$name	$r	/" >>"$WORK/unexpected.tsv"
	head -n 200 "$log" | redact >"$RAW/$name-r$r.log"
}

# --- the run ------------------------------------------------------------------

mkdir -p "$RAW" || die "cannot create $RAW"
rm -f "$RAW"/forkd-r*-*.txt "$RAW"/gunicorn-r*-*.txt "$RAW"/forkd-r*.log \
    "$RAW"/gunicorn-r*.log

T0=$(date +%s)
ORDER=""
for r in $(seq 1 "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then
		pair="forkd gunicorn"
	else
		pair="gunicorn forkd"
	fi
	ORDER="$ORDER${ORDER:+; }$r: ${pair// / then }"
	for s in $pair; do
		bench_one "$s" "$r"
		sleep 1
	done
done
ELAPSED=$(($(date +%s) - T0))

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host=$(uname -m), $mem RAM, shared and noisy: wrk runs on the same CPUs as the servers"
	echo "kernel=$(uname -sr)"
	echo "cpus=$(nproc) × ${cpu:-unknown}"
	echo "python=$PYFULL ($PYEXE)"
	echo "forkd=$FORKD_VER, commit $COMMIT ($BUILD_NOTE)"
	echo "gunicorn=gunicorn $GUNI_VER, sync worker, ${GUNICORN_ARGS:-default settings (no --preload)}"
	echo "workers=$WORKERS"
	echo "nworkers=$WORKERS"
	echo "app=examples/hello/app.py, app:app, GET http://127.0.0.1:PORT/ (17-byte body)"
	echo "wrk=$(wrk -v 2>&1 | head -n 1 | sed 's/ Copyright.*//')"
	echo "wrk_params=-t$THREADS -c$CONNS -d${DURATION}s --latency; then the same with -H 'Connection: close'"
	echo "rounds=$ROUNDS, each server restarted every round; bench took ${ELAPSED}s"
	echo "order=$ORDER"
	echo "warmup=$WARM requests, $WARM_CONC at a time, a new connection each, before the idle memory reading"
	echo "pythonpath=gunicorn: bench/lib/shim (a no-op forkd module the app imports)${GUNI_PATH:+ + $GUNI_PATH (where Debian keeps gunicorn)}${PYTHONPATH:+ + \$PYTHONPATH}; forkd: ${PYTHONPATH:-none}"
} >"$WORK/meta"

"$PYEXE" "$LIB/report.py" "$WORK" "$RESULTS/hello.md" || die "report failed (BENCH_KEEP=1 keeps $WORK)"
echo "hello.sh: wrote bench/results/hello.md and bench/results/raw/ in ${ELAPSED}s" >&2
cat "$RESULTS/hello.md"
