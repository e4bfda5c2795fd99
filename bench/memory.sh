#!/usr/bin/env bash
# shellcheck disable=SC1091,SC2015,SC2086
# memory.sh: how much memory forkd, gunicorn and uWSGI take to serve the
# example sites (examples/flask, examples/django) with the same number of
# workers, and how many requests per second each gets out of a GB of it.
# Run by hand (or `make bench-memory`); takes about 15-20 minutes.
#
#   bench/memory.sh
#
# Environment (all optional):
#   APPS="flask django"       the apps of the main tables
#   PYVERS="3.11 3.12"        the CPython minor versions (their paths come
#                             from scripts/find-python.sh)
#   WORKERS=8                 workers in the main tables
#   DURATION=15               seconds of wrk per main run
#   CURVE_APPS="django flask" the worker-count curve, on the newest of
#                             PYVERS; flask only if time allows
#   CURVE_NS="1 2 4 8 16"     its worker counts
#   CURVE_DURATION=10         seconds of wrk per curve point
#   EARLY_DURATION=10         seconds of each early-latency wrk run
#   BUDGET=1200               seconds; optional parts (the second curve
#                             app) are skipped when they would overrun it
#   BENCH_KEEP=1              keep bench/work/memory afterwards
#
# For each app × Python × server, 8 workers each:
#   forkd --seal none | freeze | full (with --warmup made from the app's
#   urls.txt: warming in the zygote is forkd's design; on 3.11, which has
#   no immortal objects, full is the same as freeze and labelled so),
#   gunicorn --preload, gunicorn (no preload; sync worker both),
#   uWSGI --master --processes 8 (app loaded in the master: no --lazy-apps,
#   uWSGI's default, its preload mode), only on the Python its Debian
#   plugin is built for.
# each one is started (bind 127.0.0.1:0, the port read from its log),
# waited for (all workers up and / answering), sent every URL of urls.txt
# once, left to go idle, measured (PSS of the whole tree: master, zygote,
# workers; USS of each worker), loaded with wrk for 15 s (-t2 -c32,
# bench/lib/urls.lua round-robin over the URLs) and measured again.
# Then PSS against worker count (1..16) for forkd --seal full and
# gunicorn --preload, and the p99 of the first 10 s after start against
# the next 10 s for forkd --seal full and gunicorn (no preload).
#
# Output: bench/results/memory.md, bench/results/memory-*.png (when
# matplotlib imports on some Python here), bench/results/raw-memory/ (wrk
# outputs, server logs).  Loopback only.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$TOP/bench
LIB=$BENCH/lib
RESULTS=$BENCH/results
RAW=$RESULTS/raw-memory
WORK=$BENCH/work/memory
PROG=memory.sh
# shellcheck source=lib/common.sh
. "$LIB/common.sh"

APPS=${APPS:-flask django}
PYVERS=${PYVERS:-3.11 3.12}
WORKERS=${WORKERS:-8}
DURATION=${DURATION:-15}
CURVE_APPS=${CURVE_APPS-django flask}
CURVE_NS=${CURVE_NS:-1 2 4 8 16}
CURVE_DURATION=${CURVE_DURATION:-10}
EARLY_DURATION=${EARLY_DURATION:-10}
BUDGET=${BUDGET:-1200}
THREADS=2
CONNS=32
READY_TIMEOUT=90    # seconds a server gets to have all workers answering
STOP_TIMEOUT=15     # seconds after SIGTERM before SIGKILL

die() {
	echo "$PROG: $*" >&2
	exit 1
}

for v in WORKERS DURATION CURVE_DURATION EARLY_DURATION BUDGET; do
	case ${!v} in '' | *[!0-9]* | 0*) die "$v wants a positive integer, got '${!v}'" ;; esac
done

T0=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
say() {
	local t=$(($(date +%s) - T0))
	printf '%s [%02d:%02d] %s\n' "$PROG" $((t / 60)) $((t % 60)) "$*" >&2
}

# --- what the benchmark needs ---------------------------------------------

