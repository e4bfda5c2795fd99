"""WSGI entry point: `forkd --chdir examples/django --app site_project.wsgi:application`.

Importing it sets Django up, creates and seeds the SQLite database on
first use, warms the URL resolver and the template cache, and then
closes every database connection: forkd (like gunicorn --preload) forks
its workers after this import, and a SQLite connection must not be shared
across a fork.  Each worker opens its own on its first query.
"""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_project.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connections  # noqa: E402

application = get_wsgi_application()

from news.bootstrap import ensure_database, warm_up  # noqa: E402

ensure_database()
if os.environ.get("FORKD_EXAMPLE_WARMUP", "1") != "0":
    warm_up()
connections.close_all()

try:
    import forkd
except ImportError:         # gunicorn, runserver, ...
    pass
else:
    # Belt and braces: nothing should have opened one since, but make sure
    # no connection crosses the fork.
    forkd.pre_fork(connections.close_all)
