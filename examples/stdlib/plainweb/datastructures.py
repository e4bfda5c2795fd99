"""The containers requests and responses are made of: multi-value dicts
for query strings and forms, case-insensitive headers, parsed Accept and
Cache-Control headers, entity tags, uploaded files.

Parsing of raw header values lives here too; the Request class only
decides which header to hand to which parser.
"""
import re
from collections.abc import MutableMapping
from email.message import Message


class MultiDict(dict):
    """A dict whose keys may hold several values (a query string, a form).

    d[key] and get() give the first value, getlist() all of them, in the
    order they arrived."""

    def __init__(self, pairs=()):
        super().__init__()
        if isinstance(pairs, dict):
            pairs = pairs.items()
        for key, value in pairs:
            self.add(key, value)

    def add(self, key, value):
        dict.setdefault(self, key, []).append(value)

    def __getitem__(self, key):
        values = dict.__getitem__(self, key)
        if not values:
            raise KeyError(key)
        return values[0]

    def __setitem__(self, key, value):
        dict.__setitem__(self, key, [value])

    def get(self, key, default=None, type=None):
        try:
            value = self[key]
        except KeyError:
            return default
        if type is None:
            return value
        try:
            return type(value)
        except (TypeError, ValueError):
            return default

    def getlist(self, key, type=None):
        values = dict.get(self, key, [])
        if type is None:
            return list(values)
        out = []
        for v in values:
            try:
                out.append(type(v))
            except (TypeError, ValueError):
                pass
        return out

    def items(self, multi=False):
        for key, values in dict.items(self):
            if multi:
                for v in values:
                    yield key, v
            else:
                yield key, values[0]

    def values(self):
        return [values[0] for values in dict.values(self)]

    def lists(self):
        return list(dict.items(self))

    def to_dict(self, flat=True):
        if flat:
            return dict(self.items())
        return {k: list(v) for k, v in dict.items(self)}

    def copy(self):
        return type(self)(self.items(multi=True))

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, list(self.items(multi=True)))


class ImmutableMultiDict(MultiDict):
    """What a request hands out: changing a request's form is a bug."""

    _frozen = False

    def __init__(self, pairs=()):
        super().__init__(pairs)
        self._frozen = True

    def _refuse(self, *args, **kwargs):
        raise TypeError("%s is immutable" % type(self).__name__)

    def add(self, key, value):
        if self._frozen:
            self._refuse()
        super().add(key, value)

    __setitem__ = __delitem__ = setdefault = pop = popitem = update = clear = _refuse

    def copy(self):
        return MultiDict(self.items(multi=True))

    def __hash__(self):
        return id(self)


class Headers(MutableMapping):
    """Response headers: an ordered list of (name, value) pairs, looked up
    without regard to case.  Set-Cookie may appear several times, so
    `add` appends and `__setitem__` replaces."""

    def __init__(self, pairs=()):
        self._list = []
        for name, value in (pairs.items() if isinstance(pairs, dict) else pairs):
            self.add(name, value)

    @staticmethod
    def _check(name, value):
        value = str(value)
        if "\n" in value or "\r" in value:
            raise ValueError("header %r: a value must not hold a newline" % name)
        return value

    def add(self, name, value):
        self._list.append((name, self._check(name, value)))

    def __getitem__(self, name):
        lname = name.lower()
        for k, v in self._list:
            if k.lower() == lname:
                return v
        raise KeyError(name)

    def getlist(self, name):
        lname = name.lower()
        return [v for k, v in self._list if k.lower() == lname]

    def __setitem__(self, name, value):
        value = self._check(name, value)
        lname = name.lower()
        for i, (k, _) in enumerate(self._list):
            if k.lower() == lname:
                self._list[i] = (name, value)
                self._list[i + 1:] = [p for p in self._list[i + 1:]
                                      if p[0].lower() != lname]
                return
        self._list.append((name, value))

    def __delitem__(self, name):
        lname = name.lower()
        before = len(self._list)
        self._list = [p for p in self._list if p[0].lower() != lname]
        if len(self._list) == before:
            raise KeyError(name)

    def __contains__(self, name):
        lname = name.lower()
        return any(k.lower() == lname for k, _ in self._list)

    def __iter__(self):
        seen = set()
        for k, _ in self._list:
            if k.lower() not in seen:
                seen.add(k.lower())
                yield k

    def __len__(self):
        return len(self._list)

    def setdefault(self, name, value):
        if name not in self:
            self.add(name, value)
        return self[name]

    def add_vary(self, *fields):
        have = {f.strip().lower() for v in self.getlist("Vary") for f in v.split(",")}
        new = [f for f in fields if f.lower() not in have]
        if new:
            current = ", ".join(self.getlist("Vary"))
            self["Vary"] = ", ".join(filter(None, [current] + new))

    def to_wsgi_list(self):
        return list(self._list)

    def __repr__(self):
        return "Headers(%r)" % self._list


class EnvironHeaders:
    """The request's headers, read straight from the WSGI environ."""

    def __init__(self, environ):
        self.environ = environ

    @staticmethod
    def _key(name):
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            return key
        return "HTTP_" + key

    def get(self, name, default=None):
        return self.environ.get(self._key(name), default)

    def __getitem__(self, name):
        return self.environ[self._key(name)]

    def __contains__(self, name):
        return self._key(name) in self.environ

    def __iter__(self):
        for key, value in self.environ.items():
            if key.startswith("HTTP_"):
                yield key[5:].replace("_", "-").title(), value
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                yield key.replace("_", "-").title(), value


