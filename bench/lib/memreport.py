"""memreport.py WORK OUT.md CHARTDIR: the report of bench/memory.sh.

Reads what memory.sh wrote in WORK:

  meta         key=value lines (date, kernel, versions, parameters)
  runs.tsv     runid section app py server workers status extra round
               (section main, ablation, ablation-attr, curve or early;
               status ok, n/a (WHY) or failed: WHY; extra is
               key=value;key=value;
               round 1..ROUNDS for main and ablation, 1 elsewhere)
  mem.tsv      runid phase + the columns of procmem.py (pid ppid comm
               role pss_kb uss_kb rss_kb); phase idle or loaded
  rounds.tsv   round load-before load-after seconds server-order
               ablation-order
  hook.tsv     runid + the seal hook's own line (gunicorn-sealed runs)
  wrk/RUNID[-PART].txt   wrk outputs with urls.lua's "bench:" lines
  cow/RUNID.json         forkd --cow-report files (lib/cowreport.py);
               those of the ablation-attr runs (--cow attribute) are
               read for their top lists only
  unexpected.tsv         runid + a server log line that is not one of
               the usual start/stop lines

Writes OUT.md (markdown tables) and, when matplotlib imports, the charts
CHARTDIR/memory-pss-loaded.png, CHARTDIR/memory-ablation.png and
CHARTDIR/memory-pss-vs-workers.png.  Memory is in MiB (the kB of /proc
are KiB); "per GiB" divides by the total PSS after load in GiB.  Where a
run was repeated (ROUNDS), a cell is the median over the rounds, with
[lowest–highest] for the main figures.  Stdlib only, matplotlib optional.
"""
import os
import re
import sys
from collections import Counter, OrderedDict, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cowreport import KINDS, LISTS, read_cow_report  # noqa: E402
from report import med, read_tsv  # noqa: E402
from report import parse_bench as parse_wrk  # noqa: E402

WORK, OUT, CHARTS = sys.argv[1:4]
MiB = 1024.0
GiB = 1024.0 * 1024.0
BASELINE = "gunicorn --preload"
# The repository, left out of the source paths of the top lists.
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + "/"


