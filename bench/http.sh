#!/usr/bin/env bash
# shellcheck disable=SC2015,SC2028,SC2086
# http.sh: forkd's requests per second and latency against gunicorn (sync
# and gthread workers), uWSGI and, as a ceiling that runs no Python at
# all, nginx; the same Python, the same app (examples/hello), the same
# worker counts, driven by wrk.  Two parts: "direct", wrk against each
# server, and "proxy", wrk against nginx in front of forkd and gunicorn,
# with nginx's upstream keep-alive on and off.  Run by hand (or `make
# bench-http`); with the defaults about 13 minutes for the direct part
# and 8 for the proxy part.
#
#   bench/http.sh [-p PARTS] [-t THREADS]
#                 [-r ROUNDS] [-d SECONDS] [-c CONNS] [-w "WORKER COUNTS"]
#                 [-s "SERVERS"]
#                 [-R ROUNDS] [-D SECONDS] [-C CONNS] [-W WORKERS]
#                 [-b "BACKENDS"]
#
#   -p  parts ("direct proxy")        -t  wrk threads (2)
#   the direct part:
#   -r  rounds (2)                    -d  seconds per wrk run (8)
#   -c  wrk connections (50)          -w  worker counts ("1 2")
#   -s  servers ("forkd gunicorn gthread uwsgi nginx")
#   the proxy part:
#   -R  rounds (3)                    -D  seconds per wrk run (8)
#   -C  wrk connections (16)          -W  workers per backend (4)
#   -b  backends ("forkd forkd-park0 gunicorn gthread")
#
# Environment: BENCH_KEEP=1 keeps the temporary work directory.
#
# The direct part's matrix: body {hello: GET /, 17 bytes; 10KB: GET
# /big?n=10240, nginx GET /10k} × connection {keep-alive (wrk's default);
# -H 'Connection: close'} × workers × server.  Servers:
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
# The proxy part's matrix: endpoint {10 ms: GET /sleep?ms=10; hello: GET
# /} × nginx's upstream connections {keep-alive: `keepalive 32`; close:
# no keepalive directive, a connection per request} × backend, each with
# -W workers, behind Debian's nginx (2 worker processes, its own config,
# `proxy_http_version 1.1`, `proxy_set_header Connection ""`).  Backends:
#   forkd        as above, default settings (--park-after 5)
#   forkd-park0  forkd --park-after 0 (balanced keep-alive off)
#   gunicorn     gunicorn sync, as above
#   gthread      gunicorn gthread, as above
# Each round starts each backend once, warms it, then for each upstream
# mode starts nginx in front of it and runs wrk (with lib/urls.lua, for
# p99.9) once per endpoint after a 1 s warm-up run.  The order of the
# backends, upstream modes and endpoints changes from round to round.
#
# Writes bench/results/http.md (the proxy part's section last, each part
# rewriting only its own), bench/results/http-rps.png,
# bench/results/http-p99.png and bench/results/http-proxy.png (when
# matplotlib imports on some Python here) and bench/results/raw-http/
# (each wrk output, first line the command; the start of each server's
# log; the proxy part's files start with proxy-).  Loopback only.
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

PARTS="direct proxy"
THREADS=2
ROUNDS=2
DURATION=8
CONNS=50
WLIST="1 2"
SERVERS="forkd gunicorn gthread uwsgi nginx"
ALL_SERVERS="forkd gunicorn gthread uwsgi nginx"
P_ROUNDS=3
P_DURATION=8
P_CONNS=16
P_WORKERS=4
BACKENDS="forkd forkd-park0 gunicorn gthread"
ALL_BACKENDS="forkd forkd-park0 gunicorn gthread"
UPSTREAMS="keepalive close"     # nginx's upstream connections, kept or not
ENDPOINTS="sleep hello"
SLEEP_MS=10         # the sleep endpoint's milliseconds
P_NGINX_WORKERS=2   # nginx's worker_processes in the proxy part
P_KEEPALIVE=32      # nginx's upstream `keepalive` (idle connections kept)
P_WARM_SECS=1       # seconds of wrk before each measured proxy run
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