[ "$(uname -s)" = Linux ] || die "Linux only (/proc/PID/smaps_rollup)"
for c in wrk curl ps make; do
	command -v $c >/dev/null 2>&1 || die "$c is missing: run 'make deps'"
done
command -v uwsgi >/dev/null 2>&1 ||
	die "uwsgi is missing: run 'make deps' (Debian's uwsgi-core and uwsgi-plugin-python3)"
[ -f /proc/self/smaps_rollup ] || die "this kernel has no /proc/PID/smaps_rollup"

# The interpreters: scripts/find-python.sh, never a written-down path.
PYLIST=$("$TOP/scripts/find-python.sh") || die "scripts/find-python.sh failed"
declare -A PYEXE PYFULL PYPATH FORKD_OF
for v in $PYVERS; do
	p=$(printf '%s\n' "$PYLIST" | awk -v v="$v" '$1 == v { print $2 }')
	[ -n "$p" ] || die "no CPython $v with headers found (scripts/find-python.sh); run 'make deps'"
	PYEXE[$v]=$p
	PYFULL[$v]=$("$p" -c 'import platform; print(platform.python_version())')
done
# The helper scripts (stdlib only) run on the first of them.
set -- $PYVERS
HPY=${PYEXE[$1]}
NEWEST=${!#}

# Debian keeps Flask, Django and gunicorn in dist-packages, which only its
# own python3 reads: any other interpreter gets it on PYTHONPATH, for
# every server alike.  Looked for here, not assumed.
DIST=/usr/lib/python3/dist-packages
[ -d "$DIST" ] || DIST=""
SHIM=$LIB/shim
for v in $PYVERS; do
	py=${PYEXE[$v]}
	mods="flask django gunicorn"
	if "$py" -c "import $(echo $mods | tr ' ' ,)" 2>/dev/null; then
		PYPATH[$v]=""
	elif [ -n "$DIST" ] && PYTHONPATH=$DIST "$py" -c "import $(echo $mods | tr ' ' ,)" 2>/dev/null; then
		PYPATH[$v]=$DIST
	else
		die "Flask, Django or gunicorn does not import on $py (even with $DIST on PYTHONPATH): run 'make deps'"
	fi
done
pypath() { # VER [shim]: the PYTHONPATH a server on VER gets
	local p=${PYPATH[$1]}
	[ "${2:-}" = shim ] && p=$SHIM${p:+:$p}
	echo "$p${PYTHONPATH:+${p:+:}$PYTHONPATH}"
}

# The Python uWSGI's python3 plugin embeds (asked of the plugin itself).
mkdir -p "$WORK" "$RAW" "$RESULTS" || die "cannot create $WORK or $RAW"
echo 'import sys; print("UWSGI_PY %d.%d" % sys.version_info[:2])' >"$WORK/pyver.py"
UWSGI_PY=$(timeout 20 uwsgi --plugin python3 --pyrun "$WORK/pyver.py" 2>&1 |
    sed -n 's/^UWSGI_PY //p' | head -n 1)
[ -n "$UWSGI_PY" ] ||
	die "uWSGI's python3 plugin does not load: run 'make deps' (uwsgi-plugin-python3)"
UWSGI_VER=$(uwsgi --version 2>/dev/null)

# forkd, built against each of them.
for v in $PYVERS; do
	rel=build/bench-py-$v
	say "building forkd against ${PYEXE[$v]} into $rel"
	make -s -C "$TOP" -j"$(nproc 2>/dev/null || echo 2)" BUILD="$rel" PYTHON="${PYEXE[$v]}" all >&2 ||
		die "forkd does not build: make BUILD=$rel PYTHON=${PYEXE[$v]} all"
	f=$TOP/$rel/forkd
	emb=$("$f" --version 2>/dev/null | sed -n 's/^python: [^ ]* (\(.*\))$/\1/p')
	[ "$(readlink -f "$emb")" = "$(readlink -f "${PYEXE[$v]}")" ] ||
		die "$f embeds '$emb', not ${PYEXE[$v]}"
	FORKD_OF[$v]=$f
done
FORKD_VER=$("${FORKD_OF[$NEWEST]}" --version | head -n 1)
COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$TOP" status --porcelain -- src 2>/dev/null)" ]; then
	COMMIT="$COMMIT + uncommitted changes in src/"
