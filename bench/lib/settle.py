"""settle.py ROOT_PID [TIMEOUT]: waits until a process tree is idle.

Idle: the CPU time (utime + stime, /proc/PID/stat) summed over ROOT_PID
and all its descendants grows by at most 2 clock ticks in each of two
consecutive 0.5 s windows, and the set of processes did not change.
Used before an "idle" memory reading, so that workers still importing
the app (gunicorn without --preload) or finishing a request are not read
half-way.  Prints "settle: idle after S s" or "settle: still busy after
S s"; exit 0 when idle, 1 on timeout (default 30 s), 2 if ROOT_PID is
gone."""
import os
import sys
import time


def snapshot(root):
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                s = f.read()
        except OSError:
            continue
        rest = s[s.rindex(")") + 2:].split()
        procs[int(d)] = (int(rest[1]), int(rest[11]) + int(rest[12]))
    if root not in procs:
        return None
    kids = {}
    for pid, (ppid, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    seen, todo = {}, [root]
    while todo:
        pid = todo.pop()
        seen[pid] = procs[pid][1]
        todo.extend(kids.get(pid, []))
    return seen


def main():
    root = int(sys.argv[1])
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    t0 = time.monotonic()
    prev = snapshot(root)
    quiet = 0
    while True:
        time.sleep(0.5)
        cur = snapshot(root)
        if prev is None or cur is None:
            print("settle: pid %d is gone" % root)
            sys.exit(2)
        if set(cur) == set(prev) and sum(cur.values()) - sum(prev.values()) <= 2:
            quiet += 1
        else:
            quiet = 0
        prev = cur
        waited = time.monotonic() - t0
        if quiet >= 2:
            print("settle: idle after %.1f s" % waited)
            return
        if waited >= timeout:
            print("settle: still busy after %.1f s" % waited)
            sys.exit(1)


main()