def read_meta():
    meta = OrderedDict()
    with open(os.path.join(WORK, "meta")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            meta[k] = v
    return meta


def tsv(name):
    return read_tsv(os.path.join(WORK, name))


def mem_of(rows, runid, phase):
    procs = [r for r in rows if r[0] == runid and r[1] == phase]
    if not procs:
        return None
    total = sum(int(r[6]) for r in procs)
    workers = [(int(r[2]), int(r[7]), int(r[6])) for r in procs
               if r[5] == "worker"]
    others = {r[5]: int(r[6]) for r in procs if r[5] != "worker"}
    uss = [w[1] for w in workers]
    return {
        "total": total,
        "n": len(workers),
        "pids": sorted(w[0] for w in workers),
        "uss_mean": sum(uss) / len(uss) if uss else 0,
        "uss_max": max(uss) if uss else 0,
        "uss_min": min(uss) if uss else 0,
        "master_pss": others.get("master", 0),
        "zygote_pss": others.get("zygote", 0),
        "workers": workers,
    }


def extra_of(s):
    out = {}
    for kv in (s or "").split(";"):
        if "=" in kv:
            k, _, v = kv.partition("=")
            out[k] = v
    return out


def mib(kb):
    return "%.1f" % (kb / MiB)


def ms(us):
    return "%.1f" % (us / 1000.0)


def fit(xs, ys):
    """Least squares y = a + b x; returns a, b, r2."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx if sxx else 0.0
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    r2 = 1 - ss_res / ss_tot if ss_tot else 1.0
    return a, b, r2


def spread(xs, f, show_range=True):
    """The median of xs formatted with f, and [lowest–highest] when there
    are several; "?" when there is none."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return "?"
    lo, mid, hi = f(min(xs)), f(med(xs)), f(max(xs))
    if lo == hi or not show_range:
        return mid
    return "%s [%s–%s]" % (mid, lo, hi)


def pyver(py):
    return tuple(int(x) for x in re.findall(r"\d+", py)[:2])


class Run:
    """One row of runs.tsv with what it measured."""

    def __init__(self, r, mem, wrkdir):
        r = r + [""] * (9 - len(r))
        self.runid, self.section, self.app, self.py, self.label = r[:5]
        self.n, self.status, self.round = int(r[5]), r[6], int(r[8] or 1)
        self.row = r
        self.extra = extra_of(r[7])
        self.ok = self.status == "ok"
        self.idle = mem_of(mem, self.runid, "idle") if self.ok else None
        self.loaded = mem_of(mem, self.runid, "loaded") if self.ok else None
        self.wrk = parse_wrk(os.path.join(wrkdir, self.runid + ".txt")) if self.ok else {}
        self.ratio = None
        self.cow = None

    def total(self, phase="loaded"):
        m = self.idle if phase == "idle" else self.loaded
        return m["total"] if m else None

    def rps(self):
        return self.wrk["rps"] if self.wrk else None

    def per_gib(self):
        t = self.total()
        return self.rps() / (t / GiB) if self.wrk and t else None

    def name(self):
        return "%s %s %s%s" % (self.app, self.py, self.label,
                               " (round %d)" % self.round if self.section in ("main", "ablation") else
                               " (attribute run)" if self.section == "ablation-attr" else
                               " (%s, -w %d)" % (self.section, self.n))


def set_ratios(runs):
    """Each main and ablation run's loaded PSS over gunicorn --preload's in
    the same section, app, Python and round."""
    base = {(r.section, r.app, r.py, r.round): r.total() for r in runs
            if r.label == BASELINE and r.total()}
    for r in runs:
        b = base.get((r.section, r.app, r.py, r.round))
        if b and r.total():
            r.ratio = r.total() / b


def by_label(runs):
    """OrderedDict label -> [runs in round order], labels in first-seen order."""
    out = OrderedDict()
    for r in sorted(runs, key=lambda r: r.round):
        out.setdefault(r.label, []).append(r)
    order = [r.label for r in runs]
    return OrderedDict(sorted(out.items(), key=lambda kv: order.index(kv[0])))


def small(x):
    return "%.1f" % x if x >= 1 else "%.2f" % x


def fmt_ratio(x):
    return "%.2f" % x


def fmt_f0(x):
    return "%.0f" % x


def fmt_mib(x):
    return "%.1f" % (x / MiB)


def wrk_checks(checks, name, wr):
    """Socket errors cell and checks for one run's wrk output."""
    se = int(wr["connect"] + wr["read"] + wr["write"] + wr["timeout"])
    if wr["non2xx"]:
        checks.append("%s: %d non-2xx responses under load (%s)" % (
            name, wr["non2xx"],
            ", ".join("%s: %d" % kv for kv in sorted(wr["statuses"].items()))))
    if se:
        why = ""
        if name.split(" ", 2)[2].startswith("uWSGI") and se == wr["read"]:
            why = (": uWSGI's --http-socket closes each connection "
                   "after its response without a Connection: close "
                   "header, wrk counts that as a read error and "
                   "reconnects (not a failed request)")
        checks.append("%s: wrk socket errors: %d (c %d, r %d, w %d, t %d)%s" % (
            name, se, wr["connect"], wr["read"], wr["write"], wr["timeout"], why))
    return se


def rows_of(w, checks, groups, ncols):
    """(label, its ok runs) for each label of groups; failed runs and
    each ok run's checks go to checks, and a label without an ok run is
    written as a row of ncols cells that gives its status."""
    for label, rs in groups.items():
        ok = [r for r in rs if r.ok]
        for r in rs:
            if r.status.startswith("failed"):
                checks.append("%s: %s (its log: raw-memory/%s.log)" % (
                    r.name(), r.status, r.runid))
        if not ok:
            w("| %s | %s |" % (label, rs[0].status) + " |" * (ncols - 2))
            continue
        for r in ok:
            if not r.wrk:
                checks.append("%s: no wrk result" % r.name())
            _check_run(checks, r.name(), r.row, r.idle, r.loaded)
        yield label, ok


def ratio_cell(ok):
    if any(r.ratio for r in ok):
        return spread([r.ratio for r in ok], fmt_ratio)
    return "n/a"


def main_table(w, checks, groups):
    """One app × Python table: a line per server, medians over rounds."""
    w("| server | total PSS idle (MiB) | total PSS loaded (MiB) "
      "| ratio to gunicorn --preload (loaded) "
      "| USS/worker idle mean / max (MiB) "
      "| USS/worker loaded mean / max (MiB) | req/s | p99 (ms) "
      "| req/s per GiB PSS | non-2xx | socket errors | start (s) |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    chart = []
    for label, ok in rows_of(w, checks, groups, 12):
        cells = [label]
        cells.append(spread([r.total("idle") for r in ok], fmt_mib))
        cells.append(spread([r.total() for r in ok], fmt_mib))
        cells.append(ratio_cell(ok))
        for phase in ("idle", "loaded"):
            ms_ = [getattr(r, phase) for r in ok if getattr(r, phase)]
            cells.append("%s / %s" % (mib(med([m["uss_mean"] for m in ms_])),
                                      mib(max(m["uss_max"] for m in ms_))) if ms_ else "?")
        wrs = [r for r in ok if r.wrk]
        cells.append(spread([r.rps() for r in wrs], fmt_f0))
        cells.append(spread([r.wrk["p99_us"] for r in wrs], ms, False))
        cells.append(spread([r.per_gib() for r in wrs], fmt_f0))
        cells.append("%d" % sum(r.wrk["non2xx"] for r in wrs) if wrs else "?")
        cells.append("%d" % sum(wrk_checks(checks, r.name(), r.wrk) for r in wrs) if wrs else "?")
        ready = [int(r.extra["ready_ms"]) / 1000.0 for r in ok if r.extra.get("ready_ms")]
        cells.append(spread(ready, lambda x: "%.1f" % x, False))
        w("| " + " | ".join(cells) + " |")
        loaded = [r.total() / MiB for r in ok if r.total()]
        if loaded:
            chart.append((label, med(loaded), min(loaded), max(loaded)))
    w("")
    return chart


def every_round(w, main_runs):
    """Each round's loaded PSS, ratio and req/s, so the noise shows."""
    rounds = sorted({r.round for r in main_runs})
    w("## Every round")
    w("")
    w("Total PSS loaded (MiB) / ratio to gunicorn --preload / req/s, per round.")
    w("")
    w("| app | Python | server | " + " | ".join("round %d" % n for n in rounds) + " |")
    w("|---|---|---|" + "---:|" * len(rounds))
    for (app, py), rs in group_main(main_runs).items():
        for label, runs in by_label(rs).items():
            if not any(r.ok for r in runs):
                continue
            got = {r.round: r for r in runs}
            cells = [app, py, label]
            for n in rounds:
                r = got.get(n)
                if not r or not r.ok or not r.total():
                    cells.append(r.status if r else "")
                    continue
                cells.append("%s / %s / %s" % (
                    fmt_mib(r.total()), fmt_ratio(r.ratio) if r.ratio else "n/a",
                    fmt_f0(r.rps()) if r.wrk else "?"))
            w("| " + " | ".join(cells) + " |")
    w("")


def group_main(main_runs):
    groups = OrderedDict()
    for r in main_runs:
        groups.setdefault((r.app, r.py), []).append(r)
    return groups


def rounds_section(w, checks, meta):
    """When each round ran, in what order, and what else ran then."""
    rows = tsv("rounds.tsv")
    ncpu = int(meta.get("ncpu") or 1)
    load0 = (meta.get("load0") or "0").split()
    if float(load0[0]) > ncpu / 2.0:
        checks.append("the machine was not quiet when the run started: 1-min load "
                      "average %s on %d CPUs; the figures are noisy" % (load0[0], ncpu))
    if not rows:
        return
    w("## Rounds")
    w("")
    w("Load averages (1/5/15 min) when each round started and ended (the "
      "bench's own wrk keeps two CPUs busy: a round ends near 2 whatever "
      "else runs); other processes that have used 20% of a CPU or more "
      "(ps's lifetime %CPU) at the start and the end of each round.")
    w("")
    w("| round | load before | load after | minutes | server order | ablation order "
      "| busy processes before / after |")
    w("|---:|---|---|---:|---|---|---|")
    for r in rows:
        r = r + [""] * (9 - len(r))
        w("| %s | %s | %s | %.1f | %s | %s | %s / %s |" % (
            r[0], r[1], r[2], int(r[3] or 0) / 60.0, r[4], r[5],
            r[6].replace(";", "; ").replace("|", "\\|") or "none",
            r[7].replace(";", "; ").replace("|", "\\|") or "none"))
        if r[8]:
            checks.append("round %s overlapped another benchmark: %s" % (r[0], r[8]))
    w("")


COLS = KINDS + ("total",)


def cow_reports(checks, runs):
    """The --cow-report of each run that was given one (read_cow_report());
    what is wrong with them goes to checks."""
    out = []
    for r in runs:
        if "cow_fresh" not in r.extra:
            continue
        c = read_cow_report(os.path.join(WORK, "cow", r.runid + ".json"))
        if c is None or "error" in c:
            checks.append("%s: --cow-report: %s" % (
                r.name(), c["error"] if c else "forkd wrote no file"))
            continue
        if r.extra["cow_fresh"] != "1":
            checks.append("%s: --cow-report was not rewritten after the load: "
                          "its figures stop earlier" % r.name())
        out.append(c)
    return out


def ablation_section(w, checks, meta, runs, attr_runs):
    """The ablation table: one row per forkd flag set and the two gunicorn
    --preload rows; copied and new pages per worker from --cow-report
    (count mode) when there; then each forkd row's top five sources from
    its attribute run."""
    if not runs:
        return None
    groups = by_label(runs)
    w("## Ablation (%s)" % meta.get("ablation_what", ""))
    w("")
    if not meta.get("cow"):
        w("forkd does not accept `--cow-report` yet: the copied-pages "
          "columns say n/a.")
        w("")
    w("| row | total PSS loaded (MiB) | ratio to gunicorn --preload "
      "| req/s per GiB PSS | USS/worker loaded mean (MiB) | "
      + " | ".join("copied %s (MiB/worker)" % k for k in COLS)
      + " | new (MiB/worker) |")
    w("|---|---:|---:|---:|---:|" + "---:|" * (len(COLS) + 1))
    chart, methods = [], set()
    for label, ok in rows_of(w, checks, groups, 6 + len(COLS)):
        cells = [label,
                 spread([r.total() for r in ok], fmt_mib),
                 ratio_cell(ok),
                 spread([r.per_gib() for r in ok], fmt_f0),
                 spread([r.loaded["uss_mean"] for r in ok if r.loaded], fmt_mib)]
        for r in ok:
            if r.wrk:
                wrk_checks(checks, r.name(), r.wrk)
        cows = cow_reports(checks, ok)
        copied = None
        if cows:
            copied = {k: med([c["copied"][k] for c in cows]) for k in COLS}
            news = [c["new"]["total"] for c in cows if c["new"]]
            cells += [small(copied[k]) for k in COLS]
            cells.append(small(med(news)) if news else "?")
            methods.update(m for c in cows for m in c["methods"])
        else:
            cells += ["n/a"] * (len(COLS) + 1)
        w("| " + " | ".join(cells) + " |")
        loaded = [r.total() / MiB for r in ok if r.total()]
        chart.append((label, med(loaded), min(loaded), max(loaded), copied))
    w("")
    if methods:
        w("Copied and new pages as forkd `--cow-report` counts them in count "
          "mode (method: %s): MiB per worker (the mean over its workers), "
          "median over rounds; copied = pages the zygote had that the worker "
          "wrote, new = fresh pages it filled inside inherited mappings; "
          "n/a: no tracker (a @REV build, or not forkd)."
          % ", ".join(sorted(methods)))
        w("")
    top_five(w, checks, meta, groups, by_label(attr_runs))
    return chart


def src(name):
    """A top-list name with its source path shortened: relative to the
    repository, site- or dist-packages, or the standard library."""
    name = name.replace(TOP, "")
    return re.sub(r"\((?:[^()]*/)?(?:site-packages|dist-packages|lib/python3\.\d+)/",
                  "(", name)


def top_five(w, checks, meta, groups, attr):
    """Per forkd row, the top five types, modules, functions and objects
    (by pages) of its attribute run."""
    if not attr:
        if meta.get("attr_note"):
            w(meta["attr_note"])
            w("")
        return
    w("### What the copied pages held (attribute mode)")
    w("")
    w("From %s. Pages: distinct pages first written while protected, summed "
      "over the workers; the five names with the most pages of forkd's "
      "merged lists (its ten with the most sampled writes). A sample: at "
      "most 2,048 writes a worker per stats interval are caught. Attribute mode "
      "does not see writes to private file mappings (libpython's data: "
      "doc/cow.md), nor those before the supervisor's first protect; the "
      "copied-by-kind columns above are count mode's." % meta.get("attr_what", "?"))
    w("")
    for label in groups:
        for r in attr.get(label, []):
            if not r.ok:
                checks.append("%s: %s (its log: raw-memory/%s.log)" % (
                    r.name(), r.status, r.runid))
                continue
            _check_run(checks, r.name(), r.row, r.idle, r.loaded)
            if r.wrk:
                wrk_checks(checks, r.name(), r.wrk)
            for c in cow_reports(checks, [r]):
                w("**%s** (%s): copied %s MiB/worker in this run, %.0f sampled "
                  "writes/worker, %.0f%% on no indexed object." % (
                      label, ", ".join(c["methods"]), small(c["copied"]["total"]),
                      c["faults"] or 0,
                      100.0 * (c["unresolved"] or 0) / c["faults"] if c["faults"] else 0))
                w("")
                n = max([len(v) for v in c["top"].values()] + [0])
                if not n:
                    w("No write was attributed (forkd --version: %s)." %
                      meta.get("cow_probe", "?"))
                    w("")
                    continue
                w("| # | " + " | ".join("%s (pages)" % k for k in LISTS) + " |")
                w("|---:|" + "---|" * len(LISTS))
                for i in range(n):
                    cells = []
                    for k in LISTS:
                        items = c["top"].get(k, [])
                        cells.append("`%s` %d" % (
                            src(items[i][0]).replace("`", "'").replace("|", "\\|"),
                            items[i][1]) if i < len(items) else "")
                    w("| %d | %s |" % (i + 1, " | ".join(cells)))
                w("")


def hook_section(w, checks, runs):
    """What the seal hook said in the master, and whether every worker saw
    a frozen generation and (3.12+) an immortal app object."""
    lines = {row[0]: row[1] for row in tsv("hook.tsv") if len(row) > 1}
    sealed = [r for r in runs if r.ok and "hook_workers" in r.extra]
    if not sealed:
        return
    w("## The seal hook (gunicorn --preload + `bench/lib/gunicorn_seal.py`)")
    w("")
    w("What it logged in the master, first round of each app and Python:")
    w("")
    seen = set()
    for r in sealed:
        ex = r.extra
        nw, frozen, imm = (int(ex.get(k, 0) or 0) for k in
                           ("hook_workers", "hook_frozen", "hook_immortal"))
        if nw < r.n or frozen != nw:
            checks.append("%s: %d of %d workers logged a frozen generation after the fork" % (
                r.name(), frozen, nw))
        if pyver(r.py) >= (3, 12) and imm != nw:
            checks.append("%s: %d of %d workers saw an immortal app object" % (
                r.name(), imm, nw))
        if (r.app, r.py) not in seen:
            seen.add((r.app, r.py))
            w("- %s, Python %s: `%s`; in the workers: %d of %d saw a frozen "
              "generation, %d an immortal app object" % (
                  r.app, r.py, lines.get(r.runid, "no seal hook line").replace("`", "'"),
                  frozen, nw, imm))
    w("")


def main():
    meta = read_meta()
    mem = tsv("mem.tsv")
    wrkdir = os.path.join(WORK, "wrk")
    runs = [Run(r, mem, wrkdir) for r in tsv("runs.tsv")]
    set_ratios(runs)
    unexpected = tsv("unexpected.tsv")
    L = []
    checks = []
    w = L.append

    w("# forkd memory benchmark")
    w("")
    w("Generated by `bench/memory.sh` on %s; the run took %s."
      % (meta.get("date", "?"), meta.get("elapsed", "?")))
    w("")
    for k, label in [("host", "Host"), ("kernel", "Kernel"),
                     ("load", "Load"),
                     ("pythons", "Pythons"), ("forkd", "forkd"),
                     ("gunicorn", "gunicorn"), ("seal_hook", "Seal hook"),
                     ("uwsgi", "uWSGI"),
                     ("frameworks", "Frameworks"), ("wrk", "wrk"),
                     ("wrk_params", "wrk parameters"),
                     ("workers", "Workers"), ("rounds", "Rounds"),
                     ("warmup_rounds", "Warmup rounds"),
                     ("pythonpath", "PYTHONPATH"), ("apps", "Apps")]:
        if k in meta:
            w("- **%s**: %s" % (label, meta[k]))
    w("")
    w(meta.get("method", ""))
    w("")

    # --- the main tables -------------------------------------------------
    main_runs = [r for r in runs if r.section == "main"]
    chart_main = OrderedDict()
    for (app, py), rs in group_main(main_runs).items():
        w("## %s on Python %s, %s workers" % (app, py, rs[0].n))
        w("")
        if all(r.status.startswith("n/a") for r in rs):
            why = Counter(r.status[len("n/a ("):-1] for r in rs).most_common(1)[0][0]
            w("Not run: %s." % why)
            w("")
            continue
        chart = main_table(w, checks, by_label(rs))
        if chart:
            chart_main[(app, py)] = chart
    if len({r.round for r in main_runs}) > 1:
        every_round(w, main_runs)

    # --- the ablation, the seal hook, the rounds --------------------------
    chart_ab = ablation_section(w, checks, meta,
                                [r for r in runs if r.section == "ablation"],
                                [r for r in runs if r.section == "ablation-attr"])
    hook_section(w, checks, [r for r in runs if r.section in ("main", "ablation")])
    rounds_section(w, checks, meta)

    # --- the worker-count curve ------------------------------------------
    fits = curve_section(w, checks, meta, [r for r in runs if r.section == "curve"])

    # --- early latency -----------------------------------------------------
    early_section(w, checks, meta, [r for r in runs if r.section == "early"], wrkdir)

    # --- charts ------------------------------------------------------------
    chart_msg = charts(chart_main, chart_ab, fits, meta)
    if chart_msg:
        w(chart_msg)
        w("")

    # --- checks --------------------------------------------------------------
    # Unusual log lines, grouped: the same line (pids and numbers aside)
    # in several runs is listed once, with the runs it appeared in.
    names = {r.runid: r.name() for r in runs}
    seen = OrderedDict()
    for u in unexpected:
        line = u[1] if len(u) > 1 else ""
        key = re.sub(r"[0-9]+", "N", line)
        ent = seen.setdefault(key, [line, OrderedDict()])
        ent[1][u[0]] = ent[1].get(u[0], 0) + 1
    for key, (line, where) in seen.items():
        runs_ = list(where)
        checks.append("server log line besides the usual start/stop ones, in %d run(s) (%s): `%s`" % (
            len(runs_), ", ".join(names.get(x, x) for x in runs_[:4]) +
            (", +%d more" % (len(runs_) - 4) if len(runs_) > 4 else ""),
            line.replace("`", "'")[:200]))
    w("## Checks")
    w("")
    w("Start (s) in the tables: from the server's start until all its "
      "workers are up and / answers.")
    w("")
    if checks:
        for c in checks:
            w("- " + c)
    else:
        w("- nothing odd: every run answered 2xx only, no socket errors, "
          "no worker replaced, clean stops, no unusual log lines.")
    w("")
    with open(OUT, "w") as f:
        f.write("\n".join(L))


def curve_section(w, checks, meta, runs):
    curve = defaultdict(dict)
    for r in runs:
        key = (r.app, r.py, r.label)
        if not r.ok:
            checks.append("curve %s %s %s -w %d: %s" % (r.app, r.py, r.label, r.n, r.status))
            continue
        if r.loaded:
            curve[key][r.n] = (r.loaded, r.wrk)
            _check_run(checks, r.name(), r.row, None, r.loaded)
            if r.wrk and r.wrk["non2xx"]:
                checks.append("%s: %d non-2xx" % (r.name(), r.wrk["non2xx"]))
    fits = OrderedDict()
    if curve:
        ns = sorted({n for v in curve.values() for n in v})
        w("## Total PSS vs workers (after a %s s load)" % meta.get("curve_duration", "?"))
        w("")
        w("Total PSS (MiB) of the whole tree right after the load; the line "
          "PSS = a + b·N is a least-squares fit over the worker counts; b "
          "is what one more worker costs.")
        w("")
        w("| app | Python | server | " + " | ".join("N=%d" % n for n in ns) +
          " | a (MiB) | **b (MiB per extra worker)** | R² |")
        w("|---|---|---|" + "---:|" * len(ns) + "---:|---:|---:|")
        for key, pts in curve.items():
            xs = sorted(pts)
            ys = [pts[n][0]["total"] / MiB for n in xs]
            cells = list(key)
            for n in ns:
                cells.append(mib(pts[n][0]["total"]) if n in pts else "")
            if len(xs) >= 2:
                a, b, r2 = fit(xs, ys)
                fits[key] = (xs, ys, a, b)
                cells += ["%.1f" % a, "**%.2f**" % b, "%.4f" % r2]
            else:
                cells += ["", "", ""]
            w("| " + " | ".join(cells) + " |")
        w("")
        w("req/s during those loads:")
        w("")
        w("| app | Python | server | " + " | ".join("N=%d" % n for n in ns) + " |")
        w("|---|---|---|" + "---:|" * len(ns))
        for key, pts in curve.items():
            cells = list(key)
            for n in ns:
                wr = pts.get(n, (None, {}))[1]
                cells.append("%.0f" % wr["rps"] if wr else "")
            w("| " + " | ".join(cells) + " |")
        w("")
    if meta.get("curve_note"):
        w(meta["curve_note"])
        w("")
    return fits


def early_section(w, checks, meta, early, wrkdir):
    if not early:
        return
    w("## Early latency (%s)" % meta.get("early_what", ""))
    w("")
    w("| server | first answer after start (s) | p99 first %s s (ms) "
      "| p99 next %s s (ms) | ratio first / steady | req/s first "
      "| req/s steady | non-2xx first / steady |"
      % (meta.get("early_duration", "?"), meta.get("early_duration", "?")))
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in early:
        if not r.ok:
            w("| %s | %s | | | | | | |" % (r.label, r.status))
            checks.append("early %s: %s" % (r.label, r.status))
            continue
        a = parse_wrk(os.path.join(wrkdir, r.runid + "-first.txt"))
        b = parse_wrk(os.path.join(wrkdir, r.runid + "-steady.txt"))
        if not a or not b:
            w("| %s | no wrk result | | | | | | |" % r.label)
            checks.append("early %s: no wrk result" % r.label)
            continue
        fa = r.extra.get("first_answer_ms")
        w("| %s | %s | %s | %s | %.2f | %.0f | %.0f | %d / %d |" % (
            r.label, "%.2f" % (int(fa) / 1000.0) if fa else "?",
            ms(a["p99_us"]), ms(b["p99_us"]),
            a["p99_us"] / b["p99_us"] if b["p99_us"] else float("nan"),
            a["rps"], b["rps"], a["non2xx"], b["non2xx"]))
        for part, x in (("first", a), ("steady", b)):
            if x["non2xx"]:
                checks.append("early %s (%s): %d non-2xx" % (r.label, part, x["non2xx"]))
        _check_run(checks, "early %s" % r.label, r.row, None, None)
    w("")


def _check_run(checks, name, r, idle, loaded):
    ex = extra_of(r[7] if len(r) > 7 else "")
    if ex.get("restarts", "0") not in ("0", ""):
        checks.append("%s: %s worker start(s) beyond the first %s (respawns)" % (
            name, ex["restarts"], r[5]))
    if ex.get("stop_status", "0") not in ("0", ""):
        checks.append("%s: exit status %s after SIGTERM" % (name, ex["stop_status"]))
    if ex.get("stop_killed", "0") not in ("0", ""):
        checks.append("%s: needed SIGKILL to stop" % name)
    if ex.get("settle", "").startswith("still busy"):
        checks.append("%s: not idle before the idle reading (%s)" % (name, ex["settle"]))
    for m, phase in ((idle, "idle"), (loaded, "loaded")):
        if not m:
            continue
        if m["n"] != int(r[5]):
            checks.append("%s: %d workers at the %s reading, not %s" % (
                name, m["n"], phase, r[5]))
        # Idle, only the few workers the warm pass reached have written
        # anything: an outlier there is expected.  After the load every
        # worker has served requests.
        if phase == "loaded" and m["n"] >= 2 and \
                m["uss_max"] > 1.5 * m["uss_mean"] and \
                m["uss_max"] - m["uss_mean"] > 2 * MiB:
            big = max(m["workers"], key=lambda x: x[1])
            checks.append("%s: one worker (pid %d) holds %s MiB USS %s, mean %s MiB" % (
                name, big[0], mib(big[1]), phase, mib(m["uss_mean"])))
    if idle and loaded and idle["pids"] != loaded["pids"]:
        checks.append("%s: worker pids changed between the idle and the loaded reading" % name)


def color(label):
    if label.startswith("forkd"):
        return "#2a7ab0"
    if "seal hook" in label:
        return "#a0522d"
    return "#d9822b" if label.startswith("gunicorn") else "#6a9a3a"


def short(label):
    """A chart's tick label: the prototype's note left out."""
    return re.sub(r" \(prototype[^)]*\)", "", label)


def bars(ax, rows, title):
    """Median bars with the rounds' lowest–highest as error bars."""
    labels = [short(x[0]) for x in rows]
    vals = [x[1] for x in rows]
    err = [[x[1] - x[2] for x in rows], [x[3] - x[1] for x in rows]]
    ax.bar(range(len(vals)), vals, color=[color(s) for s in labels],
           yerr=err if any(e for e in err[0] + err[1]) else None, capsize=3)
    ax.set_xticks(range(len(vals)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("total PSS after load (MiB)")
    for i, v in enumerate(vals):
        ax.text(i, v, "%.0f" % v, ha="center", va="bottom", fontsize=7)


def charts(chart_main, chart_ab, fits, meta):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        return ("No charts: matplotlib does not import on %s (%s); install "
                "Debian's python3-matplotlib to get them." % (sys.executable, e))
    made = []
    rounds = meta.get("rounds", "1")
    if chart_main:
        keys = list(chart_main)
        fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 5.0),
                                 squeeze=False)
        for ax, key in zip(axes[0], keys):
            bars(ax, chart_main[key], "%s, Python %s" % key)
        fig.suptitle("Total PSS after %s s of wrk, %s workers (median of %s "
                     "round(s), bars: lowest–highest)" % (
                         meta.get("duration", "?"), meta.get("nworkers", "?"), rounds),
                     fontsize=10)
        fig.tight_layout()
        made.append(save(fig, plt, "memory-pss-loaded.png"))
    if chart_ab:
        kinds = [x for x in chart_ab if x[4]]
        fig, axes = plt.subplots(1, 2 if kinds else 1, figsize=(10 if kinds else 5.5, 5.2),
                                 squeeze=False)
        bars(axes[0][0], chart_ab, "total PSS after load")
        if kinds:
            ax = axes[0][1]
            bottom = [0.0] * len(kinds)
            for k in KINDS:
                v = [x[4][k] for x in kinds]
                ax.bar(range(len(kinds)), v, bottom=bottom, label=k)
                bottom = [b + y for b, y in zip(bottom, v)]
            ax.set_xticks(range(len(kinds)))
            ax.set_xticklabels([short(x[0]) for x in kinds], rotation=60,
                               ha="right", fontsize=7)
            ax.set_ylabel("MiB copied per worker (--cow-report)")
            ax.set_title("copied pages by mapping kind", fontsize=9)
            ax.legend(fontsize=7)
        fig.suptitle("Ablation: %s" % meta.get("ablation_what", "").split(";")[0], fontsize=10)
        fig.tight_layout()
        made.append(save(fig, plt, "memory-ablation.png"))
    if fits:
        fig, ax = plt.subplots(figsize=(7, 4.8))
        for key, (xs, ys, a, b) in fits.items():
            line = ax.plot(xs, ys, "o", label="%s %s %s: b = %.1f MiB/worker" % (
                key[0], key[1], key[2], b))[0]
            x1 = max(xs)
            ax.plot([0, x1], [a, a + b * x1], "-", color=line.get_color(), alpha=0.7)
        ax.set_xlabel("workers (N)")
        ax.set_ylabel("total PSS after load (MiB)")
        ax.set_title("Total PSS vs workers, least-squares fit PSS = a + b·N",
                     fontsize=10)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        made.append(save(fig, plt, "memory-pss-vs-workers.png"))
    if not made:
        return ""
    return "Charts: " + ", ".join("[%s](%s)" % (m, m) for m in made) + "."


def save(fig, plt, name):
    fig.savefig(os.path.join(CHARTS, name), dpi=100)
    plt.close(fig)
    return name


main()
