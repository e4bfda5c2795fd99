"""plainweb: the in-house framework the stdlib example site is built on.

A small WSGI framework written with the standard library only, the way a
team writes one when it may not take dependencies: a router with
converters, class-based views, a middleware chain, a compiled template
language, a SQLite ORM, forms, serializers, signed cookie sessions and a
gettext-style message catalogue.  It knows nothing about the shop; the
site lives in the `shop` package next to it.
"""

__version__ = "1.4.0"
