#!/bin/sh
# find-python.sh: the CPython interpreters (>= 3.11) this machine can embed.
#
#   scripts/find-python.sh            "3.13 /path/to/python3.13" lines, one
#                                     per minor version, newest first
#   scripts/find-python.sh --newest   the path of the newest one
#   scripts/find-python.sh --config PYTHON
#                                     the python3.X-config that goes with it
#   scripts/find-python.sh --free-threaded
#                                     the same lines for free-threaded builds
#                                     (3.13t, 3.14t), which forkd refuses;
#                                     FORKD_FT_PYTHON adds one
#   scripts/find-python.sh --embed PYTHON
#                                     the linker flags that embed it: a shared
#                                     libpython gets an rpath unless the
#                                     dynamic linker finds it on its own; a
#                                     static one gets the flags that export
#                                     its symbols to extension modules; with
#                                     neither, the reason on stderr, exit 1
#
# Looks on PATH (pyenv's shims skipped: they fail without PYENV_VERSION)
# and, where pyenv exists, in `pyenv root`/versions, and the interpreters
# `make deps` built (scripts/deps.sh lists them in build/pythons).  The
# first interpreter found for a minor version wins, so a system python3.X
# on PATH is preferred over pyenv's.  Nothing here names a machine's
# paths.
set -u

config_for() {
	py=$1
	# 3.14t's is python3.14t-config: the ABI flags are part of the name.
	cver=$("$py" -c 'import sys; print("%d.%d%s" % (sys.version_info[:2] +
(getattr(sys, "abiflags", ""),)))' 2>/dev/null) || return 1
	bindir=$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("BINDIR") or "")' 2>/dev/null)
	for c in "$(dirname "$py")/python$cver-config" "$bindir/python$cver-config"; do
		if [ -x "$c" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# embed_flags PYTHON: see --embed above.
embed_flags() {
	py=$1
	cfg=$(config_for "$py") || {
		echo "$py: no python3.X-config beside it: install its headers" >&2
		return 1
	}
	# shared libdir libpl soname static linkforshared, shell-quoted.
	vars=$("$py" -c 'import shlex, sysconfig
g = sysconfig.get_config_var
for k, v in (("shared", g("Py_ENABLE_SHARED")), ("libdir", g("LIBDIR")),
             ("libpl", g("LIBPL")), ("soname", g("INSTSONAME")),
             ("static", g("LIBRARY")), ("lfs", g("LINKFORSHARED"))):
    print("%s=%s" % (k, shlex.quote(str(v or ""))))') || return 1
	eval "$vars"
	flags=$("$cfg" --ldflags --embed) || return 1
	if [ "$shared" = 1 ]; then
		# The dynamic linker's own answer for this soname, if any.
		found=$(PATH=$PATH:/sbin:/usr/sbin ldconfig -p 2>/dev/null | awk -v so="$soname" \
		    '$1 == so { print $NF; exit }')
		if [ -z "$found" ] || [ "$(readlink -f "$found")" != \
		    "$(readlink -f "$libdir/$soname")" ]; then
			case $flags in
			*"-rpath,$libdir"*) ;;
			*) flags="$flags -Wl,-rpath,$libdir" ;;
			esac
		fi
	elif [ -f "$libpl/$static" ]; then
		flags="$flags $lfs"
	else
		echo "$py has no shared libpython and no $static in $libpl:" \
		    "rebuild it with ./configure --enable-shared" >&2
		return 1
	fi
	echo "$flags"
}

candidates() {
	IFS=:
	for d in $PATH; do
		case $d in *pyenv/shims*|"") continue ;; esac
		for p in "$d"/python3.[0-9] "$d"/python3.[0-9][0-9] \
		    "$d"/python3.[0-9][0-9]t; do
			[ -x "$p" ] && echo "$p"
		done
	done
	unset IFS
	if command -v pyenv >/dev/null 2>&1; then
		root=$(pyenv root 2>/dev/null)
		for p in "$root"/versions/*/bin/python3.[0-9] \
		    "$root"/versions/*/bin/python3.[0-9][0-9] \
		    "$root"/versions/*/bin/python3.[0-9][0-9]t; do
			[ -x "$p" ] && echo "$p"
		done
	fi
	top=$(cd "$(dirname "$0")/.." && pwd)
	if [ -f "$top/build/pythons" ]; then
		while read -r p; do
			[ -x "$p" ] && echo "$p"
		done < "$top/build/pythons"
	fi
	[ -z "${FORKD_FT_PYTHON:-}" ] || echo "$FORKD_FT_PYTHON"
}

# list [ft]: "X.Y PATH" per minor version, newest first; with ft, the
# free-threaded builds instead of the others.
list() {
	want=${1:-gil}
	seen=" "
	candidates | while read -r py; do
		ver=$("$py" -c 'import sys, sysconfig
v = sys.version_info
ft = "ft" if sysconfig.get_config_var("Py_GIL_DISABLED") else "gil"
print("%d.%d %s" % (v[0], v[1], ft) if v >= (3, 11) else "")' 2>/dev/null) || continue
		[ -n "$ver" ] || continue
		[ "${ver#* }" = "$want" ] || continue
		ver=${ver% *}
		case $seen in *" $ver "*) continue ;; esac
		config_for "$py" >/dev/null || continue
		# The headers must be there to embed it.
		inc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)
		[ -f "$inc/Python.h" ] || continue
		seen="$seen$ver "
		echo "$ver $(readlink -f "$py")"
	done | sort -t. -k1,1nr -k2,2nr
}

case ${1:-} in
--newest)
	list | head -n 1 | cut -d' ' -f2 ;;
--config)
	config_for "$2" ;;
--embed)
	embed_flags "$2" ;;
--free-threaded)
	list ft ;;
"")
	list ;;
*)
	echo "usage: $0 [--newest | --free-threaded | --config PYTHON | --embed PYTHON]" >&2
	exit 100 ;;
esac