while getopts p:t:r:d:c:w:s:R:D:C:W:b:h opt; do
	case $opt in
	p) PARTS=$OPTARG ;;
	t) THREADS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	d) DURATION=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	w) WLIST=$OPTARG ;;
	s) SERVERS=$OPTARG ;;
	R) P_ROUNDS=$OPTARG ;;
	D) P_DURATION=$OPTARG ;;
	C) P_CONNS=$OPTARG ;;
	W) P_WORKERS=$OPTARG ;;
	b) BACKENDS=$OPTARG ;;
	h) usage 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
# one_of WORD LIST: WORD is one of the words of LIST.
one_of() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }
# words OPTION "WORDS" "ALLOWED": at least one word, each one allowed.
words() {
	local w
	case $2 in *[![:space:]]*) ;; *) die "$1 wants one of: $3" ;; esac
	for w in $2; do
		one_of "$w" "$3" || die "$1: unknown '$w' (one of: $3)"
	done
}
words -p "$PARTS" "direct proxy"
posint -t "$THREADS"
posint -r "$ROUNDS"
posint -d "$DURATION"
posint -c "$CONNS"
[ "$CONNS" -ge "$THREADS" ] || die "-c must be >= -t (wrk needs a connection per thread)"
[ -n "$WLIST" ] || die "-w wants worker counts"
for w in $WLIST; do posint -w "$w"; done
words -s "$SERVERS" "$ALL_SERVERS"
posint -R "$P_ROUNDS"
posint -D "$P_DURATION"
posint -C "$P_CONNS"
posint -W "$P_WORKERS"
[ "$P_CONNS" -ge "$THREADS" ] || die "-C must be >= -t (wrk needs a connection per thread)"
words -b "$BACKENDS" "$ALL_BACKENDS"
part() { one_of "$1" "$PARTS"; }
want() { part direct && one_of "$1" "$SERVERS"; }

# --- what the benchmark needs ---------------------------------------------

[ "$(uname -s)" = Linux ] || die "Linux only"
for c in wrk curl ps make; do
	command -v $c >/dev/null 2>&1 || die "$c is missing: run 'make deps'"
done
command -v uwsgi >/dev/null 2>&1 ||
	die "uwsgi is missing: run 'make deps' (Debian's uwsgi-core and uwsgi-plugin-python3)"
if want nginx || part proxy; then
	NGINX=$(command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })
	[ -n "$NGINX" ] || die "nginx is missing (Debian's nginx-light): the proxy part needs it; leave it out of the direct part with -s"
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
if want nginx || part proxy; then
	NGINX_VER=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
fi

# --- nginx's configuration ------------------------------------------------------

# nginx_head DIR N: what both nginx.conf files start with, up to the
# inside of the http block: every file nginx writes goes to DIR.
nginx_head() {
	local d=$1 n=$2
	cat <<EOF
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
EOF
}

# nginx_conf DIR N PORT: a minimal nginx.conf in DIR.  nginx's parser takes
# less than 4 KB per token, so the 10 KB body is four constant map values
# of BIG/4 bytes that `return` joins.
nginx_conf() {
	local d=$1 n=$2 port=$3 q
	mkdir -p "$d"
	q=$(head -c $((BIG / 4)) /dev/zero | tr '\0' x)
	{
		nginx_head "$d" "$n"
		cat <<EOF
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
	} >"$d/nginx.conf"
}

# proxy_conf DIR PORT BACKEND-PORT UPSTREAM: nginx.conf in DIR for a
# reverse proxy on PORT in front of the backend; UPSTREAM keepalive keeps
# up to P_KEEPALIVE idle connections to it per nginx worker, close has no
# keepalive directive (a connection per request).  HTTP/1.1 to the
# backend and no Connection header from nginx either way.
proxy_conf() {
	local d=$1 port=$2 bport=$3 u=$4 ka
	mkdir -p "$d"
	ka="keepalive $P_KEEPALIVE;"
	[ "$u" = keepalive ] || ka="# no keepalive: a connection per request"
	{
		nginx_head "$d" "$P_NGINX_WORKERS"
		cat <<EOF
    upstream backend {
        server 127.0.0.1:$bport;
        $ka
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
	} >"$d/nginx.conf"
}

# --- one server ---------------------------------------------------------------

label() {
	case $1 in
	forkd) echo forkd ;;
	forkd-park0) echo "forkd --park-after 0" ;;
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
	forkd | forkd-park0)
		set --
		[ "$s" = forkd-park0 ] && set -- --park-after 0
		"$FORKD" --app app:app --chdir "$APPDIR" -w "$n" \
		    -b 127.0.0.1:0 "$@" >"$log" 2>&1 &
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

