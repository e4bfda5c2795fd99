"""httpreport.py WORKDIR OUT.md CHARTDIR: turns what bench/http.sh
collected in WORKDIR into the markdown report, and, when matplotlib
imports, CHARTDIR/http-rps.png and CHARTDIR/http-p99.png.

WORKDIR holds:
  meta            key=value lines (the run's settings and versions)
  runs.tsv        server workers round body conn wrk-output-file
  stops.tsv       server workers round exit-status stop-ms killed
                  new-worker-pids workers-at-end
  unexpected.tsv  server workers round log-line

wrk outputs are parsed with report.py's parse_wrk (bench/hello.sh's)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import fmt, med, parse_wrk, read_tsv  # noqa: E402

ORDER = ("forkd", "gunicorn", "gthread", "uwsgi", "nginx")
LABEL = {"forkd": "forkd", "gunicorn": "gunicorn sync",
         "gthread": "gunicorn gthread", "uwsgi": "uWSGI", "nginx": "nginx"}
BODIES = ("hello", "10k")
BODY_LABEL = {"hello": "hello (17 B)", "10k": "10 KB"}
CONNS = ("keepalive", "close")
CONN_LABEL = {"keepalive": "keep-alive", "close": "`Connection: close`"}
CONN_PLAIN = {"keepalive": "keep-alive", "close": "Connection: close"}
COLORS = {"forkd": "#d62728", "gunicorn": "#1f77b4", "gthread": "#17becf",
          "uwsgi": "#2ca02c", "nginx": "#7f7f7f"}


def ratio(a, b):
    return a / b if a is not None and b else None


def main():
    work, out, chartdir = sys.argv[1:4]
    meta = {}
    with open(os.path.join(work, "meta")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v

    runs = {}      # (server, workers, body, conn) -> {round: parsed}
    for server, n, rnd, body, conn, path in read_tsv(
            os.path.join(work, "runs.tsv")):
        x = dict(parse_wrk(path), file=os.path.basename(path), tw=None,
                 load=None)
        with open(path) as f:
            m = re.search(r"^# before: time-wait sockets (\d+), load average "
                          r"([0-9.]+)", f.read(), re.M)
        if m:
            x["tw"], x["load"] = int(m.group(1)), float(m.group(2))
        runs.setdefault((server, int(n), body, conn), {})[int(rnd)] = x
    stops = {}
    for row in read_tsv(os.path.join(work, "stops.tsv")):
        server, n, rnd, status, stop_ms, killed, new, end = row
        stops[(server, int(n), int(rnd))] = {
            "status": status, "ms": int(stop_ms), "killed": killed == "1",
            "new": int(new), "end": int(end)}
    servers = [s for s in ORDER if any(k[0] == s for k in runs)]
    workers = sorted({k[1] for k in runs})
    rounds = sorted({r for v in runs.values() for r in v})
    cells = [(b, c, n) for b in BODIES for c in CONNS for n in workers
             if any((s, n, b, c) in runs for s in servers)]

    def agg(s, n, b, c):
        rr = runs.get((s, n, b, c), {})
        xs = [rr[r] for r in sorted(rr)]
        if not xs:
            return None
        maxes = [x["max"] for x in xs if x["max"] is not None]
        return {
            "rps": med([x["rps"] for x in xs]),
            "p50": med([x["p50"] for x in xs]),
            "p99": med([x["p99"] for x in xs]),
            "max": max(maxes) if maxes else None,
            "rps_all": [x["rps"] for x in xs],
            "p99_all": [x["p99"] for x in xs],
            "non2xx": sum(x["non2xx"] for x in xs),
            "errors": sum(x["errors"] for x in xs),
            "error_texts": [(r, rr[r]["error_text"].strip()) for r in sorted(rr)
                            if rr[r]["error_text"].strip()],
            "n": len(xs),
        }

    A = {(s,) + cell: agg(s, cell[2], cell[0], cell[1])
         for s in servers for cell in cells}

    L = []
    add = L.append
    add("# forkd vs gunicorn (sync, gthread), uWSGI and nginx: HTTP "
        "req/s and latency")
    add("")
    add("Made by `bench/http.sh` (see bench/README.md). One run on one "
        "shared, noisy machine: read the ratios, not the absolute numbers.")
    add("")
    add("| | |")
    add("|---|---|")
    for k, label in (("date", "date"), ("elapsed", "bench took"),
                     ("host", "host"), ("kernel", "kernel"),
                     ("load", "load"), ("busy", "other busy processes"),
                     ("sysctl", "sysctl"),
                     ("python", "Python (forkd, gunicorn, uWSGI)"),
                     ("forkd", "forkd"), ("gunicorn", "gunicorn"),
                     ("uwsgi", "uWSGI"), ("nginx", "nginx"),
                     ("app", "app"), ("pythonpath", "PYTHONPATH"),
                     ("wrk", "wrk"), ("wrk_params", "wrk parameters"),
                     ("workers", "worker counts"), ("rounds", "rounds"),
                     ("order", "order of servers"), ("warmup", "warm-up")):
        if k in meta:
            add("| %s | %s |" % (label, meta[k].replace("|", "\\|")))
    add("")

    med_word = ("median of %d rounds" % len(rounds) if len(rounds) > 2 else
                "median of 2 rounds, that is their mean" if len(rounds) == 2
                else "1 round")

    # --- req/s at a glance -------------------------------------------------
    add("## req/s (%s)" % med_word)
    add("")
    add("| body | connection | workers | " +
        " | ".join(LABEL[s] for s in servers) + " |")
    add("|---|---|--:|" + "--:|" * len(servers))
    for b, c, n in cells:
        add("| %s | %s | %d | %s |" % (
            BODY_LABEL[b], CONN_LABEL[c], n, " | ".join(
                fmt(A[(s, b, c, n)]["rps"], "rps") if A[(s, b, c, n)]
                else "n/a" for s in servers)))
    add("")

    # --- full table --------------------------------------------------------
    add("## Full table (%s)" % med_word)
    add("")
    add("req/s, p50 and p99: %s; max: the largest over the rounds; non-2xx "
        "and socket errors: summed over the rounds; last column: each "
        "round's req/s." % med_word)
    add("")
    add("| body | connection | workers | server | req/s | p50 | p99 | max "
        "| non-2xx | socket errors | req/s per round |")
    add("|---|---|--:|---|--:|--:|--:|--:|--:|--:|---|")
    for b, c, n in cells:
        for s in servers:
            a = A[(s, b, c, n)]
            if not a:
                continue
            add("| %s | %s | %d | %s | %s | %s | %s | %s | %d | %s | %s |" % (
                BODY_LABEL[b], CONN_LABEL[c], n, LABEL[s],
                fmt(a["rps"], "rps"), fmt(a["p50"], "ms"),
                fmt(a["p99"], "ms"), fmt(a["max"], "ms"), a["non2xx"],
                "{:,}".format(a["errors"]),
                " / ".join(fmt(x, "rps") for x in a["rps_all"])))
    add("")

    # --- ratios ------------------------------------------------------------
    add("## Ratios per cell")
    add("")
    add("From the table above. req/s: higher is better for forkd; p99: "
        "lower is better for forkd.")
    add("")
    cols = []
    if "gunicorn" in servers:
        cols += [("forkd / gunicorn sync, req/s", "gunicorn", "rps", "x"),
                 ("forkd / gunicorn sync, p99", "gunicorn", "p99", "x")]
    if "gthread" in servers:
        cols += [("forkd / gunicorn gthread, req/s", "gthread", "rps", "x")]
    if "uwsgi" in servers:
        cols += [("forkd / uWSGI, req/s", "uwsgi", "rps", "x")]
    if "nginx" in servers:
        cols += [("forkd as a share of nginx's req/s", "nginx", "rps", "%")]
    if "forkd" in servers and cols:
        add("| body | connection | workers | " +
            " | ".join(c[0] for c in cols) + " |")
        add("|---|---|--:|" + "--:|" * len(cols))
        for b, c, n in cells:
            f = A[("forkd", b, c, n)]
            vals = []
            for _, other, key, kind in cols:
                o = A[(other, b, c, n)]
                x = ratio(f[key] if f else None, o[key] if o else None)
                if x is None:
                    vals.append("n/a")
                elif kind == "%":
                    vals.append("%.0f %%" % (100 * x))
                else:
                    vals.append(fmt(x, "ratio"))
            add("| %s | %s | %d | %s |" % (BODY_LABEL[b], CONN_LABEL[c], n,
                                           " | ".join(vals)))
        add("")

    # --- notes -------------------------------------------------------------
    add("Notes:")
    add("")
    add("- gunicorn's sync worker does not do keep-alive: it answers "
        "`Connection: close` and closes every connection, so in its "
        "keep-alive rows wrk reconnects for every request. That is how "
        "gunicorn sync behaves and it is reported as such; the "
        "`Connection: close` rows put every server on that footing.")
    if "uwsgi" in servers:
        add("- uWSGI runs with `--http-socket`, which serves one request "
            "per connection (its `--http11-socket` keeps connections alive; "
            "not measured here). It answers HTTP/1.1 without `Connection: "
            "close` and then closes the connection, so wrk counts each such "
            "close as a socket read error and reconnects, in the keep-alive "
            "and in the `Connection: close` rows alike: uWSGI's read errors "
            "are that, not failed requests (the responses are complete and "
            "counted in req/s). In its keep-alive rows, as for gunicorn "
            "sync, wrk opens a connection per request.")
    if "nginx" in servers:
        add("- nginx runs no Python and answers from its config: it is the "
            "ceiling this machine, with wrk on the same 2 CPUs, allows for "
            "a server of N worker processes, not a competitor.")
    add("- forkd's, gunicorn sync's and uWSGI's workers each serve one "
        "request at a time; gunicorn gthread runs 4 threads per worker "
        "(under one GIL); nginx's workers are event loops.")
    add("")

    # --- charts ------------------------------------------------------------
    charts = make_charts(A, servers, workers, chartdir, med_word)
    if charts:
        add("Charts: " + ", ".join("`bench/results/%s`" % c for c in charts)
            + " (bars: %s; whiskers: lowest and highest round)." % med_word)
    else:
        add("No chart: matplotlib does not import on the Python that wrote "
            "this report (Debian's `python3-matplotlib` provides it).")
    add("")

    # --- checks ------------------------------------------------------------
    add("## Checks")
    add("")
    notes = []
    uwsgi_reads = []
    for (s, n, b, c), rr in sorted(runs.items(),
                                   key=lambda kv: (ORDER.index(kv[0][0]),) +
                                   kv[0][1:]):
        for r, x in sorted(rr.items()):
            where = "%s -w %d, %s %s, round %d" % (LABEL[s], n, BODY_LABEL[b],
                                                    CONN_PLAIN[c], r)
            if s == "uwsgi" and only_read_errors(x):
                uwsgi_reads.append(x["errors"])
            elif x["errors"] or x["non2xx"]:
                notes.append("%s: wrk reported %s" % (where,
                                                      x["error_text"].strip()))
            if x["rps"] is None:
                notes.append("%s: no wrk result (see raw-http/%s)" % (
                    where, x["file"]))
            if x["max"] and x["p99"] and x["max"] > 10 * x["p99"]:
                notes.append("%s: latency outlier, max %s vs p99 %s" % (
                    where, fmt(x["max"], "ms"), fmt(x["p99"], "ms")))
    if uwsgi_reads:
        notes.append("uWSGI: socket read errors and nothing else in %d of "
                     "its wrk runs (%s to %s per run): its close after each "
                     "response, see the notes above" % (
                         len(uwsgi_reads), "{:,}".format(min(uwsgi_reads)),
                         "{:,}".format(max(uwsgi_reads))))
    for (s, n, r), st in sorted(stops.items(),
                                key=lambda kv: (ORDER.index(kv[0][0]),) +
                                kv[0][1:]):
        where = "%s -w %d, round %d" % (LABEL[s], n, r)
        if st["status"] != "0":
            notes.append("%s: exit status %s after SIGTERM" % (
                where, st["status"]))
        if st["killed"]:
            notes.append("%s: did not stop within the timeout after SIGTERM, "
                         "was sent SIGKILL" % where)
        if st["new"]:
            notes.append("%s: %d worker(s) replaced during the load" % (
                where, st["new"]))
        if st["end"] < n:
            notes.append("%s: %d worker(s) left after the load, %d asked" % (
                where, st["end"], n))
    others = read_tsv(os.path.join(work, "others.tsv"))
    if others:
        notes.append("another benchmark was running at the end of %d wrk "
                     "run(s), whose figures it skewed: %s" % (
                         len(others), "; ".join(
                             "%s (%s)" % (f, o) for f, o in others[:10])))
    unexpected = read_tsv(os.path.join(work, "unexpected.tsv"))
    seen = {}
    for row in unexpected:
        if len(row) < 4:
            continue
        s, n, r, line = row[0], row[1], row[2], "\t".join(row[3:])
        seen.setdefault((s, line), []).append("-w %s r%s" % (n, r))
    for (s, line), where in list(seen.items())[:25]:
        notes.append("%s log (%s): `%s`" % (LABEL.get(s, s), ", ".join(where),
                                            line.replace("`", "'")))
    if len(seen) > 25:
        notes.append("... %d more distinct unexpected log lines" %
                     (len(seen) - 25))
    if notes:
        for x in notes:
            add("- " + x)
    else:
        add("- every wrk run: 0 socket errors, 0 non-2xx responses, no "
            "latency maximum above 10× its p99")
    clean = [LABEL[s] for s in servers
             if not any(k[0] == s and (v["status"] != "0" or v["killed"]
                                       or v["new"] or v["end"] < k[1])
                        for k, v in stops.items())]
    if clean:
        add("- %s: all workers present after the load, none replaced, "
            "exit 0 on SIGTERM without SIGKILL" % ", ".join(clean))
    tws = [x["tw"] for rr in runs.values() for x in rr.values()
           if x["tw"] is not None]
    loads = [x["load"] for rr in runs.values() for x in rr.values()
             if x["load"] is not None]
    if tws:
        add("- TCP sockets in TIME_WAIT on the machine when a wrk run "
            "started: %s to %s (median %s). Runs with one connection per "
            "request leave them for 60 s and the next runs inherit them "
            "(`net.ipv4.tcp_tw_reuse=2` lets wrk reuse them on loopback, "
            "at some cost per connect); the changing order of the servers "
            "spreads that over them." % (
                "{:,}".format(min(tws)), "{:,}".format(max(tws)),
                "{:,}".format(int(med(tws)))))
    if loads:
        add("- 1-minute load average when a wrk run started: %.2f to %.2f "
            "(median %.2f; wrk and the server alone make about 2 on these "
            "2 CPUs; more is other work on the machine)." % (
                min(loads), max(loads), med(loads)))
    add("- stop times after SIGTERM (ms): " + "; ".join(
        "%s %s" % (LABEL[s], ", ".join(
            str(v["ms"]) for k, v in sorted(stops.items()) if k[0] == s))
        for s in servers))
    add("")
    add("Raw wrk outputs (`SERVER-wN-rR-BODY-CONN.txt`, first line the "
        "command) and the start of each server's log (`SERVER-wN-rR.log`): "
        "`bench/results/raw-http/`.")
    with open(out, "w") as f:
        f.write("\n".join(L) + "\n")


def only_read_errors(x):
    """wrk's socket errors are read errors only, and no non-2xx."""
    m = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                  x["error_text"])
    if x["non2xx"] or not m:
        return False
    c, r, w, t = (int(v) for v in m.groups())
    return r > 0 and c == w == t == 0


