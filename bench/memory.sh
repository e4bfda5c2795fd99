#!/usr/bin/env bash
# shellcheck disable=SC1091,SC2015,SC2086
# memory.sh: how much memory forkd, gunicorn and uWSGI take to serve the
# example sites (examples/flask, examples/django, examples/stdlib) with the
# same number of workers, and how many requests per second each gets out
# of a GB of it.
# Run by hand (or `make bench-memory`); takes about 35 minutes.
#
#   bench/memory.sh
#   APPS=django PYVERS=3.12 ROUNDS=1 DURATION=3 CURVE_APPS= ABLATION=0 bench/memory.sh
#
# Environment (all optional):
#   APPS="flask django stdlib" the apps of the main tables (examples/stdlib
#                             needs no package: it runs on every Python)
#   PYVERS="3.11 3.12 3.13 3.14" the CPython minor versions (their paths
#                             come from scripts/find-python.sh; 3.14 is
#                             built by make deps); an app that does not
#                             import on one (Django 3.2 on 3.13+, Flask 2.2
#                             on 3.14) gets "n/a" rows saying why
#   SERVERS="forkd-none forkd-freeze forkd-full gunicorn-preload
#            gunicorn-sealed gunicorn uwsgi"   the servers of the main tables
#   ROUNDS=2                  the main tables (and the ablation) run ROUNDS
#                             times, interleaved: round 1 runs every server,
#                             then round 2 every server again, in another
#                             order; the report gives every round's figures
#   WORKERS=8                 workers in the main tables and the ablation
#   DURATION=15               seconds of wrk per main and ablation run
#   WARMUP_ROUNDS=2           forkd's --warmup-rounds, and the rounds of the
#                             seal hook's warmup (gunicorn-sealed)
#   ABLATION=1                the ablation table (Django, Python 3.12): 0
#                             leaves it out, "only" runs nothing else
#   ABLATION_ROWS="label|forkd flags" lines: its forkd rows (default below)
#   ABLATION_ATTRIBUTE=1      each forkd row (of this forkd) also gets one
#                             run with --cow attribute, round 1 only, for
#                             the copied pages' top five sources; 0: none
#   ABLATION_ATTR_DURATION=10 seconds of wrk of those runs
#   CURVE_APPS="django flask" the worker-count curve, on the newest of
#                             PYVERS the app imports on; flask only if
#                             time allows
#   CURVE_NS="1 2 4 8 16"     its worker counts
#   CURVE_DURATION=10         seconds of wrk per curve point
#   EARLY_DURATION=10         seconds of each early-latency wrk run
#   BUDGET=2400               seconds; optional parts (the second curve
#                             app) are skipped when they would overrun it
#   BENCH_KEEP=1              keep bench/work/memory afterwards
#   RESULTS_DIR=bench/results where the report, charts and raw-memory/ go
#                             (another directory for trial runs)
#
# For each app × Python × server, 8 workers each:
#   forkd --seal none | freeze | full (with --warmup made from the app's
#   urls.txt: warming in the zygote is forkd's design; on 3.11, which has
#   no immortal objects, full is the same as freeze and labelled so),
#   gunicorn --preload, gunicorn --preload + lib/gunicorn_seal.py (the
#   seal a gunicorn user can bolt on: the same warmup in a pre_fork hook,
#   gc.collect(), every gc object immortal, gc.freeze()), gunicorn (no
#   preload; sync worker all three),
#   uWSGI --master --processes 8 (app loaded in the master: no --lazy-apps,
#   uWSGI's default, its preload mode), only on the Python its Debian
#   plugin is built for.
# each one is started (bind 127.0.0.1:0, the port read from its log),
# waited for (all workers up and / answering), sent every URL of urls.txt
# once, left to go idle, measured (PSS of the whole tree: master, zygote,
# workers; USS of each worker), loaded with wrk for 15 s (-t2 -c32,
# bench/lib/urls.lua round-robin over the URLs) and measured again.
# Then the ablation: Django on 3.12, one forkd row per ABLATION_ROWS
# entry plus the two gunicorn --preload rows, with the copied pages per
# worker by kind from forkd's --cow-report (count mode, the default) when
# forkd has it, and, from a second, shorter run of each forkd row with
# --cow attribute (round 1), what lived on them: the top five types,
# modules, functions and objects.  Then PSS against worker count
# (1..16) for forkd --seal full and gunicorn --preload, and the p99 of the
# first 10 s after start against the next 10 s for forkd --seal full and
# gunicorn (no preload).
#
# Output: bench/results/memory.md, bench/results/memory-*.png (when
# matplotlib imports on some Python here), bench/results/raw-memory/ (wrk
# outputs, server logs, --cow-report files).  Loopback only.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$TOP/bench
LIB=$BENCH/lib
RESULTS=${RESULTS_DIR:-$BENCH/results}
RAW=$RESULTS/raw-memory
WORK=$BENCH/work/memory
PROG=memory.sh
# shellcheck source=lib/common.sh
. "$LIB/common.sh"

