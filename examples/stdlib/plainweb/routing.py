"""The router: URL patterns with typed parts, matched in order, and
built back from a route's name (reverse).

    route("/products/<int:pk>/", ProductDetail.as_view(), name="product")
    route("/archive/<int(min=2000):year>/<int(min=1,max=12):month>/", ...)

A pattern compiles to one regular expression with a named group per
part; the converter of each part turns the matched text into a Python
value and a value back into text.  The router also owns the trailing
slash rule: /products redirects to /products/ when only the latter
exists.  It does not know about views beyond calling them.
"""
import ast
import re
import uuid
from datetime import date
from urllib.parse import quote, urlencode

from .exceptions import (MethodNotAllowed, NoReverseMatch, NotFound,
                         PermanentRedirect, ImproperlyConfigured)


class ValidationFailed(Exception):
    """A converter refused the matched text: the route does not match."""


class BaseConverter:
    """Matches `regex`; to_python() and to_url() convert both ways."""

    regex = "[^/]+"
    weight = 100

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError("%s takes no arguments" % type(self).__name__)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return quote(str(value), safe="")


class StringConverter(BaseConverter):
    """Any text without a slash, optionally with length bounds."""

    def __init__(self, minlength=1, maxlength=None, length=None):
        if length is not None:
            self.regex = "[^/]{%d}" % length
        else:
            self.regex = "[^/]{%d,%s}" % (minlength, maxlength or "")


class PathConverter(BaseConverter):
    """The rest of the path, slashes included."""

    regex = "[^/].*?"
    weight = 200

    def to_url(self, value):
        return quote(str(value), safe="/")


class SlugConverter(BaseConverter):
    regex = "[-a-zA-Z0-9_]+"


class IntegerConverter(BaseConverter):
    regex = r"\d+"
    weight = 50

    def __init__(self, min=None, max=None, fixed_digits=0):
        self.min, self.max, self.fixed_digits = min, max, fixed_digits
        if fixed_digits:
            self.regex = r"\d{%d}" % fixed_digits

    def to_python(self, value):
        n = int(value)
        if (self.min is not None and n < self.min) or (self.max is not None and n > self.max):
            raise ValidationFailed(value)
        return n

    def to_url(self, value):
        value = int(value)
        if self.fixed_digits:
            return "%0*d" % (self.fixed_digits, value)
        return str(value)


class FloatConverter(BaseConverter):
    regex = r"\d+\.\d+"
    weight = 50

    def to_python(self, value):
        return float(value)

    def to_url(self, value):
        return repr(float(value))


class UUIDConverter(BaseConverter):
    regex = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

    def to_python(self, value):
        return uuid.UUID(value)

    def to_url(self, value):
        return str(value)


class DateConverter(BaseConverter):
    """2024-05-31"""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(value)

    def to_url(self, value):
        return value.isoformat()


class AnyConverter(BaseConverter):
    """One of a fixed set of words: <any(atom,rss):kind>"""

    def __init__(self, *items):
        if not items:
            raise TypeError("any() needs at least one choice")
        self.items = items
        self.regex = "(?:%s)" % "|".join(re.escape(i) for i in items)

    def to_url(self, value):
        if value not in self.items:
            raise ValueError("%r is not one of %r" % (value, self.items))
        return value


DEFAULT_CONVERTERS = {
    "default": StringConverter,
    "string": StringConverter,
    "str": StringConverter,
    "path": PathConverter,
    "slug": SlugConverter,
    "int": IntegerConverter,
    "float": FloatConverter,
    "uuid": UUIDConverter,
    "date": DateConverter,
    "any": AnyConverter,
}

# <int:pk>, <slug:slug>, <int(min=1,max=12):month>, <name>
_PART = re.compile(r"""
    <
    (?:
        (?P<conv>[a-zA-Z_][a-zA-Z0-9_]*)
        (?:\((?P<args>[^)]*)\))?
        :
    )?
    (?P<name>[a-zA-Z_][a-zA-Z0-9_]*)
    >
    """, re.VERBOSE)


def _parse_args(text):
    """'min=1, max=12' or 'atom, rss' -> (args, kwargs), literals only."""
    args, kwargs = [], {}
    if not text or not text.strip():
        return args, kwargs
    call = ast.parse("f(%s)" % text, mode="eval").body
    for a in call.args:
        args.append(ast.literal_eval(a) if not isinstance(a, ast.Name) else a.id)
    for kw in call.keywords:
        kwargs[kw.arg] = ast.literal_eval(kw.value)
    return args, kwargs


