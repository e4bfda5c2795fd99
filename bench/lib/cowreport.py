"""cowreport.py: reads the file `forkd --cow-report FILE` writes (which
pages each worker copied from the zygote, by mapping kind, and what lived
on them), for bench/memory.sh's ablation table.

The format is provisional; everything that depends on it is
read_cow_report() below.  The shape it expects:

    {"method": "...",
     "workers": [{"id": 1, "pid": 123,
                  "kinds": {"obmalloc": {"pages": N, "mib": X}, "heap": {...},
                            "libpython": {...}, "code": {...}, "other": {...}},
                  "top": {"types": [[name, count], ...],
                          "modules": [...], "functions": [...]}}]}

    python3 cowreport.py FILE     prints what it read (for trying a file)
"""
import json
import sys

KINDS = ("obmalloc", "heap", "libpython", "code", "other")
PAGE_MIB = 4096 / 1048576.0


def read_cow_report(path):
    """{"workers": n, "method": str, "kinds": {kind: MiB copied per worker,
    mean over workers}, "top": {"types"|"modules"|...: [(name, count)] five
    largest, counts summed over workers}}; None if there is no file;
    {"error": why} if it does not read as the shape above.  A kind not in
    KINDS is counted as "other"; a kind given in pages only is converted
    at 4 KiB a page."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        return {"error": "%s: %s" % (path, e)}
    try:
        workers = doc["workers"]
        kinds = dict.fromkeys(KINDS, 0.0)
        top = {}
        for w in workers:
            for kind, v in (w.get("kinds") or {}).items():
                if isinstance(v, dict):
                    v = v["mib"] if v.get("mib") is not None else v["pages"] * PAGE_MIB
                kinds[kind if kind in KINDS else "other"] += float(v)
            for cat, items in (w.get("top") or {}).items():
                agg = top.setdefault(cat, {})
                for it in items or []:
                    name, count = (it["name"], it["count"]) if isinstance(it, dict) else it[:2]
                    agg[str(name)] = agg.get(str(name), 0) + count
        n = len(workers)
        return {"workers": n, "method": str(doc.get("method", "")),
                "kinds": {k: v / n for k, v in kinds.items()} if n else kinds,
                "top": {c: sorted(a.items(), key=lambda x: -x[1])[:5]
                        for c, a in top.items()}}
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as e:
        return {"error": "%s: not the expected shape (%s: %s)" % (
            path, type(e).__name__, e)}


if __name__ == "__main__":
    print(json.dumps(read_cow_report(sys.argv[1]), indent=1))
