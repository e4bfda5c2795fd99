"""httpreport.py WORKDIR OUT.md CHARTDIR: turns what bench/http.sh
collected in WORKDIR into its report, OUT.md, and, when matplotlib
imports, its charts in CHARTDIR.  The report has two parts, and a run
rewrites only the parts it ran, keeping the other as OUT.md had it.

The direct part, when WORKDIR/meta exists (charts http-rps.png and
http-p99.png):
  meta            key=value lines (the run's settings and versions)
  runs.tsv        server workers round body conn wrk-output-file
  stops.tsv       server workers round exit-status stop-ms killed
                  new-worker-pids workers-at-end
  unexpected.tsv  server workers round log-line
  others.tsv      wrk-output-file other-bench-scripts

The proxy part, when WORKDIR/proxy-meta exists (chart http-proxy.png),
last in OUT.md, from the line PROXY_MARK on:
  proxy-meta, proxy-stops.tsv, proxy-others.tsv   as above
  proxy-runs.tsv        backend upstream round endpoint wrk-output-file
  proxy-unexpected.tsv  backend workers round log-line; nginx's error
                        log lines as: nginx "backend upstream" round line

wrk outputs are parsed with report.py's parse_wrk (bench/hello.sh's) and,
for the proxy part's, parse_bench (urls.lua's lines: p99.9)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import fmt, med, parse_bench, parse_wrk, read_tsv  # noqa: E402

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

# The proxy part.
PROXY_MARK = ("<!-- bench/http.sh -p proxy writes this section, down to "
              "the end; -p direct what comes before -->")
BACKENDS = ("forkd", "forkd-park0", "gunicorn", "gthread")
P_LABEL = {"forkd": "forkd", "forkd-park0": "forkd --park-after 0",
           "gunicorn": "gunicorn sync", "gthread": "gunicorn gthread"}
P_COLORS = {"forkd": "#d62728", "forkd-park0": "#ff9896",
            "gunicorn": "#1f77b4", "gthread": "#17becf"}
ENDPOINTS = ("sleep", "hello")
EP_LABEL = {"sleep": "10 ms", "hello": "hello"}
UPSTREAMS = ("keepalive", "close")
UP_LABEL = {"keepalive": "on", "close": "off"}

META_ROWS = (("date", "date"), ("elapsed", "bench took"),
             ("host", "host"), ("kernel", "kernel"),
             ("load", "load"), ("busy", "other busy processes"),
             ("sysctl", "sysctl"),
             ("python", "Python (forkd, gunicorn, uWSGI)"),
             ("forkd", "forkd"), ("gunicorn", "gunicorn"),
             ("uwsgi", "uWSGI"), ("nginx", "nginx"),
             ("backends", "backends"),
             ("app", "app"), ("pythonpath", "PYTHONPATH"),
             ("wrk", "wrk"), ("wrk_params", "wrk parameters"),
             ("workers", "worker counts"), ("rounds", "rounds"),
             ("order", "order of servers"), ("warmup", "warm-up"))


def ratio(a, b):
    return a / b if a is not None and b else None


def read_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    return meta


def read_run(path):
    """One wrk output: parse_wrk's figures, urls.lua's p50, p99, p99.9
    and max (to the microsecond) when it printed them, the TIME_WAIT
    sockets and load average of its second line."""
    x = dict(parse_wrk(path), file=os.path.basename(path), tw=None,
             load=None, p999=None)
    b = parse_bench(path)
    for key in ("p50", "p99", "p999", "max"):
        if key + "_us" in b:
            x[key] = b[key + "_us"] / 1000.0
    with open(path) as f:
        m = re.search(r"^# before: time-wait sockets (\d+), load average "
                      r"([0-9.]+)", f.read(), re.M)
    if m:
        x["tw"], x["load"] = int(m.group(1)), float(m.group(2))
    return x


def read_stops(path):
    """(server, workers, round) -> how it stopped."""
    stops = {}
    for row in read_tsv(path):
        server, n, rnd, status, stop_ms, killed, new, end = row
        stops[(server, int(n), int(rnd))] = {
            "status": status, "ms": int(stop_ms), "killed": killed == "1",
            "new": int(new), "end": int(end)}
    return stops


def agg(rr):
    """The rounds {round: run} of one cell: median req/s and latencies,
    the largest max, errors summed, each round's req/s and p99."""
    xs = [rr[r] for r in sorted(rr)]
    if not xs:
        return None
    maxes = [x["max"] for x in xs if x["max"] is not None]
    return {
        "rps": med([x["rps"] for x in xs]),
        "p50": med([x["p50"] for x in xs]),
        "p99": med([x["p99"] for x in xs]),
        "p999": med([x["p999"] for x in xs]),
        "max": max(maxes) if maxes else None,
        "rps_all": [x["rps"] for x in xs],
        "p99_all": [x["p99"] for x in xs],
        "p999_all": [x["p999"] for x in xs],
        "non2xx": sum(x["non2xx"] for x in xs),
        "errors": sum(x["errors"] for x in xs),
        "n": len(xs),
    }


