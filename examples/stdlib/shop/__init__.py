"""The example site: a small shop with a journal, built on plainweb.

`create_app()` assembles it; `app.py` at the top of the example calls
that, makes sure the database exists, warms the caches and closes the
database connection before any server forks.
"""
