"""Translations and locale formatting, without the C library's locales.

Messages come from gettext .po files (locale/<lang>/LC_MESSAGES/*.po),
parsed at startup into gettext.NullTranslations subclasses: the catalogs
are plain dicts, so no compiled .mo files need to be built or shipped.
Dates and numbers are formatted from small per-language tables instead
of setlocale(), which is process-wide and would make one request's
language leak into another's.

The language of the current request lives in a context variable, set by
the LocaleMiddleware for the duration of one request.
"""
import ast
import contextvars
import gettext
import html
import os
import re
from datetime import date, datetime

from .datastructures import LanguageAccept
from .timeutil import UTC

LANGUAGES = {
    "en": "English",
    "fr": "Fran\u00e7ais",
    "de": "Deutsch",
    "es": "Espa\u00f1ol",
    "nl": "Nederlands",
}
DEFAULT_LANGUAGE = "en"

_language = contextvars.ContextVar("language", default=DEFAULT_LANGUAGE)
_catalogs = {}
_zone = UTC


# --- .po files --------------------------------------------------------------------


class POSyntaxError(ValueError):
    def __init__(self, path, lineno, message):
        super().__init__("%s:%d: %s" % (path, lineno, message))


class POEntry:
    __slots__ = ("msgctxt", "msgid", "msgid_plural", "msgstr", "msgstr_plural", "flags", "lineno")

    def __init__(self, lineno):
        self.msgctxt = None
        self.msgid = None
        self.msgid_plural = None
        self.msgstr = None
        self.msgstr_plural = {}
        self.flags = set()
        self.lineno = lineno

    @property
    def fuzzy(self):
        return "fuzzy" in self.flags

    @property
    def translated(self):
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)


_PO_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


class POFile:
    """The entries of one .po file."""

    def __init__(self, path):
        self.path = path
        self.entries = []
        self.headers = {}
        with open(path, encoding="utf-8") as f:
            self._parse(f)

    def _parse(self, lines):
        entry, field = None, None
        for lineno, raw in enumerate(lines, 1):
            line = raw.strip()
            if not line:
                entry, field = self._finish(entry), None
                continue
            if line.startswith("#,"):
                entry = entry or POEntry(lineno)
                entry.flags.update(f.strip() for f in line[2:].split(","))
                continue
            if line.startswith("#"):
                continue
            m = _PO_KEYWORD.match(line)
            if m:
                keyword, index, literal = m.groups()
                if keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr is not None:
                    entry = self._finish(entry)
                entry = entry or POEntry(lineno)
                value = self._literal(literal, lineno)
                if index is not None:
                    field = ("msgstr_plural", int(index))
                    entry.msgstr_plural[int(index)] = value
                else:
                    field = (keyword, None)
                    setattr(entry, keyword, value)
            elif line.startswith('"') and field is not None:
                value = self._literal(line, lineno)
                name, index = field
                if index is None:
                    setattr(entry, name, getattr(entry, name) + value)
                else:
                    entry.msgstr_plural[index] += value
            else:
                raise POSyntaxError(self.path, lineno, "cannot read %r" % line)
        self._finish(entry)

    def _literal(self, text, lineno):
        try:
            return ast.literal_eval(text)
        except (SyntaxError, ValueError):
            raise POSyntaxError(self.path, lineno, "bad string %s" % text)

    def _finish(self, entry):
        if entry is None or entry.msgid is None:
            return None
        if entry.msgid == "" and entry.msgctxt is None:
            for line in (entry.msgstr or "").split("\n"):
                key, sep, value = line.partition(":")
                if sep:
                    self.headers[key.strip().lower()] = value.strip()
        else:
            self.entries.append(entry)
        return None


def _plural_function(header):
    """n -> plural index, from a Plural-Forms header."""
    m = re.search(r"plural=([^;]+)", header or "")
    if not m:
        return lambda n: int(n != 1)
    return gettext.c2py(m.group(1).strip())


