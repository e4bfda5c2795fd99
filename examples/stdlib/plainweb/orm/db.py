"""The SQLite database handle: one file, one connection per process,
opened on first use.

A SQLite connection must never be used on both sides of a fork (SQLite's
documentation: the child would share the parent's file locks and
caches).  So the connection remembers the pid that opened it: a process
that finds a connection opened by another pid (its parent, before the
fork) neither uses nor closes it, and opens its own.  Servers that fork
after importing the app (forkd, gunicorn --preload) should still close
it before the fork -- `close()`, which the site calls at the end of its
import and forkd calls again from a pre_fork hook -- and the
os.register_at_fork hook below does it for any fork the Python runtime
makes.
"""
import os
import re
import sqlite3
import time
import weakref
from contextlib import contextmanager

_open_databases = weakref.WeakSet()


def _regexp(pattern, value):
    """SQLite's REGEXP operator calls this (it has none of its own)."""
    if value is None:
        return False
    return _compiled(pattern).search(str(value)) is not None


_regex_cache = {}


def _compiled(pattern):
    rx = _regex_cache.get(pattern)
    if rx is None:
        if len(_regex_cache) > 256:
            _regex_cache.clear()
        rx = _regex_cache[pattern] = re.compile(pattern)
    return rx


class QueryLog:
    """Counts and times the queries of this process (the health page and
    the debug footer show them)."""

    def __init__(self, keep=20):
        self.count = 0
        self.seconds = 0.0
        self.keep = keep
        self.recent = []

    def record(self, sql, elapsed):
        self.count += 1
        self.seconds += elapsed
        if self.keep:
            self.recent.append((sql, elapsed))
            del self.recent[:-self.keep]


class Database:
    """A SQLite file.  `connection()` opens it lazily in each process."""

    def __init__(self, path=None, pragmas=None):
        self.path = path
        self.pragmas = dict(pragmas or {"foreign_keys": "ON", "busy_timeout": "5000",
                                        "cache_size": "-4000", "temp_store": "MEMORY"})
        self._conn = None
        self._pid = None
        # Connections inherited through a fork: kept referenced so that
        # their destructor (sqlite3_close) never runs in this process.
        self._inherited = []
        self.log = QueryLog()
        self.opened = 0
        _open_databases.add(self)

    def configure(self, path):
        if path == self.path:
            return
        if self._conn is not None:
            raise RuntimeError("the database is open; close it before moving it")
        self.path = path

    @property
    def is_open(self):
        return self._conn is not None and self._pid == os.getpid()

    def connect(self):
        if not self.path:
            raise RuntimeError("no database path configured")
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.create_function("REGEXP", 2, _regexp, deterministic=True)
        for name, value in self.pragmas.items():
            conn.execute("PRAGMA %s = %s" % (name, value))
        return conn

    def connection(self):
        pid = os.getpid()
        if self._conn is not None and self._pid != pid:
            self._inherited.append(self._conn)
            self._conn = None
        if self._conn is None:
            self._conn = self.connect()
            self._pid = pid
            self.opened += 1
        return self._conn

    def close(self):
        """Closes this process's connection, if it has one."""
        if self._conn is None:
            # Nothing written: this runs before every fork, and the
            # zygote's pages are shared with its workers.
            return
        if self._pid == os.getpid():
            self._conn.close()
        else:
            self._inherited.append(self._conn)
        self._conn = None
        self._pid = None

    def execute(self, sql, params=()):
        t0 = time.perf_counter()
        try:
            return self.connection().execute(sql, params)
        finally:
            self.log.record(sql, time.perf_counter() - t0)

    def executemany(self, sql, seq):
        t0 = time.perf_counter()
        try:
            return self.connection().executemany(sql, seq)
        finally:
            self.log.record(sql, time.perf_counter() - t0)

    def fetchall(self, sql, params=()):
        return self.execute(sql, params).fetchall()

    def fetchone(self, sql, params=()):
        return self.execute(sql, params).fetchone()

    def scalar(self, sql, params=()):
        row = self.fetchone(sql, params)
        return row[0] if row else None

    @contextmanager
    def atomic(self):
        """A write transaction: BEGIN IMMEDIATE takes the write lock at
        once, so two seeding processes queue instead of deadlocking."""
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def table_names(self):
        rows = self.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r[0] for r in rows}

    def create_tables(self, models):
        with self.atomic():
            for model in models:
                for sql in model._meta.create_sql():
                    self.execute(sql)

    def __repr__(self):
        state = "open in pid %d" % self._pid if self._conn is not None else "closed"
        return "<Database %s, %s>" % (self.path, state)


def close_all():
    """Closes every Database's connection in this process."""
    for db in list(_open_databases):
        db.close()


# Any fork made through Python (os.fork, multiprocessing, gunicorn)
# closes the connections first; forkd's zygote runs the same hooks.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=close_all)
