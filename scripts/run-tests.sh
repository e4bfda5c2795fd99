#!/bin/sh
# run-tests.sh: what `make test` runs (and `make asan` with FORKD_ASAN=1).
#
# 1. builds forkd against the newest CPython and the C unit tests, runs
#    them under prove;
# 2. for every CPython >= 3.11 the machine has (scripts/find-python.sh),
#    builds forkd into build/py-X.Y and runs the black-box tests against
#    it, saying which Python each run used.
set -u
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
san=""
top=build
if [ -n "${FORKD_ASAN:-}" ]; then
	san="SAN=-fsanitize=address,undefined -fno-omit-frame-pointer"
	top=build/asan
	export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

fail=0
ran=""
pythons=$(scripts/find-python.sh)
if [ -z "$pythons" ]; then
	echo "run-tests: no CPython >= 3.11 with headers: run make deps" >&2
	exit 111
fi

newest=$(echo "$pythons" | head -n 1 | cut -d' ' -f2)
echo "# unit tests (built against $newest)"
make -s -j"$jobs" BUILD="$top/unit" PYTHON="$newest" ${san:+"$san"} units ||
	exit 1
prove -f "$top"/unit/tests/t[0-9]* || fail=1
# The parser under libFuzzer for a bounded time; skipped without clang.
scripts/fuzz.sh "${FORKD_FUZZ_SECONDS:-60}" "$top" || fail=1

echo "$pythons" | {
	while read -r ver py; do
		dir="$top/py-$ver"
		echo "# black-box tests on Python $ver ($py)"
		if ! make -s -j"$jobs" BUILD="$dir" PYTHON="$py" ${san:+"$san"} all; then
			echo "# build failed for Python $ver"
			exit 1
		fi
		FORKD_BUILD="$dir" FORKD_PYTHON="$py" FORKD_PYVER="$ver" \
		    prove -f tests/t*.t || exit 1
		echo "# passed on Python $ver"
	done
} || fail=1

if [ $fail -eq 0 ]; then
	echo "# all tests passed on Python $(echo "$pythons" | cut -d' ' -f1 | tr '\n' ' ')"
else
	echo "# some tests FAILED"
fi
exit $fail