fi

# --- the apps ---------------------------------------------------------------

declare -A APPDIR APPSPEC
APPDIR[flask]=$TOP/examples/flask
APPSPEC[flask]=app:app
APPDIR[django]=$TOP/examples/django
APPSPEC[django]=site_project.wsgi:application
for a in $APPS $CURVE_APPS; do
	[ -n "${APPDIR[$a]:-}" ] || die "unknown app '$a' (flask, django)"
	[ -f "${APPDIR[$a]}/urls.txt" ] || die "no ${APPDIR[$a]}/urls.txt"
done
# The Django example's SQLite database: here, not in /tmp.
export FORKD_EXAMPLE_DB=$WORK/db

# --- processes ----------------------------------------------------------------

SERVER_PID=""
WRK_PID=""
bench_traps

# Fresh work files (the database too: every run of the bench starts alike).
rm -rf "$WORK/wrk" "$WORK/logs" "$WORK/db" "$WORK"/*.tsv "$WORK"/meta
mkdir -p "$WORK/wrk" "$WORK/logs" "$WORK/db"
: >"$WORK/runs.tsv"
: >"$WORK/mem.tsv"
: >"$WORK/unexpected.tsv"
rm -f "$RAW"/*.txt "$RAW"/*.log "$RESULTS"/memory-*.png

# The URLs: each app imported once per Python, in-process, every path of
# urls.txt called with GET; POST-only ones (405) are left out.  This also
# creates and seeds the Django database before any server is timed.
declare -A URLS WARMUP
for a in $(printf '%s\n' $APPS $CURVE_APPS | awk '!seen[$0]++'); do
	for v in $PYVERS; do
		out=$WORK/$a-urls-$v.txt
		PYTHONPATH=$(pypath "$v" shim) "${PYEXE[$v]}" "$LIB/urlcheck.py" \
		    "${APPDIR[$a]}" "${APPSPEC[$a]}" "${APPDIR[$a]}/urls.txt" "$out" \
		    >"$WORK/urlcheck-$a-$v.txt" 2>"$WORK/urlcheck-$a-$v.err" || {
			cat "$WORK/urlcheck-$a-$v.err" >&2
			die "$a does not import on Python $v"
		}
	done
	# The first Python's list is the one used (they are checked to agree).
	set -- $PYVERS
	URLS[$a]=$WORK/$a-urls-$1.txt
	for v in $PYVERS; do
		cmp -s "${URLS[$a]}" "$WORK/$a-urls-$v.txt" ||
			die "$a: Python $1 and $v disagree on which URLs answer GET (see $WORK/urlcheck-$a-*.txt)"
	done
	if grep -q '^405 ' "$WORK/urlcheck-$a-$1.txt"; then
		say "$a: skipping POST-only URLs: $(grep '^405 ' "$WORK/urlcheck-$a-$1.txt" | cut -d' ' -f2 | tr '\n' ' ')"
	fi
	if grep -qv '^[23]' "$WORK/urlcheck-$a-$1.txt"; then
		say "$a: URLs answering neither 2xx nor 3xx in-process: $(grep -v '^[23]' "$WORK/urlcheck-$a-$1.txt" | tr '\n' ' ')"
	fi
	# forkd's warmup file: the same URLs, one "GET /path" line each
	# (kept in bench/work/, which git ignores).
	WARMUP[$a]=$BENCH/work/$a-warmup.txt
	{
		echo "# made by bench/memory.sh from examples/$a/urls.txt (GET-able paths)"
		sed 's/^/GET /' "${URLS[$a]}"
	} >"${WARMUP[$a]}"
done

# --- one server -----------------------------------------------------------------

# label SERVER VER: the name in the tables.
label() {
	case $1 in
	forkd-none) echo "forkd --seal none" ;;
	forkd-freeze) echo "forkd --seal freeze" ;;
	forkd-full)
		if "${PYEXE[$2]}" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
			echo "forkd --seal full"
		else
			echo "forkd --seal full (= freeze on $2)"
		fi
		;;
	gunicorn-preload) echo "gunicorn --preload" ;;
	gunicorn) echo "gunicorn (no preload)" ;;
	uwsgi) echo "uWSGI --master (app in master)" ;;
	esac
}

# start_server SERVER APP VER N LOG: starts it on 127.0.0.1:0; sets
# SERVER_PID.
start_server() {
	local s=$1 a=$2 v=$3 n=$4 log=$5
	: >"$log"
	case $s in
	forkd-*)
		PYTHONPATH=$(pypath "$v") "${FORKD_OF[$v]}" --app "${APPSPEC[$a]}" \
		    --chdir "${APPDIR[$a]}" -w "$n" -b 127.0.0.1:0 --seal "${s#forkd-}" \
		    --warmup "${WARMUP[$a]}" --stats-interval 0 >"$log" 2>&1 &
		;;
	gunicorn | gunicorn-preload)
		local pre=""
		[ "$s" = gunicorn-preload ] && pre=--preload
		# shellcheck disable=SC2086
		PYTHONPATH=$(pypath "$v" shim) "${PYEXE[$v]}" -m gunicorn $pre \
		    --chdir "${APPDIR[$a]}" -w "$n" -b 127.0.0.1:0 \
		    "${APPSPEC[$a]}" >"$log" 2>&1 &
		;;
	uwsgi)
		PYTHONPATH=$(pypath "$v" shim) uwsgi --plugin python3 \
		    --http-socket 127.0.0.1:0 --master --processes "$n" \
		    --chdir "${APPDIR[$a]}" --module "${APPSPEC[$a]}" \
		    --disable-logging --need-app --die-on-term >"$log" 2>&1 &
		;;
	esac
	SERVER_PID=$!
}

# wait_up LOG N ALL: until the server answers / with 2xx; with ALL=all also
# until it has N workers.  Sets PORT and UP_MS (ms since the call).
wait_up() {
	local log=$1 n=$2 all=$3 t0 end code k
	t0=$(now_ms)
	end=$((t0 + READY_TIMEOUT * 1000))
	PORT=""
	while [ "$(now_ms)" -lt "$end" ]; do
		alive "$SERVER_PID" || break
		[ -n "$PORT" ] || PORT=$(port_from_log "$SERVER" "$log")
		if [ -n "$PORT" ]; then
			k=$(children_of "$SERVER_PID" | wc -l)
			if [ "$all" != all ] || [ "$k" -ge "$n" ]; then
				code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/")
				case $code in 2??)
					UP_MS=$(($(now_ms) - t0))
					return 0
					;;
				esac
			fi
		fi
		sleep 0.05
	done
	FAIL="did not answer within ${READY_TIMEOUT}s"
	alive "$SERVER_PID" || FAIL="exited before answering"
	echo "$PROG: $SERVER $FAIL; the end of its log:" >&2
	tail -n 30 "$log" | sed 's/^/    /' >&2
	return 1
}

# run_wrk OUT SECONDS APP: wrk against PORT with urls.lua over APP's URLs;
# in the background so a signal reaches the traps at once.  Sets
# WRK_SUMMARY (req/s, p99, non-2xx if any) for the progress lines.
run_wrk() {
	local out=$1 d=$2 a=$3
	printf '# wrk -t%s -c%s -d%ss --latency -s bench/lib/urls.lua http://127.0.0.1:%s/ -- %s\n' \
	    "$THREADS" "$CONNS" "$d" "$PORT" "${URLS[$a]#$TOP/}" >"$out"
	wrk -t"$THREADS" -c"$CONNS" -d"$d"s --latency -s "$LIB/urls.lua" \
	    "http://127.0.0.1:$PORT/" -- "${URLS[$a]}" >>"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID"
	WRK_PID=""
	WRK_SUMMARY=$(sed -n 's/^bench: requests=[0-9]* duration_us=[0-9]* \(rps=[0-9.]*\) p50_us=[0-9]* \(p99_us=[0-9]*\).*/\1 \2/p' "$out")
	WRK_SUMMARY="${WRK_SUMMARY:-no wrk result}$(sed -n 's/^bench: \(non2xx=[1-9][0-9]*\).*/, \1/p' "$out")"
}

