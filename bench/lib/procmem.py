"""procmem.py ROOT_PID: memory of a process tree, from /proc (Linux).

Walks every descendant of ROOT_PID (by the ppid field of /proc/*/stat,
recursively) and reads /proc/PID/smaps_rollup.  Prints one tab-separated
line per process:

    pid  ppid  comm  role  pss_kb  uss_kb  rss_kb

role is master (ROOT_PID), zygote (comm forkd-zygote) or worker (any
other descendant).  uss = Private_Clean + Private_Dirty.  A process that
exits while being read is left out.  Exit 1 if ROOT_PID is gone.
"""
import os
import sys


def stat(pid):
    with open("/proc/%s/stat" % pid) as f:
        s = f.read()
    comm = s[s.index("(") + 1:s.rindex(")")]
    ppid = int(s[s.rindex(")") + 2:].split()[1])
    return comm, ppid


def rollup(pid):
    out = {}
    with open("/proc/%s/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1])
    return out


def main():
    root = int(sys.argv[1])
    procs = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                procs[int(d)] = stat(d)
            except (OSError, ValueError):
                pass
    if root not in procs:
        sys.exit("procmem: pid %d is gone" % root)
    kids = {}
    for pid, (_, ppid) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(kids.get(pid, []))
    for pid in sorted(tree):
        comm, ppid = procs[pid]
        try:
            r = rollup(pid)
        except OSError:
            continue
        role = ("master" if pid == root else
                "zygote" if comm == "forkd-zygote" else "worker")
        uss = r.get("Private_Clean", 0) + r.get("Private_Dirty", 0)
        print("%d\t%d\t%s\t%s\t%d\t%d\t%d" % (
            pid, ppid, comm, role, r.get("Pss", 0), uss, r.get("Rss", 0)))


main()
