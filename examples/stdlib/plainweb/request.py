"""Request: what a view sees of the WSGI environ.

Everything is parsed on first use and cached on the instance, so a view
that never reads the form never pays for parsing it.  The body is read
once, bounded by the application's max_content_length.  Multipart forms
are parsed with the email package, which is what the cgi module (gone
since Python 3.13) used to wrap.
"""
import email.parser
import email.policy
import json
import re
from functools import cached_property
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl, quote, urlencode

from . import exceptions
from .datastructures import (CharsetAccept, EnvironHeaders, ETags, FileStorage,
                             ImmutableMultiDict, LanguageAccept, MIMEAccept,
                             CacheControl, parse_options_header)
from .timeutil import parse_http_date

_UA_RULES = [
    ("edge", re.compile(r"Edg(?:e|A|iOS)?/([\d.]+)")),
    ("opera", re.compile(r"OPR/([\d.]+)")),
    ("chrome", re.compile(r"(?:Chrome|CriOS)/([\d.]+)")),
    ("firefox", re.compile(r"(?:Firefox|FxiOS)/([\d.]+)")),
    ("safari", re.compile(r"Version/([\d.]+).*Safari/")),
    ("curl", re.compile(r"curl/([\d.]+)")),
    ("wrk", re.compile(r"wrk(?:/([\d.]+))?")),
    ("python", re.compile(r"Python-urllib/([\d.]+)")),
    ("bot", re.compile(r"(?:bot|crawler|spider)[/ ]?([\d.]*)", re.I)),
]
_PLATFORMS = [
    ("android", re.compile(r"Android")),
    ("iphone", re.compile(r"iPhone|iPad")),
    ("windows", re.compile(r"Windows")),
    ("macos", re.compile(r"Mac OS X|Macintosh")),
    ("linux", re.compile(r"Linux|X11")),
]


class UserAgent:
    """A rough reading of User-Agent, for the access log and the stats
    page; never used to decide what to serve."""

    def __init__(self, string):
        self.string = string or ""
        self.browser = self.version = self.platform = None
        for name, rx in _UA_RULES:
            m = rx.search(self.string)
            if m:
                self.browser, self.version = name, m.group(1) or None
                break
        for name, rx in _PLATFORMS:
            if rx.search(self.string):
                self.platform = name
                break

    @property
    def is_bot(self):
        return self.browser == "bot"

    def __str__(self):
        return self.string

    def __repr__(self):
        return "<UserAgent %s/%s on %s>" % (self.browser, self.version, self.platform)