# Log lines a clean start, load and stop write (grep -E); anything else is
# listed in the report's checks.
expected() {
	case $1 in
	forkd-*) echo 'listening on http|zygote pid [0-9]+ (starting|ready)|forkd [0-9][^ ]*: pid [0-9]+, |worker [0-9]+ pid [0-9]+ started|stopping gracefully|stopped, exit 0|zygote\[[0-9]+\]: (warmup: (round [0-9]+/[0-9]+ done: .*, 0 not 2xx|[0-9]+ requests in .*, 0 not 2xx;|closed Django|Django is loaded: connections\.close_all\(\))|seal: )|^news: created' ;;
	gunicorn*) echo '\[INFO\] (Starting gunicorn|Listening at|Using worker|Booting worker|Handling signal: term|Worker exiting|Shutting down)' ;;
	esac
}
# unusual LOG SERVER: the log lines worth a look.  uWSGI's start-up banner
# is long and varied, so for it only lines that look like trouble.
unusual() {
	case $2 in
	uwsgi) grep -Ei 'error|traceback|exception|segmentation|DAMN|signal [0-9]|respawn' -- "$1" ;;
	*) grep -Ev -- "$(expected "$2")" "$1" ;;
	esac | grep -Ev -- "$NOISE"
}
started() {
	case $1 in
	forkd-*) echo 'worker [0-9]+ pid [0-9]+ started' ;;
	gunicorn*) echo 'Booting worker with pid' ;;
	uwsgi) echo 'spawned uWSGI worker' ;;
	esac
}
# Lines of no interest whatever the server (Python 3.12 warnings about
# Debian's pytz source).
NOISE='SyntaxWarning: invalid escape sequence|match = re\.match\("\^#'

