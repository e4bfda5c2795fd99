"""urlcheck.py DIR MODULE:APP URLFILE OUT: which paths of URLFILE a
benchmark can GET.

Imports the WSGI app the way a server would (cwd and sys.path[0] = DIR;
for the Django example this also creates and seeds its database, so no
server pays that during a measured run), then calls it once per path of
URLFILE (lines starting with "/") with a plain GET environ (wsgiref's
testing defaults, Host: localhost).  Prints "STATUS PATH" per path and
writes to OUT the paths that did not answer 405 (POST-only URLs).
Exit 1 if the app does not import or no path is left."""
import importlib
import io
import os
import sys
from wsgiref.util import setup_testing_defaults


def main():
    appdir, spec, urlfile, out = sys.argv[1:5]
    appdir = os.path.abspath(appdir)
    urlfile, out = os.path.abspath(urlfile), os.path.abspath(out)
    os.chdir(appdir)
    sys.path.insert(0, appdir)
    modname, _, attr = spec.partition(":")
    app = getattr(importlib.import_module(modname), attr or "application")
    with open(urlfile) as f:
        paths = [line.strip() for line in f if line.startswith("/")]
    kept = []
    for p in paths:
        path, _, query = p.partition("?")
        env = {"REQUEST_METHOD": "GET", "PATH_INFO": path,
               "QUERY_STRING": query, "HTTP_HOST": "localhost",
               "SERVER_NAME": "localhost", "SERVER_PORT": "80",
               "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr}
        setup_testing_defaults(env)
        got = []

        def start_response(status, headers, exc_info=None):
            got.append(status)
            return lambda data: None

        try:
            body = app(env, start_response)
            try:
                for _ in body:
                    pass
            finally:
                if hasattr(body, "close"):
                    body.close()
            status = got[-1].split()[0] if got else "none"
        except Exception as e:  # noqa: BLE001 (reported, not fatal)
            status = "raised:%s" % type(e).__name__
        print("%s %s" % (status, p))
        if status != "405":
            kept.append(p)
    if not kept:
        sys.exit("urlcheck: no GET-able path in %s" % urlfile)
    with open(out, "w") as f:
        f.write("".join(p + "\n" for p in kept))


main()