APPS=${APPS:-flask django stdlib}
PYVERS=${PYVERS:-3.11 3.12 3.13 3.14}
ALL_SERVERS="forkd-none forkd-freeze forkd-full gunicorn-preload gunicorn-sealed gunicorn uwsgi"
SERVERS=${SERVERS-$ALL_SERVERS}
ROUNDS=${ROUNDS:-2}
WORKERS=${WORKERS:-8}
DURATION=${DURATION:-15}
WARMUP_ROUNDS=${WARMUP_ROUNDS:-2}
ABLATION=${ABLATION:-1}
ABLATION_APP=django
ABLATION_PY=3.12
ABLATION_ATTRIBUTE=${ABLATION_ATTRIBUTE:-1}
ABLATION_ATTR_DURATION=${ABLATION_ATTR_DURATION:-10}
# The ablation's forkd rows, "label|flags" a line (every row also gets
# --warmup, --warmup-rounds, -w and, when forkd has it, --cow-report with
# a --stats-interval that writes it during and after the load).
# One line per step of the work on sharing: add a row when a flag lands.
# Flags starting with @REV run forkd built from that commit of this
# repository (the row "before" the work measured).
ABLATION_ROWS=${ABLATION_ROWS:-"forkd before this work (b93a0c5), --seal full|@b93a0c5 --seal full
forkd --seal full, holes kept, code not packed|--seal full --fill-holes off --pack-code off
forkd --seal full, holes filled, code not packed|--seal full --pack-code off
forkd --seal full (holes filled, code packed)|--seal full
forkd --seal freeze|--seal freeze
forkd --seal none|--seal none"}
CURVE_APPS=${CURVE_APPS-django flask}
CURVE_NS=${CURVE_NS:-1 2 4 8 16}
CURVE_DURATION=${CURVE_DURATION:-10}
EARLY_DURATION=${EARLY_DURATION:-10}
BUDGET=${BUDGET:-2400}
THREADS=2
CONNS=32
READY_TIMEOUT=90    # seconds a server gets to have all workers answering
STOP_TIMEOUT=15     # seconds after SIGTERM before SIGKILL

die() {
	echo "$PROG: $*" >&2
	exit 1
}

for v in WORKERS DURATION CURVE_DURATION EARLY_DURATION BUDGET ROUNDS WARMUP_ROUNDS ABLATION_ATTR_DURATION; do
	case ${!v} in '' | *[!0-9]* | 0*) die "$v wants a positive integer, got '${!v}'" ;; esac
done
for s in $SERVERS; do
	case " $ALL_SERVERS " in *" $s "*) ;; *) die "SERVERS: unknown server '$s' (known: $ALL_SERVERS)" ;; esac
done
case $ABLATION in
0 | 1) ;;
only) APPS="" PYVERS=$ABLATION_PY SERVERS="" CURVE_APPS="" ;;
*) die "ABLATION wants 0, 1 or only, got '$ABLATION'" ;;
esac
case $ABLATION_ATTRIBUTE in 0 | 1) ;; *) die "ABLATION_ATTRIBUTE wants 0 or 1, got '$ABLATION_ATTRIBUTE'" ;; esac
# Every Python something runs on: PYVERS, and the ablation's.
PYVERS_ALL=$(printf '%s\n' $PYVERS "$([ "$ABLATION" = 0 ] || echo "$ABLATION_PY")" |
    awk 'NF && !seen[$0]++' | tr '\n' ' ')

T0=$(date +%s)
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD0=$(loadavg)
say() {
	local t=$(($(date +%s) - T0))
	printf '%s [%02d:%02d] %s\n' "$PROG" $((t / 60)) $((t % 60)) "$*" >&2
}

# --- what the benchmark needs ---------------------------------------------

[ "$(uname -s)" = Linux ] || die "Linux only (/proc/PID/smaps_rollup)"
awk -v n="$(nproc)" '{ exit !($1 > n / 2) }' /proc/loadavg &&
	say "warning: the machine is not quiet (load average $LOAD0 on $(nproc) CPUs): the figures will be noisy"
for c in wrk curl ps make; do
	command -v $c >/dev/null 2>&1 || die "$c is missing: run 'make deps'"
done
command -v uwsgi >/dev/null 2>&1 ||
	die "uwsgi is missing: run 'make deps' (Debian's uwsgi-core and uwsgi-plugin-python3)"
[ -f /proc/self/smaps_rollup ] || die "this kernel has no /proc/PID/smaps_rollup"

# The interpreters: scripts/find-python.sh, never a written-down path.
PYLIST=$("$TOP/scripts/find-python.sh") || die "scripts/find-python.sh failed"
declare -A PYEXE PYFULL PYPATH FORKD_OF COW_OK
for v in $PYVERS_ALL; do
	p=$(printf '%s\n' "$PYLIST" | awk -v v="$v" '$1 == v { print $2 }')
	[ -n "$p" ] || die "no CPython $v with headers found (scripts/find-python.sh); run 'make deps'"
	PYEXE[$v]=$p
	PYFULL[$v]=$("$p" -c 'import platform; print(platform.python_version())')
done
# The helper scripts (stdlib only) run on the first of them.
set -- $PYVERS_ALL
HPY=${PYEXE[$1]}
HPY_VER=$1
# immortal VER: the Python has immortal objects (3.12+).
immortal() { "${PYEXE[$1]}" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; }

# --- the apps ---------------------------------------------------------------