# finish RUNID SERVER N LOG SECTION APP VER EXTRA: stops the server,
# records the run.
finish() {
	local runid=$1 s=$2 n=$3 log=$4 section=$5 a=$6 v=$7 extra=$8 k
	stop_tree "$SERVER_PID" "$STOP_TIMEOUT"
	SERVER_PID=""
	k=$(grep -Ec -- "$(started "$s")" "$log")
	extra="$extra;restarts=$((k - n));stop_status=$STOP_STATUS;stop_killed=$STOP_KILLED;stop_ms=$STOP_MS"
	printf '%s\t%s\t%s\t%s\t%s\t%s\tok\t%s\n' "$runid" "$section" "$a" "$v" \
	    "$(label "$s" "$v")" "$n" "$extra" >>"$WORK/runs.tsv"
	unusual "$log" "$s" | head -n 50 |
	    sed "s/^/$runid	/" >>"$WORK/unexpected.tsv"
	{
		echo "# $(label "$s" "$v"), $a, Python $v, $n workers ($section)"
		head -n 120 "$log"
		[ "$(wc -l <"$log")" -le 120 ] || echo "# ... $(($(wc -l <"$log") - 120)) more lines"
	} >"$RAW/$runid.log"
}

failed() { # RUNID SERVER N LOG SECTION APP VER WHY
	if [ -n "$SERVER_PID" ]; then
		stop_tree "$SERVER_PID" 5
		SERVER_PID=""
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\tfailed: %s\t\n' "$1" "$5" "$6" "$7" \
	    "$(label "$2" "$7")" "$3" "$8" >>"$WORK/runs.tsv"
	{
		echo "# $(label "$2" "$7"), $6, Python $7, $3 workers ($5): FAILED: $8"
		tail -n 120 "$4"
	} >"$RAW/$1.log"
}