# bare: a filter that names every program and file given by an absolute
# path by its last component (for other processes' command lines).
bare() {
	sed -E 's#(^|[ ;])/[^ ;]*/#\1#g'
}

# wrk_bg SECONDS ARGS...: wrk -tTHREADS -cWRK_CONNS -dSECONDS ARGS, in the
# background so that a signal reaches the traps at once; its output on
# stdout.
wrk_bg() {
	local secs=$1
	shift
	wrk -t"$THREADS" -c"$WRK_CONNS" -d"$secs"s "$@" &
	WRK_PID=$!
	wait "$WRK_PID"
	WRK_PID=""
}

# run_wrk OUT URL [wrk args]: one wrk run of WRK_SECS seconds with
# WRK_CONNS connections.  Sets WRK_SUMMARY; notes in ${PFX}others.tsv
# another bench script that ran meanwhile.
run_wrk() {
	local out=$1 url=$2 rps p99 p999 err others
	shift 2
	{
		printf '# wrk -t%s -c%s -d%ss --latency' "$THREADS" "$WRK_CONNS" "$WRK_SECS"
		[ $# -eq 0 ] || printf ' %q' "$@"
		printf ' %s\n' "$url"
		# what else weighs on the run: the machine's TIME_WAIT sockets
		# (left by earlier one-connection-per-request runs) and its load
		printf '# before: time-wait sockets %s, load average %s\n' \
		    "$(awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "tw") print $(i + 1) }' /proc/net/sockstat)" \
		    "$(cut -d' ' -f1 /proc/loadavg)"
	} | redact >"$out"
	wrk_bg "$WRK_SECS" --latency "$@" "$url" >>"$out" 2>&1
	others=$(other_benches | bare)
	if [ -n "$others" ]; then
		say "  warning: another benchmark ran during this wrk run: $others"
		printf '%s\t%s\n' "${out##*/}" "$others" >>"$WORK/${PFX}others.tsv"
	fi
	rps=$(sed -n 's/^Requests\/sec: *//p' "$out")
	p99=$(sed -n 's/^ *99%  *//p' "$out")
	p999=$(sed -n 's/^bench: .* p999_us=\([0-9]*\).*/\1/p' "$out")
	err=$(sed -n 's/^ *\(Socket errors: .*\)/; \1/p; s/^ *\(Non-2xx or 3xx responses: .*\)/; \1/p' "$out" | tr -d '\n')
	WRK_SUMMARY="${rps:-no result} req/s, p99 ${p99:-?}${p999:+, p99.9 $((p999 / 1000)) ms}$err"
}

# Log lines a clean start, load and stop write (grep -E); anything else is
# listed in the report's checks.  uWSGI's banner is long and varied, so for
# it only lines that look like trouble; nginx logs only at level error and
# above, so every line of its error log.
expected() {
	case $1 in
	forkd | forkd-park0) echo 'listening on http|admin socket |zygote pid [0-9]+ (starting|ready)|zygote\[[0-9]+\]: (seal: |pack-code: nothing to pack)|forkd [0-9][^ ]*: pid [0-9]+, |worker [0-9]+ pid [0-9]+ started|stopping gracefully|stopped, exit 0|stats: ' ;;
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

# server_up SERVER N LOG PATH...: starts it, waits until it answers and
# warms it with WARM requests over the PATHs; exits when it does not
# start.  Sets SERVER_PID, PORT and BEFORE (its workers' pids).
server_up() {
	local s=$1 n=$2 log=$3
	shift 3
	start_server "$s" "$n" "$log"
	if ! wait_ready "$s" "$n" "$log"; then
		if [ -n "$SERVER_PID" ]; then stop_tree "$SERVER_PID" 5; fi
		SERVER_PID=""
		echo "$PROG: $(label "$s") -w $n did not start; see its log above" >&2
		exit 1
	fi
	printf '%s\n' "$@" >"$WORK/warm-urls"
	if ! "$PYEXE" "$LIB/warm.py" "$PORT" "$WARM" "$WARM_CONC" "$WORK/warm-urls" >"$WORK/warm.out" 2>&1; then
		say "  warm-up not all 2xx: $(head -n 1 "$WORK/warm.out")"
	fi
	BEFORE=$(children_of "$SERVER_PID" | sort)
}

# server_down SERVER N ROUND LOG: stops it; appends to ${PFX}stops.tsv
# how it stopped and how many workers were replaced during the load, to
# ${PFX}unexpected.tsv its unusual log lines.
server_down() {
	local s=$1 n=$2 r=$3 log=$4 after k
	after=$(children_of "$SERVER_PID" | sort)
	# workers replaced during the load (pids that were not there before),
	# and workers present at the end
	k=$(comm -13 <(echo "$BEFORE") <(echo "$after") | grep -c .)
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
	    "$STOP_MS" "$STOP_KILLED" "$k" "$(echo "$after" | grep -c .)" >>"$WORK/${PFX}stops.tsv"
	unusual "$s" "$log" | redact | head -n 20 | sed "s/^/$s	$n	$r	/" >>"$WORK/${PFX}unexpected.tsv"
}

# bench_one SERVER N ROUND: start, wait, warm, four wrk runs, stop.
bench_one() {
	local s=$1 n=$2 r=$3 id log body conn path f url
	id=$s-w$n-r$r
	log=$WORK/$id.log
	server_up "$s" "$n" "$log" / "$(big_path "$s")"
	for body in hello 10k; do
		path=/
		[ $body = 10k ] && path=$(big_path "$s")
		for conn in keepalive close; do
			f=$RAW/$id-$body-$conn.txt
			url=http://127.0.0.1:$PORT$path
			sleep "$GAP"
			if [ $conn = close ]; then
				run_wrk "$f" "$url" -H 'Connection: close'
			else
				run_wrk "$f" "$url"
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$n" "$r" "$body" "$conn" "$f" >>"$WORK/runs.tsv"
			say "  $body $conn: $WRK_SUMMARY"
		done
	done
	server_down "$s" "$n" "$r" "$log"
	{
		head -n 60 "$log"
		if [ "$s" = nginx ]; then
			echo "# $NGDIR/error.log:"
			head -n 60 "$NGDIR/error.log" 2>/dev/null
		fi
	} | redact >"$RAW/$id.log"
}

# --- the proxy part's pieces --------------------------------------------------

endpoint_path() {
	case $1 in
	sleep) echo "/sleep?ms=$SLEEP_MS" ;;
	hello) echo / ;;
	esac
}

