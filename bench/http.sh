#!/usr/bin/env bash
# shellcheck disable=SC2015,SC2028,SC2086
# http.sh: forkd's requests per second and latency against gunicorn (sync
# and gthread workers), uWSGI and, as a ceiling that runs no Python at
# all, nginx; the same Python, the same app (examples/hello), the same
# worker counts, driven by wrk.  Run by hand (or `make bench-http`); about
# 13 minutes with the defaults.
#
#   bench/http.sh [-r ROUNDS] [-d SECONDS] [-c CONNS] [-t THREADS]
#                 [-w "WORKER COUNTS"] [-s "SERVERS"]
#
#   -r  rounds (2)                    -d  seconds per wrk run (8)
#   -c  wrk connections (50)          -t  wrk threads (2)
#   -w  worker counts ("1 2")
#   -s  servers ("forkd gunicorn gthread uwsgi nginx")
#
# Environment: BENCH_KEEP=1 keeps the temporary work directory.
#
# The matrix: body {hello: GET /, 17 bytes; 10KB: GET /big?n=10240, nginx
# GET /10k} × connection {keep-alive (wrk's default); -H 'Connection:
# close'} × workers × server.  Servers:
#   forkd     built against the Python below (build/bench-py-X.Y), -w N
#   gunicorn  PYTHON -m gunicorn -w N (sync worker, default settings)
#   gthread   PYTHON -m gunicorn -w N --worker-class gthread --threads 4
#   uwsgi     uwsgi --plugin python3 --http-socket --master --processes N
#             (Debian's uwsgi-core + uwsgi-plugin-python3)
#   nginx     Debian's nginx, its own config in a temporary directory,
#             worker_processes N, `return 200` of the same bodies; never
#             the system service
# The Python is the one Debian's uWSGI plugin embeds (asked of the plugin),
# its path from scripts/find-python.sh; forkd, gunicorn and uWSGI all run
# the app on it.
#
# Each round starts each server once per worker count (bind 127.0.0.1:0,
# port read from its log; nginx gets a port the kernel says is free),
# waits until all its workers are up and both URLs answer, warms it,
# runs wrk four times (hello keep-alive, hello close, 10KB keep-alive,
# 10KB close) and stops it (SIGTERM, SIGKILL after a timeout).  The order
# of the servers changes from round to round.  The report takes the
# median over rounds.
#
# Writes bench/results/http.md, bench/results/http-rps.png and
# bench/results/http-p99.png (when matplotlib imports on some Python
# here) and bench/results/raw-http/ (each wrk output, first line the
# command; the start of each server's log).  Loopback only.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$TOP/bench
LIB=$BENCH/lib
PROG=http.sh
# shellcheck source=lib/common.sh
. "$LIB/common.sh"
RESULTS=$BENCH/results
RAW=$RESULTS/raw-http
APPDIR=$TOP/examples/hello

ROUNDS=2
DURATION=8
CONNS=50
THREADS=2
WLIST="1 2"
SERVERS="forkd gunicorn gthread uwsgi nginx"
ALL_SERVERS="forkd gunicorn gthread uwsgi nginx"
GTHREADS=4          # gunicorn gthread's --threads
BIG=10240           # bytes of the 10KB body
WARM=300            # warm-up requests (both URLs), a connection each
WARM_CONC=4
READY_TIMEOUT=60    # seconds a server gets to have every worker answering
STOP_TIMEOUT=15     # seconds after SIGTERM before SIGKILL
GAP=0.5             # seconds of rest between two wrk runs

T0=$(date +%s)
say() {
	local t=$(($(date +%s) - T0))
	printf '%s [%02d:%02d] %s\n' "$PROG" $((t / 60)) $((t % 60)) "$*" >&2
}

usage() {
	sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit "${1:-100}"
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

posint() {
	case $2 in
	'' | *[!0-9]* | 0*) die "$1 wants a positive integer, got '$2'" ;;
	esac
}

while getopts r:d:c:t:w:s:h opt; do
	case $opt in
	r) ROUNDS=$OPTARG ;;
	d) DURATION=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	t) THREADS=$OPTARG ;;
	w) WLIST=$OPTARG ;;
	s) SERVERS=$OPTARG ;;
	h) usage 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