def make_charts(A, servers, workers, chartdir, med_word):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    made = []
    for key, fname, ylabel, title in (
            ("rps", "http-rps.png", "requests per second",
             "req/s per server and cell (%s)" % med_word),
            ("p99", "http-p99.png", "p99 latency (ms)",
             "p99 latency per server and cell (%s)" % med_word)):
        fig, axes = plt.subplots(1, len(BODIES), figsize=(13, 5.2))
        groups = [(c, n) for c in CONNS for n in workers]
        width = 0.8 / max(1, len(servers))
        for ax, b in zip(axes, BODIES):
            for i, s in enumerate(servers):
                xs, ys, lo, hi = [], [], [], []
                for g, (c, n) in enumerate(groups):
                    a = A.get((s, b, c, n))
                    if not a or a[key] is None:
                        continue
                    vals = [v for v in a[key + "_all"] if v is not None]
                    xs.append(g + (i - (len(servers) - 1) / 2) * width)
                    ys.append(a[key])
                    lo.append(a[key] - min(vals))
                    hi.append(max(vals) - a[key])
                ax.bar(xs, ys, width, label=LABEL[s], color=COLORS[s],
                       yerr=[lo, hi], capsize=2, error_kw={"lw": 0.8})
            ax.set_xticks(range(len(groups)))
            ax.set_xticklabels(["%s\n%d worker%s" % (
                CONN_PLAIN[c], n, "" if n == 1 else "s") for c, n in groups],
                fontsize=8)
            ax.set_title(BODY_LABEL[b])
            ax.set_ylabel(ylabel)
            ax.grid(axis="y", alpha=0.3)
        axes[0].legend(fontsize=8)
        fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(os.path.join(chartdir, fname), dpi=90)
        plt.close(fig)
        made.append(fname)
    return made


if __name__ == "__main__":
    main()
