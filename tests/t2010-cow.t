#!/bin/sh
# The copy-on-write tracker (--cow, doc/cow.md): a worker that rewrites
# thousands of small sealed buffers reports at least that many written
# obmalloc pages and an idle worker few; the JSON report is valid and
# complete; FORKD_COW_METHOD=pagemap runs the fallback and says so;
# --cow off registers nothing and reports nothing; --cow attribute names
# the objects written: a class's instances, a module's dict.
. "$(dirname "$0")/lib.sh"
plan 23

case $("$FORKD" --version 2>/dev/null) in
*"copy-on-write tracker: count"*) uffd=1 ;;
*) uffd=0 ;;
esac
case $("$FORKD" --version 2>/dev/null) in
*"attribute yes"*) attr=1 ;;
*) attr=0 ;;
esac

mkdir "$T/app"
cat > "$T/app/cowapp.py" <<'PY'
import os

# 20,000 buffers of 200 bytes: about 1,000 pages of obmalloc arenas.
BUFS = [bytearray(200) for _ in range(20000)]

class TrackedWidget:
    def __init__(self, i):
        self.count = i

WIDGETS = [TrackedWidget(i) for i in range(3000)]
REGISTRY = {"key%d" % i: i for i in range(3000)}

def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/write":
        for b in BUFS:
            b[0] = (b[0] + 1) & 255
    elif path == "/mutate":
        for w in WIDGETS:
            w.count += 1
        for k in REGISTRY:
            REGISTRY[k] += 1
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
PY

# The report's view of one worker: cowq FILE PID PATH (dot-separated).
cat > "$T/cowq.py" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
v = [w for w in r["workers"] if w["pid"] == int(sys.argv[2])][0]
for k in sys.argv[3].split("."):
    v = v[k]
print(v)
PY
cowq() { "$PY" "$T/cowq.py" "$T/cow.json" "$@" 2>/dev/null; }

# A report after the write: the writer's obmalloc pages, once counted.
written_after() {
	wait_for "[ \$(cowq $1 written.pages.obmalloc || echo 0) -ge $2 ]" 10
}

mkdir "$T/tmp"
TMPDIR=$T/tmp start_forkd --app cowapp:app --chdir "$T/app" -w 2 \
    --stats-interval 1 --cow-report "$T/cow.json" --log-level debug
ok $? "forkd starts with the tracker on (count, the default)"
writer=$(get /write)
idle=$(worker_pids | grep -vx "$writer" | head -n 1)
written_after "$writer" 900
ok $? "the writer reports >= 900 obmalloc pages written ($(cowq "$writer" written.pages.obmalloc))"
n=$(cowq "$idle" written.pages.total)
ok $([ -n "$n" ] && [ "$n" -lt 400 ]; echo $?) "an idle worker reports few pages ($n)"
like "$(cat "$LOG")" "cow: [0-9]+ mappings registered \([0-9.]+ MiB\), [0-9]+ refused, in [0-9.]+ ms" \
    "each worker logs its registration and what it cost (debug)"
if [ $uffd -eq 1 ]; then
	is "$(cowq "$writer" method)" uffd-async "the method is userfaultfd async write-protect"
	like "$(cat "$LOG")" "cow: worker [0-9] pid $writer \(uffd-async\): written [0-9]+ pages = [0-9.]+ MiB \[obmalloc [0-9]+, heap [0-9]+, libpython [0-9]+, code [0-9]+, other [0-9]+\], new [0-9]+ pages" \
	    "the log has a line per worker with the pages by kind"
else
	ok 0 "# SKIP no userfaultfd WP_ASYNC or PAGEMAP_SCAN here"
	ok 0 "# SKIP no userfaultfd WP_ASYNC or PAGEMAP_SCAN here"
fi
like "$(cat "$LOG")" "cow: 2 workers: written [0-9]+ pages" "and a total line"
"$PY" - "$T/cow.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
kinds = ["obmalloc", "heap", "libpython", "code", "other", "total"]
assert r["forkd_cow_report"] == 1 and r["mode"] == "count"
assert r["page_size"] > 0 and r["time"] > 0
assert len(r["workers"]) == 2
for w in r["workers"] + [r["total"]]:
    for part in ("written", "new"):
        if w[part] is None:
            continue
        assert sorted(w[part]) == ["mib", "pages"]
        assert sorted(w[part]["pages"]) == sorted(kinds)
        assert sum(w[part]["pages"][k] for k in kinds[:-1]) == w[part]["pages"]["total"]