class Request:
    """One HTTP request.  `app` is the Application (settings, router),
    set by it before the middleware chain runs."""

    max_content_length = 1024 * 1024
    max_form_parts = 200

    def __init__(self, environ, app=None):
        self.environ = environ
        self.app = app
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        self.path = environ.get("PATH_INFO", "") or "/"
        self.script_root = environ.get("SCRIPT_NAME", "").rstrip("/")
        self.query_string = environ.get("QUERY_STRING", "")
        # Filled by the router and the middleware.
        self.route = None
        self.url_kwargs = {}
        self.session = None
        self.language = None
        self.id = None
        self.messages = []

    def __repr__(self):
        return "<Request %s %s>" % (self.method, self.full_path)

    # --- address ----------------------------------------------------------

    @cached_property
    def headers(self):
        return EnvironHeaders(self.environ)

    @cached_property
    def scheme(self):
        return self.environ.get("wsgi.url_scheme", "http")

    @property
    def is_secure(self):
        return self.scheme == "https"

    @cached_property
    def host(self):
        host = self.environ.get("HTTP_HOST")
        if not host:
            host = self.environ.get("SERVER_NAME", "localhost")
            port = self.environ.get("SERVER_PORT", "")
            if port and port not in ("80", "443"):
                host = "%s:%s" % (host, port)
        return host

    @cached_property
    def full_path(self):
        path = quote(self.script_root + self.path)
        return path + ("?" + self.query_string if self.query_string else "")

    @cached_property
    def url(self):
        return "%s://%s%s" % (self.scheme, self.host, self.full_path)

    @cached_property
    def base_url(self):
        return "%s://%s%s" % (self.scheme, self.host, self.script_root)

    def build_absolute_uri(self, location):
        if location.startswith(("http://", "https://")):
            return location
        return self.base_url + location

    @property
    def remote_addr(self):
        return self.environ.get("REMOTE_ADDR", "")

    @cached_property
    def is_api(self):
        return self.path.startswith("/api/")

    # --- query string and body -------------------------------------------------

    @cached_property
    def args(self):
        return ImmutableMultiDict(parse_qsl(self.query_string, keep_blank_values=True))

    @property
    def GET(self):
        return self.args

    def url_with(self, **changes):
        """This request's path with some query arguments changed (None
        removes one): the pager's links."""
        pairs = [(k, v) for k, v in self.args.items(multi=True) if k not in changes]
        pairs += [(k, v) for k, v in changes.items() if v is not None]
        return self.path + ("?" + urlencode(pairs) if pairs else "")

    @cached_property
    def content_type(self):
        return parse_options_header(self.environ.get("CONTENT_TYPE", ""))

    @cached_property
    def content_length(self):
        try:
            n = int(self.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise exceptions.BadRequest("Content-Length is not a number.")
        if n < 0:
            raise exceptions.BadRequest("Content-Length is negative.")
        return n

    @cached_property
    def body(self):
        n = self.content_length
        limit = self.app.settings.max_content_length if self.app else self.max_content_length
        if n > limit:
            raise exceptions.RequestEntityTooLarge()
        stream = self.environ.get("wsgi.input")
        if not n or stream is None:
            return b""
        data = stream.read(n)
        if len(data) < n:
            raise exceptions.BadRequest("The body ended early.")
        return data

    def _parse_body(self):
        mime, params = self.content_type
        if self.method in ("GET", "HEAD", "DELETE", "OPTIONS"):
            return ImmutableMultiDict(), ImmutableMultiDict()
        if mime == "application/x-www-form-urlencoded" or (not mime and self.body):
            charset = params.get("charset", "utf-8")
            try:
                text = self.body.decode(charset)
            except (LookupError, UnicodeDecodeError):
                raise exceptions.BadRequest("The form is not valid %s." % charset)
            pairs = parse_qsl(text, keep_blank_values=True,
                              max_num_fields=self.max_form_parts)
            return ImmutableMultiDict(pairs), ImmutableMultiDict()
        if mime == "multipart/form-data":
            return self._parse_multipart()
        return ImmutableMultiDict(), ImmutableMultiDict()

    def _parse_multipart(self):
        head = ("Content-Type: %s\r\n\r\n" % self.environ.get("CONTENT_TYPE", "")).encode("latin-1")
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + self.body)
        if not msg.is_multipart():
            raise exceptions.BadRequest("A multipart form without parts.")
        form, files = [], []
        for i, part in enumerate(msg.iter_parts()):
            if i >= self.max_form_parts:
                raise exceptions.RequestEntityTooLarge("Too many form parts.")
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files.append((name, FileStorage(filename, part.get_content_type(),
                                                payload, name)))
            else:
                charset = part.get_content_charset() or "utf-8"
                form.append((name, payload.decode(charset, "replace")))
        return ImmutableMultiDict(form), ImmutableMultiDict(files)

    @cached_property
    def _form_and_files(self):
        return self._parse_body()

    @property
    def form(self):
        return self._form_and_files[0]

    POST = form

    @property
    def files(self):
        return self._form_and_files[1]

    @cached_property
    def json(self):
        if self.content_type[0] != "application/json":
            raise exceptions.UnsupportedMediaType("Send application/json.")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise exceptions.BadRequest("The JSON body does not parse: %s" % e)

    # --- negotiated headers ---------------------------------------------------------

    @cached_property
    def cookies(self):
        jar = SimpleCookie()
        try:
            jar.load(self.environ.get("HTTP_COOKIE", ""))
        except CookieError:
            return {}
        return {k: m.value for k, m in jar.items()}

    @cached_property
    def accept_mimetypes(self):
        return MIMEAccept(self.environ.get("HTTP_ACCEPT"))

    @cached_property
    def accept_languages(self):
        return LanguageAccept(self.environ.get("HTTP_ACCEPT_LANGUAGE"))

    @cached_property
    def accept_charsets(self):
        return CharsetAccept(self.environ.get("HTTP_ACCEPT_CHARSET"))

    @cached_property
    def accept_encodings(self):
        return CharsetAccept(self.environ.get("HTTP_ACCEPT_ENCODING"))

    @cached_property
    def cache_control(self):
        return CacheControl.parse(self.environ.get("HTTP_CACHE_CONTROL"))

    @cached_property
    def if_none_match(self):
        return ETags.parse(self.environ.get("HTTP_IF_NONE_MATCH"))

    @cached_property
    def if_modified_since(self):
        return parse_http_date(self.environ.get("HTTP_IF_MODIFIED_SINCE"))

    @cached_property
    def user_agent(self):
        return UserAgent(self.environ.get("HTTP_USER_AGENT"))

    @property
    def is_xhr(self):
        return self.environ.get("HTTP_X_REQUESTED_WITH", "").lower() == "xmlhttprequest"

    def wants_json(self):
        """An API path, or a client that prefers JSON to HTML."""
        if self.is_api:
            return True
        accept = self.accept_mimetypes
        return accept.provided and accept.best_match(
            ["text/html", "application/json"]) == "application/json"
