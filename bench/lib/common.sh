# shellcheck shell=bash disable=SC2034
# common.sh: shell helpers the bench scripts share (sourced, not run).
#
#   alive PID                  the process exists and is not a zombie
#   tree PID                   PID and all its descendants (by ppid)
#   now_ms                     a clock in milliseconds
#   stop_tree PID TIMEOUT      SIGTERM, then SIGKILL to what is left of the
#                              tree; sets STOP_STATUS, STOP_MS, STOP_KILLED
#   port_from_log SERVER LOG   the 127.0.0.1 port forkd, gunicorn or uWSGI
#                              wrote in its log (empty if not yet)
#   children_of PID            PID's children but forkd's zygote, one a line
#   free_port PY               a TCP port free on 127.0.0.1 right now, asked
#                              of the kernel with PY (for nginx, which cannot
#                              bind port 0 and say which port it got)
#   bench_traps                on exit stop wrk ($WRK_PID), the proxy
#                              ($PROXY_PID) and the server ($SERVER_PID),
#                              remove $WORK unless BENCH_KEEP is set; INT,
#                              TERM and HUP exit through it
#   dist_path PY MODULE...     nothing if PY imports the modules as it is,
#                              else the directory (where Debian's python3
#                              finds them) that makes PY import them on
#                              PYTHONPATH; status 1 if there is none
#   other_benches              the other bench scripts running now
#   busy_others                processes outside this script's tree that
#                              have used 20% of a CPU or more
#   pyorigin PATH              where an interpreter comes from, in words
#
# The caller sets PROG (its name, for messages).  SC2034 is off: the
# STOP_* variables are for the caller.

# alive PID: the process exists and is not a zombie.
alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}

# tree PID: PID and all its descendants, by ppid, recursively.
tree() {
	local c
	echo "$1"
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		tree "$c"
	done
}

# now_ms: a monotonic-enough clock in milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# stop_tree PID TIMEOUT: SIGTERM to PID, SIGKILL to what is left of its
# tree after TIMEOUT seconds.  Sets STOP_STATUS, STOP_MS, STOP_KILLED.
# PID must be a child of this shell (its status is collected with wait).
stop_tree() {
	local pid=$1 t0 end pids p left
	pids=$(tree "$pid")
	t0=$(now_ms)
	end=$((t0 + $2 * 1000))
	STOP_KILLED=0
	kill -TERM "$pid" 2>/dev/null
	while alive "$pid" && [ "$(now_ms)" -lt "$end" ]; do
		sleep 0.05
	done
	if alive "$pid"; then
		STOP_KILLED=1
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	STOP_STATUS=$?
	STOP_MS=$(($(now_ms) - t0))
	# Workers must go with their master; give them 2 s, then SIGKILL.
	end=$(($(now_ms) + 2000))
	while :; do
		left=""
		for p in $pids; do
			alive "$p" && left="$left $p"
		done
		[ -z "$left" ] && break
		if [ "$(now_ms)" -ge "$end" ]; then
			echo "${PROG:-bench}: killing leftover processes:$left" >&2
			# shellcheck disable=SC2086
			kill -KILL $left 2>/dev/null
			STOP_KILLED=1
			break
		fi
		sleep 0.05
	done
}

# port_from_log SERVER LOG: the port the server says it listens on.
port_from_log() {
	case $1 in
	forkd*) sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$2" | head -n 1 ;;
	gunicorn*) sed -n 's|.*Listening at: http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$2" | head -n 1 ;;
	uwsgi*) sed -n 's|.*bound to TCP address 127\.0\.0\.1:\([0-9]*\).*|\1|p' "$2" | head -n 1 ;;
	esac
}

# children_of PID: its children, forkd's zygote left out (not a worker).
children_of() {
	ps -o pid=,comm= --ppid "$1" 2>/dev/null |
	    awk '$2 != "forkd-zygote" { print $1 }'
}