posint -r "$ROUNDS"
posint -d "$DURATION"
posint -c "$CONNS"
posint -t "$THREADS"
[ "$CONNS" -ge "$THREADS" ] || die "-c must be >= -t (wrk needs a connection per thread)"
[ -n "$WLIST" ] || die "-w wants worker counts"
for w in $WLIST; do posint -w "$w"; done
[ -n "$SERVERS" ] || die "-s wants servers"
for s in $SERVERS; do
	case " $ALL_SERVERS " in *" $s "*) ;; *) die "unknown server '$s' (one of: $ALL_SERVERS)" ;; esac
done
want() { case " $SERVERS " in *" $1 "*) return 0 ;; esac; return 1; }

# --- what the benchmark needs ---------------------------------------------

[ "$(uname -s)" = Linux ] || die "Linux only"
for c in wrk curl ps make; do
	command -v $c >/dev/null 2>&1 || die "$c is missing: run 'make deps'"
done
command -v uwsgi >/dev/null 2>&1 ||
	die "uwsgi is missing: run 'make deps' (Debian's uwsgi-core and uwsgi-plugin-python3)"
if want nginx; then
	NGINX=$(command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })
	[ -n "$NGINX" ] || die "nginx is missing (Debian's nginx-light), or leave it out with -s"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/forkd-bench-http.XXXXXX") || die "mktemp failed"
SERVER_PID=""       # the master of the server running now
WRK_PID=""

bench_traps

# The Python: the one Debian's uWSGI plugin embeds (asked of the plugin),
# found by scripts/find-python.sh, never written down here.
echo 'import platform; print("UWSGI_PY " + platform.python_version())' >"$WORK/pyver.py"
UWSGI_PYFULL=$(cd "$WORK" && timeout 20 uwsgi --plugin python3 --pyrun "$WORK/pyver.py" 2>&1 |
    sed -n 's/^UWSGI_PY //p' | head -n 1)
[ -n "$UWSGI_PYFULL" ] ||
	die "uWSGI's python3 plugin does not load: run 'make deps' (uwsgi-plugin-python3)"
PYVER=${UWSGI_PYFULL%.*}
PYEXE=$("$TOP/scripts/find-python.sh" | awk -v v="$PYVER" '$1 == v { print $2 }')
[ -n "$PYEXE" ] ||
	die "no CPython $PYVER with headers (the one uWSGI's plugin embeds) found by scripts/find-python.sh: run 'make deps'"
PYFULL=$("$PYEXE" -c 'import platform; print(platform.python_version())')
[ "$PYFULL" = "$UWSGI_PYFULL" ] ||
	die "$PYEXE is Python $PYFULL but uWSGI's plugin embeds $UWSGI_PYFULL"
UWSGI_VER=$(uwsgi --version 2>/dev/null)

# gunicorn on that Python (Debian's, in dist-packages); the app's `import
# forkd` gets bench/lib/shim, gunicorn and uWSGI alike.
GUNI_PATH=$(dist_path "$PYEXE" gunicorn) ||
	die "gunicorn does not import on $PYEXE: run 'make deps' (Debian's gunicorn)"
SHIM_PYTHONPATH=$LIB/shim${GUNI_PATH:+:$GUNI_PATH}${PYTHONPATH:+:$PYTHONPATH}
GUNI_VER=$(PYTHONPATH=$SHIM_PYTHONPATH "$PYEXE" -c 'import gunicorn; print(gunicorn.__version__)' 2>/dev/null) ||
	die "gunicorn does not import on $PYEXE"
PYTHONPATH=$SHIM_PYTHONPATH "$PYEXE" -c 'import gunicorn.workers.gthread' 2>/dev/null ||
	die "gunicorn's gthread worker does not import on $PYEXE"

# forkd, built against that same Python.
rel=build/bench-py-$PYVER
say "building forkd against $PYEXE into $rel"
make -s -C "$TOP" -j"$(nproc 2>/dev/null || echo 2)" BUILD="$rel" PYTHON="$PYEXE" all >&2 ||
	die "forkd does not build: make BUILD=$rel PYTHON=$PYEXE all"
FORKD=$TOP/$rel/forkd
FORKD_PY=$("$FORKD" --version 2>/dev/null | sed -n 's/^python: [^ ]* (\(.*\))$/\1/p')
[ "$(readlink -f "$FORKD_PY" 2>/dev/null)" = "$(readlink -f "$PYEXE")" ] ||
	die "$FORKD embeds '$FORKD_PY', not $PYEXE"
