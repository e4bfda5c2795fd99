"""The middleware chain: classes wrapped around the view, outermost
first, each seeing the request on the way in and the response on the
way out.

    class Middleware:
        def __init__(self, get_response, app): ...
        def __call__(self, request): ... response = self.get_response(request) ...

Exceptions raised inside reach the middleware above; the application's
error handling sits outside the whole chain, so middleware may raise
HTTP exceptions too.
"""
import gzip
import ipaddress
import logging
import re
import time
import uuid

from . import exceptions, i18n
from .response import NotModifiedResponse
from .sessions import SignedCookieSession

access_log = logging.getLogger("plainweb.access")


class Middleware:
    def __init__(self, get_response, app):
        self.get_response = get_response
        self.app = app
        self.settings = app.settings

    def __call__(self, request):
        return self.get_response(request)

    def __repr__(self):
        return "<%s>" % type(self).__name__


class RequestIDMiddleware(Middleware):
    """Gives each request an id (the client's X-Request-ID when it looks
    like one), logged and sent back."""

    header = "X-Request-ID"
    valid = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

    def __call__(self, request):
        incoming = request.environ.get("HTTP_X_REQUEST_ID", "")
        request.id = incoming if self.valid.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response.headers[self.header] = request.id
        return response


class ProxyHeadersMiddleware(Middleware):
    """Believes X-Forwarded-For and -Proto only from trusted proxies."""

    def __init__(self, get_response, app):
        super().__init__(get_response, app)
        self.trusted = [ipaddress.ip_network(n) for n in self.settings.trusted_proxies]

    def is_trusted(self, addr):
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def __call__(self, request):
        env = request.environ
        if self.trusted and self.is_trusted(env.get("REMOTE_ADDR", "")):
            chain = [a.strip() for a in env.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
            while chain and self.is_trusted(chain[-1]):
                chain.pop()
            if chain:
                env["plainweb.original_remote_addr"] = env.get("REMOTE_ADDR")
                env["REMOTE_ADDR"] = chain[-1]
            proto = env.get("HTTP_X_FORWARDED_PROTO", "").lower()
            if proto in ("http", "https"):
                env["wsgi.url_scheme"] = proto
        return self.get_response(request)


class TimingMiddleware(Middleware):
    """Server-Timing: how long the app took, and its database share."""

    def __call__(self, request):
        t0 = time.perf_counter()
        db_log = self.app.database.log
        q0, s0 = db_log.count, db_log.seconds
        response = self.get_response(request)
        total = (time.perf_counter() - t0) * 1000
        response.headers["Server-Timing"] = "app;dur=%.1f, db;dur=%.1f;desc=\"%d queries\"" % (
            total, (db_log.seconds - s0) * 1000, db_log.count - q0)
        request.duration_ms = total
        return response


class AccessLogMiddleware(Middleware):
    def __call__(self, request):
        response = self.get_response(request)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info('%s "%s %s" %d %d %s', request.remote_addr or "-", request.method,
                            request.full_path, response.status_code, len(response.body),
                            request.user_agent.browser or "-")
        return response


class SecurityHeadersMiddleware(Middleware):
    """The headers every page should carry."""

    def __init__(self, get_response, app):
        super().__init__(get_response, app)
        self.headers = [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        self.csp = self.settings.content_security_policy

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.headers:
            response.headers.setdefault(name, value)
        if self.csp and response.is_html:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


class CrossOriginMiddleware(Middleware):
    """Refuses state-changing requests sent from another site, the way
    browsers say so: Sec-Fetch-Site, or an Origin that is not this host.
    Requests without either (curl, load tests, other servers) are not
    from a browser on another site and pass, as do views marked
    csrf_exempt."""

    SAFE = frozenset(["GET", "HEAD", "OPTIONS", "TRACE"])

    def __call__(self, request):
        if request.method not in self.SAFE and not self.exempt(request):
            site = request.environ.get("HTTP_SEC_FETCH_SITE")
            origin = request.environ.get("HTTP_ORIGIN")
            if site is not None and site not in ("same-origin", "none"):
                raise exceptions.CrossOriginRefused()
            if site is None and origin and origin not in ("null",):
                host = origin.split("://", 1)[-1]
                if host != request.host:
                    raise exceptions.CrossOriginRefused()
        return self.get_response(request)

    def exempt(self, request):
        try:
            match = self.app.router.match(request.path, request.method)
        except exceptions.HTTPException:
            return False
        return getattr(match.view, "csrf_exempt", False)


class SessionMiddleware(Middleware):
    """request.session from the signed cookie; the cookie is rewritten
    only when the session changed."""

    def __call__(self, request):
        s = self.settings
        request.session = SignedCookieSession(s.secret_key, request.cookies.get(s.session_cookie),
                                              max_age=s.session_max_age)
        response = self.get_response(request)
        session = request.session
        if session.accessed:
            response.headers.add_vary("Cookie")
        if session.modified:
            if session.is_empty:
                response.delete_cookie(s.session_cookie)
            else:
                response.set_cookie(s.session_cookie, session.cookie_value(), max_age=s.session_max_age,
                                    secure=request.is_secure, httponly=True, samesite="Lax")
        return response


class MessagesMiddleware(Middleware):
    """One-time messages ("Added to your cart") carried in the session
    to the next page shown."""

    key = "_messages"

    def __call__(self, request):
        stored = request.session.get(self.key) if request.session is not None else None
        request.messages = list(stored or [])
        request.messages_shown = False
        response = self.get_response(request)
        if request.session is not None:
            if request.messages_shown and stored:
                del request.session[self.key]
            if request.messages and not request.messages_shown and request.messages != stored:
                request.session[self.key] = request.messages
        return response


class LocaleMiddleware(Middleware):
    """The request's language: ?lang=, the lang cookie, Accept-Language,
    in that order; active for the whole request."""

    def __call__(self, request):
        lang = request.args.get("lang")
        if lang not in i18n.LANGUAGES:
            lang = request.cookies.get("lang")
        if lang not in i18n.LANGUAGES:
            lang = i18n.negotiate(request.environ.get("HTTP_ACCEPT_LANGUAGE"), self.settings.languages)
        request.language = lang
        token = i18n.activate(lang)
        try:
            response = self.get_response(request)
        finally:
            i18n.deactivate(token)
        response.headers.add_vary("Accept-Language")
        response.headers.setdefault("Content-Language", lang)
        if request.args.get("lang") == lang:
            response.set_cookie("lang", lang, max_age=365 * 86400)
        return response


class CommonMiddleware(Middleware):
    """Refuses hosts that are not the site's (settings.allowed_hosts;
    a leading dot allows the subdomains)."""

    def __call__(self, request):
        allowed = self.settings.allowed_hosts
        if "*" not in allowed:
            host = request.host.rsplit(":", 1)[0].lower()
            if host not in allowed and not any(a.startswith(".") and host.endswith(a) for a in allowed):
                raise exceptions.BadRequest("Unknown host %r." % host)
        return self.get_response(request)


class ConditionalGetMiddleware(Middleware):
    """An ETag on every successful GET, and 304 when the client has it."""

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.add_etag(weak=True)
        etag = response.headers.get("ETag")
        if etag and request.if_none_match:
            tag = etag.split('"')[1]
            if request.if_none_match.contains_weak(tag):
                return NotModifiedResponse.replacing(response)
        last_modified = response.headers.get("Last-Modified")
        since = request.if_modified_since
        if last_modified and since and not request.if_none_match:
            from .timeutil import parse_http_date
            lm = parse_http_date(last_modified)
            if lm is not None and lm <= since:
                return NotModifiedResponse.replacing(response)
        return response


class GZipMiddleware(Middleware):
    """Compresses text responses for clients that accept gzip."""

    min_length = 512
    compressible = re.compile(r"^(text/|application/(json|xml|javascript|problem\+json)|image/svg)")

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.add_vary("Accept-Encoding")
        if (len(response.body) < self.min_length or "Content-Encoding" in response.headers
                or not self.compressible.match(response.content_type)
                or not request.accept_encodings.provided
                or "gzip" not in request.accept_encodings
                or not response.sized):
            return response
        packed = gzip.compress(response.body, compresslevel=5, mtime=0)
        if len(packed) >= len(response.body):
            return response
        response.body = packed
        response.headers["Content-Encoding"] = "gzip"
        etag = response.headers.get("ETag")
        if etag and not etag.startswith("W/"):
            response.headers["ETag"] = "W/" + etag
        return response


DEFAULT_MIDDLEWARE = (
    RequestIDMiddleware,
    ProxyHeadersMiddleware,
    TimingMiddleware,
    AccessLogMiddleware,
    SecurityHeadersMiddleware,
    GZipMiddleware,
    ConditionalGetMiddleware,
    CommonMiddleware,
    CrossOriginMiddleware,
    SessionMiddleware,
    MessagesMiddleware,
    LocaleMiddleware,
)