# start_proxy BACKEND-PORT UPSTREAM: nginx in front of the backend, until
# both endpoints answer through it.  Sets PROXY_PID, PPORT and PDIR.
start_proxy() {
	local bport=$1 u=$2 end
	PDIR=$WORK/proxy-$u
	rm -rf "$PDIR"
	PPORT=$(free_port "$PYEXE")
	proxy_conf "$PDIR" "$PPORT" "$bport" "$u"
	"$NGINX" -c "$PDIR/nginx.conf" -p "$PDIR" -e "$PDIR/error.log" >"$PDIR/stderr" 2>&1 &
	PROXY_PID=$!
	end=$(($(now_ms) + READY_TIMEOUT * 1000))
	while [ "$(now_ms)" -lt "$end" ] && alive "$PROXY_PID"; do
		if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PPORT/")" = 200 ] &&
		    [ "$(curl -s --max-time 2 "http://127.0.0.1:$PPORT$(endpoint_path sleep)")" = slept ]; then
			return 0
		fi
		sleep 0.05
	done
	echo "$PROG: nginx in front of 127.0.0.1:$bport does not answer; its logs:" >&2
	cat "$PDIR/stderr" "$PDIR/error.log" 2>/dev/null | sed 's/^/    /' >&2
	return 1
}

stop_proxy() {
	stop_tree "$PROXY_PID" "$STOP_TIMEOUT"
	PROXY_PID=""
}