def med_words(rounds):
    return ("median of %d rounds" % len(rounds) if len(rounds) > 2 else
            "median of 2 rounds, that is their mean" if len(rounds) == 2
            else "1 round")


def meta_table(add, meta):
    add("| | |")
    add("|---|---|")
    for k, label in META_ROWS:
        if k in meta:
            add("| %s | %s |" % (label, meta[k].replace("|", "\\|")))
    add("")


def run_notes(where, x):
    """What is wrong with one wrk run, if anything."""
    notes = []
    if x["errors"] or x["non2xx"]:
        notes.append("%s: wrk reported %s" % (where, x["error_text"].strip()))
    if x["rps"] is None:
        notes.append("%s: no wrk result (see raw-http/%s)" % (where,
                                                              x["file"]))
    if x["max"] and x["p99"] and x["max"] > 10 * x["p99"]:
        notes.append("%s: latency outlier, max %s vs p99 %s" % (
            where, fmt(x["max"], "ms"), fmt(x["p99"], "ms")))
    return notes


def stop_notes(stops, label, order):
    notes = []
    for (s, n, r), st in sorted(stops.items(),
                                key=lambda kv: (order.index(kv[0][0]),) +
                                kv[0][1:]):
        where = "%s -w %d, round %d" % (label[s], n, r)
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
    return notes


def others_notes(path):
    others = read_tsv(path)
    if not others:
        return []
    return ["another benchmark was running at the end of %d wrk run(s), "
            "whose figures it skewed: %s" % (len(others), "; ".join(
                "%s (%s)" % (f, o) for f, o in others[:10]))]


def log_notes(rows, where_of, label_of):
    """Unusual log lines, each distinct line once with where it was."""
    notes = []
    seen = {}
    for row in rows:
        if len(row) < 4:
            continue
        line = "\t".join(row[3:])
        seen.setdefault((label_of(row), line), []).append(where_of(row))
    for (who, line), where in list(seen.items())[:25]:
        notes.append("%s log (%s): `%s`" % (who, ", ".join(where),
                                            line.replace("`", "'")))
    if len(seen) > 25:
        notes.append("... %d more distinct unexpected log lines" %
                     (len(seen) - 25))
    return notes


def machine_notes(runs, who):
    """TIME_WAIT sockets and load average when the wrk runs started."""
    notes = []
    tws = [x["tw"] for rr in runs.values() for x in rr.values()
           if x["tw"] is not None]
    loads = [x["load"] for rr in runs.values() for x in rr.values()
             if x["load"] is not None]
    if tws:
        notes.append(
            "TCP sockets in TIME_WAIT on the machine when a wrk run "
            "started: %s to %s (median %s). Runs with one connection per "
            "request leave them for 60 s and the next runs inherit them "
            "(`net.ipv4.tcp_tw_reuse=2` lets wrk reuse them on loopback, "
            "at some cost per connect); the changing order of the servers "
            "spreads that over them." % (
                "{:,}".format(min(tws)), "{:,}".format(max(tws)),
                "{:,}".format(int(med(tws)))))
    if loads:
        notes.append(
            "1-minute load average when a wrk run started: %.2f to %.2f "
            "(median %.2f; %s alone make about 2 on these 2 CPUs; more is "
            "other work on the machine)." % (min(loads), max(loads),
                                             med(loads), who))
    return notes


