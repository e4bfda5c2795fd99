#!/bin/sh
# fuzz.sh: builds and runs the http_parse libFuzzer target (fuzz/README.md).
#
#   scripts/fuzz.sh [SECONDS [BUILD]]
#
# fuzzes for SECONDS (default $FORKD_FUZZ_SECONDS, else 60) with `make fuzz`
# in BUILD/fuzz (default build/fuzz).  When clang cannot build a libFuzzer
# target it prints "# fuzz: skipped (reason)" and exits 0, so make test
# runs on any machine.  It exits 1 when the fuzzer stops on a crash, a
# broken invariant or a hang: the input is kept as BUILD/fuzz/crash-* (or
# timeout-*), and the whole output as BUILD/fuzz/last.log.
set -u
cd "$(dirname "$0")/.."

seconds=${1:-${FORKD_FUZZ_SECONDS:-60}}
build=${2:-build}
cc=${FUZZ_CC:-clang}

skip() {
	echo "# fuzz: skipped ($*)"
	exit 0
}

command -v "$cc" >/dev/null 2>&1 || skip "$cc not found"
probe=$(mktemp -d) || skip "mktemp failed"
trap 'rm -rf "$probe"' EXIT
cat >"$probe/p.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
EOF
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" \
    2>"$probe/err"; then
	skip "$cc cannot build -fsanitize=fuzzer: $(head -n 1 "$probe/err")"
fi
"$probe/p" -runs=1 >"$probe/err" 2>&1 ||
	skip "a libFuzzer binary does not run here: $(tail -n 1 "$probe/err")"

mkdir -p "$build/fuzz"
log="$build/fuzz/last.log"
make -s BUILD="$build" FUZZ_CC="$cc" FUZZ_SECONDS="$seconds" fuzz >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
if [ $rc -ne 0 ]; then
	tail -n 40 "$log" | sed 's/^/# /'
	echo "# fuzz: FAILED (make fuzz exited $rc after ${runs:-no} runs);" \
	    "see $log"
	exit 1
fi
echo "# fuzz: ok, ${runs:-?} runs in $seconds s (${rate:-?} exec/s)," \
    "corpus $build/fuzz/corpus"
exit 0