# APPMODS: the packages an app needs besides the stdlib (checked below).
declare -A APPDIR APPSPEC APPMODS
APPDIR[flask]=$TOP/examples/flask
APPSPEC[flask]=app:app
APPMODS[flask]=flask
APPDIR[django]=$TOP/examples/django
APPSPEC[django]=site_project.wsgi:application
APPMODS[django]=django
APPDIR[stdlib]=$TOP/examples/stdlib
APPSPEC[stdlib]=app:app
APPMODS[stdlib]=""
PREP_APPS=$(printf '%s\n' $APPS $CURVE_APPS | awk '!seen[$0]++' | tr '\n' ' ')
[ "$ABLATION" = 0 ] || PREP_APPS=$(printf '%s\n' $PREP_APPS $ABLATION_APP | awk '!seen[$0]++' | tr '\n' ' ')
for a in $PREP_APPS; do
	[ -n "${APPDIR[$a]:-}" ] || die "unknown app '$a' (flask, django, stdlib)"
	[ -f "${APPDIR[$a]}/urls.txt" ] || die "no ${APPDIR[$a]}/urls.txt"
done

# Debian keeps Flask, Django and gunicorn in dist-packages, which only its
# own python3 reads: any other interpreter gets it on PYTHONPATH, for
# every server alike.  Looked for here, not assumed.  Only the packages
# of the apps this run serves are asked for (the stdlib site needs none).
DIST=/usr/lib/python3/dist-packages
[ -d "$DIST" ] || DIST=""
SHIM=$LIB/shim
mods=$(for a in $PREP_APPS; do echo ${APPMODS[$a]}; done | awk 'NF && !seen[$0]++' | tr '\n' ' ')
mods="${mods}gunicorn"
# gunicorn must import; an app's framework may not on a new Python
# (Django 3.2 on 3.13+, Werkzeug 2.2 on 3.14): the URL check below makes
# that app's rows n/a on it.
for v in $PYVERS_ALL; do
	py=${PYEXE[$v]}
	if "$py" -c "import $(echo $mods | tr ' ' ,)" 2>/dev/null; then
		PYPATH[$v]=""
	elif [ -n "$DIST" ] && PYTHONPATH=$DIST "$py" -c "import gunicorn" 2>/dev/null; then
		PYPATH[$v]=$DIST
	else
		die "gunicorn does not import on $py (even with $DIST on PYTHONPATH): run 'make deps'"
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
for v in $PYVERS_ALL; do
	rel=build/bench-py-$v
	say "building forkd against ${PYEXE[$v]} into $rel"
	make -s -C "$TOP" -j"$(nproc 2>/dev/null || echo 2)" BUILD="$rel" PYTHON="${PYEXE[$v]}" all >&2 ||
		die "forkd does not build: make BUILD=$rel PYTHON=${PYEXE[$v]} all"
	f=$TOP/$rel/forkd
	emb=$("$f" --version 2>/dev/null | sed -n 's/^python: [^ ]* (\(.*\))$/\1/p')
	[ "$(readlink -f "$emb")" = "$(readlink -f "${PYEXE[$v]}")" ] ||
		die "$f embeds '$emb', not ${PYEXE[$v]}"
	FORKD_OF[$v]=$f
	# The copied-pages report (--cow-report FILE), once forkd has it.
	COW_OK[$v]=""
	"$f" --help 2>&1 | grep -q -- '--cow-report' && COW_OK[$v]=1
done
FORKD_VER=$("${FORKD_OF[$HPY_VER]}" --version | head -n 1)
# The ablation's attribute runs: asked for, and this forkd has --cow
# attribute (whether the host lets it work, --version says; the report
# shows what came out).
AB_ATTR="" COW_PROBE=""
if [ "$ABLATION" != 0 ] && [ -n "${COW_OK[$ABLATION_PY]}" ]; then
	COW_PROBE=$("${FORKD_OF[$ABLATION_PY]}" --version 2>/dev/null | sed -n 's/^copy-on-write tracker: //p')
	[ "$ABLATION_ATTRIBUTE" = 0 ] || ! "${FORKD_OF[$ABLATION_PY]}" --help 2>&1 | grep -q attribute ||
		AB_ATTR=1
fi
COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
# The figures describe this commit only if nothing tracked differs from it
# (the results this run rewrites aside).
DIRTY=$(git -C "$TOP" status --porcelain -- . ":!bench/results" 2>/dev/null |
    awk '{ print $2 }' | head -n 5 | tr '\n' ' ')
[ -z "$DIRTY" ] || COMMIT="$COMMIT + uncommitted changes (${DIRTY% })"

# The SQLite databases of the Django and stdlib examples: here, not in /tmp.
export FORKD_EXAMPLE_DB=$WORK/db

# --- processes ----------------------------------------------------------------

SERVER_PID=""
WRK_PID=""
bench_traps