def add_checks(add, notes, more_clean, servers, stops, label, runs, who):
    """The checks list: NOTES, or that all went well; then the servers
    that stopped cleanly, what weighed on the machine, the stop times."""
    for x in notes:
        add("- " + x)
    if not notes:
        add("- every wrk run: 0 socket errors, 0 non-2xx responses, no "
            "latency maximum above 10× its p99" + more_clean)
    clean = [label[s] for s in servers
             if not any(k[0] == s and (v["status"] != "0" or v["killed"]
                                       or v["new"] or v["end"] < k[1])
                        for k, v in stops.items())]
    if clean:
        add("- %s: all workers present after the load, none replaced, exit "
            "0 on SIGTERM without SIGKILL" % ", ".join(clean))
    for x in machine_notes(runs, who):
        add("- " + x)
    add("- stop times after SIGTERM (ms): " + "; ".join(
        "%s %s" % (label[s], ", ".join(
            str(v["ms"]) for k, v in sorted(stops.items()) if k[0] == s))
        for s in servers))
    add("")


def charts_line(charts, med_word):
    if not charts:
        return ("No chart: matplotlib does not import on the Python that "
                "wrote this report (Debian's `python3-matplotlib` provides "
                "it).")
    return ("Chart%s: " % ("s" if len(charts) > 1 else "") +
            ", ".join("`bench/results/%s`" % c for c in charts) +
            " (bars: %s; whiskers: lowest and highest round)." % med_word)


# --- the direct part -----------------------------------------------------------

def direct_part(work, chartdir):
    meta = read_meta(os.path.join(work, "meta"))
    runs = {}      # (server, workers, body, conn) -> {round: parsed}
    for server, n, rnd, body, conn, path in read_tsv(
            os.path.join(work, "runs.tsv")):
        runs.setdefault((server, int(n), body, conn), {})[int(rnd)] = \
            read_run(path)
    stops = read_stops(os.path.join(work, "stops.tsv"))
    servers = [s for s in ORDER if any(k[0] == s for k in runs)]
    workers = sorted({k[1] for k in runs})
    rounds = sorted({r for v in runs.values() for r in v})
    cells = [(b, c, n) for b in BODIES for c in CONNS for n in workers
             if any((s, n, b, c) in runs for s in servers)]
    A = {(s,) + cell: agg(runs.get((s, cell[2], cell[0], cell[1]), {}))
         for s in servers for cell in cells}

    L = []
    add = L.append
    add("# forkd vs gunicorn (sync, gthread), uWSGI and nginx: HTTP "
        "req/s and latency")
    add("")
    add("Made by `bench/http.sh` (see bench/README.md). One run on one "
        "shared, noisy machine: read the ratios, not the absolute numbers.")
    add("")
    meta_table(add, meta)
    med_word = med_words(rounds)

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
    add(charts_line(direct_charts(A, servers, workers, chartdir, med_word),
                    med_word))
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
                x = dict(x, errors=0)
            notes += run_notes(where, x)
    if uwsgi_reads:
        notes.append("uWSGI: socket read errors and nothing else in %d of "
                     "its wrk runs (%s to %s per run): its close after each "
                     "response, see the notes above" % (
                         len(uwsgi_reads), "{:,}".format(min(uwsgi_reads)),
                         "{:,}".format(max(uwsgi_reads))))
    notes += stop_notes(stops, LABEL, ORDER)
    notes += others_notes(os.path.join(work, "others.tsv"))
    notes += log_notes(read_tsv(os.path.join(work, "unexpected.tsv")),
                       lambda row: "-w %s r%s" % (row[1], row[2]),
                       lambda row: LABEL.get(row[0], row[0]))
    add_checks(add, notes, "", servers, stops, LABEL, runs,
               "wrk and the server")
    add("Raw wrk outputs (`SERVER-wN-rR-BODY-CONN.txt`, first line the "
        "command) and the start of each server's log (`SERVER-wN-rR.log`): "
        "`bench/results/raw-http/`.")
    return L


def only_read_errors(x):
    """wrk's socket errors are read errors only, and no non-2xx."""
    m = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                  x["error_text"])
    if x["non2xx"] or not m:
        return False
    c, r, w, t = (int(v) for v in m.groups())
    return r > 0 and c == w == t == 0


def pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def bars(ax, A, series, groups, key, label, colors):
    """One bar per series in each group, at the median; whiskers from the
    lowest to the highest round.  A[(series, group)] is agg()'s."""
    width = 0.8 / max(1, len(series))
    for i, s in enumerate(series):
        xs, ys, lo, hi = [], [], [], []
        for g, grp in enumerate(groups):
            a = A.get((s,) + grp)
            if not a or a[key] is None:
                continue
            vals = [v for v in a[key + "_all"] if v is not None]
            xs.append(g + (i - (len(series) - 1) / 2) * width)
            ys.append(a[key])
            lo.append(a[key] - min(vals))
            hi.append(max(vals) - a[key])
        ax.bar(xs, ys, width, label=label[s], color=colors[s],
               yerr=[lo, hi], capsize=2, error_kw={"lw": 0.8})
    ax.set_xticks(range(len(groups)))
    ax.grid(axis="y", alpha=0.3)