FORKD_VER=$("$FORKD" --version 2>/dev/null | head -n 1)
COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$TOP" status --porcelain -- . ':!bench' 2>/dev/null)" ]; then
	COMMIT="$COMMIT + uncommitted changes"
fi
NGINX_VER=""
if want nginx; then
	NGINX_VER=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
fi

# --- nginx's configuration ------------------------------------------------------

# nginx_conf DIR N PORT: a minimal nginx.conf in DIR.  nginx's parser takes
# less than 4 KB per token, so the 10 KB body is four constant map values
# of BIG/4 bytes that `return` joins.
nginx_conf() {
	local d=$1 n=$2 port=$3 q
	mkdir -p "$d"
	q=$(head -c $((BIG / 4)) /dev/zero | tr '\0' x)
	cat >"$d/nginx.conf" <<EOF
# written by bench/http.sh for one run; not the system's nginx
daemon off;
master_process on;
worker_processes $n;
pid $d/nginx.pid;
error_log $d/error.log;
events {
    worker_connections 1024;
}
http {
    access_log off;
    default_type text/plain;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    map \$host \$big_a { default "$q"; }
    map \$host \$big_b { default "$q"; }
    map \$host \$big_c { default "$q"; }
    map \$host \$big_d { default "$q"; }
    server {
        listen 127.0.0.1:$port;
        location = / { return 200 "Hello from forkd\n"; }
        location = /10k { return 200 "\$big_a\$big_b\$big_c\$big_d"; }
    }
}
EOF
}

# --- one server ---------------------------------------------------------------

label() {
	case $1 in
	forkd) echo forkd ;;
	gunicorn) echo "gunicorn sync" ;;
	gthread) echo "gunicorn gthread" ;;
	uwsgi) echo uWSGI ;;
	nginx) echo nginx ;;
	esac
}

big_path() {
	if [ "$1" = nginx ]; then echo /10k; else echo "/big?n=$BIG"; fi
}

# start_server SERVER N LOG: starts it on 127.0.0.1; sets SERVER_PID (and
# PORT for nginx).
start_server() {
	local s=$1 n=$2 log=$3
	: >"$log"
	PORT=""
	case $s in
	forkd)
		"$FORKD" --app app:app --chdir "$APPDIR" -w "$n" \
		    -b 127.0.0.1:0 >"$log" 2>&1 &
		;;
	gunicorn)
		PYTHONPATH=$SHIM_PYTHONPATH "$PYEXE" -m gunicorn \
		    --chdir "$APPDIR" -w "$n" -b 127.0.0.1:0 app:app >"$log" 2>&1 &
		;;
	gthread)
		PYTHONPATH=$SHIM_PYTHONPATH "$PYEXE" -m gunicorn \
		    --worker-class gthread --threads "$GTHREADS" \
		    --chdir "$APPDIR" -w "$n" -b 127.0.0.1:0 app:app >"$log" 2>&1 &
		;;
	uwsgi)
		PYTHONPATH=$SHIM_PYTHONPATH uwsgi --plugin python3 \
		    --http-socket 127.0.0.1:0 --master --processes "$n" \
		    --chdir "$APPDIR" --module app:app \
		    --disable-logging --need-app --die-on-term >"$log" 2>&1 &
		;;
	nginx)
		NGDIR=$WORK/nginx-w$n
		rm -rf "$NGDIR"
		PORT=$(free_port "$PYEXE")
		nginx_conf "$NGDIR" "$n" "$PORT"
		"$NGINX" -c "$NGDIR/nginx.conf" -p "$NGDIR" -e "$NGDIR/error.log" >"$log" 2>&1 &
		;;
	esac
	SERVER_PID=$!
}

# wait_ready SERVER N LOG: until every worker is up and both URLs answer
# 200 (the big one with BIG bytes).  Sets PORT.
wait_ready() {
	local s=$1 n=$2 log=$3 end code size k
	end=$(($(now_ms) + READY_TIMEOUT * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		alive "$SERVER_PID" || break
		if [ -z "$PORT" ]; then
			case $s in gthread) PORT=$(port_from_log gunicorn "$log") ;; *) PORT=$(port_from_log "$s" "$log") ;; esac
		fi
		k=$(children_of "$SERVER_PID" | wc -l)
		if [ -n "$PORT" ] && [ "$k" -ge "$n" ]; then
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/")
			if [ "$code" = 200 ]; then
				size=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' --max-time 2 \
				    "http://127.0.0.1:$PORT$(big_path "$s")")
				[ "$size" = "200 $BIG" ] && return 0
				echo "$PROG: $s answers $(big_path "$s") with '$size', not '200 $BIG'" >&2
				return 1
			fi
		fi
		sleep 0.05
	done
	if alive "$SERVER_PID"; then
		echo "$PROG: $s did not answer within ${READY_TIMEOUT}s; its log:" >&2
	else
		echo "$PROG: $s exited before answering; its log:" >&2
	fi
	tail -n 30 "$log" | sed 's/^/    /' >&2
	[ "$s" = nginx ] && sed 's/^/    /' "$NGDIR/error.log" >&2 2>/dev/null
	return 1
}