# proxy_one BACKEND ROUND "UPSTREAMS" "ENDPOINTS": start the backend, wait,
# warm; for each upstream mode nginx in front of it and a wrk run per
# endpoint; stop.
proxy_one() {
	local b=$1 r=$2 ups=$3 eps=$4 id log u e f url
	id=proxy-$b-r$r
	log=$WORK/$id.log
	server_up "$b" "$P_WORKERS" "$log" / "$(endpoint_path sleep)"
	: >"$WORK/$id.nginx"
	for u in $ups; do
		start_proxy "$PORT" "$u" || exit 1
		for e in $eps; do
			url=http://127.0.0.1:$PPORT$(endpoint_path "$e")
			f=$RAW/proxy-$b-$u-r$r-$e.txt
			sleep "$GAP"
			wrk_bg "$P_WARM_SECS" "$url" >/dev/null 2>&1
			run_wrk "$f" "$url" -s "$LIB/urls.lua"
			printf '%s\t%s\t%s\t%s\t%s\n' "$b" "$u" "$r" "$e" "$f" >>"$WORK/proxy-runs.tsv"
			say "  $e, upstream $u: $WRK_SUMMARY"
		done
		stop_proxy
		# nginx logs at level error and above: each of its lines is
		# listed in the report
		redact <"$PDIR/error.log" | sed "s/^/nginx	$b $u	$r	/" >>"$WORK/proxy-unexpected.tsv"
		{
			echo "# nginx's error log, upstream $u:"
			head -n 30 "$PDIR/error.log"
		} >>"$WORK/$id.nginx"
	done
	server_down "$b" "$P_WORKERS" "$r" "$log"
	cat <(head -n 60 "$log") "$WORK/$id.nginx" | redact >"$RAW/$id.log"
}

# --- the run ------------------------------------------------------------------

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

# alternate ROUND WORDS...: the words in odd rounds, reversed in even ones.
alternate() {
	local r=$1
	shift
	if [ $((r % 2)) -eq 1 ]; then
		echo "$@"
	else
		printf '%s\n' "$@" | tac | tr '\n' ' '
	fi
}

# in_round ROUND WORDS...: the order of the servers in a round: alternate's,
# rotated by one every two rounds, so no server is always first or last.
in_round() {
	local r=$1
	shift
	# shellcheck disable=SC2046
	rotate $(((r - 1) / 2)) $(alternate "$r" "$@")
}

# arrows WORDS...: the words joined by arrows, for the order of the runs.
arrows() {
	local s="$*"
	echo "${s// / → }"
}

# eta I TOTAL T: ", about ... left" before step I of TOTAL, the first of
# which began at T.
eta() {
	local i=$1 total=$2 t=$3 per
	[ "$i" -gt 1 ] || return 0
	per=$((($(date +%s) - t) / (i - 1)))
	echo ", about $(((total - i + 1) * per / 60)) min $(((total - i + 1) * per % 60)) s left"
}

# part_start: empties the part's ${PFX}*.tsv files; notes the time, the
# load average, the other busy processes before its first run.
part_start() {
	local o t
	for t in runs stops unexpected others; do
		: >"$WORK/$PFX$t.tsv"
	done
	o=$(other_benches | bare)
	[ -z "$o" ] || say "warning: another benchmark is running ($o): both will be skewed"
	PT0=$(date +%s)
	LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
	BUSY0=$(busy_others | bare)
	[ -z "$BUSY0" ] || say "note: other busy processes on the machine: $BUSY0"
}