memread() { # RUNID PHASE
	"$HPY" "$LIB/procmem.py" "$SERVER_PID" | sed "s/^/$1	$2	/" >>"$WORK/mem.tsv"
}

total_pss() { # RUNID PHASE: MiB, for progress lines
	awk -F'\t' -v r="$1" -v p="$2" '$1 == r && $2 == p { s += $7 } END { printf "%.0f", s / 1024 }' "$WORK/mem.tsv"
}

# measured RUNID SERVER APP VER N SECONDS SECTION: start, wait, warm, idle
# reading, wrk, loaded reading, stop.
measured() {
	local runid=$1 s=$2 a=$3 v=$4 n=$5 d=$6 section=$7 log st
	SERVER=$s
	log=$WORK/logs/$runid.log
	start_server "$s" "$a" "$v" "$n" "$log"
	if ! wait_up "$log" "$n" all; then
		failed "$runid" "$s" "$n" "$log" "$section" "$a" "$v" "$FAIL"
		return
	fi
	if ! "$HPY" "$LIB/warm.py" "$PORT" 0 1 "${URLS[$a]}" >"$WORK/warm.out" 2>&1; then
		say "  warm pass not all 2xx: $(head -n 1 "$WORK/warm.out")"
	fi
	st=$("$HPY" "$LIB/settle.py" "$SERVER_PID" 30)
	memread "$runid" idle
	run_wrk "$WORK/wrk/$runid.txt" "$d" "$a"
	if ! alive "$SERVER_PID"; then
		failed "$runid" "$s" "$n" "$log" "$section" "$a" "$v" "died during the load"
		return
	fi
	memread "$runid" loaded
	say "  ready in $((UP_MS))ms, PSS idle $(total_pss "$runid" idle) MiB, loaded $(total_pss "$runid" loaded) MiB, $WRK_SUMMARY"
	cp "$WORK/wrk/$runid.txt" "$RAW/$runid.wrk.txt"
	finish "$runid" "$s" "$n" "$log" "$section" "$a" "$v" "ready_ms=$UP_MS;settle=${st#settle: }"
}

# --- 1-3: the main tables ---------------------------------------------------------

SERVERS="forkd-none forkd-freeze forkd-full gunicorn-preload gunicorn uwsgi"
total=0
for a in $APPS; do for v in $PYVERS; do for s in $SERVERS; do total=$((total + 1)); done; done; done
i=0
for a in $APPS; do
	for v in $PYVERS; do
		for s in $SERVERS; do
			i=$((i + 1))
			runid=main-$a-py$v-$s
			if [ "$s" = uwsgi ] && [ "$v" != "$UWSGI_PY" ]; then
				say "$i/$total $a py$v $s: n/a (Debian's plugin is for $UWSGI_PY)"
				printf '%s\tmain\t%s\t%s\t%s\t%s\tn/a (Debian'"'"'s plugin is for %s)\t\n' \
				    "$runid" "$a" "$v" "$(label "$s" "$v")" "$WORKERS" "$UWSGI_PY" >>"$WORK/runs.tsv"
				continue
			fi
			say "$i/$total $a py$v $(label "$s" "$v"), $WORKERS workers, wrk ${DURATION}s"
			measured "$runid" "$s" "$a" "$v" "$WORKERS" "$DURATION" main
			sleep 1
		done
	done
done

# --- 4: PSS against the worker count ------------------------------------------------

curve_app() { # APP
	local a=$1 s n
	for s in forkd-full gunicorn-preload; do
		for n in $CURVE_NS; do
			say "curve $a py$NEWEST $(label "$s" "$NEWEST") -w $n, wrk ${CURVE_DURATION}s"
			measured "curve-$a-py$NEWEST-$s-w$n" "$s" "$a" "$NEWEST" "$n" "$CURVE_DURATION" curve
			sleep 1
		done
	done
}