class Rule:
    """One pattern bound to a view."""

    def __init__(self, pattern, view, name=None, methods=None, defaults=None,
                 converters=DEFAULT_CONVERTERS):
        if not pattern.startswith("/"):
            raise ImproperlyConfigured("route %r must start with a slash" % pattern)
        self.pattern = pattern
        self.view = view
        self.name = name
        self.methods = frozenset(m.upper() for m in methods) if methods else None
        if self.methods and "GET" in self.methods:
            self.methods |= {"HEAD"}
        self.defaults = dict(defaults or {})
        self.converters = {}
        self._parts = []        # literal strings and converter names, for reverse()
        regex, pos = ["^"], 0
        for m in _PART.finditer(pattern):
            literal = pattern[pos:m.start()]
            regex.append(re.escape(literal))
            self._parts.append(literal)
            conv_name, name_ = m.group("conv") or "default", m.group("name")
            if name_ in self.converters:
                raise ImproperlyConfigured("%s: %r appears twice" % (pattern, name_))
            try:
                cls = converters[conv_name]
            except KeyError:
                raise ImproperlyConfigured("%s: no converter %r" % (pattern, conv_name))
            args, kwargs = _parse_args(m.group("args"))
            conv = cls(*args, **kwargs)
            self.converters[name_] = conv
            regex.append("(?P<%s>%s)" % (name_, conv.regex))
            self._parts.append((name_,))
            pos = m.end()
        tail = pattern[pos:]
        regex.append(re.escape(tail))
        self._parts.append(tail)
        regex.append("$")
        self.regex = re.compile("".join(regex))
        self.is_static = not self.converters

    @property
    def weight(self):
        """Static routes first, then by converter weights (more specific
        first): the order matching tries rules in a branch."""
        return (not self.is_static, sum(c.weight for c in self.converters.values()))

    def match(self, path):
        """kwargs for the view, or None."""
        m = self.regex.match(path)
        if m is None:
            return None
        kwargs = dict(self.defaults)
        try:
            for key, text in m.groupdict().items():
                kwargs[key] = self.converters[key].to_python(text)
        except (ValidationFailed, ValueError):
            return None
        return kwargs

    def allows(self, method):
        return self.methods is None or method in self.methods

    def build(self, kwargs):
        """The path for these arguments; extra ones become a query string."""
        out, used = [], set()
        for part in self._parts:
            if isinstance(part, tuple):
                name = part[0]
                if name not in kwargs:
                    raise NoReverseMatch("%s needs %r" % (self.name, name))
                out.append(self.converters[name].to_url(kwargs[name]))
                used.add(name)
            else:
                out.append(part)
        extra = [(k, v) for k, v in kwargs.items()
                 if k not in used and k not in self.defaults and v is not None]
        path = "".join(out)
        return path + ("?" + urlencode(extra, doseq=True) if extra else "")

    def __repr__(self):
        return "<Rule %s -> %s>" % (self.pattern, self.name or self.view)


def route(pattern, view, name=None, **kwargs):
    """A Rule: the function URL lists are written with."""
    return Rule(pattern, view, name, **kwargs)


class Include:
    """A group of rules under a prefix and a namespace:
    include("/api", api_routes, namespace="api") names its routes
    "api:products" and so on."""

    def __init__(self, prefix, rules, namespace=None):
        self.prefix = prefix.rstrip("/")
        self.rules = rules
        self.namespace = namespace


def include(prefix, rules, namespace=None):
    return Include(prefix, rules, namespace)


class Match:
    """The router's answer: the rule, the view and its arguments."""

    __slots__ = ("rule", "view", "kwargs")

    def __init__(self, rule, kwargs):
        self.rule = rule
        self.view = rule.view
        self.kwargs = kwargs

    @property
    def name(self):
        return self.rule.name


class Router:
    """All the site's rules.  Rules whose pattern starts with the same
    first path segment are kept together, so a request is matched only
    against its own branch and the catch-all rules."""

    def __init__(self, rules=(), converters=None, append_slash=True):
        self.converters = dict(DEFAULT_CONVERTERS, **(converters or {}))
        self.append_slash = append_slash
        self.rules = []
        self.by_name = {}
        self._branches = {}
        self._catchall = []
        self.add_all(rules)

    def add_all(self, rules, prefix="", namespace=None):
        for r in rules:
            if isinstance(r, Include):
                ns = ":".join(filter(None, [namespace, r.namespace])) or None
                self.add_all(r.rules, prefix + r.prefix, ns)
            else:
                self.add(prefix + r.pattern, r.view, r.name, namespace,
                         methods=r.methods, defaults=r.defaults)

    def add(self, pattern, view, name=None, namespace=None, **kwargs):
        full_name = "%s:%s" % (namespace, name) if namespace and name else name
        rule = Rule(pattern, view, full_name, converters=self.converters, **kwargs)
        self.rules.append(rule)
        if full_name:
            if full_name in self.by_name:
                raise ImproperlyConfigured("two routes named %r" % full_name)
            self.by_name[full_name] = rule
        head = self._head(pattern)
        if head is None:
            self._catchall.append(rule)
        else:
            branch = self._branches.setdefault(head, [])
            branch.append(rule)
            branch.sort(key=lambda r: r.weight)
        return rule

    @staticmethod
    def _head(pattern):
        """The literal first segment ('products' for /products/<int:pk>/),
        None when the first segment has a converter."""
        seg = pattern[1:].split("/", 1)[0]
        return None if "<" in seg else seg

    def _candidates(self, path):
        seg = path[1:].split("/", 1)[0]
        return self._branches.get(seg, []) + self._catchall

    def match(self, path, method="GET"):
        """A Match, or raises NotFound, MethodNotAllowed or a redirect to
        the path with a trailing slash."""
        allowed = set()
        for rule in self._candidates(path):
            kwargs = rule.match(path)
            if kwargs is None:
                continue
            if not rule.allows(method):
                allowed |= rule.methods
                continue
            return Match(rule, kwargs)
        if allowed:
            raise MethodNotAllowed(allowed)
        if self.append_slash and not path.endswith("/") and self._matches(path + "/"):
            raise PermanentRedirect(path + "/")
        raise NotFound()

    def _matches(self, path):
        return any(r.match(path) is not None for r in self._candidates(path))

    def reverse(self, name, **kwargs):
        try:
            rule = self.by_name[name]
        except KeyError:
            raise NoReverseMatch("no route named %r" % name)
        return rule.build(kwargs)