# free_port PY: a port nothing listens on at 127.0.0.1 now (the kernel's
# pick for port 0).  Someone may take it before the caller binds it: the
# caller retries on a bind failure.
free_port() {
	"$1" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# dist_path PY MODULE...: what PY needs on PYTHONPATH to import the modules
# (Debian installs them for its own python3 only).  Prints nothing when PY
# imports them already; status 1 when no directory found here helps.
dist_path() {
	local py=$1 mods d cands=""
	shift
	mods=$(echo "$@" | tr ' ' ,)
	"$py" -c "import $mods" 2>/dev/null && return 0
	if [ -x /usr/bin/python3 ]; then
		cands=$(/usr/bin/python3 -c "import os, $1; print(os.path.dirname(os.path.dirname($1.__file__)))" 2>/dev/null)
	fi
	for d in $cands /usr/lib/python3/dist-packages; do
		if [ -d "$d" ] && PYTHONPATH=$d "$py" -c "import $mods" 2>/dev/null; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# not_mine: "pid ppid %cpu args" of every process outside this script's
# tree ($$ and its descendants, subshells included) and not one of its
# ancestors (a `timeout` or `make` that started it), from one ps snapshot.
not_mine() {
	ps -eo pid=,ppid=,pcpu=,args= 2>/dev/null | awk -v me=$$ '
	    { line[NR] = $0; pid[NR] = $1; ppid[$1] = $2 }
	    END {
		for (q = me; q > 1; q = ppid[q])
			up[q] = 1
		for (i = 1; i <= NR; i++) {
			q = pid[i]
			while (q > 1 && q != me)
				q = ppid[q]
			if (q != me && !up[pid[i]])
				print line[i]
		}
	    }'
}

# other_benches: the other bench scripts running now (they would skew the
# figures both ways), ";"-separated.
other_benches() {
	not_mine | awk '/bench\/(memory|hello|http)\.sh/ { $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' |
	    sort -u | tr '\n' ';' | sed 's/;$//'
}

# busy_others: processes outside this script's tree that have used at
# least 20% of a CPU over their life (a fuzzer, a test suite...), one
# "pid %cpu command" item each, ";"-separated.
busy_others() {
	not_mine | sort -k3,3 -rn | awk '$3 + 0 >= 20 {
		p = $1; c = $3; $1 = $2 = $3 = ""; sub(/^ +/, "")
		printf "%s %s%% %s;", p, c, substr($0, 1, 90) }' | sed 's/;$//'
}

# pyorigin PATH: where an interpreter comes from, in words: the reports
# name no machine's paths.  Needs TOP (the repository).
pyorigin() {
	local root
	root=$(pyenv root 2>/dev/null || true)
	case $1 in
	/usr/bin/*) echo "Debian's ${1##*/}" ;;
	"$root"/*) [ -n "$root" ] && echo "pyenv's ${1##*/}" || echo "${1##*/}" ;;
	*) grep -qx "$1" "$TOP/build/pythons" 2>/dev/null &&
		echo "${1##*/}, built by make deps" || echo "${1##*/}" ;;
	esac
}

# bench_traps: installs the cleanup every bench script needs on any exit.
bench_cleanup() {
	trap - EXIT INT TERM HUP
	if [ -n "${WRK_PID:-}" ] && alive "$WRK_PID"; then
		kill -TERM "$WRK_PID" 2>/dev/null
		wait "$WRK_PID" 2>/dev/null
	fi
	if [ -n "${PROXY_PID:-}" ] && alive "$PROXY_PID"; then
		stop_tree "$PROXY_PID" 5
	fi
	if [ -n "${SERVER_PID:-}" ] && alive "$SERVER_PID"; then
		echo "$PROG: stopping the server still running (pid $SERVER_PID)" >&2
		stop_tree "$SERVER_PID" 5
	fi
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "$PROG: work directory kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}

bench_traps() {
	trap bench_cleanup EXIT
	trap 'echo "$PROG: interrupted" >&2; exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# redact: a filter that names the repository's and the work directory's
# files by their relative paths ($TOP and $WORK, the caller's): the
# results name no machine's paths.
redact() {
	sed -e "s|$WORK/||g; s|$TOP/||g; s|$TOP|.|g"
}