# part_meta: the meta lines both parts write (the first rows of their
# tables in the report).
part_meta() {
	local cpu mem b t
	t=$(($(date +%s) - PT0))
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
	sc() { sysctl -n "$1" 2>/dev/null | tr '\t' ' '; }
	b=$(busy_others | bare)
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "elapsed=$((t / 60)) min $((t % 60)) s"
	echo "host=$(uname -m), $(nproc) × ${cpu:-unknown CPU}, $mem RAM; shared and noisy, and wrk runs on the same CPUs as the servers"
	echo "kernel=$(uname -sr)"
	echo "load=$LOAD0 before, $(cut -d' ' -f1-3 /proc/loadavg) after (1/5/15-minute load averages)"
	echo "busy=at the start: ${BUSY0:-none}; at the end: ${b:-none} (processes outside the bench using at least 20% of a CPU over their life; ps's %CPU)"
	echo "sysctl=net.core.somaxconn $(sc net.core.somaxconn), net.ipv4.tcp_tw_reuse $(sc net.ipv4.tcp_tw_reuse), ip_local_port_range $(sc net.ipv4.ip_local_port_range)"
	echo "python=$PYFULL ($(pyorigin "$PYEXE"), found by scripts/find-python.sh: the version Debian's uWSGI plugin embeds)"
	echo "forkd=$FORKD_VER, commit $COMMIT (make BUILD=$rel PYTHON=\"the Python above\" all), default settings but -w N (keep-alive 5 s, 1,000 requests per connection)"
	echo "gunicorn=gunicorn $GUNI_VER, run as PYTHON -m gunicorn, default settings (no --preload): sync worker; gthread: --worker-class gthread --threads $GTHREADS (keep-alive 2 s, gunicorn's default)"
	echo "pythonpath=gunicorn, uWSGI: bench/lib/shim${GUNI_PATH:+ + $GUNI_PATH}${PYTHONPATH:+ + \$PYTHONPATH}; forkd: ${PYTHONPATH:-none}"
	echo "wrk=$(wrk -v 2>&1 | head -n 1 | sed 's/ Copyright.*//')"
}