CURVE_NOTE=""
set -- $CURVE_APPS
if [ $# -gt 0 ]; then
	c0=$(date +%s)
	curve_app "$1"
	CURVE_ONE=$(($(date +%s) - c0))
	shift
fi

# --- 5: early latency ---------------------------------------------------------------

EARLY_APP=django
case " $APPS $CURVE_APPS " in *" django "*) ;; *) EARLY_APP=${APPS%% *} ;; esac
for s in forkd-full gunicorn; do
	runid=early-$EARLY_APP-py$NEWEST-$s
	SERVER=$s
	log=$WORK/logs/$runid.log
	say "early latency: $EARLY_APP py$NEWEST $(label "$s" "$NEWEST"), wrk ${EARLY_DURATION}s at first answer, then ${EARLY_DURATION}s"
	start_server "$s" "$EARLY_APP" "$NEWEST" "$WORKERS" "$log"
	if ! wait_up "$log" "$WORKERS" first; then
		failed "$runid" "$s" "$WORKERS" "$log" early "$EARLY_APP" "$NEWEST" "$FAIL"
		continue
	fi
	first_ms=$UP_MS
	run_wrk "$WORK/wrk/$runid-first.txt" "$EARLY_DURATION" "$EARLY_APP"
	r1=$WRK_SUMMARY
	run_wrk "$WORK/wrk/$runid-steady.txt" "$EARLY_DURATION" "$EARLY_APP"
	say "  first answer after ${first_ms}ms; first: $r1; steady: $WRK_SUMMARY"
	cp "$WORK/wrk/$runid-first.txt" "$RAW/$runid-first.wrk.txt"
	cp "$WORK/wrk/$runid-steady.txt" "$RAW/$runid-steady.wrk.txt"
	if alive "$SERVER_PID"; then
		finish "$runid" "$s" "$WORKERS" "$log" early "$EARLY_APP" "$NEWEST" "first_answer_ms=$first_ms"
	else
		failed "$runid" "$s" "$WORKERS" "$log" early "$EARLY_APP" "$NEWEST" "died during the load"
	fi
	sleep 1
done

# --- 4, continued: the other curve apps, if time allows ---------------------------------

for a in "$@"; do
	left=$((BUDGET - ($(date +%s) - T0)))
	if [ "$left" -lt $((CURVE_ONE + 60)) ]; then
		say "curve for $a skipped: it takes about ${CURVE_ONE}s and ${left}s of the ${BUDGET}s budget are left"
		CURVE_NOTE="${CURVE_NOTE}The $a curve was skipped: about ${CURVE_ONE}s needed, ${left}s of the ${BUDGET}s budget left. "
		continue
	fi
	curve_app "$a"
done

# --- the report -------------------------------------------------------------------------

ELAPSED=$(($(date +%s) - T0))
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
memtot=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
pys=""
fw=""
guni=""
for v in $PYVERS; do
	pys="$pys${pys:+; }${PYFULL[$v]} (${PYEXE[$v]})"
	fw="$fw${fw:+; }$v: $(PYTHONPATH=$(pypath "$v") "${PYEXE[$v]}" -c 'import flask, django; print("Flask %s, Django %s" % (flask.__version__, django.get_version()))' 2>/dev/null)"
	guni="$guni${guni:+; }$v: gunicorn $(PYTHONPATH=$(pypath "$v") "${PYEXE[$v]}" -c 'import gunicorn; print(gunicorn.__version__)' 2>/dev/null)"