for w in r["workers"]:
    assert w["id"] in (1, 2) and w["pid"] > 0 and w["generation"] == 1
    assert w["method"] in ("uffd-async", "pagemap")
assert r["total"]["workers"] == 2
PY
ok $? "the JSON report parses and has every field"
ls "$T" | grep -q 'cow.json.tmp'
ok $([ $? -ne 0 ]; echo $?) "no temporary report file is left"
dir=$(sed -n 's|.*cow: [0-9]* ranges written to \(.*\)/ranges$|\1|p' "$LOG" | head -n 1)
case $dir in "$T"/tmp/forkd-cow.*) d=0 ;; *) d=1 ;; esac
ok $([ $d -eq 0 ] && [ ! -e "$dir" ]; echo $?) \
    "the zygote wrote its ranges into a private directory in TMPDIR, gone once read"
stop_forkd KILL
ok $([ -z "$(ls "$T/tmp")" ]; echo $?) "a killed supervisor leaves nothing in TMPDIR"

# The fallback, forced in the workers: pagemap's exclusive bit.
FORKD_COW_METHOD=pagemap start_forkd --app cowapp:app --chdir "$T/app" \
    -w 1 --stats-interval 1 --cow-report "$T/cow.json"
writer=$(get /write)
written_after "$writer" 900
ok $? "the fallback counts the writer's obmalloc pages too ($(cowq "$writer" written.pages.obmalloc))"
is "$(cowq "$writer" method)" pagemap "the report says which method ran"
like "$(cat "$LOG")" "cow: worker 1 pid $writer \(pagemap\): written" "so does the log"
stop_forkd TERM

# Attribute mode: the supervisor names what was written.
if [ $attr -eq 1 ]; then
	start_forkd --app cowapp:app --chdir "$T/app" -w 1 --stats-interval 1 \
	    --cow attribute --cow-report "$T/cow.json" --log-level debug
	w=$(worker_pids)
	wait_for "[ \$(loggrep 'cow: worker 1 pid $w: its writes fault to the supervisor') -ge 1 ]" 5
	ok $? "attribute mode: the supervisor takes the worker's userfaultfd"
	like "$(cat "$LOG")" "cow: object index: [0-9]+ entries" "the zygote wrote its object index"
	get /mutate >/dev/null
	wait_for "cowq $w top.objects | grep -q cowapp.REGISTRY" 10
	ok $? "the written module global is named (cowapp.REGISTRY)"
	like "$(cowq "$w" top.types)" "cowapp\.TrackedWidget" \
	    "the written instances' class is among the top types"
	is "$(cowq "$w" method)" uffd-sync "the method is a synchronous userfaultfd"
	"$PY" - "$T/cow.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["mode"] == "attribute"
for w in r["workers"] + [r["total"]]:
    assert w["faults"] >= 1 and w["unresolved"] <= w["faults"]
    assert sorted(w["top"]) == ["functions", "modules", "objects", "types"]
    for lst in w["top"].values():
        for e in lst:
            assert e["name"] and e["faults"] >= e["pages"] >= 1
PY
	ok $? "the attribute report's top lists parse and add up"
	like "$(cat "$LOG")" "cow: worker 1 pid $w \(uffd-sync\): top types \(faults/pages\): .*TrackedWidget [0-9]+/[0-9]+" \
	    "the log has the top types"
	stop_forkd TERM
else
	for i in 1 2 3 4 5 6 7; do
		ok 0 "# SKIP no synchronous userfaultfd for kernel-mode faults here"
	done
fi

# --cow off: no userfaultfd in the worker, no report.
rm -f "$T/cow.json"
start_forkd --app cowapp:app --chdir "$T/app" -w 1 --stats-interval 1 \
    --cow off --cow-report "$T/cow.json"
w=$(worker_pids)
wait_for "[ \$(loggrep 'stats: 1 workers') -ge 1 ]" 5
ok $([ ! -e "/proc/$w/fd/1000" ]; echo $?) "--cow off: nothing is registered in the worker"
ok $([ ! -e "$T/cow.json" ] && [ "$(loggrep 'cow:')" -eq 0 ]; echo $?) \
    "--cow off: no report, no cow log line"
stop_forkd TERM
done_testing