# run_wrk OUT PATH [wrk args]: one wrk run against PORT; in the background
# so that a signal reaches the traps at once.  Sets WRK_SUMMARY.
run_wrk() {
	local out=$1 path=$2 rps p99 err
	shift 2
	{
		printf '# wrk -t%s -c%s -d%ss --latency' "$THREADS" "$CONNS" "$DURATION"
		[ $# -eq 0 ] || printf ' %q' "$@"
		printf ' http://127.0.0.1:%s%s\n' "$PORT" "$path"
		# what else weighs on the run: the machine's TIME_WAIT sockets
		# (left by earlier one-connection-per-request runs) and its load
		printf '# before: time-wait sockets %s, load average %s\n' \
		    "$(awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "tw") print $(i + 1) }' /proc/net/sockstat)" \
		    "$(cut -d' ' -f1 /proc/loadavg)"
	} >"$out"
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION"s --latency "$@" \
	    "http://127.0.0.1:$PORT$path" >>"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID"
	WRK_PID=""
	others=$(other_benches)
	if [ -n "$others" ]; then
		say "  warning: another benchmark ran during this wrk run: $others"
		printf '%s\t%s\n' "${out##*/}" "$others" >>"$WORK/others.tsv"
	fi
	rps=$(sed -n 's/^Requests\/sec: *//p' "$out")
	p99=$(sed -n 's/^ *99%  *//p' "$out")
	err=$(sed -n 's/^ *\(Socket errors: .*\)/; \1/p; s/^ *\(Non-2xx or 3xx responses: .*\)/; \1/p' "$out" | tr -d '\n')
	WRK_SUMMARY="${rps:-no result} req/s, p99 ${p99:-?}$err"
}

# Log lines a clean start, load and stop write (grep -E); anything else is
# listed in the report's checks.  uWSGI's banner is long and varied, so for
# it only lines that look like trouble; nginx logs only at level error and
# above, so every line of its error log.
expected() {
	case $1 in
	forkd) echo 'listening on http|zygote pid [0-9]+ (starting|ready)|zygote\[[0-9]+\]: seal: |forkd [0-9][^ ]*: pid [0-9]+, |worker [0-9]+ pid [0-9]+ started|stopping gracefully|stopped, exit 0|stats: ' ;;
	gunicorn | gthread) echo '\[INFO\] (Starting gunicorn|Listening at|Using worker|Booting worker|Handling signal: term|Worker exiting|Shutting down)' ;;
	esac
}
unusual() { # SERVER LOG
	case $1 in
	uwsgi) grep -Ei 'error|traceback|exception|segmentation|DAMN|signal [0-9]|respawn' -- "$2" ;;
	nginx) cat -- "$2" "$NGDIR/error.log" 2>/dev/null ;;
	*) grep -Ev -- "$(expected "$1")" "$2" ;;
	esac
}