done
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "elapsed=$((ELAPSED / 60)) min $((ELAPSED % 60)) s"
	echo "host=$(uname -m), $(nproc) × ${cpu:-unknown CPU}, $memtot RAM; wrk runs on the same CPUs as the servers"
	echo "kernel=$(uname -sr)"
	echo "load=$LOAD0 before, $(cut -d' ' -f1-3 /proc/loadavg) after (1/5/15 min load averages: other work on the machine adds noise)"
	echo "pythons=$pys"
	echo "forkd=$FORKD_VER, commit $COMMIT, built per Python with make BUILD=build/bench-py-X.Y PYTHON=..."
	echo "gunicorn=$guni; sync worker, run as PYTHON -m gunicorn"
	echo "uwsgi=$UWSGI_VER, Debian's python3 plugin (embeds Python $UWSGI_PY), --http-socket --master --processes N --module APP --disable-logging --need-app --die-on-term; app loaded in the master and workers forked from it (no --lazy-apps: uWSGI's preload mode)"
	echo "frameworks=$fw"
	echo "wrk=$(wrk -v 2>&1 | head -n 1 | sed 's/ Copyright.*//'); every server gets the same connections (keep-alive, wrk's default; gunicorn's sync worker answers Connection: close, so wrk reconnects for each request; uWSGI's --http-socket answers HTTP/1.1 without Connection: close and then closes the connection, which wrk counts as a read error and reconnects: uWSGI's socket errors are that, not failed requests)"
	echo "wrk_params=-t$THREADS -c$CONNS -d${DURATION}s --latency -s bench/lib/urls.lua (GET, round-robin over the app's urls.txt)"
	echo "workers=$WORKERS in the per-app tables"
	echo "nworkers=$WORKERS"
	echo "duration=$DURATION"
	echo "curve_duration=$CURVE_DURATION"
	echo "early_duration=$EARLY_DURATION"
	echo "early_what=$EARLY_APP on Python $NEWEST, $WORKERS workers: wrk ${EARLY_DURATION}s as soon as / first answers 2xx after start, then wrk ${EARLY_DURATION}s again"
	echo "curve_note=$CURVE_NOTE"
	echo "pythonpath=${DIST:-no dist-packages} for every server on $(for v in $PYVERS; do [ -n "${PYPATH[$v]}" ] && printf '%s ' "$v"; done)(where Flask/Django/gunicorn do not import otherwise); gunicorn and uWSGI also get bench/lib/shim (a no-op \`forkd\` module)"
	apps=""
	for a in "${!URLS[@]}"; do
		apps="$apps${apps:+; }examples/$a (${APPSPEC[$a]}, $(wc -l <"${URLS[$a]}") GET URLs of urls.txt)"
	done
	echo "apps=$apps; Django's SQLite database in bench/work/memory/db, created before the runs; forkd gets --warmup with the same URLs (bench/work/APP-warmup.txt) and --stats-interval 0"
	echo "method=Each run: start (bind 127.0.0.1:0), wait until every worker is up and / answers 2xx, GET every URL once (warm pass, same for all servers), wait until the tree's CPU time stops growing, read memory (**idle**), wrk, read memory again (**loaded**), SIGTERM. Total PSS = the sum of Pss over the server's whole process tree (master, forkd's zygote, workers), from /proc/PID/smaps_rollup; USS = Private_Clean + Private_Dirty of each worker. req/s per GiB = req/s / (total PSS loaded in GiB). p99 from wrk's latency histogram; non-2xx counted by urls.lua's response hook; socket errors as wrk reports them (c connect, r read, w write, t timeout)."
} >"$WORK/meta"

MPL_PY=""
for p in /usr/bin/python3 "$(command -v python3 2>/dev/null)" $(for v in $PYVERS; do echo "${PYEXE[$v]}"; done); do
	[ -n "$p" ] && [ -x "$p" ] || continue
	if "$p" -c 'import matplotlib' 2>/dev/null; then
		MPL_PY=$p
		break
	fi
done
[ -n "$MPL_PY" ] || say "no charts: matplotlib imports on no Python here (apt-get install python3-matplotlib)"
"${MPL_PY:-$HPY}" "$LIB/memreport.py" "$WORK" "$RESULTS/memory.md" "$RESULTS" ||
	die "report failed (BENCH_KEEP=1 keeps $WORK)"
say "wrote bench/results/memory.md$(ls "$RESULTS"/memory-*.png >/dev/null 2>&1 && echo ', bench/results/memory-*.png') and bench/results/raw-memory/ in $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
cat "$RESULTS/memory.md"
