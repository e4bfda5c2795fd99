#!/bin/sh
# forkd --version: forkd's version, the embedded Python's, and what this
# Python and kernel can do; --help exits 0.
. "$(dirname "$0")/lib.sh"
plan 8

out=$("$FORKD" --version 2>&1)
is $? 0 "--version exits 0"
like "$out" '^forkd [0-9]+\.[0-9]+\.[0-9]+' "it names forkd's version"
ver=$("$PY" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
like "$out" "python: $ver " "it names the embedded Python ($ver)"
minor=$("$PY" -c 'import sys; print(sys.version_info[1])')
if [ "$minor" -ge 12 ]; then
	like "$out" "immortal objects: yes" "immortal objects: yes on 3.$minor"
else
	like "$out" "immortal objects: no" "immortal objects: no on 3.$minor"
fi
# The libpython loaded is the one of the interpreter built against, found
# without LD_LIBRARY_PATH (an rpath, or the linker's own paths).
want=$("$PY" -c 'import os, sysconfig as s; g = s.get_config_var
print(os.path.realpath(os.path.join(g("LIBDIR"), g("INSTSONAME"))) if g("Py_ENABLE_SHARED") else "static")')
got=$(printf '%s\n' "$out" | sed -n 's/^libpython: //p')
case $got in
/*) got=$(readlink -f "$got") ;;
"linked statically"*) got=static ;;
esac
is "$got" "$want" "it names the libpython loaded, the interpreter's own"
like "$out" "io_uring: yes" "io_uring is reported usable"
like "$out" "transparent huge pages: " "the THP mode is reported"
"$FORKD" --help > "$T/help" 2>&1
is $? 0 "--help exits 0"
done_testing