# --- Accept headers ----------------------------------------------------------

_ACCEPT_ITEM = re.compile(r"""
    \s*(?P<value>[^\s;,]+)\s*
    (?:;\s*q=(?P<q>[0-9.]+))?
    (?:;[^,]*)?
    """, re.VERBOSE)


class Accept(tuple):
    """A parsed Accept-* header: (value, quality) pairs, best first."""

    def __new__(cls, header=None):
        items = []
        for i, m in enumerate(_ACCEPT_ITEM.finditer(header or "")):
            try:
                q = float(m.group("q")) if m.group("q") else 1.0
            except ValueError:
                q = 0.0
            if q > 0:
                items.append((m.group("value"), max(0.0, min(q, 1.0)), i))
        items.sort(key=lambda t: (-t[1], t[2]))
        self = super().__new__(cls, [(v, q) for v, q, _ in items])
        self.provided = header is not None
        return self

    def _matches(self, offer, value):
        return value == "*" or value.lower() == offer.lower()

    def quality(self, offer):
        for value, q in self:
            if self._matches(offer, value):
                return q
        return 0.0 if self.provided else 1.0

    def best_match(self, offers, default=None):
        best, best_q = default, 0.0
        for offer in offers:
            q = self.quality(offer)
            if q > best_q:
                best, best_q = offer, q
        return best

    def __contains__(self, offer):
        return self.quality(offer) > 0


class MIMEAccept(Accept):
    """Accept: text/html, application/json;q=0.9, */*;q=0.1"""

    def _matches(self, offer, value):
        if value in ("*", "*/*"):
            return True
        vtype, _, vsub = value.lower().partition("/")
        otype, _, osub = offer.lower().partition("/")
        return vtype == otype and vsub in ("*", osub)

    @property
    def accept_html(self):
        return "text/html" in self or "application/xhtml+xml" in self

    @property
    def accept_json(self):
        return "application/json" in self


class LanguageAccept(Accept):
    """Accept-Language: fr-CH, fr;q=0.9, en;q=0.8"""

    def _matches(self, offer, value):
        if value == "*":
            return True
        v, o = value.lower().replace("_", "-"), offer.lower().replace("_", "-")
        return v == o or v.split("-")[0] == o.split("-")[0]


class CharsetAccept(Accept):
    def _matches(self, offer, value):
        norm = lambda s: s.lower().replace("_", "-")  # noqa: E731
        return value == "*" or norm(value) == norm(offer)


# --- Cache-Control -------------------------------------------------------------


class CacheControl(dict):
    """Cache-Control directives as a dict; the numeric ones as ints.

    CacheControl.parse("max-age=60, public") == {"max-age": 60, "public": True}"""

    NUMERIC = frozenset(["max-age", "s-maxage", "max-stale", "min-fresh",
                         "stale-while-revalidate", "stale-if-error"])

    @classmethod
    def parse(cls, header):
        self = cls()
        for part in (header or "").split(","):
            name, _, value = part.strip().partition("=")
            name = name.strip().lower()
            if not name:
                continue
            value = value.strip().strip('"')
            if name in cls.NUMERIC:
                try:
                    self[name] = int(value)
                except ValueError:
                    continue
            else:
                self[name] = value or True
        return self

    def to_header(self):
        out = []
        for name, value in self.items():
            if value is True:
                out.append(name)
            elif value is not False and value is not None:
                out.append("%s=%s" % (name, value))
        return ", ".join(out)

    @property
    def max_age(self):
        return self.get("max-age")

    @property
    def no_cache(self):
        return "no-cache" in self


# --- entity tags -------------------------------------------------------------------

_ETAG = re.compile(r'\s*(W/)?"([^"]*)"\s*,?')


class ETags:
    """A parsed If-None-Match / If-Match header."""

    def __init__(self, strong=(), weak=(), star=False):
        self.strong = frozenset(strong)
        self.weak = frozenset(weak)
        self.star = star

    @classmethod
    def parse(cls, header):
        if not header:
            return cls()
        if header.strip() == "*":
            return cls(star=True)
        strong, weak = [], []
        for m in _ETAG.finditer(header):
            (weak if m.group(1) else strong).append(m.group(2))
        return cls(strong, weak)

    def contains_weak(self, tag):
        """Weak comparison, as If-None-Match uses."""
        return self.star or tag in self.strong or tag in self.weak

    def __bool__(self):
        return bool(self.star or self.strong or self.weak)


def quote_etag(tag, weak=False):
    return '%s"%s"' % ("W/" if weak else "", tag)


def unquote_etag(value):
    m = _ETAG.match(value or "")
    return (m.group(2), bool(m.group(1))) if m else (None, False)


# --- header parameters ---------------------------------------------------------


def parse_options_header(value):
    """'text/html; charset=UTF-8' -> ('text/html', {'charset': 'UTF-8'}),
    parsed by the email package's RFC 2231-aware parameter parser."""
    if not value:
        return "", {}
    msg = Message()
    msg["content-type"] = value
    params = msg.get_params() or []
    if not params:
        return "", {}
    main = params[0][0].lower()
    return main, {k.lower(): v for k, v in params[1:]}


class FileStorage:
    """One uploaded file of a multipart form."""

    def __init__(self, filename, content_type, data, name=None):
        self.filename = filename
        self.content_type = content_type
        self.data = data
        self.name = name

    @property
    def size(self):
        return len(self.data)

    def __bool__(self):
        return bool(self.filename)

    def __repr__(self):
        return "<FileStorage %r (%s, %d bytes)>" % (
            self.filename, self.content_type, self.size)