class Translations(gettext.NullTranslations):
    """A catalogue built from .po entries; lookups as GNUTranslations
    does them (msgctxt joined to msgid with \\x04)."""

    CONTEXT_SEP = "\x04"

    def __init__(self, language, entries=(), plural_header=None):
        super().__init__()
        self.language = language
        self.plural = _plural_function(plural_header)
        self._catalog = {}
        self.stats = {"translated": 0, "fuzzy": 0, "missing": 0}
        for e in entries:
            self.add(e)

    def add(self, entry):
        if entry.fuzzy:
            self.stats["fuzzy"] += 1
            return
        if not entry.translated:
            self.stats["missing"] += 1
            return
        self.stats["translated"] += 1
        key = entry.msgid if entry.msgctxt is None else entry.msgctxt + self.CONTEXT_SEP + entry.msgid
        if entry.msgid_plural is not None:
            for i, text in entry.msgstr_plural.items():
                self._catalog[(key, i)] = text
        else:
            self._catalog[key] = entry.msgstr

    def merge(self, other):
        self._catalog.update(other._catalog)
        for k, v in other.stats.items():
            self.stats[k] += v

    def gettext(self, message):
        return self._catalog.get(message, message)

    def ngettext(self, singular, plural, n):
        text = self._catalog.get((singular, self.plural(n)))
        if text is not None:
            return text
        return singular if n == 1 else plural

    def pgettext(self, context, message):
        return self._catalog.get(context + self.CONTEXT_SEP + message, message)

    def __len__(self):
        return len(self._catalog)


def load_catalogs(directory):
    """Reads every locale/<lang>/LC_MESSAGES/*.po under `directory`."""
    _catalogs.clear()
    for lang in LANGUAGES:
        trans = Translations(lang)
        folder = os.path.join(directory, lang, "LC_MESSAGES")
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith(".po"):
                    po = POFile(os.path.join(folder, name))
                    trans.plural = _plural_function(po.headers.get("plural-forms"))
                    trans.merge(Translations(lang, po.entries, po.headers.get("plural-forms")))
        _catalogs[lang] = trans
    return dict(_catalogs)


def catalog(lang=None):
    lang = lang or _language.get()
    trans = _catalogs.get(lang)
    if trans is None:
        trans = _catalogs[lang] = Translations(lang)
    return trans


# --- the active language ------------------------------------------------------------


def get_language():
    return _language.get()