def direct_charts(A, servers, workers, chartdir, med_word):
    plt = pyplot()
    if plt is None:
        return []
    made = []
    for key, fname, ylabel, title in (
            ("rps", "http-rps.png", "requests per second",
             "req/s per server and cell (%s)" % med_word),
            ("p99", "http-p99.png", "p99 latency (ms)",
             "p99 latency per server and cell (%s)" % med_word)):
        fig, axes = plt.subplots(1, len(BODIES), figsize=(13, 5.2))
        for ax, b in zip(axes, BODIES):
            groups = [(b, c, n) for c in CONNS for n in workers]
            bars(ax, A, servers, groups, key, LABEL, COLORS)
            ax.set_xticklabels(["%s\n%d worker%s" % (
                CONN_PLAIN[c], n, "" if n == 1 else "s")
                for _, c, n in groups], fontsize=8)
            ax.set_title(BODY_LABEL[b])
            ax.set_ylabel(ylabel)
        axes[0].legend(fontsize=8)
        fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(os.path.join(chartdir, fname), dpi=90)
        plt.close(fig)
        made.append(fname)
    return made


# --- the proxy part ------------------------------------------------------------

def proxy_part(work, chartdir):
    meta = read_meta(os.path.join(work, "proxy-meta"))
    runs = {}      # (backend, endpoint, upstream) -> {round: parsed}
    for backend, up, rnd, ep, path in read_tsv(
            os.path.join(work, "proxy-runs.tsv")):
        runs.setdefault((backend, ep, up), {})[int(rnd)] = read_run(path)
    stops = read_stops(os.path.join(work, "proxy-stops.tsv"))
    backends = [b for b in BACKENDS if any(k[0] == b for k in runs)]
    rounds = sorted({r for v in runs.values() for r in v})
    cells = [(e, u) for e in ENDPOINTS for u in UPSTREAMS
             if any((b, e, u) in runs for b in backends)]
    A = {(b,) + cell: agg(runs.get((b,) + cell, {}))
         for b in backends for cell in cells}
    med_word = med_words(rounds)
    workers = meta.get("workers", "?")

    L = [PROXY_MARK]
    add = L.append
    add("## Behind nginx: forkd and gunicorn, upstream keep-alive on and "
        "off")
    add("")
    add("Made by `bench/http.sh -p proxy` (see bench/README.md): wrk "
        "against nginx, nginx in front of one backend of %s workers at a "
        "time, with upstream keep-alive (nginx keeps idle connections to "
        "the backend and sends request after request on them) and without "
        "(a connection per request). One run on one shared, noisy machine: "
        "read the ratios, not the absolute numbers." % workers)
    add("")
    meta_table(add, meta)

    # --- the question the part answers --------------------------------------
    f = A.get(("forkd", "sleep", "keepalive"))
    g = A.get(("gunicorn", "sleep", "keepalive"))
    if f and g:
        fr = runs[("forkd", "sleep", "keepalive")]
        gr = runs[("gunicorn", "sleep", "keepalive")]
        both = [r for r in rounds if r in fr and r in gr]
        add("### The 10 ms endpoint behind nginx with upstream keep-alive: "
            "forkd vs gunicorn sync")
        add("")
        add("- p99: forkd %s, gunicorn sync %s (%s): forkd's p99 %s "
            "gunicorn sync's; ≤ in %d of %d rounds." % (
                fmt(f["p99"], "ms"), fmt(g["p99"], "ms"),
                fmt(ratio(f["p99"], g["p99"]), "ratio"),
                "≤" if f["p99"] <= g["p99"] else "is above",
                sum(fr[r]["p99"] <= gr[r]["p99"] for r in both), len(both)))
        add("- req/s: forkd %s, gunicorn sync %s (%s): forkd's req/s %s "
            "gunicorn sync's; ≥ in %d of %d rounds." % (
                fmt(f["rps"], "rps"), fmt(g["rps"], "rps"),
                fmt(ratio(f["rps"], g["rps"]), "ratio"),
                "≥" if f["rps"] >= g["rps"] else "is below",
                sum(fr[r]["rps"] >= gr[r]["rps"] for r in both), len(both)))
        add("- p99.9: forkd %s, gunicorn sync %s (%s)." % (
            fmt(f["p999"], "ms"), fmt(g["p999"], "ms"),
            fmt(ratio(f["p999"], g["p999"]), "ratio")))
        add("")

    # --- the table ---------------------------------------------------------
    add("### req/s and latency (%s)" % med_word)
    add("")
    add("req/s, p50, p99, p99.9: %s (latencies from urls.lua's lines, to "
        "the microsecond); max: the largest over the rounds; non-2xx and "
        "socket errors: summed over the rounds; last columns: each round's "
        "req/s and p99." % med_word)
    add("")
    add("| endpoint | upstream keep-alive | backend | req/s | p50 | p99 "
        "| p99.9 | max | non-2xx | socket errors | req/s per round "
        "| p99 per round |")
    add("|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|")
    for e, u in cells:
        for b in backends:
            a = A[(b, e, u)]
            if not a:
                continue
            add("| %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s "
                "| %s |" % (
                    EP_LABEL[e], UP_LABEL[u], P_LABEL[b],
                    fmt(a["rps"], "rps"), fmt(a["p50"], "ms"),
                    fmt(a["p99"], "ms"), fmt(a["p999"], "ms"),
                    fmt(a["max"], "ms"), a["non2xx"],
                    "{:,}".format(a["errors"]),
                    " / ".join(fmt(x, "rps") for x in a["rps_all"]),
                    " / ".join(fmt(x, "ms") for x in a["p99_all"])))
    add("")

    # --- ratios ------------------------------------------------------------
    cols = []
    if "forkd" in backends and "gunicorn" in backends:
        cols += [("forkd / gunicorn sync, req/s", "forkd", "gunicorn", "rps"),
                 ("forkd / gunicorn sync, p99", "forkd", "gunicorn", "p99"),
                 ("forkd / gunicorn sync, p99.9", "forkd", "gunicorn",
                  "p999")]
    if "forkd" in backends and "gthread" in backends:
        cols += [("forkd / gunicorn gthread, req/s", "forkd", "gthread",
                  "rps"),
                 ("forkd / gunicorn gthread, p99", "forkd", "gthread", "p99")]
    if "forkd" in backends and "forkd-park0" in backends:
        cols += [("forkd / forkd --park-after 0, p99", "forkd",
                  "forkd-park0", "p99")]
    if cols:
        add("### Ratios per cell")
        add("")
        add("From the table above. req/s: higher is better for forkd; "
            "latency: lower is better for forkd.")
        add("")
        add("| endpoint | upstream keep-alive | " +
            " | ".join(c[0] for c in cols) + " |")
        add("|---|---|" + "--:|" * len(cols))
        for e, u in cells:
            vals = []
            for _, x, y, key in cols:
                a, b = A[(x, e, u)], A[(y, e, u)]
                vals.append(fmt(ratio(a[key] if a else None,
                                      b[key] if b else None), "ratio"))
            add("| %s | %s | %s |" % (EP_LABEL[e], UP_LABEL[u],
                                      " | ".join(vals)))
        add("")

    # --- notes -------------------------------------------------------------
    add("Notes:")
    add("")
    add("- forkd's workers, like gunicorn sync's, serve one request at a "
        "time. With upstream keep-alive nginx holds up to 32 idle "
        "connections to the backend per nginx worker, and a forkd worker "
        "keeps the connections it accepted: `--park-after 5` (the default, "
        "doc/ARCHITECTURE.md, \"Balanced keep-alive\") hands a connection "
        "that has a request waiting to a free worker once its own worker "
        "has been busy in the app for 5 ms; `--park-after 0` does not, and "
        "a request waits behind its worker's current one.")
    add("- gunicorn's sync worker closes every connection after its "
        "response, upstream keep-alive or not: nginx opens a connection "
        "per request to it either way. gunicorn gthread keeps them (2 s) "
        "and runs %s threads per worker under one GIL." % meta.get(
            "gthreads", "its"))
    add("- Upstream keep-alive off: nginx still speaks HTTP/1.1 without a "
        "`Connection` header to the backend, and closes the connection "
        "after the response; a backend that keeps it open sees the close.")
    if workers.isdigit() and meta.get("sleep_ms", "").isdigit():
        add("- The 10 ms endpoint: %s workers of one request at a time "
            "answer at most %d req/s, and with %s connections a request "
            "waits for one of them: forkd's and gunicorn sync's p50 is "
            "mostly that wait." % (
                workers, int(workers) * 1000 // int(meta["sleep_ms"]),
                meta.get("conns", "?")))
    add("")
    add(charts_line(proxy_charts(A, backends, cells, chartdir, workers,
                                 med_word), med_word))
    add("")

    # --- checks ------------------------------------------------------------
    add("### Checks (behind nginx)")
    add("")
    notes = []
    for (b, e, u), rr in sorted(runs.items(),
                                key=lambda kv: (BACKENDS.index(kv[0][0]),) +
                                kv[0][1:]):
        for r, x in sorted(rr.items()):
            notes += run_notes("%s, %s, upstream keep-alive %s, round %d" % (
                P_LABEL[b], EP_LABEL[e], UP_LABEL[u], r), x)
    notes += stop_notes(stops, P_LABEL, BACKENDS)
    notes += others_notes(os.path.join(work, "proxy-others.tsv"))

    def who(row):
        if row[0] != "nginx":
            return P_LABEL.get(row[0], row[0])
        b, _, u = row[1].partition(" ")
        return "nginx (in front of %s, upstream keep-alive %s)" % (
            P_LABEL.get(b, b), UP_LABEL.get(u, u))
    notes += log_notes(
        read_tsv(os.path.join(work, "proxy-unexpected.tsv")),
        lambda row: "r%s" % row[2], who)
    add_checks(add, notes, "; no line in nginx's error log", backends,
               stops, P_LABEL, runs, "wrk, nginx and the backend")
    add("Raw wrk outputs (`proxy-BACKEND-UPSTREAM-rR-ENDPOINT.txt`, first "
        "line the command), the start of each backend's log with nginx's "
        "error log (`proxy-BACKEND-rR.log`) and the two nginx.conf files "
        "(`proxy-nginx-UPSTREAM.conf`): `bench/results/raw-http/`.")
    return L


