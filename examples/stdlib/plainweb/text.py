"""Text helpers shared by filters, forms and models: slugs, truncation,
tag stripping, paragraphs, number formatting.  No HTML is produced here
except by linebreaks(), which escapes first."""
import html
import re
import textwrap
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html.parser import HTMLParser

_SLUG_STRIP = re.compile(r"[^\w\s-]")
_SLUG_HYPHENATE = re.compile(r"[-\s]+")


def slugify(value, allow_unicode=False):
    """'Über café & bar!' -> 'uber-cafe-bar'."""
    value = str(value)
    if allow_unicode:
        value = unicodedata.normalize("NFKC", value)
    else:
        value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = _SLUG_STRIP.sub("", value.lower())
    return _SLUG_HYPHENATE.sub("-", value).strip("-_")


class _TagStripper(HTMLParser):
    """Keeps the text of a fragment of HTML, entities decoded."""

    BLOCK = frozenset(["p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "pre"])

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.BLOCK:
            self.parts.append(" ")

    def text(self):
        return " ".join("".join(self.parts).split())


def strip_tags(value):
    """The text of an HTML fragment, on one line."""
    parser = _TagStripper()
    parser.feed(str(value))
    parser.close()
    return parser.text()


class Truncator:
    """Shortens text to a number of characters or words, at a word
    boundary, with an ellipsis."""

    def __init__(self, text, ellipsis="\u2026"):
        self.text = str(text)
        self.ellipsis = ellipsis

    def chars(self, length):
        if len(self.text) <= length:
            return self.text
        cut = self.text[:max(0, length - len(self.ellipsis))]
        space = cut.rfind(" ")
        if space > length // 2:
            cut = cut[:space]
        return cut.rstrip(" ,.;:") + self.ellipsis

    def words(self, count):
        words = self.text.split()
        if len(words) <= count:
            return " ".join(words)
        return " ".join(words[:count]).rstrip(",.;:") + self.ellipsis


_PARAGRAPHS = re.compile(r"\n{2,}")


def linebreaks(value, autoescape=True):
    """Paragraphs for blank lines, <br> for single newlines."""
    value = str(value).replace("\r\n", "\n").strip()
    paras = _PARAGRAPHS.split(value) if value else []
    esc = html.escape if autoescape else (lambda s: s)
    return "\n\n".join("<p>%s</p>" % esc(p).replace("\n", "<br>") for p in paras)


def wordwrap(value, width=72):
    return "\n".join(textwrap.fill(p, width) for p in str(value).split("\n"))


def intcomma(value, sep=","):
    """1234567 -> '1,234,567' (the thousands separator is the caller's)."""
    try:
        n = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    sign = "-" if n < 0 else ""
    whole, _, frac = str(abs(n)).partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + sep.join(groups) + ("." + frac if frac else "")


def floatformat(value, places=1):
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return ""
    q = Decimal(1).scaleb(-places) if places > 0 else Decimal(1)
    return str(d.quantize(q, rounding=ROUND_HALF_UP))


_SIZES = ["bytes", "KB", "MB", "GB", "TB"]


def filesizeformat(n):
    try:
        n = float(n)
    except (TypeError, ValueError):
        return "0 bytes"
    if n < 1024:
        return "%d byte%s" % (n, "" if n == 1 else "s")
    for unit in _SIZES[1:]:
        n /= 1024
        if n < 1024 or unit == _SIZES[-1]:
            return "%.1f %s" % (n, unit)


def pluralize(count, singular="", plural="s"):
    try:
        one = int(count) == 1
    except (TypeError, ValueError):
        try:
            one = len(count) == 1
        except TypeError:
            one = False
    return singular if one else plural


def reading_minutes(text, words_per_minute=230):
    return max(1, round(len(str(text).split()) / words_per_minute))


def smart_split(query):
    """A search box's words; "quoted phrases" stay together."""
    return [m.group(1) or m.group(2) for m in re.finditer(r'"([^"]+)"|(\S+)', query or "")]
