"""report.py WORKDIR OUT.md: turns what bench/hello.sh collected in
WORKDIR into the markdown report (stdlib only).

WORKDIR holds:
  meta         key=value lines (the run's settings and versions)
  runs.tsv     server round mode wrk-output-file
  mem.tsv      server round phase + procmem.py's columns
  stops.tsv    server round exit-status stop-ms killed respawns log-file
"""
import os
import re
import statistics
import sys

SERVERS = ("forkd", "gunicorn")
LABEL = {"forkd": "forkd", "gunicorn": "gunicorn sync"}
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text)
    return float(m.group(1)) * UNIT_MS[m.group(2)] if m else None


def parse_wrk(path):
    r = {"rps": None, "p50": None, "p99": None, "max": None, "requests": None,
         "errors": 0, "non2xx": 0, "error_text": ""}
    with open(path) as f:
        text = f.read()
    m = re.search(r"^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
    if m:
        r["max"] = ms(m.group(3))
    for pct, key in (("50", "p50"), ("99", "p99")):
        m = re.search(r"^\s*%s(?:\.000)?%%\s+(\S+)" % pct, text, re.M)
        if m:
            r[key] = ms(m.group(1))
    m = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    if m:
        r["rps"] = float(m.group(1))
    m = re.search(r"^\s*(\d+) requests in", text, re.M)
    if m:
        r["requests"] = int(m.group(1))
    m = re.search(r"Socket errors: (.*)", text)
    if m:
        r["errors"] = sum(int(x) for x in re.findall(r"\d+", m.group(1)))
        r["error_text"] = "socket errors: " + m.group(1).strip()
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        r["non2xx"] = int(m.group(1))
        r["error_text"] += " non-2xx: " + m.group(1)
    return r


def parse_bench(path):
    """The bench: lines of urls.lua (bench/lib/urls.lua) as numbers, and
    the statuses seen under "statuses"; {} if the file has none."""
    out = {"statuses": {}}
    if not os.path.exists(path):
        return {}
    with open(path, errors="replace") as f:
        for line in f:
            if not line.startswith("bench: "):
                continue
            rest = line[len("bench: "):].strip()
            if rest.startswith("status "):
                k, _, v = rest[len("status "):].partition("=")
                out["statuses"][k] = int(v)
                continue
            for kv in rest.split():
                k, _, v = kv.partition("=")
                out[k] = float(v)
    return out if "rps" in out else {}


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, kind):
    if x is None:
        return "n/a"
    if kind == "rps":
        return "{:,.0f}".format(x)
    if kind == "ms":
        return "%.2f ms" % x if x < 100 else "%.0f ms" % x
    if kind == "mib":
        return "%.1f MiB" % (x / 1024.0)
    if kind == "ratio":
        return "%.2f×" % x
    return str(x)


def ratio(a, b):
    return a / b if a is not None and b else None


