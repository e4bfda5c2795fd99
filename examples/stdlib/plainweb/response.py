"""Responses: a status, headers and a body, callable as a WSGI app.

Views return one of these (or a string, which becomes an HTMLResponse).
Cookies are written with http.cookies so their quoting and attributes
are RFC 6265's.  JSON goes through one encoder that knows the types the
site's models hold (Decimal, datetime, UUID, enums, dataclasses).
"""
import dataclasses
import decimal
import enum
import hashlib
import json
import uuid
from datetime import date, datetime, time, timedelta
from http import HTTPStatus
from http.cookies import SimpleCookie

from .datastructures import Headers, quote_etag
from .timeutil import http_date, now


class JSONEncoder(json.JSONEncoder):
    """json.dumps for what models and serializers hand out."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat().replace("+00:00", "Z")
        if isinstance(o, (date, time)):
            return o.isoformat()
        if isinstance(o, timedelta):
            return o.total_seconds()
        if isinstance(o, decimal.Decimal):
            # As a string: a float would round prices.
            return str(o)
        if isinstance(o, uuid.UUID):
            return str(o)
        if isinstance(o, enum.Enum):
            return o.value
        if isinstance(o, (set, frozenset)):
            return sorted(o)
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return dataclasses.asdict(o)
        if hasattr(o, "__json__"):
            return o.__json__()
        if hasattr(o, "__html__"):
            return str(o)
        return super().default(o)


def json_dumps(data, pretty=False):
    if pretty:
        return json.dumps(data, cls=JSONEncoder, indent=2, ensure_ascii=False)
    return json.dumps(data, cls=JSONEncoder, separators=(",", ":"), ensure_ascii=False)


def status_line(code):
    try:
        return "%d %s" % (code, HTTPStatus(code).phrase)
    except ValueError:
        return "%d Unknown" % code


class Response:
    """A buffered response."""

    default_status = 200
    default_content_type = "text/html; charset=utf-8"
    charset = "utf-8"
    # The body's length is known before it is sent (Content-Length).
    sized = True

    def __init__(self, body=b"", status=None, headers=None, content_type=None):
        self.status_code = status or self.default_status
        self.headers = Headers(headers or ())
        if "Content-Type" not in self.headers:
            ctype = content_type or self.default_content_type
            if ctype:
                self.headers["Content-Type"] = ctype
        self._cookies = SimpleCookie()
        self.set_body(body)

    def set_body(self, body):
        if isinstance(body, str):
            body = body.encode(self.charset)
        self.body = bytes(body)

    @property
    def status(self):
        return status_line(self.status_code)

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "")

    @property
    def is_html(self):
        return self.content_type.startswith("text/html")

    def set_cookie(self, name, value="", max_age=None, path="/", domain=None,
                   secure=False, httponly=True, samesite="Lax", expires=None):
        self._cookies[name] = value
        morsel = self._cookies[name]
        if max_age is not None:
            morsel["max-age"] = int(max_age)
            if expires is None:
                expires = now() + timedelta(seconds=int(max_age))
        if expires is not None:
            morsel["expires"] = http_date(expires) if isinstance(expires, datetime) else expires
        morsel["path"] = path
        if domain:
            morsel["domain"] = domain
        if secure:
            morsel["secure"] = True
        if httponly:
            morsel["httponly"] = True
        if samesite:
            morsel["samesite"] = samesite

    def delete_cookie(self, name, path="/", domain=None):
        self.set_cookie(name, "", max_age=0, path=path, domain=domain,
                        expires="Thu, 01 Jan 1970 00:00:00 GMT")

    @property
    def cookies(self):
        return self._cookies

    def add_etag(self, weak=False):
        """Sets ETag from the body's hash (for conditional GETs)."""
        if "ETag" not in self.headers and self.body:
            digest = hashlib.blake2b(self.body, digest_size=12).hexdigest()
            self.headers["ETag"] = quote_etag(digest, weak)

    def cache_for(self, seconds, public=True):
        self.headers["Cache-Control"] = "%s, max-age=%d" % (
            "public" if public else "private", seconds)

    def wsgi_headers(self):
        headers = self.headers.to_wsgi_list()
        for morsel in self._cookies.values():
            headers.append(("Set-Cookie", morsel.OutputString()))
        if self.sized and self.status_code not in (204, 304) and \
                "Content-Length" not in self.headers:
            headers.append(("Content-Length", str(len(self.body))))
        return headers

    def iter_body(self):
        return [self.body] if self.body else []

    def __call__(self, environ, start_response):
        start_response(self.status, self.wsgi_headers())
        if environ.get("REQUEST_METHOD") == "HEAD" or self.status_code in (204, 304):
            return []
        return self.iter_body()

    def __repr__(self):
        return "<%s %s, %d bytes>" % (type(self).__name__, self.status, len(self.body))


