"""The stdlib example site: forkd's benchmark app that needs no package
from outside the standard library, so it runs on every CPython forkd
supports.

    build/forkd --app app:app --chdir examples/stdlib -w 8 -b 127.0.0.1:8000
    python3 -m gunicorn --chdir examples/stdlib -w 8 app:app
    python3 examples/stdlib/app.py        # wsgiref, for a quick look

Importing this module builds the site (shop.site.create_app), creates
and seeds its SQLite database on first use, warms the caches (every
template compiled, the search index built, the static files read), and
then closes the database connection: forkd (like gunicorn --preload)
forks its workers after this import, and a SQLite connection must not
cross a fork.  Each worker opens its own on its first query.  Set
FORKD_EXAMPLE_WARMUP=0 to skip the warm-up.
"""
import os

from plainweb import orm
from shop import site

HERE = os.path.dirname(os.path.abspath(__file__))

app = site.create_app(HERE)
site.ensure_database()
if os.environ.get("FORKD_EXAMPLE_WARMUP", "1") != "0":
    site.warm_up(app)
orm.close_all()

try:
    import forkd
except ImportError:         # gunicorn, uWSGI, wsgiref
    pass
else:
    # forkd's own warm-up requests (--warmup) run after this import and
    # open the database again: close it once more before the fork.
    forkd.pre_fork(orm.close_all)

if __name__ == "__main__":
    from plainweb.application import run_development_server
    run_development_server(app, port=int(os.environ.get("PORT", "8000")))
