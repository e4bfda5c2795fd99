#!/bin/sh
# deps.sh: installs, only when missing, the Debian packages forkd's build,
# tests and benchmarks need.  Run as root (it is, in CI); otherwise it
# prints the apt-get line to run.
set -eu

PKGS="build-essential pkg-config liburing-dev libseccomp-dev libpython3-dev
python3-dev curl wrk python3-flask python3-django gunicorn uwsgi-core
uwsgi-plugin-python3 nginx-light procps perl strace clang libclang-rt-14-dev
python3-matplotlib"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $st in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; run: apt-get install -y$missing" >&2
	exit 111
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# nginx is only the benchmark's ceiling: never start it as a service here.
apt-get install -y -qq --no-install-recommends $missing >/dev/null
