"""Dates and times as HTTP, the templates and the API write them.

All times the site stores are aware and in UTC; they are shown in the
site's time zone (zoneinfo, from the system's tz database, UTC if it has
none).  HTTP dates go through email.utils, which speaks RFC 5322 dates,
the format HTTP borrowed.
"""
import calendar
import email.utils
from datetime import date, datetime, timedelta, timezone

try:
    import zoneinfo
except ImportError:     # a Python built without it
    zoneinfo = None

UTC = timezone.utc


def now():
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def get_zone(name):
    """A tzinfo for `name`; UTC when the system has no tz database."""
    if zoneinfo is None or name in ("UTC", "Etc/UTC"):
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


def available_zones():
    """The zone names the settings form offers, sorted; ["UTC"] without
    a tz database."""
    if zoneinfo is None:
        return ["UTC"]
    try:
        names = zoneinfo.available_timezones()
    except OSError:
        names = set()
    return sorted(names) or ["UTC"]


def http_date(when=None):
    """An RFC 9110 date: 'Sun, 06 Nov 1994 08:49:37 GMT'."""
    if when is None:
        return email.utils.formatdate(usegmt=True)
    if isinstance(when, datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return email.utils.format_datetime(when.astimezone(UTC), usegmt=True)
    return email.utils.formatdate(when, usegmt=True)


def parse_http_date(value):
    """An aware datetime, or None for a missing or malformed date."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def to_timestamp(when):
    return calendar.timegm(when.astimezone(UTC).utctimetuple())


def parse_iso(value):
    """A datetime or date from the ISO text SQLite holds; None for ''."""
    if not value:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


_CHUNKS = (
    (365 * 24 * 3600, "year"),
    (30 * 24 * 3600, "month"),
    (7 * 24 * 3600, "week"),
    (24 * 3600, "day"),
    (3600, "hour"),
    (60, "minute"),
)


def timesince(when, reference=None):
    """'3 weeks', '1 day, 2 hours': the largest two units."""
    if when is None:
        return ""
    if not isinstance(when, datetime):
        when = datetime(when.year, when.month, when.day, tzinfo=UTC)
    reference = reference or now()
    seconds = int((reference - when).total_seconds())
    if seconds < 60:
        return "0 minutes"
    parts = []
    for size, name in _CHUNKS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append("%d %s%s" % (count, name, "" if count == 1 else "s"))
        if len(parts) == 2 or (parts and not count):
            break
    return ", ".join(parts)


def month_range(year, month):
    """The first day of the month and the first day of the next one."""
    first = date(year, month, 1)
    days = calendar.monthrange(year, month)[1]
    return first, first + timedelta(days=days)


def month_grid(year, month):
    """Weeks of the month, Monday first, 0 for the days of other months:
    the archive page's little calendar."""
    return calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)