# run_direct: the direct part; writes WORK/meta, runs.tsv, stops.tsv,
# unexpected.tsv, others.tsv.
run_direct() {
	local f r list ws n s first i=0 total order=""
	PFX=""
	WRK_CONNS=$CONNS
	WRK_SECS=$DURATION
	for f in "$RAW"/*.txt "$RAW"/*.log; do
		case ${f##*/} in proxy-*) ;; *) rm -f "$f" ;; esac
	done
	rm -f "$RESULTS/http-rps.png" "$RESULTS/http-p99.png"
	part_start
	set -- $SERVERS
	total=$((ROUNDS * $#))
	set -- $WLIST
	total=$((total * $#))
	for r in $(seq 1 "$ROUNDS"); do
		# No server is always first or last; the worker counts
		# alternate too.
		list=$(in_round "$r" $SERVERS)
		ws=$(alternate "$r" $WLIST)
		order="$order${order:+; }round $r: "
		first=1
		for n in $ws; do
			order="$order$([ $first = 1 ] || echo ', ')-w $n: $(arrows $list)"
			first=0
			for s in $list; do
				i=$((i + 1))
				say "$i/$total round $r/$ROUNDS: $(label "$s") -w $n$(eta $i $total $PT0)"
				bench_one "$s" "$n" "$r"
				sleep 1
			done
		done
	done
	{
		part_meta
		echo "uwsgi=uWSGI $UWSGI_VER, Debian's python3 plugin (Python $UWSGI_PYFULL): --plugin python3 --http-socket 127.0.0.1:0 --master --processes N --module app:app --disable-logging --need-app --die-on-term"
		want nginx && echo "nginx=$NGINX_VER (Debian's), its own nginx.conf in a temporary directory (not the system service): daemon off, master_process on, worker_processes N, worker_connections 1024, access_log off, \`location = / { return 200 \"Hello from forkd\\n\"; }\`, \`location = /10k { return 200 \"\$big_a\$big_b\$big_c\$big_d\"; }\` (four constant \`map\` values of $((BIG / 4)) bytes: nginx's parser takes less than 4 KB per token); runs no Python: a ceiling for the machine, wrk included"
		echo "app=examples/hello/app.py (app:app): hello = GET / (17-byte body, \"Hello from forkd\\n\"); 10KB = GET /big?n=$BIG ($BIG-byte body), nginx GET /10k (the same bytes); the app's \`import forkd\` gets bench/lib/shim (a no-op module) under gunicorn and uWSGI"
		echo "wrk_params=-t$THREADS -c$CONNS -d${DURATION}s --latency; close = the same with -H 'Connection: close'"
		echo "rounds=$ROUNDS; each server restarted for each round and worker count; ${GAP}s between wrk runs"
		echo "order=$order"
		echo "warmup=$WARM requests (/ and the 10KB URL alternately), $WARM_CONC at a time, a new connection each, after every worker is up and before the first wrk run"
		echo "workers=$WLIST"
		echo "servers=$SERVERS"
		echo "duration=$DURATION"
	} >"$WORK/meta"
}

# run_proxy: the proxy part; writes WORK/proxy-meta, proxy-runs.tsv,
# proxy-stops.tsv, proxy-unexpected.tsv, proxy-others.tsv and the two
# nginx.conf files it used to raw-http/.
run_proxy() {
	local r list ups eps b u i=0 total order="" bl=""
	PFX=proxy-
	WRK_CONNS=$P_CONNS
	WRK_SECS=$P_DURATION
	rm -f "$RAW"/proxy-* "$RESULTS/http-proxy.png"
	part_start
	set -- $BACKENDS
	total=$((P_ROUNDS * $#))
	for r in $(seq 1 "$P_ROUNDS"); do
		list=$(in_round "$r" $BACKENDS)
		ups=$(alternate "$r" $UPSTREAMS)
		eps=$(alternate "$r" $ENDPOINTS)
		order="$order${order:+; }round $r: $(arrows $list), upstream $(arrows $ups), $(arrows $eps)"
		for b in $list; do
			i=$((i + 1))
			say "$i/$total round $r/$P_ROUNDS: nginx → $(label "$b") -w $P_WORKERS$(eta $i $total $PT0)"
			proxy_one "$b" "$r" "$ups" "$eps"
			sleep 1
		done
	done
	for u in $UPSTREAMS; do
		redact <"$WORK/proxy-$u/nginx.conf" >"$RAW/proxy-nginx-$u.conf"
	done
	for b in $BACKENDS; do
		case $b in
		forkd) bl="$bl${bl:+; }forkd: default settings (--park-after 5: balanced keep-alive on)" ;;
		forkd-park0) bl="$bl${bl:+; }forkd --park-after 0: balanced keep-alive off" ;;
		gunicorn) bl="$bl${bl:+; }gunicorn sync: default settings" ;;
		gthread) bl="$bl${bl:+; }gunicorn gthread: --worker-class gthread --threads $GTHREADS" ;;
		esac
	done
	{
		part_meta
		echo "nginx=$NGINX_VER (Debian's), its own nginx.conf in a temporary directory (not the system service; raw-http/proxy-nginx-keepalive.conf and proxy-nginx-close.conf): worker_processes $P_NGINX_WORKERS, worker_connections 1024, access_log off, \`upstream backend { server 127.0.0.1:PORT; keepalive $P_KEEPALIVE; }\` (upstream keep-alive) or the same without the keepalive directive (close: nginx opens a connection per request and closes it after the response), \`location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; }\` either way; nginx's defaults otherwise (proxy buffering on)"
		echo "backends=$bl; each -w $P_WORKERS, on 127.0.0.1:0"
		echo "app=examples/hello/app.py (app:app): 10 ms = GET /sleep?ms=$SLEEP_MS (time.sleep, then a 6-byte body); hello = GET / (17-byte body); the app's \`import forkd\` gets bench/lib/shim (a no-op module) under gunicorn"
		echo "wrk_params=-t$THREADS -c$P_CONNS -d${P_DURATION}s --latency -s bench/lib/urls.lua (its bench: lines give p50, p99 and p99.9 in µs) against nginx; before each run, ${P_WARM_SECS}s of the same wrk, not measured"
		echo "rounds=$P_ROUNDS; each backend restarted each round, nginx for each upstream mode; ${GAP}s between wrk runs"
		echo "order=$order"
		echo "warmup=$WARM requests to the backend itself (/ and /sleep?ms=$SLEEP_MS alternately), $WARM_CONC at a time, a new connection each, after every worker is up; then ${P_WARM_SECS}s of wrk through nginx before each measured run"
		echo "workers=$P_WORKERS"
		echo "servers=$BACKENDS"
		echo "duration=$P_DURATION"
		echo "conns=$P_CONNS"
		echo "sleep_ms=$SLEEP_MS"
		echo "gthreads=$GTHREADS"
	} >"$WORK/proxy-meta"
}

mkdir -p "$RAW" || die "cannot create $RAW"
part direct && run_direct
part proxy && run_proxy
ELAPSED=$(($(date +%s) - T0))

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
say "wrote bench/results/http.md (the ${PARTS// / and } part)$(ls "$RESULTS"/http-*.png >/dev/null 2>&1 && echo ', bench/results/http-*.png') and bench/results/raw-http/ in $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
cat "$RESULTS/http.md"