# Fresh work files (the database too: every run of the bench starts alike).
rm -rf "$WORK/wrk" "$WORK/logs" "$WORK/db" "$WORK/cow" "$WORK"/*.tsv "$WORK"/meta
mkdir -p "$WORK/wrk" "$WORK/logs" "$WORK/db" "$WORK/cow"
for f in runs mem unexpected rounds hook; do : >"$WORK/$f.tsv"; done
rm -f "$RAW"/*.txt "$RAW"/*.log "$RAW"/*.json "$RESULTS"/memory-*.png

# The URLs: each app imported once per Python, in-process, every path of
# urls.txt called with GET; POST-only ones (405) are left out.  This also
# creates and seeds the Django database before any server is timed.  An
# app that fails to import with an ImportError (Django 3.2 on 3.13: no
# cgi module), or with an AttributeError on a module (Werkzeug 2.2 on
# 3.14: no ast.Str), is "n/a" on that Python, and the report says why;
# any other failure stops the run.
declare -A URLS WARMUP NA
for a in $PREP_APPS; do
	ok=""
	for v in $PYVERS_ALL; do
		out=$WORK/$a-urls-$v.txt
		if PYTHONPATH=$(pypath "$v" shim) "${PYEXE[$v]}" "$LIB/urlcheck.py" \
		    "${APPDIR[$a]}" "${APPSPEC[$a]}" "${APPDIR[$a]}/urls.txt" "$out" \
		    >"$WORK/urlcheck-$a-$v.txt" 2>"$WORK/urlcheck-$a-$v.err"; then
			ok="$ok $v"
			continue
		fi
		# A missing module, or a module attribute the new Python removed
		# (ast.Str under Werkzeug 2.2 on 3.14).
		why=$(grep -E "^(ModuleNotFoundError|ImportError): |^AttributeError: module '[A-Za-z0-9_.]+' has no attribute " \
		    "$WORK/urlcheck-$a-$v.err" | tail -n 1)
		if [ -z "$why" ]; then
			cat "$WORK/urlcheck-$a-$v.err" >&2
			die "$a does not import on Python $v"
		fi
		NA[$a,$v]="$a does not import on Python $v ($why)"
		say "${NA[$a,$v]}: its rows are n/a"
	done
	# The first such Python's list is the one used (they are checked to agree).
	set -- $ok
	[ $# -gt 0 ] || die "$a imports on none of Python $PYVERS_ALL"
	URLS[$a]=$WORK/$a-urls-$1.txt
	for v in $ok; do
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
[ "$ABLATION" = 0 ] || [ -z "${NA[$ABLATION_APP,$ABLATION_PY]:-}" ] ||
	die "the ablation needs $ABLATION_APP on Python $ABLATION_PY: ${NA[$ABLATION_APP,$ABLATION_PY]} (ABLATION=0 leaves it out)"

# newest APP: the newest of PYVERS the app imports on (for the curve and
# the early-latency runs); empty if none.
newest() {
	local v out=""
	for v in $PYVERS; do
		[ -n "${NA[$1,$v]:-}" ] || out=$v
	done
	echo "$out"
}

# --- one server -----------------------------------------------------------------

# label SERVER VER: the name in the tables.
label() {
	case $1 in
	forkd-none) echo "forkd --seal none" ;;
	forkd-freeze) echo "forkd --seal freeze" ;;
	forkd-full) echo "forkd --seal full$(immortal "$2" || echo " (= freeze on $2)")" ;;
	gunicorn-preload) echo "gunicorn --preload" ;;
	gunicorn-sealed) echo "gunicorn --preload + seal hook (prototype$(immortal "$2" || echo "; no immortal objects on $2"))" ;;
	gunicorn) echo "gunicorn (no preload)" ;;
	uwsgi) echo "uWSGI --master (app in master)" ;;
	esac
}

# start_server SERVER APP VER N LOG [FLAGS]: starts it on 127.0.0.1:0;
# sets SERVER_PID.  forkd gets FLAGS (word-split; last, so they override
# the options before them), by default --seal MODE from its name
# (forkd-MODE).
start_server() {
	local s=$1 a=$2 v=$3 n=$4 log=$5 flags=${6:-"--seal ${1#forkd-}"}
	local -a pre=()
	: >"$log"
	case $s in
	forkd-*)
		# shellcheck disable=SC2086
		PYTHONPATH=$(pypath "$v") "${FORKD_BIN:-${FORKD_OF[$v]}}" --app "${APPSPEC[$a]}" \
		    --chdir "${APPDIR[$a]}" -w "$n" -b 127.0.0.1:0 \
		    --warmup "${WARMUP[$a]}" --warmup-rounds "$WARMUP_ROUNDS" \
		    --stats-interval 0 $flags >"$log" 2>&1 &
		;;
	gunicorn*)
		case $s in
		gunicorn-preload) pre=(--preload) ;;
		gunicorn-sealed) pre=(--preload -c "$LIB/gunicorn_seal.py") ;;
		esac
		GUNICORN_SEAL_WARMUP=${WARMUP[$a]} GUNICORN_SEAL_ROUNDS=$WARMUP_ROUNDS \
		    PYTHONPATH=$(pypath "$v" shim) "${PYEXE[$v]}" -m gunicorn "${pre[@]}" \
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
	forkd-*) echo 'listening on http|zygote pid [0-9]+ (starting|ready)|forkd [0-9][^ ]*: pid [0-9]+, |worker [0-9]+ pid [0-9]+ started|stopping gracefully|stopped, exit 0|zygote\[[0-9]+\]: (warmup: (round [0-9]+/[0-9]+ done: .*, 0 not 2xx|[0-9]+ requests in .*, 0 not 2xx;|closed Django|Django is loaded: connections\.close_all\(\))|seal: |pack-code: )|^news: created|forkd\[[0-9]+\]: (stats: |cow: (worker [0-9]+ pid [0-9]+ \([a-z-]+\): (written|top) |[0-9]+ workers: written ))|zygote\[[0-9]+\]: cow: object index: |worker\.[0-9]+\[[0-9]+\]: cow: [0-9]+ private file mappings .* refuse synchronous write-protect' ;;
	gunicorn*) echo '\[INFO\] (Starting gunicorn|Listening at|Using worker|Booting worker|Handling signal: term|Worker exiting|Shutting down|seal hook: (warmup [0-9]+ requests .*, 0 not 2xx;|worker [0-9]+: ))' ;;
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

# record RUNID SECTION APP VER LABEL N STATUS EXTRA: one line of runs.tsv
# (ROUND, the round of the main tables and the ablation, last; 1 elsewhere).
record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "${ROUND:-1}" >>"$WORK/runs.tsv"
}

# hook_check RUNID LOG: what the seal hook's lines say (gunicorn-sealed), as
# extra fields: the workers that logged, how many saw a frozen generation
# and an immortal app object.  The master's line goes to hook.tsv.
hook_check() {
	local log=$2
	grep -o 'seal hook: warmup .*' "$log" | head -n 1 | sed "s/^/$1	/" >>"$WORK/hook.tsv"
	printf 'hook_workers=%s;hook_frozen=%s;hook_immortal=%s' \
	    "$(grep -c 'seal hook: worker [0-9]*: ' "$log")" \
	    "$(grep -Ec 'seal hook: worker [0-9]+: gc.get_freeze_count\(\) [1-9]' "$log")" \
	    "$(awk '/sys.getrefcount\(app\) [0-9]+$/ && $NF >= 2147483648 { n++ } END { print n + 0 }' "$log")"
}

# finish RUNID SERVER N LOG SECTION APP VER EXTRA: stops the server,
# records the run under RUN_LABEL.
finish() {
	local runid=$1 s=$2 n=$3 log=$4 section=$5 a=$6 v=$7 extra=$8 k
	stop_tree "$SERVER_PID" "$STOP_TIMEOUT"
	SERVER_PID=""
	k=$(grep -Ec -- "$(started "$s")" "$log")
	extra="$extra;restarts=$((k - n));stop_status=$STOP_STATUS;stop_killed=$STOP_KILLED;stop_ms=$STOP_MS"
	[ "$s" != gunicorn-sealed ] || extra="$extra;$(hook_check "$runid" "$log")"
	record "$runid" "$section" "$a" "$v" "$RUN_LABEL" "$n" ok "$extra"
	unusual "$log" "$s" | head -n 50 |
	    sed "s/^/$runid	/" >>"$WORK/unexpected.tsv"
	{
		echo "# $RUN_LABEL, $a, Python $v, $n workers ($section)"
		head -n 120 "$log"
		[ "$(wc -l <"$log")" -le 120 ] || echo "# ... $(($(wc -l <"$log") - 120)) more lines"
	} >"$RAW/$runid.log"
	[ ! -s "$WORK/cow/$runid.json" ] || cp "$WORK/cow/$runid.json" "$RAW/$runid.cow.json"
}

failed() { # RUNID SERVER N LOG SECTION APP VER WHY
	if [ -n "$SERVER_PID" ]; then
		stop_tree "$SERVER_PID" 5
		SERVER_PID=""
	fi
	record "$1" "$5" "$6" "$7" "$RUN_LABEL" "$3" "failed: $8" ""
	{
		echo "# $RUN_LABEL, $6, Python $7, $3 workers ($5): FAILED: $8"
		tail -n 120 "$4"
	} >"$RAW/$1.log"
}

memread() { # RUNID PHASE
	"$HPY" "$LIB/procmem.py" "$SERVER_PID" | sed "s/^/$1	$2	/" >>"$WORK/mem.tsv"
}

total_pss() { # RUNID PHASE: MiB, for progress lines
	awk -F'\t' -v r="$1" -v p="$2" '$1 == r && $2 == p { s += $7 } END { printf "%.0f", s / 1024 }' "$WORK/mem.tsv"
}

# fresh_report FILE: waits until forkd has rewritten its --cow-report FILE
# since the load ended ($WORK/load-end), 12 s at most (two ticks of the
# longest cow_interval); status 1 if it has not.
fresh_report() {
	local end=$(($(now_ms) + 12000))
	until [ "$1" -nt "$WORK/load-end" ]; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# measured RUNID SERVER APP VER N SECONDS SECTION [LABEL FLAGS]: start,
# wait, warm, idle reading, wrk, loaded reading, stop.  LABEL (default:
# label SERVER VER) names the run, FLAGS are forkd's (start_server).  With
# COW_FILE set (FLAGS give forkd --cow-report COW_FILE), the stop waits for
# the report forkd writes after the load.
measured() {
	local runid=$1 s=$2 a=$3 v=$4 n=$5 d=$6 section=$7 flags=${9:-} log st cow=""
	SERVER=$s
	RUN_LABEL=${8:-$(label "$s" "$v")}
	log=$WORK/logs/$runid.log
	start_server "$s" "$a" "$v" "$n" "$log" "$flags"
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
	touch "$WORK/load-end"
	if ! alive "$SERVER_PID"; then
		failed "$runid" "$s" "$n" "$log" "$section" "$a" "$v" "died during the load"
		return
	fi
	memread "$runid" loaded
	if [ -n "${COW_FILE:-}" ]; then
		cow=";cow_fresh=1"
		fresh_report "$COW_FILE" || cow=";cow_fresh=0"
	fi
	say "  ready in $((UP_MS))ms, PSS idle $(total_pss "$runid" idle) MiB, loaded $(total_pss "$runid" loaded) MiB, $WRK_SUMMARY"
	cp "$WORK/wrk/$runid.txt" "$RAW/$runid.wrk.txt"
	finish "$runid" "$s" "$n" "$log" "$section" "$a" "$v" "ready_ms=$UP_MS;settle=${st#settle: }$cow"
}

# --- 1-3: the main tables, and the ablation, in ROUNDS interleaved rounds -------------

# The ablation's rows: label, server and forkd flags, in three arrays.
AB_LABEL=() AB_SERVER=() AB_FLAGS=() AB_BIN=()
# rev_build REV: forkd at commit REV, built for the ablation's Python into
# build/bench-rev-REV; prints its path.
rev_build() {
	local rev=$1 src=$WORK/src-$1 out=$TOP/build/bench-rev-$1
	rm -rf "$src" && mkdir -p "$src" || return 1
	git -C "$TOP" archive "$rev" | tar -x -C "$src" || return 1
	say "building forkd at $rev against ${PYEXE[$ABLATION_PY]} into build/bench-rev-$rev"
	make -s -C "$src" -j"$(nproc 2>/dev/null || echo 2)" BUILD="$out" \
	    PYTHON="${PYEXE[$ABLATION_PY]}" all >&2 || return 1
	echo "$out/forkd"
}
if [ "$ABLATION" != 0 ]; then
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; *'|'*) ;; *) die "ABLATION_ROWS: want 'label|flags', got '$line'" ;; esac
		flags=${line#*|} bin=""
		case $flags in @*)
			rev=${flags%% *} flags=${flags#"$rev"}
			bin=$(rev_build "${rev#@}") || die "cannot build forkd at ${rev#@}"
			;;
		esac
		AB_LABEL+=("${line%%|*}") AB_SERVER+=(forkd-row) AB_FLAGS+=("$flags") AB_BIN+=("$bin")
	done <<<"$ABLATION_ROWS"
	AB_LABEL+=("$(label gunicorn-preload "$ABLATION_PY")" "$(label gunicorn-sealed "$ABLATION_PY")")
	AB_SERVER+=(gunicorn-preload gunicorn-sealed) AB_FLAGS+=("" "") AB_BIN+=("" "")
fi
# cow_row K: row K runs this forkd (not a @REV build) and it has --cow-report.
cow_row() { [ "${AB_SERVER[$1]}" = forkd-row ] && [ -z "${AB_BIN[$1]}" ] && [ -n "${COW_OK[$ABLATION_PY]}" ]; }
# attr_row K: row K also gets an attribute run (in round 1).
attr_row() { [ -n "$AB_ATTR" ] && cow_row "$1"; }
# cow_interval SECONDS: the --stats-interval of a run with --cow-report and
# a load of SECONDS: a third of it (so the report is written at least
# twice during the load), 1 to 5 s.
cow_interval() {
	local t=$(($1 / 3))
	echo $((t < 1 ? 1 : t > 5 ? 5 : t))
}
N_ATTR=0
for k in "${!AB_LABEL[@]}"; do
	! attr_row "$k" || N_ATTR=$((N_ATTR + 1))
done

# ablation_run K SECTION SECONDS [COWFLAGS]: row K of the ablation, measured
# with a load of SECONDS and recorded in SECTION (ablation, or ablation-attr
# for the attribute runs).  A row of this forkd gets --cow-report (and
# COWFLAGS) with a --stats-interval that writes it during the load.
ablation_run() {
	local k=$1 section=$2 d=$3 v=$ABLATION_PY flags=${AB_FLAGS[$1]} runid
	runid=$section-$ABLATION_APP-py$v-$k-r$ROUND
	i=$((i + 1))
	FORKD_BIN=${AB_BIN[$k]} COW_FILE=""
	if cow_row "$k"; then
		COW_FILE=$WORK/cow/$runid.json
		flags="$flags ${4:-} --cow-report $COW_FILE --stats-interval $(cow_interval "$d")"
	fi
	say "$i/$total $section $ABLATION_APP py$v ${AB_LABEL[$k]}${4:+ ($4)}, $WORKERS workers, wrk ${d}s"
	measured "$runid" "${AB_SERVER[$k]}" "$ABLATION_APP" "$v" "$WORKERS" "$d" "$section" \
	    "${AB_LABEL[$k]}" "$flags"
	FORKD_BIN="" COW_FILE=""
	sleep 1
}

# round_order R N: 0..N-1 in round R's order: round 1 as given, round 2
# reversed, then the same two rotated by one place, and so on.
round_order() {
	local r=$1 n=$2 k i out=""
	[ "$n" -gt 0 ] || return 0
	k=$(((r - 1) / 2 % n))
	for ((i = 0; i < n; i++)); do
		if [ $((r % 2)) -eq 1 ]; then
			out="$out $(((i + k) % n))"
		else
			out="$out $(((n - 1 - i + k) % n))"
		fi
	done
	echo $out
}

set -- $SERVERS
NSERV=$#
per_round=$((NSERV * $(echo $APPS | wc -w) * $(echo $PYVERS | wc -w) + ${#AB_LABEL[@]}))
total=$((per_round * ROUNDS + N_ATTR))
i=0
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
	load_before=$(loadavg) busy_before=$(busy_others) others=$(other_benches)
	r0=$(date +%s) order="" ab_order=""
	[ -z "$others" ] || say "warning: another benchmark is running ($others): both will be skewed"
	for k in $(round_order "$ROUND" "$NSERV"); do
		set -- $SERVERS
		shift "$k"
		order="$order${order:+, }$1"
	done
	say "round $ROUND/$ROUNDS, load average $load_before${busy_before:+; busy: $busy_before}"
	for a in $APPS; do
		for v in $PYVERS; do
			for k in $(round_order "$ROUND" "$NSERV"); do
				set -- $SERVERS
				shift "$k"
				s=$1
				i=$((i + 1))
				runid=main-$a-py$v-$s-r$ROUND
				RUN_LABEL=$(label "$s" "$v")
				why=${NA[$a,$v]:-}
				[ "$s" != uwsgi ] || [ "$v" = "$UWSGI_PY" ] || why="Debian's plugin is for $UWSGI_PY"
				if [ -n "$why" ]; then
					say "$i/$total $a py$v $s: n/a ($why)"
					record "$runid" main "$a" "$v" "$RUN_LABEL" "$WORKERS" "n/a ($why)" ""
					continue
				fi
				say "$i/$total $a py$v $RUN_LABEL, $WORKERS workers, wrk ${DURATION}s"
				measured "$runid" "$s" "$a" "$v" "$WORKERS" "$DURATION" main
				sleep 1
			done
		done
	done
	# The ablation; in round 1, a forkd row's attribute run (its PSS not
	# used: the supervisor maps the object index) follows its own run.
	for k in $(round_order "$ROUND" "${#AB_LABEL[@]}"); do
		ab_order="$ab_order${ab_order:+, }${AB_LABEL[$k]}"
		ablation_run "$k" ablation "$DURATION"
		[ "$ROUND" -gt 1 ] || ! attr_row "$k" ||
			ablation_run "$k" ablation-attr "$ABLATION_ATTR_DURATION" "--cow attribute"
	done
	o=$(other_benches)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ROUND" "$load_before" "$(loadavg)" \
	    "$(($(date +%s) - r0))" "$order" "$ab_order" "$busy_before" "$(busy_others)" \
	    "$others${others:+${o:+;}}$o" >>"$WORK/rounds.tsv"
done
ROUND=1

# --- 4: PSS against the worker count ------------------------------------------------

curve_app() { # APP: on the newest Python it imports on
	local a=$1 s n v
	v=$(newest "$a")
	if [ -z "$v" ]; then
		CURVE_NOTE="${CURVE_NOTE}No $a curve: it imports on none of Python $PYVERS. "
		return
	fi
	for s in forkd-full gunicorn-preload; do
		for n in $CURVE_NS; do
			say "curve $a py$v $(label "$s" "$v") -w $n, wrk ${CURVE_DURATION}s"
			measured "curve-$a-py$v-$s-w$n" "$s" "$a" "$v" "$n" "$CURVE_DURATION" curve
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
EARLY_SERVERS="forkd-full gunicorn"
NEWEST=""
[ -z "$EARLY_APP" ] || NEWEST=$(newest "$EARLY_APP")
[ -n "$NEWEST" ] || EARLY_SERVERS=""
for s in $EARLY_SERVERS; do
	runid=early-$EARLY_APP-py$NEWEST-$s
	SERVER=$s
	RUN_LABEL=$(label "$s" "$NEWEST")
	log=$WORK/logs/$runid.log
	say "early latency: $EARLY_APP py$NEWEST $RUN_LABEL, wrk ${EARLY_DURATION}s at first answer, then ${EARLY_DURATION}s"
	start_server "$s" "$EARLY_APP" "$NEWEST" "$WORKERS" "$log" ""
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
for v in $PYVERS_ALL; do
	pys="$pys${pys:+; }${PYFULL[$v]} ($(pyorigin "${PYEXE[$v]}"))"
	fw="$fw${fw:+; }$v: $(PYTHONPATH=$(pypath "$v") "${PYEXE[$v]}" -c 'import flask, django; print("Flask %s, Django %s" % (flask.__version__, django.get_version()))' 2>/dev/null)"
	guni="$guni${guni:+; }$v: gunicorn $(PYTHONPATH=$(pypath "$v") "${PYEXE[$v]}" -c 'import gunicorn; print(gunicorn.__version__)' 2>/dev/null)"
done
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "elapsed=$((ELAPSED / 60)) min $((ELAPSED % 60)) s"
	echo "host=$(uname -m), $(nproc) × ${cpu:-unknown CPU}, $memtot RAM; wrk runs on the same CPUs as the servers"
	echo "kernel=$(uname -sr)"
	echo "load=$LOAD0 before, $(loadavg) after (1/5/15 min load averages: other work on the machine adds noise; each round's below)"
	echo "load0=$LOAD0"
	echo "ncpu=$(nproc)"
	echo "pythons=$pys"
	echo "forkd=$FORKD_VER, commit $COMMIT, built per Python with make BUILD=build/bench-py-X.Y PYTHON=..."
	echo "gunicorn=$guni; sync worker, run as PYTHON -m gunicorn"
	echo "seal_hook=gunicorn --preload -c bench/lib/gunicorn_seal.py: a pre_fork hook that, once, before the first fork, GETs the app's URLs in-process (forkd's --warmup file, $WARMUP_ROUNDS round(s), as forkd's --warmup-rounds), closes Django's database connections if Django is loaded, runs gc.collect(), makes every object gc.get_objects() returns immortal (with ctypes: ob_refcnt's low 32 bits set to 0xFFFFFFFF on 3.12 and 3.13; 3 << 30, and bit 0 of ob_flags, on 3.14) and calls gc.freeze(); on 3.11 it warms, collects and freezes only. forkd's full seal also reaches untracked objects (strings, ints...) through tp_traverse and code objects' constants, precomputes string hashes and type version tags, and runs malloc_trim(0); the hook does none of that"
	echo "uwsgi=$UWSGI_VER, Debian's python3 plugin (embeds Python $UWSGI_PY), --http-socket --master --processes N --module APP --disable-logging --need-app --die-on-term; app loaded in the master and workers forked from it (no --lazy-apps: uWSGI's preload mode)"
	echo "frameworks=$fw"
	echo "wrk=$(wrk -v 2>&1 | head -n 1 | sed 's/ Copyright.*//'); every server gets the same connections (keep-alive, wrk's default; gunicorn's sync worker answers Connection: close, so wrk reconnects for each request; uWSGI's --http-socket answers HTTP/1.1 without Connection: close and then closes the connection, which wrk counts as a read error and reconnects: uWSGI's socket errors are that, not failed requests)"
	echo "wrk_params=-t$THREADS -c$CONNS -d${DURATION}s --latency -s bench/lib/urls.lua (GET, round-robin over the app's urls.txt)"
	echo "workers=$WORKERS in the per-app tables and the ablation"
	echo "rounds=$ROUNDS"
	echo "servers=$SERVERS"
	echo "warmup_rounds=$WARMUP_ROUNDS"
	echo "ablation_what=$ABLATION_APP on Python $ABLATION_PY, $WORKERS workers, wrk ${DURATION}s, the same URL mix; every forkd row also gets --warmup bench/work/$ABLATION_APP-warmup.txt --warmup-rounds $WARMUP_ROUNDS$([ -n "${COW_OK[$ABLATION_PY]:-}" ] && echo ", and those of this forkd (not @REV builds) --cow-report FILE --stats-interval $(cow_interval "$DURATION") (count mode, forkd's default), the report read after the load")"
	echo "cow=${COW_OK[$ABLATION_PY]:-}"
	echo "cow_probe=$COW_PROBE"
	if [ -n "$AB_ATTR" ]; then
		echo "attr_what=one more run of each forkd row of this forkd, in round 1, right after its own: the same flags plus --cow attribute --cow-report FILE --stats-interval $(cow_interval "$ABLATION_ATTR_DURATION"), wrk ${ABLATION_ATTR_DURATION}s, the report read after the load; only its top lists are used (attribute mode's supervisor maps the object index, which would add to the tree's PSS)"
	elif [ "$ABLATION_ATTRIBUTE" = 0 ]; then
		echo "attr_note=No attribute runs (ABLATION_ATTRIBUTE=0): no top-five lists."
	else
		echo "attr_note=No attribute runs: this forkd has no --cow attribute, so no top-five lists."
	fi
	echo "nworkers=$WORKERS"
	echo "duration=$DURATION"
	echo "curve_duration=$CURVE_DURATION"
	echo "early_duration=$EARLY_DURATION"
	echo "early_what=$EARLY_APP on Python $NEWEST, $WORKERS workers: wrk ${EARLY_DURATION}s as soon as / first answers 2xx after start, then wrk ${EARLY_DURATION}s again"
	echo "curve_note=$CURVE_NOTE"
	echo "pythonpath=${DIST:-no dist-packages} for every server on $(for v in $PYVERS_ALL; do [ -n "${PYPATH[$v]}" ] && printf '%s ' "$v"; done)(where Flask/Django/gunicorn do not import otherwise); gunicorn and uWSGI also get bench/lib/shim (a no-op \`forkd\` module)"
	apps=""
	for a in "${!URLS[@]}"; do
		apps="$apps${apps:+; }examples/$a (${APPSPEC[$a]}, $(wc -l <"${URLS[$a]}") GET URLs of urls.txt)"
	done
	echo "apps=$apps; Django's SQLite database in bench/work/memory/db, created before the runs; forkd gets --warmup with the same URLs (bench/work/APP-warmup.txt) and --stats-interval 0 (but the ablation's runs with --cow-report)"
	echo "method=Each run: start (bind 127.0.0.1:0), wait until every worker is up and / answers 2xx, GET every URL once (warm pass, same for all servers), wait until the tree's CPU time stops growing, read memory (**idle**), wrk, read memory again (**loaded**), SIGTERM. Total PSS = the sum of Pss over the server's whole process tree (master, forkd's zygote, workers), from /proc/PID/smaps_rollup; USS = Private_Clean + Private_Dirty of each worker. Ratio = total PSS loaded / gunicorn --preload's total PSS loaded in the same round. req/s per GiB = req/s / (total PSS loaded in GiB). p99 from wrk's latency histogram; non-2xx counted by urls.lua's response hook; socket errors as wrk reports them (c connect, r read, w write, t timeout). The main tables and the ablation run in $ROUNDS round(s): each round runs every server once, in another order than the round before; a cell gives the median over the rounds (the mean of two) and, for the figures that matter most, [lowest–highest] of the rounds."
} >"$WORK/meta"

MPL_PY=""
for p in /usr/bin/python3 "$(command -v python3 2>/dev/null)" $(for v in $PYVERS_ALL; do echo "${PYEXE[$v]}"; done); do
	[ -n "$p" ] && [ -x "$p" ] || continue
	if "$p" -c 'import matplotlib' 2>/dev/null; then
		MPL_PY=$p
		break
	fi
done
[ -n "$MPL_PY" ] || say "no charts: matplotlib imports on no Python here (apt-get install python3-matplotlib)"
"${MPL_PY:-$HPY}" "$LIB/memreport.py" "$WORK" "$RESULTS/memory.md" "$RESULTS" ||
	die "report failed (BENCH_KEEP=1 keeps $WORK)"
say "wrote ${RESULTS#"$TOP"/}/memory.md$(ls "$RESULTS"/memory-*.png >/dev/null 2>&1 && echo ", ${RESULTS#"$TOP"/}/memory-*.png") and ${RAW#"$TOP"/}/ in $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
cat "$RESULTS/memory.md"