def main():
    work, out = sys.argv[1], sys.argv[2]
    meta = {}
    with open(os.path.join(work, "meta")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v

    runs = {}                      # (server, round, mode) -> parsed
    for server, rnd, mode, path in read_tsv(os.path.join(work, "runs.tsv")):
        runs[(server, int(rnd), mode)] = dict(parse_wrk(path),
                                              file=os.path.basename(path))
    mem = {}                       # (server, round, phase) -> summary
    for row in read_tsv(os.path.join(work, "mem.tsv")):
        server, rnd, phase = row[0], int(row[1]), row[2]
        pid, role, pss, uss = row[3], row[6], int(row[7]), int(row[8])
        m = mem.setdefault((server, rnd, phase),
                           {"pss": 0, "workers": [], "master": 0, "zygote": 0})
        m["pss"] += pss
        if role == "worker":
            m["workers"].append(uss)
        elif role in ("master", "zygote"):
            m[role] += pss
    for m in mem.values():
        w = m["workers"]
        m["uss"] = sum(w) / len(w) if w else None
        m["uss_max"] = max(w) if w else None
        m["n"] = len(w)
    stops = {}
    for server, rnd, status, stop_ms, killed, respawns, log in read_tsv(
            os.path.join(work, "stops.tsv")):
        stops[(server, int(rnd))] = {"status": status, "ms": int(stop_ms),
                                     "killed": killed == "1",
                                     "respawns": int(respawns), "log": log}
    rounds = sorted({k[1] for k in runs})

    def series(server, mode, key):
        return [runs[(server, r, mode)][key] for r in rounds
                if (server, r, mode) in runs]

    def mseries(server, phase, key):
        return [mem[(server, r, phase)][key] for r in rounds
                if (server, r, phase) in mem]

    rows = [
        ("req/s, keep-alive (wrk default) ¹", "rps",
         lambda s: med(series(s, "keepalive", "rps"))),
        ("p99 latency, keep-alive ¹", "ms",
         lambda s: med(series(s, "keepalive", "p99"))),
        ("req/s, `Connection: close` (both)", "rps",
         lambda s: med(series(s, "close", "rps"))),
        ("p99 latency, `Connection: close`", "ms",
         lambda s: med(series(s, "close", "p99"))),
        ("PSS, whole tree, idle ²", "mib",
         lambda s: med(mseries(s, "idle", "pss"))),
        ("PSS, whole tree, after load ²", "mib",
         lambda s: med(mseries(s, "loaded", "pss"))),
        ("USS per worker, idle (mean) ³", "mib",
         lambda s: med(mseries(s, "idle", "uss"))),
        ("USS per worker, after load (mean) ³", "mib",
         lambda s: med(mseries(s, "loaded", "uss"))),
    ]

    L = []
    add = L.append
    add("# forkd vs gunicorn (sync worker): examples/hello, `GET /`")
    add("")
    add("Made by `bench/hello.sh` (see bench/README.md). One run on one "
        "machine: read the ratios, not the absolute numbers.")
    add("")
    add("| | |")
    add("|---|---|")
    for k, label in (("date", "date"), ("host", "host"), ("kernel", "kernel"),
                     ("cpus", "CPUs"), ("python", "Python (both servers)"),
                     ("forkd", "forkd"), ("gunicorn", "gunicorn"),
                     ("workers", "workers (each server)"),
                     ("app", "app"), ("wrk", "wrk"),
                     ("wrk_params", "wrk parameters"),
                     ("rounds", "rounds"), ("order", "order of servers"),
                     ("warmup", "warm-up"), ("pythonpath", "PYTHONPATH")):
        if k in meta:
            add("| %s | %s |" % (label, meta[k].replace("|", "\\|")))
    add("")
    add("## Results (median of %d rounds)" % len(rounds))
    add("")
    add("| metric | forkd | gunicorn sync | forkd / gunicorn |")
    add("|---|--:|--:|--:|")
    for label, kind, get in rows:
        a, b = get("forkd"), get("gunicorn")
        add("| %s | %s | %s | %s |" % (label, fmt(a, kind), fmt(b, kind),
                                       fmt(ratio(a, b), "ratio")))
    add("")
    add("¹ gunicorn's sync worker does not support keep-alive: it answers "
        "every request with `Connection: close` and closes the socket, so "
        "against gunicorn wrk opens a new connection per request even in "
        "this row. That is gunicorn sync's real behaviour, reported as "
        "such; forkd keeps the connections open. The `Connection: close` "
        "rows put both servers on the same footing (one connection per "
        "request for both).")
    add("")
    add("² Proportional set size summed over the server's master and every "
        "descendant (forkd: supervisor + zygote + workers; gunicorn: master "
        "+ workers), from `/proc/PID/smaps_rollup`. *Idle*: after start and "
        "the warm-up requests. *After load*: right after the two wrk runs, "
        "server still up. PSS splits each shared page among all the "
        "processes mapping it, other programs on the machine included "
        "(libc, libpython, Python's own modules), so it moves a little "
        "from round to round with what else runs; USS does not.")
    add("")
    add("³ USS = Private_Clean + Private_Dirty of each worker process, "
        "mean over the workers (forkd's zygote and supervisor, gunicorn's "
        "master are not workers).")
    add("")
    add("Lower is better for p99, PSS and USS; higher for req/s.")
    add("")

    add("## Every round")
    add("")
    add("| round | server | keep-alive req/s | p50 | p99 | max "
        "| close req/s | p50 | p99 | max | PSS idle | PSS loaded "
        "| USS/worker idle | USS/worker loaded | workers seen | wrk errors |")
    add("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for r in rounds:
        for s in SERVERS:
            ka = runs.get((s, r, "keepalive"), {})
            cl = runs.get((s, r, "close"), {})
            mi = mem.get((s, r, "idle"), {})
            ml = mem.get((s, r, "loaded"), {})
            errs = "; ".join("%s: %s" % (m, x["error_text"].strip())
                             for m, x in (("keep-alive", ka), ("close", cl))
                             if x.get("error_text"))
            add("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s "
                "| %s | %s | %s | %s |" % (
                    r, LABEL[s],
                    fmt(ka.get("rps"), "rps"), fmt(ka.get("p50"), "ms"),
                    fmt(ka.get("p99"), "ms"), fmt(ka.get("max"), "ms"),
                    fmt(cl.get("rps"), "rps"), fmt(cl.get("p50"), "ms"),
                    fmt(cl.get("p99"), "ms"), fmt(cl.get("max"), "ms"),
                    fmt(mi.get("pss"), "mib"), fmt(ml.get("pss"), "mib"),
                    fmt(mi.get("uss"), "mib"), fmt(ml.get("uss"), "mib"),
                    "%s/%s" % (mi.get("n", "?"), ml.get("n", "?")),
                    errs or "none"))
    add("")
    add("Memory split (median over rounds, after load): forkd supervisor "
        "%s + zygote %s; gunicorn master %s." % (
            fmt(med(mseries("forkd", "loaded", "master")), "mib"),
            fmt(med(mseries("forkd", "loaded", "zygote")), "mib"),
            fmt(med(mseries("gunicorn", "loaded", "master")), "mib")))
    add("")

    add("## Checks")
    add("")
    notes = []
    for (s, r, mode), x in sorted(runs.items()):
        if x["errors"] or x["non2xx"]:
            notes.append("%s round %d %s: wrk reported %s" % (
                LABEL[s], r, mode, x["error_text"].strip()))
        if x["rps"] is None:
            notes.append("%s round %d %s: no wrk result (see raw/%s)" % (
                LABEL[s], r, mode, x["file"]))
        if x["max"] and x["p99"] and x["max"] > 10 * x["p99"]:
            notes.append("%s round %d %s: latency outlier, max %s vs p99 %s"
                         % (LABEL[s], r, mode, fmt(x["max"], "ms"),
                            fmt(x["p99"], "ms")))
    want = int(meta.get("nworkers", "0"))
    for (s, r, phase), m in sorted(mem.items()):
        if m["n"] != want:
            notes.append("%s round %d %s: %d workers in the process tree, "
                         "expected %d" % (LABEL[s], r, phase, m["n"], want))
    for (s, r), st in sorted(stops.items()):
        if st["status"] != "0":
            notes.append("%s round %d: exit status %s after SIGTERM" % (
                LABEL[s], r, st["status"]))
        if st["killed"]:
            notes.append("%s round %d: did not stop within the timeout "
                         "after SIGTERM, was sent SIGKILL" % (LABEL[s], r))
        if st["respawns"]:
            notes.append("%s round %d: %d worker(s) started beyond the %d "
                         "asked (a worker died and was replaced)" % (
                             LABEL[s], r, st["respawns"], want))
    unexpected = read_tsv(os.path.join(work, "unexpected.tsv"))
    for s, r, line in unexpected[:20]:
        notes.append("%s round %s log: `%s`" % (LABEL.get(s, s), r,
                                               line.replace("`", "'")))
    if len(unexpected) > 20:
        notes.append("... %d more unexpected log lines" %
                     (len(unexpected) - 20))
    if notes:
        for n in notes:
            add("- " + n)
    else:
        add("- every wrk run: 0 socket errors, 0 non-2xx responses")
        add("- every server: all workers present idle and after load, no "
            "worker replaced, exit 0 on SIGTERM, no unexpected log line")
    add("- stop times after SIGTERM (ms): " + "; ".join(
        "%s %s" % (LABEL[s], ", ".join(str(stops[(s, r)]["ms"])
                                       for r in rounds if (s, r) in stops))
        for s in SERVERS))
    add("")
    add("Raw wrk outputs and the servers' logs: `bench/results/raw/`.")
    with open(out, "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
