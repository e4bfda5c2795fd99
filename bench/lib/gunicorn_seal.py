"""gunicorn_seal.py: a gunicorn config file (-c) that seals the preloaded
app the way a gunicorn user can bolt it on, for bench/memory.sh's
"gunicorn --preload + seal hook (prototype)" row:

    GUNICORN_SEAL_WARMUP=warmup.txt GUNICORN_SEAL_ROUNDS=1 \\
        python3 -m gunicorn --preload -c bench/lib/gunicorn_seal.py -w 8 mod:app

Once, in the master, before the first worker is forked (pre_fork), it
GETs every path of GUNICORN_SEAL_WARMUP (forkd's --warmup file: "GET
/path" lines, or bare "/path" lines) GUNICORN_SEAL_ROUNDS times through
the app in-process, closes Django's database connections if Django is
loaded, runs gc.collect(), makes every object of gc.get_objects()
immortal (3.12 and 3.13: the low 32 bits of ob_refcnt set to
0xFFFFFFFF, the value Py_INCREF leaves alone and Py_DECREF reads as
immortal in their Include/object.h; 3.14: ob_refcnt 3 << 30 and bit 0 of
ob_flags, the 16 bits at offset 6, as its _Py_SetImmortalUntracked()
does) and calls gc.freeze().  On 3.11 there
is no immortality: warmup, collect and freeze only, and the log says so.
Each worker logs its gc.get_freeze_count() and sys.getrefcount of the app
object (4294967295, or 3221225472 on 3.14, when immortal) after the fork.  Needs --preload."""
import ctypes
import gc
import io
import os
import sys
import sysconfig
import time

_sealed = False


def _get(app, path):
    """GET path through the WSGI app, in-process; returns the status code."""
    p, _, q = path.partition("?")
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": p, "QUERY_STRING": q,
           "SCRIPT_NAME": "", "SERVER_NAME": "localhost", "SERVER_PORT": "0",
           "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "localhost",
           "REMOTE_ADDR": "127.0.0.1", "wsgi.version": (1, 0),
           "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
           "wsgi.errors": sys.stderr, "wsgi.multithread": False,
           "wsgi.multiprocess": True, "wsgi.run_once": False,
           "forkd.warmup": True}
    got = []

    def start_response(status, headers, exc_info=None):
        got.append(status)
        return lambda data: None

    body = app(env, start_response)
    try:
        for _ in body:
            pass
    finally:
        getattr(body, "close", lambda: None)()
    return int(got[-1].split()[0]) if got else 0


def _immortal_why_not():
    """None if the ob_refcnt write below is right for this interpreter."""
    if sys.version_info[:2] not in ((3, 12), (3, 13), (3, 14)):
        return "Python %d.%d has no immortal objects this hook knows" % sys.version_info[:2]
    if sys.maxsize < 2 ** 32 or hasattr(sys, "gettotalrefcount") or \
            sysconfig.get_config_var("Py_GIL_DISABLED"):
        return "not a 64-bit release build with the GIL"
    return None


def pre_fork(server, worker):
    global _sealed
    if _sealed:
        return
    _sealed = True
    t0 = time.monotonic()
    app, log = server.app.wsgi(), server.log
    paths = []
    with open(os.environ["GUNICORN_SEAL_WARMUP"]) as f:
        for line in f:
            w = line.split()
            if w and not w[0].startswith("#"):
                ok = w[-1].startswith("/") and w[:-1] in ([], ["GET"])
                paths.append(w[-1] if ok else None)
    if None in paths or not paths:
        raise SystemExit("GUNICORN_SEAL_WARMUP: want GET /path lines only")
    rounds = int(os.environ.get("GUNICORN_SEAL_ROUNDS", "1"))
    bad = [p for _ in range(rounds) for p in paths if not 200 <= _get(app, p) < 300]
    if "django.db" in sys.modules:
        sys.modules["django.db"].connections.close_all()
    freed = gc.collect()
    why = _immortal_why_not()
    objs = gc.get_objects()
    if why is None and sys.version_info >= (3, 14):
        for o in objs:
            ctypes.c_uint16.from_address(id(o) + 6).value = 1
            ctypes.c_uint32.from_address(id(o)).value = 3 << 30
    elif why is None:
        for o in objs:
            ctypes.c_uint32.from_address(id(o)).value = 0xFFFFFFFF
    n = len(objs)
    del objs
    gc.freeze()
    log.info("seal hook: warmup %d requests (%d round(s)), %d not 2xx%s; gc.collect() "
             "found %d; %s; gc.freeze(): %d frozen; %.2f s",
             rounds * len(paths), rounds, len(bad), " (%s)" % bad[0] if bad else "",
             freed, "%d objects made immortal" % n if why is None else
             "nothing made immortal: " + why, gc.get_freeze_count(),
             time.monotonic() - t0)


def post_fork(server, worker):
    server.log.info("seal hook: worker %d: gc.get_freeze_count() %d, "
                    "sys.getrefcount(app) %d", os.getpid(),
                    gc.get_freeze_count(), sys.getrefcount(server.app.wsgi()))
