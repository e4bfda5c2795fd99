#!/bin/sh
# systemd (doc/deploy.md): the notify protocol to a fake $NOTIFY_SOCKET
# (READY=1 once the workers serve, STATUS=, RELOADING=1 with
# MONOTONIC_USEC= then READY=1 on a reload, STOPPING=1, WATCHDOG=1),
# socket activation under systemd-socket-activate (no -b), and the
# units in systemd/ accepted by systemd-analyze verify, --user, and
# make install and uninstall.
. "$(dirname "$0")/lib.sh"
newest_only "supervisor logic"
plan 21

# The fake notify socket: a datagram socket that writes each message
# on a line of its own, "|" for the newlines within.
cat > "$T/notify.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "w", buffering=1)
while True:
    out.write(s.recv(4096).decode().replace("\n", "|") + "\n")
PY
"$PY" "$T/notify.py" "$T/notify.sock" "$T/notify.log" &
listener=$!
wait_for "[ -S '$T/notify.sock' ]" 5

NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000 \
    start_forkd --app app:app --chdir "$APPDIR" -w 2
ok $? "forkd starts with NOTIFY_SOCKET and WATCHDOG_USEC set"
wait_for "grep -q '^READY=1' '$T/notify.log'" 10
like "$(grep '^READY=1' "$T/notify.log" | head -n 1)" \
    '^READY=1\|STATUS=generation 1, 2 workers, [0-9.]+ MiB PSS$' \
    "READY=1 once both workers serve, with a STATUS"
wait_for "[ \$(grep -c '^WATCHDOG=1' '$T/notify.log') -ge 3 ]" 5
ok $? "WATCHDOG=1 every 200 ms (WATCHDOG_USEC / 2)"
is "$(tr '\0' '\n' < /proc/$(worker_pids | head -n 1)/environ | grep -c '^NOTIFY_SOCKET=')" 0 \
    "the workers do not see NOTIFY_SOCKET"

"$FORKCTL" reload > /dev/null
wait_for "[ \$(grep -c '^READY=1' '$T/notify.log') -ge 2 ]" 20
seq=$(grep -v '^WATCHDOG' "$T/notify.log" | cut -d'|' -f1 | tr '\n' ' ')
like "$seq" 'READY=1 RELOADING=1 READY=1' "a reload: RELOADING=1, then READY=1"
like "$(grep '^RELOADING=1' "$T/notify.log")" \
    '^RELOADING=1\|MONOTONIC_USEC=[0-9]+\|STATUS=reloading: generation 2 starting$' \
    "RELOADING=1 comes with MONOTONIC_USEC"
like "$(grep '^READY=1' "$T/notify.log" | tail -n 1)" 'STATUS=generation 2, ' \
    "the second READY=1 names generation 2"
stop_forkd
wait_for "grep -q '^STOPPING=1' '$T/notify.log'" 5
ok $? "STOPPING=1 when it stops"
kill "$listener" 2>/dev/null

# Socket activation: systemd-socket-activate binds, forkd gets fd 3.
if command -v systemd-socket-activate >/dev/null 2>&1; then
	port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	: > "$LOG"
	systemd-socket-activate -l "127.0.0.1:$port" --fdname=web \
	    "$FORKD" --app app:app --chdir "$APPDIR" -w 1 >> "$LOG" 2>&1 &
	FORKD_PID=$!
	# It execs forkd when the first connection comes; it binds first.
	wait_for "grep -q 'Listening on' '$LOG'" 5
	like "$(curl -s --max-time 20 "http://127.0.0.1:$port/")" "Hello" \
	    "under systemd-socket-activate, forkd serves on the socket it was given"
	like "$(cat "$LOG")" "listening on http://127.0.0.1:$port \\(systemd's socket \"web\"\\)" \
	    "and says so, with the socket's name"
	stop_forkd
else
	ok 0 "# SKIP systemd-socket-activate is missing"
	ok 0 "# SKIP systemd-socket-activate is missing"
fi

# The units: systemd-analyze verify, with ExecStart= on this build.
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T/units"
	for u in "$TOP"/systemd/forkd@.service "$TOP"/systemd/forkd@.socket; do
		sed "s|/usr/local/bin/|$FORKD_BUILD/|g" "$u" > "$T/units/${u##*/}"
	done
	cp "$T/units/forkd@.service" "$T/units/forkd@demo.service"
	cp "$T/units/forkd@.socket" "$T/units/forkd@demo.socket"
	out=$(cd "$T/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify \
	    --man=no ./forkd@demo.service ./forkd@demo.socket 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# verify: /' >&2
	is "$rc" 0 "systemd-analyze verify accepts systemd/forkd@.service and forkd@.socket"
	score=$(cd "$T/units" && systemd-analyze security --offline=yes \
	    ./forkd@demo.service 2>/dev/null |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	echo "# systemd-analyze security --offline=yes: exposure $score" >&2
	ok $(awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }'; echo $?) \
	    "its exposure level, offline, is at most 3.0 ($score)"
else
	ok 0 "# SKIP systemd-analyze is missing"
	ok 0 "# SKIP systemd-analyze is missing"
fi
# --user: forkd binds as root; its zygote and workers run as the user.
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	mkdir -p "$T/uapp"
	cp "$APPDIR/app.py" "$T/uapp/"
	chmod 755 "$T" "$T/uapp"
	start_forkd --app app:app --chdir "$T/uapp" -w 2 --user nobody
	nob=$(id -u nobody)
	uids=$(for p in $(worker_pids) $(sed -n 's/.*zygote pid \([0-9]*\) ready.*/\1/p' "$LOG"); do
		awk '/^Uid:/ { print $2 }' "/proc/$p/status"; done | sort -u | tr '\n' ' ')
	is "$uids" "$nob " "--user nobody: the zygote and workers run as nobody"
	is "$(awk '/^Uid:/ { print $2 }' "/proc/$FORKD_PID/status")" 0 "forkd itself stays root"
	like "$(get /)" "Hello" "and they answer"
	stop_forkd
else
	ok 0 "# SKIP needs root and a user nobody"
	ok 0 "# SKIP needs root and a user nobody"
	ok 0 "# SKIP needs root and a user nobody"
fi

# forkd doctor: every check, and forkd can run here (the tests do).
out=$("$FORKD" doctor)
is $? 0 "forkd doctor exits 0 on this host"
like "$(printf '%s\n' "$out" | awk '{ print $2 }' | tr '\n' ' ')" \
    "io_uring pidfd copy-on-write transparent KSM seccomp python immortal" \
    "and checks io_uring, pidfd, userfaultfd, THP, KSM, seccomp and the Python"

# make install: PREFIX and DESTDIR, the units' paths, make uninstall.
make -s -C "$TOP" install BUILD="$FORKD_BUILD" PYTHON="${FORKD_PYTHON:-}" \
    PREFIX=/opt/fk DESTDIR="$T/inst" > "$T/install.out" 2>&1
ok $? "make install PREFIX=/opt/fk DESTDIR=..."
like "$("$T/inst/opt/fk/bin/forkd" --version 2>&1)" "python: [0-9]" \
    "the installed forkd finds its zygote beside it"
is "$(grep -c '^ExecStart=/opt/fk/bin/forkd \|^ExecReload=/opt/fk/bin/forkctl reload$' \
    "$T/inst/opt/fk/lib/systemd/system/forkd@.service")" 2 "the unit names the installed programs"
make -s -C "$TOP" uninstall PREFIX=/opt/fk DESTDIR="$T/inst" > /dev/null 2>&1
is "$(find "$T/inst" -type f | wc -l)" 0 "make uninstall removes every file it installed"
done_testing
