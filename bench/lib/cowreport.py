"""cowreport.py: reads the file `forkd --cow-report FILE` writes (the
copy-on-write tracker's report, doc/cow.md "The JSON report"), for
bench/memory.sh's ablation.  read_cow_report() below is the only code
of the bench that knows the format:

    {"forkd_cow_report": 1, "time": T, "mode": "count" | "attribute",
     "page_size": 4096,
     "workers": [{"id", "pid", "generation",
                  "method": "uffd-async" | "uffd-sync" | "pagemap",
                  "written": {"pages": {KIND: N, ..., "total": N},
                              "mib": {KIND: X, ..., "total": X}},
                  "new": the same, or null (no zygote to compare with),
                  attribute mode: "faults": N, "unresolved": N,
                  "top": {"types" | "modules" | "functions" | "objects":
                          [{"name", "faults", "pages"}, ... up to 10]}}],
     "total": {"workers": N, the same figures summed, the top lists
               merged by name}}

KIND is obmalloc, heap, libpython, code or other.  The file is rewritten
at every --stats-interval with figures cumulative since each worker's
fork.

    python3 cowreport.py FILE   prints what it reads from FILE and checks
                                it against the file's own figures (exit
                                status 1 if they disagree)
    python3 cowreport.py        the self-check: reads made-up reports of
                                every shape above, and broken ones
"""
import json
import os
import sys
import tempfile

KINDS = ("obmalloc", "heap", "libpython", "code", "other")
LISTS = ("types", "modules", "functions", "objects")
TOP = 5
MiB = 1048576.0


def _per_worker(fig, n, page_size):
    """{KIND: MiB, ..., "total": MiB} per worker (mean over n) from one of
    the report's {"pages": ..., "mib": ...}; a kind this reader does not
    know counts as "other".  Pages, not the rounded MiB, are used."""
    out = dict.fromkeys(KINDS + ("total",), 0.0)
    for kind, pages in fig["pages"].items():
        if kind != "total":
            out[kind if kind in KINDS else "other"] += pages * page_size / MiB / n
    out["total"] = fig["pages"]["total"] * page_size / MiB / n
    return out


def read_cow_report(path):
    """What the ablation needs from one report, or None if there is no
    file, or {"error": why} if it does not read as the shape above:

      "mode"      "count" or "attribute"
      "time"      when forkd wrote it (Unix seconds)
      "workers"   how many workers it covers
      "methods"   the methods the workers' pages were read with, sorted
      "copied"    {KIND: MiB, ..., "total": MiB} written (copied from the
                  zygote), mean per worker
      "new"       the same for the new pages, or None when some worker
                  could not be compared with the zygote
      "faults", "unresolved"   attribute mode: sampled writes, and those
                  on no indexed object, mean per worker (else None)
      "top"       attribute mode: {list: [(name, pages, faults)]}, the
                  five names of the total's list with the most pages
                  (forkd keeps the ten with the most faults); else {}
    """
    try:
        with open(path) as f:
            doc = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        return {"error": "%s: %s" % (path, e)}
    try:
        if doc.get("forkd_cow_report") != 1:
            return {"error": "%s: format version %r, not 1" % (
                path, doc.get("forkd_cow_report"))}
        total, page = doc["total"], int(doc["page_size"])
        n = int(total["workers"])
        if n < 1:
            return {"error": "%s: no worker in the report" % path}
        out = {"mode": str(doc["mode"]), "time": int(doc["time"]),
               "workers": n,
               "methods": sorted({str(w["method"]) for w in doc["workers"]}),
               "copied": _per_worker(total["written"], n, page),
               "new": _per_worker(total["new"], n, page)
               if total["new"] is not None else None,
               "faults": None, "unresolved": None, "top": {}}
        if "top" in total:
            out["faults"] = total["faults"] / float(n)
            out["unresolved"] = total["unresolved"] / float(n)
            for lst in LISTS:
                items = [(str(it["name"]), int(it["pages"]), int(it["faults"]))
                         for it in total["top"].get(lst) or []]
                out["top"][lst] = sorted(items, key=lambda x: (-x[1], -x[2], x[0]))[:TOP]
        return out
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        return {"error": "%s: not the expected shape (%s: %s)" % (
            path, type(e).__name__, e)}


# --- python3 cowreport.py [FILE] ------------------------------------------------


def cross_check(doc, got):
    """What disagrees between a report's own figures and what
    read_cow_report() made of it (a list of strings, empty if nothing)."""
    bad = []
    ws, page = doc["workers"], doc["page_size"]
    if len(ws) != got["workers"]:
        bad.append("%d workers listed, total says %d" % (len(ws), got["workers"]))
    for what, key in (("written", "copied"), ("new", "new")):
        figs = [w[what] for w in ws] + [doc["total"][what]]
        if any(f is None for f in figs):
            if got[key] is not None:
                bad.append("%s: some worker has null, yet it was read" % what)
            continue
        for f in figs:
            if sum(v for k, v in f["pages"].items() if k != "total") != f["pages"]["total"]:
                bad.append("%s: the kinds do not add up to the total: %s" % (what, f["pages"]))
            for k, v in f["pages"].items():
                if abs(v * page / MiB - f["mib"][k]) > 0.006:
                    bad.append("%s %s: %d pages but %.2f MiB" % (what, k, v, f["mib"][k]))
        for k in KINDS + ("total",):
            mean = sum(w[what]["pages"].get(k, 0) for w in ws) * page / MiB / len(ws)
            if abs(mean - got[key][k]) > 1e-9:
                bad.append("%s %s: the workers' mean is %.3f MiB, read %.3f" % (
                    what, k, mean, got[key][k]))
    if (doc["mode"] == "attribute") != bool(got["top"]):
        bad.append("mode %s but %d top lists read" % (doc["mode"], len(got["top"])))
    for lst, items in got["top"].items():
        pages = [p for _, p, _ in items]
        if pages != sorted(pages, reverse=True) or len(items) > TOP:
            bad.append("top %s: not the %d largest by pages: %s" % (lst, TOP, items))
        for name, p, _ in items:
            mine = sum(it["pages"] for w in ws for it in w["top"][lst] if it["name"] == name)
            # A worker's own list is cut at ten names: the sum can fall short.
            if mine > p:
                bad.append("top %s: %s has %d pages in the total, %d in the workers" % (
                    lst, name, p, mine))
    return bad


