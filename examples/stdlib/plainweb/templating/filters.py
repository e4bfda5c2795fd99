"""The built-in filters and tests.

A filter is a function of the value (and its arguments).  Marked
`pass_autoescape`, it also gets whether the output is being escaped, so
filters that build HTML can escape their input only when needed.  The
site adds its own (money, stars) to the environment.
"""
import json
import math
import random
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from itertools import groupby, islice
from operator import itemgetter
from urllib.parse import quote, urlencode

from .. import text as _text
from .. import i18n
from ..markup import markdown
from .runtime import Markup, Undefined, escape, getattr_

FILTERS = {}
TESTS = {}


def register(name=None, pass_autoescape=False, table=FILTERS):
    def deco(func):
        func.pass_autoescape = pass_autoescape
        table[name or func.__name__.rstrip("_")] = func
        return func
    return deco


def _attr_getter(attribute):
    """A key function for 'a.b' paths (sort, groupby, map, sum)."""
    if attribute is None:
        return lambda x: x
    parts = str(attribute).split(".")

    def get(obj):
        for p in parts:
            obj = getattr_(obj, p)
        return obj
    return get


# --- strings ------------------------------------------------------------------


@register()
def safe(value):
    return Markup(value)


@register("e")
@register()
def escape_(value):
    return escape(value)


def _like(value, result):
    """Case changes keep safe HTML safe (a {% filter upper %} block)."""
    return Markup(result) if hasattr(value, "__html__") else result


@register()
def upper(value):
    return _like(value, str(value).upper())


@register()
def lower(value):
    return _like(value, str(value).lower())


@register()
def title(value):
    return _like(value, str(value).title())


@register()
def capitalize(value):
    s = str(value)
    return _like(value, s[:1].upper() + s[1:].lower())


@register()
def capfirst(value):
    s = str(value)
    return _like(value, s[:1].upper() + s[1:])


@register()
def trim(value):
    return _like(value, str(value).strip())


@register()
def truncate(value, length=255, end="\u2026"):
    return _text.Truncator(value, end).chars(length)


@register()
def truncatewords(value, count=30):
    return _text.Truncator(value).words(count)


@register()
def wordcount(value):
    return len(str(value).split())


@register()
def replace(value, old, new, count=-1):
    return str(value).replace(str(old), str(new), count)


@register()
def center(value, width=80):
    return str(value).center(width)


@register()
def indent(value, width=4, first=False):
    pad = " " * width
    lines = str(value).split("\n")
    return "\n".join((pad if (i or first) and line else "") + line for i, line in enumerate(lines))


@register()
def wordwrap(value, width=72):
    return _text.wordwrap(value, width)


@register()
def striptags(value):
    return _text.strip_tags(value)


@register()
def slugify(value):
    return _text.slugify(value)


@register(pass_autoescape=True)
def linebreaks(autoescape, value):
    return Markup(_text.linebreaks(value, autoescape))


@register(pass_autoescape=True)
def linebreaksbr(autoescape, value):
    value = escape(value) if autoescape else str(value)
    return Markup(str(value).replace("\n", "<br>"))


@register("markdown")
def markdown_(value):
    return markdown(value)


_URL = re.compile(r"\b(https?://[^\s<>\"']+[^\s<>\"'.,;:!?)])")


@register(pass_autoescape=True)
def urlize(autoescape, value):
    value = str(escape(value)) if autoescape else str(value)
    return Markup(_URL.sub(r'<a href="\1" rel="nofollow">\1</a>', value))


@register()
def format(value, *args, **kwargs):
    if args and kwargs:
        raise TypeError("format: positional or keyword arguments, not both")
    return str(value) % (kwargs or args)


@register()
def string(value):
    return str(value)


@register()
def urlencode_(value):
    if isinstance(value, Mapping):
        return urlencode(value)
    return quote(str(value), safe="")


@register()
def tojson(value, indent=None):
    """JSON safe to put inside <script>: <, > and & are \\u escapes."""
    from ..response import JSONEncoder
    s = json.dumps(value, cls=JSONEncoder, indent=indent, sort_keys=True)
    s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
    return Markup(s)


@register()
def xmlattr(value):
    parts = ['%s="%s"' % (escape(k), escape(v)) for k, v in value.items()
             if v is not None and not isinstance(v, Undefined) and v is not False]
    return Markup(" ".join(parts))


# --- numbers ---------------------------------------------------------------------