def proxy_charts(A, backends, cells, chartdir, workers, med_word):
    plt = pyplot()
    if plt is None:
        return []
    keys = (("rps", "requests per second"), ("p99", "p99 latency (ms)"),
            ("p999", "p99.9 latency (ms)"))
    eps = [e for e in ENDPOINTS if any(c[0] == e for c in cells)]
    fig, axes = plt.subplots(len(keys), len(eps), figsize=(11, 11),
                             squeeze=False)
    for col, e in enumerate(eps):
        groups = [(e, u) for u in UPSTREAMS if (e, u) in cells]
        for row, (key, ylabel) in enumerate(keys):
            ax = axes[row][col]
            bars(ax, A, backends, groups, key, P_LABEL, P_COLORS)
            ax.set_xticklabels(["upstream keep-alive %s" % UP_LABEL[u]
                                for _, u in groups], fontsize=8)
            ax.set_ylabel(ylabel)
            if row == 0:
                ax.set_title(EP_LABEL[e] + (" (GET /sleep?ms=10)"
                                            if e == "sleep" else " (GET /)"))
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Behind nginx, %s workers each (%s)" % (workers, med_word))
    fig.tight_layout()
    fname = "http-proxy.png"
    fig.savefig(os.path.join(chartdir, fname), dpi=90)
    plt.close(fig)
    return [fname]


# --- the report ----------------------------------------------------------------

def main():
    work, out, chartdir = sys.argv[1:4]
    old = ""
    if os.path.exists(out):
        with open(out) as f:
            old = f.read()
    i = old.find(PROXY_MARK)
    direct, proxy = (old[:i], old[i:]) if i >= 0 else (old, "")
    if os.path.exists(os.path.join(work, "meta")):
        direct = "\n".join(direct_part(work, chartdir)) + "\n"
    if os.path.exists(os.path.join(work, "proxy-meta")):
        proxy = "\n".join(proxy_part(work, chartdir)) + "\n"
    if not direct.strip():
        direct = ("# forkd vs gunicorn (sync, gthread), uWSGI and nginx: "
                  "HTTP req/s and latency\n\nThe direct part has not been "
                  "run here yet: `bench/http.sh -p direct`.\n")
    with open(out, "w") as f:
        f.write(direct.rstrip("\n") + "\n" + ("\n" + proxy if proxy else ""))


if __name__ == "__main__":
    main()