def _figs(pages):
    pages = dict(pages, total=sum(pages.values()))
    return {"pages": pages, "mib": {k: round(v * 4096 / MiB, 2) for k, v in pages.items()}}


def _doc(mode, new=True):
    """A made-up report of two workers in the shape of doc/cow.md."""
    w1 = {"obmalloc": 959, "heap": 1055, "libpython": 37, "code": 0, "other": 22}
    w2 = {"obmalloc": 81, "heap": 29, "libpython": 26, "code": 3, "other": 11}
    tot = {k: w1[k] + w2[k] for k in w1}
    method = "uffd-sync" if mode == "attribute" else "uffd-async"
    ws = [{"id": i + 1, "pid": 100 + i, "generation": 1, "method": method,
           "written": _figs(p), "new": _figs({"heap": 10 * i}) if new else None}
          for i, p in enumerate((w1, w2))]
    doc = {"forkd_cow_report": 1, "time": 1700000000, "mode": mode, "page_size": 4096,
           "workers": ws, "total": {"workers": 2, "written": _figs(tot),
                                    "new": _figs({"heap": 10}) if new else None}}
    if mode == "attribute":
        top = {lst: [{"name": "%s-%d" % (lst, i), "faults": 20 - i, "pages": i}
                     for i in range(10)] for lst in LISTS}
        top["functions"] = []
        for w in ws:
            w.update(faults=60, unresolved=10, top={lst: [] for lst in LISTS})
        doc["total"].update(faults=120, unresolved=20, top=top)
    return doc


def self_check():
    """read_cow_report() on made-up files; returns the failures."""
    fails = []

    def expect(what, ok):
        if not ok:
            fails.append(what)

    d = tempfile.mkdtemp(prefix="cowreport-")
    path = os.path.join(d, "cow.json")

    def read(doc):
        with open(path, "w") as f:
            f.write(doc if isinstance(doc, str) else json.dumps(doc))
        return read_cow_report(path)

    try:
        expect("no file: None", read_cow_report(os.path.join(d, "none.json")) is None)
        got = read(_doc("count"))
        expect("count: copied heap", abs(got["copied"]["heap"] - 1084 * 4096 / MiB / 2) < 1e-9)
        expect("count: copied total", abs(got["copied"]["total"] - 2223 * 4096 / MiB / 2) < 1e-9)
        expect("count: new", abs(got["new"]["heap"] - 10 * 4096 / MiB / 2) < 1e-9)
        expect("count: methods", got["methods"] == ["uffd-async"])
        expect("count: no top", got["top"] == {} and got["faults"] is None)
        expect("count: cross-check", not cross_check(_doc("count"), got))
        got = read(_doc("attribute"))
        expect("attribute: top five by pages",
               got["top"]["types"] == [("types-%d" % i, i, 20 - i) for i in (9, 8, 7, 6, 5)])
        expect("attribute: empty list", got["top"]["functions"] == [])
        expect("attribute: faults", got["faults"] == 60 and got["unresolved"] == 10)
        expect("attribute: cross-check", not cross_check(_doc("attribute"), got))
        doc = _doc("count")
        doc["workers"][0]["written"]["mib"]["heap"] = 9.0
        expect("cross-check finds a wrong MiB figure", cross_check(doc, read(doc)))
        got = read(_doc("count", new=False))
        expect("new null: None", got["new"] is None and got["copied"]["total"] > 0)
        doc = _doc("count")
        doc["total"]["written"]["pages"]["stack"] = 2
        doc["total"]["written"]["pages"]["total"] += 2
        got = read(doc)
        expect("unknown kind: counted as other", abs(
            got["copied"]["other"] - 35 * 4096 / MiB / 2) < 1e-9)
        expect("not JSON: error", "error" in read("{"))
        expect("version 2: error", "error" in read(dict(_doc("count"), forkd_cow_report=2)))
        expect("provisional shape: error", "error" in read({"method": "x", "workers": []}))
        doc = _doc("count")
        doc["total"]["workers"] = 0
        expect("no workers: error", "error" in read(doc))
        doc = _doc("count")
        del doc["total"]["written"]["pages"]["total"]
        expect("no total: error", "error" in read(doc))
    finally:
        for name in os.listdir(d):
            os.unlink(os.path.join(d, name))
        os.rmdir(d)
    return fails


def main(argv):
    if len(argv) < 2:
        fails = self_check()
        for f in fails:
            print("cowreport.py: self-check failed: %s" % f)
        print("cowreport.py: self-check %s" % ("FAILED" if fails else "ok"))
        return 1 if fails else 0
    got = read_cow_report(argv[1])
    print(json.dumps(got, indent=1))
    if not got or "error" in got:
        return 1
    with open(argv[1]) as f:
        bad = cross_check(json.load(f), got)
    for b in bad:
        print("cowreport.py: %s: %s" % (argv[1], b))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
