#!/bin/sh
# scripts/find-python.sh --embed, against stand-in interpreters: a shared
# libpython the dynamic linker does not know gets an rpath; a static one
# is linked with the flags that export its symbols; a Python with
# neither is refused with the reason.  The stand-ins answer the
# questions the script asks (sysconfig's variables, python3.X-config).
. "$(dirname "$0")/lib.sh"
plan 6

# fake DIR SHARED [STATIC_LIB]: a python3.99 and python3.99-config in DIR.
fake() {
	mkdir -p "$1/bin" "$1/lib" "$1/lib/config"
	[ -z "${3:-}" ] || : > "$1/lib/config/$3"
	cat > "$1/bin/python3.99" <<PY
#!/bin/sh
case "\$2" in
*shlex*)
	echo "shared=$2"
	echo "libdir='$1/lib'"
	echo "libpl='$1/lib/config'"
	echo "soname=libpython3.99.so.1.0"
	echo "static=libpython3.99.a"
	echo "lfs='-Xlinker -export-dynamic'" ;;
*abiflags*) echo 3.99 ;;
*BINDIR*) echo "$1/bin" ;;
*) exit 1 ;;
esac
PY
	cat > "$1/bin/python3.99-config" <<CFG
#!/bin/sh
echo "-L$1/lib -lpython3.99 -ldl -lm"
CFG
	chmod +x "$1/bin/python3.99" "$1/bin/python3.99-config"
}

fake "$T/shared" 1
out=$("$TOP/scripts/find-python.sh" --embed "$T/shared/bin/python3.99")
is $? 0 "a shared libpython links"
like "$out" "-Wl,-rpath,$T/shared/lib" "with an rpath to it, which the dynamic linker would not find"

fake "$T/static" 0 libpython3.99.a
out=$("$TOP/scripts/find-python.sh" --embed "$T/static/bin/python3.99")
is $? 0 "a static libpython links"
like "$out" "-lpython3.99 .*-Xlinker -export-dynamic" "exporting its symbols to extension modules"

fake "$T/none" 0
out=$("$TOP/scripts/find-python.sh" --embed "$T/none/bin/python3.99" 2>&1 >/dev/null)
is $? 1 "no libpython at all is refused"
like "$out" "no shared libpython and no libpython3.99.a .*--enable-shared" "with the reason"
done_testing