# bench_one SERVER N ROUND: start, wait, warm, four wrk runs, stop.
bench_one() {
	local s=$1 n=$2 r=$3 id log before after body conn path f k
	id=$s-w$n-r$r
	log=$WORK/$id.log
	start_server "$s" "$n" "$log"
	if ! wait_ready "$s" "$n" "$log"; then
		if [ -n "$SERVER_PID" ]; then stop_tree "$SERVER_PID" 5; fi
		SERVER_PID=""
		echo "$PROG: $(label "$s") -w $n did not start; see its log above" >&2
		exit 1
	fi
	printf '/\n%s\n' "$(big_path "$s")" >"$WORK/warm-urls"
	if ! "$PYEXE" "$LIB/warm.py" "$PORT" "$WARM" "$WARM_CONC" "$WORK/warm-urls" >"$WORK/warm.out" 2>&1; then
		say "  warm-up not all 2xx: $(head -n 1 "$WORK/warm.out")"
	fi
	before=$(children_of "$SERVER_PID" | sort)
	for body in hello 10k; do
		path=/
		[ $body = 10k ] && path=$(big_path "$s")
		for conn in keepalive close; do
			f=$RAW/$id-$body-$conn.txt
			sleep "$GAP"
			if [ $conn = close ]; then
				run_wrk "$f" "$path" -H 'Connection: close'
			else
				run_wrk "$f" "$path"
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$n" "$r" "$body" "$conn" "$f" >>"$WORK/runs.tsv"
			say "  $body $conn: $WRK_SUMMARY"
		done
	done
	after=$(children_of "$SERVER_PID" | sort)
	# workers replaced during the load (pids that were not there before),
	# and workers present at the end
	k=$(comm -13 <(echo "$before") <(echo "$after") | grep -c .)
	if alive "$SERVER_PID"; then
		stop_tree "$SERVER_PID" "$STOP_TIMEOUT"
	else
		wait "$SERVER_PID" 2>/dev/null
		STOP_STATUS="died during the load ($?)"
		STOP_MS=0
		STOP_KILLED=0
	fi
	SERVER_PID=""
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$n" "$r" "$STOP_STATUS" \
	    "$STOP_MS" "$STOP_KILLED" "$k" "$(echo "$after" | grep -c .)" >>"$WORK/stops.tsv"
	unusual "$s" "$log" | head -n 20 | sed "s/^/$s	$n	$r	/" >>"$WORK/unexpected.tsv"
	{
		head -n 60 "$log"
		if [ "$s" = nginx ]; then
			echo "# $NGDIR/error.log:"
			head -n 60 "$NGDIR/error.log" 2>/dev/null
		fi
	} >"$RAW/$id.log"
}

# --- the run ------------------------------------------------------------------

