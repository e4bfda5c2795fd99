"""A stdlib-only WSGI app: what `make run` serves and the tests drive.

Routes:
  /                 hello
  /echo             POST: the body back; GET: the query string
  /env              the environ as JSON (str values only)
  /error            raises (forkd answers 500 and keeps serving)
  /slow?s=2         sleeps, then answers (graceful-stop tests)
  /sleep?ms=10      sleeps that many ms (bench/http.sh's proxy part)
  /stream           a generator body with a close() that is logged
  /write            uses the write() callable
  /pid              worker id and pid, to tell workers apart
  /big?n=100000     n bytes
  /file?skip=N      this file through wsgi.file_wrapper, from byte N
  /input            POST: wsgi.input's type, CONTENT_LENGTH, bytes read, a sum
  /exit             raises SystemExit (forkd answers 500, the worker lives)
  /badlen           declares a Content-Length shorter than its body (500)
"""
import json
import os
import sys
import time
from urllib.parse import parse_qs

import forkd

_post_fork_ran = []


@forkd.post_fork
def _after_fork():
    _post_fork_ran.append(os.getpid())


def _text(start_response, body, status="200 OK", ctype="text/plain"):
    if isinstance(body, str):
        body = body.encode()
    start_response(status, [("Content-Type", ctype),
                            ("Content-Length", str(len(body)))])
    return [body]


class _Stream:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        for i in range(self.n):
            yield b"chunk %d\n" % i

    def close(self):
        print("stream closed", file=sys.stderr, flush=True)


def app(environ, start_response):
    path = environ["PATH_INFO"]
    qs = parse_qs(environ.get("QUERY_STRING", ""))
    if path == "/":
        return _text(start_response, "Hello from forkd\n")
    if path == "/echo":
        if environ["REQUEST_METHOD"] == "POST":
            n = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(n)
            return _text(start_response, body, ctype="application/octet-stream")
        return _text(start_response, environ.get("QUERY_STRING", ""))
    if path == "/env":
        env = {k: v for k, v in environ.items() if isinstance(v, str)}
        env["wsgi.multiprocess"] = environ["wsgi.multiprocess"]
        return _text(start_response, json.dumps(env, sort_keys=True),
                     ctype="application/json")
    if path == "/error":
        raise RuntimeError("boom: an app error on purpose")
    if path == "/exit":
        sys.exit(3)
    if path == "/badlen":
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", "5")])
        return [b"h\xc3\xa9llo"]
    if path == "/slow":
        time.sleep(float(qs.get("s", ["1"])[0]))
        return _text(start_response, "slept\n")
    if path == "/sleep":
        time.sleep(int(qs.get("ms", ["10"])[0]) / 1000.0)
        return _text(start_response, "slept\n")
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return _Stream(int(qs.get("n", ["3"])[0]))
    if path == "/write":
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written ")
        return [b"and returned\n"]
    if path == "/pid":
        return _text(start_response, "%d %d %d\n" % (
            forkd.worker_id(), os.getpid(), len(_post_fork_ran)))
    if path == "/input":
        inp = environ["wsgi.input"]
        data = inp.read()
        return _text(start_response, "%s %s %d %d" % (
            type(inp).__name__, environ.get("CONTENT_LENGTH"), len(data),
            sum(data) % 1000003))
    if path == "/file":
        f = open(__file__, "rb")
        f.read(int(qs.get("skip", ["0"])[0]))
        start_response("200 OK", [("Content-Type", "text/x-python")])
        return environ["wsgi.file_wrapper"](f, 4096)
    if path == "/big":
        return _text(start_response, b"x" * int(qs.get("n", ["100000"])[0]))
    return _text(start_response, "not found\n", status="404 Not Found")