class HTMLResponse(Response):
    pass


class TextResponse(Response):
    default_content_type = "text/plain; charset=utf-8"


class XMLResponse(Response):
    default_content_type = "application/xml; charset=utf-8"


class CSVResponse(Response):
    default_content_type = "text/csv; charset=utf-8"

    def __init__(self, body=b"", filename=None, **kwargs):
        super().__init__(body, **kwargs)
        if filename:
            self.headers["Content-Disposition"] = 'attachment; filename="%s"' % filename


class JSONResponse(Response):
    default_content_type = "application/json"

    def __init__(self, data=None, status=None, headers=None, pretty=False):
        self.data = data
        super().__init__(json_dumps(data, pretty), status, headers)


class ProblemResponse(JSONResponse):
    """RFC 9457 problem details: the API's error answers."""

    default_content_type = "application/problem+json"

    def __init__(self, status, title, detail=None, errors=None, headers=None):
        data = {"type": "about:blank", "status": status, "title": title}
        if detail:
            data["detail"] = detail
        if errors:
            data["errors"] = errors
        super().__init__(data, status, headers)


class RedirectResponse(Response):
    default_status = 302
    default_content_type = None

    def __init__(self, location, status=None, headers=None):
        super().__init__(b"", status, headers)
        self.headers["Location"] = location

    @property
    def location(self):
        return self.headers["Location"]


class PermanentRedirectResponse(RedirectResponse):
    default_status = 301


class SeeOtherResponse(RedirectResponse):
    """After a successful POST: the browser GETs the location."""

    default_status = 303


class NotModifiedResponse(Response):
    default_status = 304
    default_content_type = None

    # Headers a 304 must repeat from the 200 it stands for (RFC 9110 15.4.5).
    KEEP = ("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary")

    @classmethod
    def replacing(cls, response):
        self = cls()
        for name in cls.KEEP:
            for value in response.headers.getlist(name):
                self.headers.add(name, value)
        self._cookies = response.cookies
        return self


class NoContentResponse(Response):
    default_status = 204
    default_content_type = None


class StreamingResponse(Response):
    """A body produced piece by piece (the CSV export).  Nothing can be
    computed from the whole body, so no ETag and no Content-Length."""

    sized = False

    def __init__(self, chunks, status=None, headers=None, content_type=None):
        super().__init__(b"", status, headers, content_type)
        self.chunks = chunks

    def add_etag(self, weak=False):
        pass

    def iter_body(self):
        for chunk in self.chunks:
            yield chunk.encode(self.charset) if isinstance(chunk, str) else chunk


class FileResponse(Response):
    """A file from the static directory, already read (the files are
    small and the static handler caches them)."""

    def __init__(self, data, content_type, mtime=None, max_age=3600):
        super().__init__(data, content_type=content_type)
        if mtime is not None:
            self.headers["Last-Modified"] = http_date(mtime)
        self.cache_for(max_age)
        self.add_etag()