mkdir -p "$RAW" || die "cannot create $RAW"
rm -f "$RAW"/*.txt "$RAW"/*.log "$RESULTS"/http-*.png
: >"$WORK/runs.tsv"
: >"$WORK/stops.tsv"
: >"$WORK/unexpected.tsv"
: >"$WORK/others.tsv"
o=$(other_benches)
[ -z "$o" ] || say "warning: another benchmark is running ($o): both will be skewed"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
BUSY0=$(busy_others)
[ -z "$BUSY0" ] || say "note: other busy processes on the machine: $BUSY0"

# rotate N WORDS...: the words, starting from the (N mod count)th.
rotate() {
	local k=$1
	shift
	local a=("$@")
	local i
	for ((i = 0; i < ${#a[@]}; i++)); do
		printf '%s ' "${a[$(((i + k) % ${#a[@]}))]}"
	done
}

set -- $SERVERS
NSRV=$#
set -- $WLIST
TOTAL=$((ROUNDS * NSRV * $#))
i=0
ORDER=""
TB=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
	# Odd rounds in the given order, even rounds reversed, rotated by one
	# every two rounds, so no server is always first or last; the worker
	# counts alternate too.
	if [ $((r % 2)) -eq 1 ]; then
		list=$SERVERS
		ws=$WLIST
	else
		list=$(echo "$SERVERS" | tr ' ' '\n' | grep . | tac | tr '\n' ' ')
		ws=$(echo "$WLIST" | tr ' ' '\n' | grep . | tac | tr '\n' ' ')
	fi
	# shellcheck disable=SC2086
	list=$(rotate $(((r - 1) / 2)) $list)
	ORDER="$ORDER${ORDER:+; }round $r: "
	first=1
	for n in $ws; do
		ORDER="$ORDER$([ $first = 1 ] || echo ', ')-w $n: $(echo $list | sed 's/ / → /g')"
		first=0
		for s in $list; do
			i=$((i + 1))
			eta=""
			if [ $i -gt 1 ]; then
				per=$((($(date +%s) - TB) / (i - 1)))
				eta=", about $(((TOTAL - i + 1) * per / 60)) min $(((TOTAL - i + 1) * per % 60)) s left"
			fi
			say "$i/$TOTAL round $r/$ROUNDS: $(label "$s") -w $n$eta"
			bench_one "$s" "$n" "$r"
			sleep 1
		done
	done
done
ELAPSED=$(($(date +%s) - T0))

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
sc() { sysctl -n "$1" 2>/dev/null | tr '\t' ' '; }
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host=$(uname -m), $(nproc) × ${cpu:-unknown CPU}, $mem RAM; shared and noisy, and wrk runs on the same CPUs as the servers"
	echo "kernel=$(uname -sr)"
	echo "load=$LOAD0 before, $(cut -d' ' -f1-3 /proc/loadavg) after (1/5/15-minute load averages)"
	echo "busy=at the start: ${BUSY0:-none}; at the end: $(b=$(busy_others); echo "${b:-none}") (processes outside the bench using at least 20% of a CPU over their life; ps's %CPU)"
	echo "sysctl=net.core.somaxconn $(sc net.core.somaxconn), net.ipv4.tcp_tw_reuse $(sc net.ipv4.tcp_tw_reuse), ip_local_port_range $(sc net.ipv4.ip_local_port_range)"
	echo "python=$PYFULL ($PYEXE, found by scripts/find-python.sh: the version Debian's uWSGI plugin embeds)"
	echo "forkd=$FORKD_VER, commit $COMMIT (make BUILD=$rel PYTHON=$PYEXE all), default settings but -w N (keep-alive 5 s, 1,000 requests per connection)"
	echo "gunicorn=gunicorn $GUNI_VER, run as PYTHON -m gunicorn, default settings (no --preload): sync worker; gthread: --worker-class gthread --threads $GTHREADS (keep-alive 2 s, gunicorn's default)"
	echo "uwsgi=uWSGI $UWSGI_VER, Debian's python3 plugin (Python $UWSGI_PYFULL): --plugin python3 --http-socket 127.0.0.1:0 --master --processes N --module app:app --disable-logging --need-app --die-on-term"
	want nginx && echo "nginx=$NGINX_VER (Debian's), its own nginx.conf in a temporary directory (not the system service): daemon off, master_process on, worker_processes N, worker_connections 1024, access_log off, \`location = / { return 200 \"Hello from forkd\\n\"; }\`, \`location = /10k { return 200 \"\$big_a\$big_b\$big_c\$big_d\"; }\` (four constant \`map\` values of $((BIG / 4)) bytes: nginx's parser takes less than 4 KB per token); runs no Python: a ceiling for the machine, wrk included"
	echo "app=examples/hello/app.py (app:app): hello = GET / (17-byte body, \"Hello from forkd\\n\"); 10KB = GET /big?n=$BIG ($BIG-byte body), nginx GET /10k (the same bytes); the app's \`import forkd\` gets bench/lib/shim (a no-op module) under gunicorn and uWSGI"
	echo "pythonpath=gunicorn, uWSGI: bench/lib/shim${GUNI_PATH:+ + $GUNI_PATH}${PYTHONPATH:+ + \$PYTHONPATH}; forkd: ${PYTHONPATH:-none}"
	echo "wrk=$(wrk -v 2>&1 | head -n 1 | sed 's/ Copyright.*//')"
	echo "wrk_params=-t$THREADS -c$CONNS -d${DURATION}s --latency; close = the same with -H 'Connection: close'"
	echo "rounds=$ROUNDS; each server restarted for each round and worker count; ${GAP}s between wrk runs"
	echo "order=$ORDER"
	echo "warmup=$WARM requests (/ and the 10KB URL alternately), $WARM_CONC at a time, a new connection each, after every worker is up and before the first wrk run"
	echo "workers=$WLIST"
	echo "servers=$SERVERS"
	echo "duration=$DURATION"
	echo "elapsed=$((ELAPSED / 60)) min $((ELAPSED % 60)) s"
} >"$WORK/meta"

MPL_PY=""
for p in /usr/bin/python3 "$(command -v python3 2>/dev/null)" "$PYEXE"; do
	[ -n "$p" ] && [ -x "$p" ] || continue
	if "$p" -c 'import matplotlib' 2>/dev/null; then
		MPL_PY=$p
		break
	fi
done
[ -n "$MPL_PY" ] || say "no charts: matplotlib imports on no Python here (apt-get install python3-matplotlib)"
"${MPL_PY:-$PYEXE}" "$LIB/httpreport.py" "$WORK" "$RESULTS/http.md" "$RESULTS" ||
	die "report failed (BENCH_KEEP=1 keeps $WORK)"
say "wrote bench/results/http.md$(ls "$RESULTS"/http-*.png >/dev/null 2>&1 && echo ', bench/results/http-*.png') and bench/results/raw-http/ in $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
cat "$RESULTS/http.md"