def activate(lang):
    """Makes `lang` the current language; returns a token for deactivate()."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    return _language.set(lang)


def deactivate(token):
    _language.reset(token)


def negotiate(accept_header, supported=None):
    """The best supported language for an Accept-Language header."""
    offers = list(supported or LANGUAGES)
    return LanguageAccept(accept_header).best_match(offers, DEFAULT_LANGUAGE)


def gettext_(message, **kwargs):
    text = catalog().gettext(message)
    return text % kwargs if kwargs else text


def ngettext(singular, plural, number, **kwargs):
    """The form for `number`, formatted with n=number unless the caller
    passes its own n (already formatted, say)."""
    text = catalog().ngettext(singular, plural, number)
    kwargs.setdefault("n", number)
    return text % kwargs if "%" in text else text


def pgettext(context, message):
    return catalog().pgettext(context, message)


class LazyString:
    """A message translated when it is used, not when it is defined:
    form labels and choices are defined at import, before any request
    has a language."""

    __slots__ = ("message", "kwargs")

    def __init__(self, message, **kwargs):
        self.message = message
        self.kwargs = kwargs

    def __str__(self):
        return gettext_(self.message, **self.kwargs)

    def __html__(self):
        return html.escape(str(self))

    def __json__(self):
        return str(self)

    def __eq__(self, other):
        return str(self) == str(other)

    def __hash__(self):
        return hash(self.message)

    def __len__(self):
        return len(str(self))

    def __add__(self, other):
        return str(self) + str(other)

    def __radd__(self, other):
        return str(other) + str(self)

    def __mod__(self, other):
        return str(self) % other

    def __repr__(self):
        return "LazyString(%r)" % self.message


def lazy_gettext(message, **kwargs):
    return LazyString(message, **kwargs)


# --- dates and numbers ----------------------------------------------------------------

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier f\u00e9vrier mars avril mai juin juillet ao\u00fbt septembre octobre novembre d\u00e9cembre",
    "de": "Januar Februar M\u00e4rz April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}
_DAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "es": "lunes martes mi\u00e9rcoles jueves viernes s\u00e1bado domingo",
    "nl": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
}
MONTHS = {lang: names.split() for lang, names in _MONTHS.items()}
DAYS = {lang: names.split() for lang, names in _DAYS.items()}

# {d} day, {m} month number, {mon} month name, {mon3} its abbreviation,
# {y} year, {wd} weekday name, {t} the time of day.
_DATE_FORMATS = {
    "en": {"short": "{m:02d}/{d:02d}/{y}", "medium": "{mon3} {d}, {y}",
           "long": "{wd}, {mon} {d}, {y}", "month": "{mon} {y}", "time": "{h12}:{mi:02d} {ampm}"},
    "fr": {"short": "{d:02d}/{m:02d}/{y}", "medium": "{d} {mon3} {y}",
           "long": "{wd} {d} {mon} {y}", "month": "{mon} {y}", "time": "{h:02d}:{mi:02d}"},
    "de": {"short": "{d:02d}.{m:02d}.{y}", "medium": "{d}. {mon3} {y}",
           "long": "{wd}, {d}. {mon} {y}", "month": "{mon} {y}", "time": "{h:02d}:{mi:02d}"},
    "es": {"short": "{d:02d}/{m:02d}/{y}", "medium": "{d} {mon3} {y}",
           "long": "{wd}, {d} de {mon} de {y}", "month": "{mon} de {y}", "time": "{h:02d}:{mi:02d}"},
    "nl": {"short": "{d:02d}-{m:02d}-{y}", "medium": "{d} {mon3} {y}",
           "long": "{wd} {d} {mon} {y}", "month": "{mon} {y}", "time": "{h:02d}:{mi:02d}"},
}
_NUMBERS = {
    "en": {"decimal": ".", "thousands": ",", "currency": "{sym}{amount}"},
    "fr": {"decimal": ",", "thousands": "\u202f", "currency": "{amount}\u00a0{sym}"},
    "de": {"decimal": ",", "thousands": ".", "currency": "{amount}\u00a0{sym}"},
    "es": {"decimal": ",", "thousands": ".", "currency": "{amount}\u00a0{sym}"},
    "nl": {"decimal": ",", "thousands": ".", "currency": "{sym}\u00a0{amount}"},
}


def set_timezone(zone):
    """The zone dates are shown in (the settings' time_zone)."""
    global _zone
    _zone = zone


def get_timezone():
    return _zone


def localtime(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(_zone)
    return value


def format_date(value, fmt="medium", lang=None):
    """A date or datetime in words of `lang` (the active language).
    fmt: short, medium, long, month, or any of them + "_time"."""
    lang = lang if lang in _DATE_FORMATS else get_language()
    table = _DATE_FORMATS.get(lang, _DATE_FORMATS["en"])
    value = localtime(value)
    with_time = fmt.endswith("_time")
    pattern = table.get(fmt[:-5] if with_time else fmt, table["medium"])
    if with_time and isinstance(value, datetime):
        pattern += " " + table["time"]
    months = MONTHS.get(lang, MONTHS["en"])
    fields = {"d": value.day, "m": value.month, "y": value.year,
              "mon": months[value.month - 1], "mon3": months[value.month - 1][:3],
              "wd": DAYS.get(lang, DAYS["en"])[value.weekday()]}
    if isinstance(value, datetime):
        fields.update(h=value.hour, mi=value.minute, h12=(value.hour % 12) or 12,
                      ampm="AM" if value.hour < 12 else "PM")
    elif with_time:
        pattern = pattern.replace(" " + table["time"], "")
    return pattern.format(**fields)


def number_format(lang=None):
    return _NUMBERS.get(lang or get_language(), _NUMBERS["en"])


def format_decimal(value, places=2, lang=None):
    """1234.5 -> '1,234.50' (en), '1.234,50' (de)."""
    from decimal import Decimal
    from .text import intcomma
    fmt = number_format(lang)
    q = Decimal(value).quantize(Decimal(1).scaleb(-places))
    whole, _, frac = str(q).partition(".")
    text = intcomma(whole, fmt["thousands"])
    return text + (fmt["decimal"] + frac if frac else "")


def is_date(value):
    return isinstance(value, (date, datetime))