@register("int")
def int_(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return default


@register("float")
def float_(value, default=0.0):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


@register("abs")
def abs_(value):
    return abs(value)


@register("round")
def round_(value, precision=0, method="common"):
    if method == "ceil":
        return math.ceil(value * 10 ** precision) / 10 ** precision
    if method == "floor":
        return math.floor(value * 10 ** precision) / 10 ** precision
    return round(value, precision)


@register()
def floatformat(value, places=1):
    return _text.floatformat(value, places)


@register()
def intcomma(value):
    return _text.intcomma(value, i18n.number_format()["thousands"])


@register()
def filesizeformat(value):
    return _text.filesizeformat(value)


@register()
def pluralize(value, suffix="s"):
    singular, _, plural = suffix.rpartition(",")
    return _text.pluralize(value, singular, plural)


# --- sequences -------------------------------------------------------------------


@register()
def length(value):
    try:
        return len(value)
    except TypeError:
        return 0


FILTERS["count"] = length


@register()
def default(value, default_value="", boolean=False):
    if isinstance(value, Undefined) or (boolean and not value):
        return default_value
    return value


FILTERS["d"] = default


@register()
def first(value):
    for item in value:
        return item
    return Undefined("first")


@register()
def last(value):
    try:
        return value[-1]
    except (TypeError, IndexError, KeyError):
        items = list(value)
        return items[-1] if items else Undefined("last")


@register()
def join(value, sep="", attribute=None):
    get = _attr_getter(attribute)
    items = [get(v) for v in value]
    if any(hasattr(v, "__html__") for v in items) or hasattr(sep, "__html__"):
        return Markup(sep).join(items)
    return str(sep).join(str(v) for v in items)


@register("reverse")
def reverse_(value):
    if isinstance(value, str):
        return value[::-1]
    try:
        return list(reversed(value))
    except TypeError:
        return list(value)[::-1]


@register("sort")
def sort_(value, reverse=False, attribute=None):
    return sorted(value, key=_attr_getter(attribute), reverse=reverse)


@register()
def dictsort(value, by="key", reverse=False):
    pos = 0 if by == "key" else 1
    return sorted(value.items(), key=itemgetter(pos), reverse=reverse)


@register("list")
def list_(value):
    return list(value)


@register()
def unique(value, attribute=None):
    get, seen, out = _attr_getter(attribute), set(), []
    for item in value:
        key = get(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


@register("map")
def map_(value, attribute):
    get = _attr_getter(attribute)
    return [get(v) for v in value]


@register("sum")
def sum_(value, attribute=None, start=0):
    get = _attr_getter(attribute)
    return sum((get(v) for v in value), start)


@register("min")
def min_(value, attribute=None):
    items = list(value)
    return min(items, key=_attr_getter(attribute)) if items else Undefined("min")


@register("max")
def max_(value, attribute=None):
    items = list(value)
    return max(items, key=_attr_getter(attribute)) if items else Undefined("max")


@register()
def batch(value, size, fill_with=None):
    """Rows of `size` items, for grids."""
    it = iter(value)
    while True:
        row = list(islice(it, size))
        if not row:
            return
        if fill_with is not None and len(row) < size:
            row += [fill_with] * (size - len(row))
        yield row


@register("slice")
def slice_(value, start, stop=None):
    return list(value)[start:stop]


@register()
def groupby_(value, attribute):
    get = _attr_getter(attribute)
    return [(key, list(items)) for key, items in groupby(sorted(value, key=get), key=get)]


@register()
def items(value):
    return list(value.items()) if isinstance(value, Mapping) else []


@register()
def shuffle_seeded(value, seed=0):
    """A fixed shuffle (the same on every run): the "you may also like"
    boxes."""
    items = list(value)
    random.Random(seed).shuffle(items)
    return items


# --- dates -------------------------------------------------------------------------


@register()
def date_(value, fmt="medium"):
    """A date or datetime in the active language, in the site's zone."""
    if isinstance(value, Undefined) or value is None or value == "":
        return ""
    return i18n.format_date(value, fmt)


@register()
def isoformat(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return ""


@register()
def timesince(value):
    from ..timeutil import timesince as _since
    return _since(value)


@register()
def yesno(value, choices="yes,no,maybe"):
    parts = choices.split(",")
    if value is None and len(parts) > 2:
        return parts[2]
    return parts[0] if value else parts[1]


# --- tests ----------------------------------------------------------------------------


def test(name=None):
    return register(name, table=TESTS)


@test()
def defined(value):
    return not isinstance(value, Undefined)


@test()
def undefined(value):
    return isinstance(value, Undefined)


@test("none")
def none_(value):
    return value is None


@test()
def even(value):
    return value % 2 == 0


@test()
def odd(value):
    return value % 2 == 1


@test()
def divisibleby(value, n):
    return value % n == 0


@test("string")
def string_(value):
    return isinstance(value, str)


@test()
def number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@test()
def sequence(value):
    return isinstance(value, Sequence) and not isinstance(value, str)


@test()
def mapping(value):
    return isinstance(value, Mapping)


@test()
def sameas(value, other):
    return value is other


@test("in")
def in_(value, seq):
    return value in seq
