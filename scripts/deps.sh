#!/bin/sh
# deps.sh: installs, only when missing, the Debian packages forkd's build,
# tests and benchmarks need.  Run as root (it is, in CI); otherwise it
# prints the apt-get line to run.
#
# Then the CPython releases Debian does not ship (3.14): where the
# workplace's toolchains are (FORKD_TOOLCHAINS, by default ../shared/
# toolchains beside the checkout), its build script builds each once per
# machine, outside the checkout, and the interpreter's path is listed in
# build/pythons for scripts/find-python.sh.  Without the toolchains the
# tests run on the Pythons the machine has, and this says so.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
TOOLCHAIN_PYTHONS="3.14.7"

# toolchain_pythons: builds (once) and lists the toolchains' Pythons.
toolchain_pythons() {
	tc=${FORKD_TOOLCHAINS:-$top/../shared/toolchains}
	if [ ! -f "$tc/build-cpython.sh" ]; then
		echo "deps: no CPython toolchains in $tc: testing on this" \
		    "machine's Pythons only" >&2
		return 0
	fi
	mkdir -p "$top/build"
	: > "$top/build/pythons.new"
	for v in $TOOLCHAIN_PYTHONS; do
		[ -f "$tc/Python-$v.tar.xz" ] || continue
		if py=$(sh "$tc/build-cpython.sh" "$v"); then
			echo "$py" >> "$top/build/pythons.new"
		else
			echo "deps: building CPython $v failed; testing without it" >&2
		fi
	done
	ft_python "$tc" >> "$top/build/pythons.new" || true
	mv "$top/build/pythons.new" "$top/build/pythons"
}

# ft_python TOOLCHAINS: the newest toolchain CPython again, free-threaded
# (--disable-gil), beside the first, once per machine; prints its path.
# forkd refuses such a build, and tests/t1009 checks that it does.
ft_python() {
	v=${TOOLCHAIN_PYTHONS##* }
	mm=$(echo "$v" | cut -d. -f1,2)
	first=$(head -n 1 "$top/build/pythons.new")
	[ -n "$first" ] || return 1
	prefix=$(dirname "$(dirname "$(dirname "$first")")")/${v}t
	py=$prefix/bin/python${mm}t
	if [ -x "$py" ] && [ -x "$py-config" ]; then
		echo "$py"
		return 0
	fi
	echo "deps: building CPython ${v}t (free-threaded) into $prefix" \
	    "(a few minutes, once)" >&2
	work=$(mktemp -d)
	if tar -xJf "$1/Python-$v.tar.xz" -C "$work" && (cd "$work/Python-$v" &&
	    ./configure --disable-gil --enable-shared --prefix="$prefix" \
	    LDFLAGS="-Wl,-rpath,$prefix/lib" && make -j"$(nproc)" &&
	    make altinstall) > "$work/log" 2>&1; then
		rm -rf "$work"
		echo "$py"
		return 0
	fi
	tail -n 20 "$work/log" >&2
	rm -rf "$work"
	echo "deps: building CPython ${v}t failed; tests/t1009 will skip" >&2
	return 1
}

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
if [ -z "$missing" ]; then
	toolchain_pythons
	exit 0
fi

echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; run: apt-get install -y$missing" >&2
	exit 111
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# nginx is only the benchmark's ceiling: never start it as a service here.
apt-get install -y -qq --no-install-recommends $missing >/dev/null
toolchain_pythons
