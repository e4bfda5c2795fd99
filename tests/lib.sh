# lib.sh: helpers for forkd's black-box tests (tests/tNNNN-*.t).
#
# Each test sources this, calls plan N, starts a real forkd in its own
# temporary directory with start_forkd, and asserts on responses, pids
# and log lines.  Waits are bounded polls, never bare sleeps.  Set
# FORKD_TEST_LEAVE=1 to keep the directory.
#
# FORKD_BUILD names the build to test (default: build); FORKD_PYTHON the
# interpreter it embeds (for the test client).

TOP=$(cd "$(dirname "$0")/.." && pwd)
FORKD_BUILD=${FORKD_BUILD:-build}
case $FORKD_BUILD in /*) ;; *) FORKD_BUILD=$TOP/$FORKD_BUILD ;; esac
FORKD=$FORKD_BUILD/forkd
# The test client runs on the Python forkd embeds (forkd --version says).
PY=${FORKD_PYTHON:-$("$FORKD" --version 2>/dev/null | sed -n 's/^python: [^ ]* (\(.*\))$/\1/p')}
PY=${PY:-python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/forkd-test.XXXXXX")
LOG=$T/log
FORKD_PID=
FORKD_EXTRA_ARGS=${FORKD_EXTRA_ARGS:-}
# forkd's admin socket goes to $RUNTIME_DIRECTORY when it is set (as
# systemd sets it): here, into the test's directory, never into an app's.
RUNTIME_DIRECTORY=$T
export RUNTIME_DIRECTORY
ADMIN=$T/forkd.sock
FORKCTL=$FORKD_BUILD/forkctl
_tap_n=0
_tap_fail=0

_cleanup() {
	if [ -n "$FORKD_PID" ] && kill -0 "$FORKD_PID" 2>/dev/null; then
		kill -KILL "$FORKD_PID" 2>/dev/null
		# Workers die with the supervisor (PDEATHSIG); give them a moment.
		wait_for "! kill -0 $FORKD_PID 2>/dev/null" 5
	fi
	if [ -n "${FORKD_TEST_LEAVE:-}" ]; then
		echo "# left $T" >&2
	else
		rm -rf "$T"
	fi
}
trap _cleanup EXIT

plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# newest_only WHAT: skips unless the suite runs on the newest Python
# (or by hand): logic that is the same whatever Python the app runs on.
newest_only() {
	_newest=$("$TOP/scripts/find-python.sh" | head -n 1 | cut -d' ' -f1)
	if [ -n "${FORKD_PYVER:-}" ] && [ "$FORKD_PYVER" != "$_newest" ]; then
		skip_all "$1, checked once, on the newest Python ($_newest)"
	fi
}

ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_fail=$((_tap_fail + 1))
	fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" >&2
	fi
}

# like GOT REGEX DESCRIPTION (grep -E)
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: /%s/\n' "$1" "$2" >&2
	fi
}

done_testing() {
	if [ $_tap_fail -ne 0 ]; then
		echo "# log of the last forkd:" >&2
		sed 's/^/#   /' "$LOG" >&2 2>/dev/null
	fi
	[ $_tap_fail -eq 0 ]
}

# wait_for 'shell condition' SECONDS: polls every 50 ms; 0 if it came true.
wait_for() {
	_end=$(( $(date +%s%N) / 1000000 + ${2:-5} * 1000 ))
	while ! eval "$1" 2>/dev/null; do
		[ $(( $(date +%s%N) / 1000000 )) -ge $_end ] && return 1
		sleep 0.05
	done
	return 0
}

# loggrep REGEX: counts matching log lines.
loggrep() { grep -Ec -- "$1" "$LOG" 2>/dev/null; }

# An app directory with the bundled example app.
APPDIR=$TOP/examples/hello

# start_forkd ARGS...: starts forkd (logging to $LOG) on 127.0.0.1 with a
# port the kernel picks, waits until every worker has started, and sets
# FORKD_PID, PORT and URL.  Workers: the -w value, default 1.
start_forkd() {
	_w=1
	_prev=
	for _a in "$@"; do
		[ "$_prev" = "-w" ] && _w=$_a
		_prev=$_a
	done
	: > "$LOG"
	# FORKD_EXTRA_ARGS: run the whole suite with a flag, e.g. --fresh-arenas.
	"$FORKD" -b 127.0.0.1:0 $FORKD_EXTRA_ARGS "$@" >> "$LOG" 2>&1 &
	FORKD_PID=$!
	wait_for "[ \$(loggrep 'worker [0-9]+ pid [0-9]+ started') -ge $_w ] || ! kill -0 $FORKD_PID" 20
	if [ "$(loggrep 'worker [0-9]+ pid [0-9]+ started')" -lt "$_w" ]; then
		echo "# forkd did not start $_w workers:" >&2
		sed 's/^/#   /' "$LOG" >&2
		return 1
	fi
	PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$LOG" | head -n 1)
	URL=http://127.0.0.1:$PORT
}

# stop_forkd [SIGNAL]: signals forkd (TERM) and waits; sets STATUS.
stop_forkd() {
	kill -"${1:-TERM}" "$FORKD_PID"
	wait "$FORKD_PID"
	STATUS=$?
	FORKD_PID=
}

# worker_pids: pids of the running workers, from the log minus the dead.
worker_pids() {
	for _p in $(sed -n 's/.*worker [0-9]* pid \([0-9]*\) started.*/\1/p' "$LOG"); do
		kill -0 "$_p" 2>/dev/null && echo "$_p"
	done
}

# get PATH [curl args]: the body, or "curl-failed".
get() {
	_p=$1
	shift
	curl -s --max-time 10 "$@" "$URL$_p" || echo "curl-failed"
}

# status PATH [curl args]: the HTTP status code.
status() {
	_p=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$URL$_p"
}
