"""Exceptions: one class per HTTP status a view may raise, redirects, and
the framework's own errors.

A view raises `NotFound()` or `abort(404)`; the application turns any
HTTPException into a response (an error page, or JSON for API paths).
Each class carries its status, the standard reason phrase and a short
description shown on the error page.  Nothing here renders anything.
"""
from http import HTTPStatus

# Every HTTPException subclass with a code, by code: abort() and the
# application's error handlers look classes up here.
_BY_CODE = {}


class PlainwebError(Exception):
    """Base of the framework's own (non-HTTP) errors."""


class ImproperlyConfigured(PlainwebError):
    """The settings or the wiring of the application are wrong."""


class NoReverseMatch(PlainwebError):
    """reverse() found no route of that name taking those arguments."""


class HTTPException(Exception):
    """An HTTP error or redirect raised by a view or the framework."""

    code = 500
    description = "The server could not complete the request."

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            _BY_CODE.setdefault(cls.code, cls)

    def __init__(self, description=None, headers=None):
        super().__init__(description or self.description)
        if description is not None:
            self.description = description
        self.extra_headers = list(headers or ())

    @property
    def title(self):
        try:
            return HTTPStatus(self.code).phrase
        except ValueError:
            return "Error"

    @property
    def status(self):
        return "%d %s" % (self.code, self.title)

    def get_headers(self):
        """Headers the response must carry besides Content-Type."""
        return list(self.extra_headers)

    def __repr__(self):
        return "<%s %d>" % (type(self).__name__, self.code)


class ClientError(HTTPException):
    """4xx: the request is at fault."""

    code = 400


class ServerError(HTTPException):
    """5xx: the server is at fault."""

    code = 500


class BadRequest(ClientError):
    code = 400
    description = "The browser sent a request this server could not understand."


class Unauthorized(ClientError):
    code = 401
    description = "You need to sign in to see this page."

    def __init__(self, description=None, realm="shop"):
        super().__init__(description)
        self.realm = realm

    def get_headers(self):
        return super().get_headers() + [
            ("WWW-Authenticate", 'Basic realm="%s"' % self.realm)]


class Forbidden(ClientError):
    code = 403
    description = "You are not allowed to see this page."


class CrossOriginRefused(Forbidden):
    description = "This form was sent from another site, so it was refused."


class NotFound(ClientError):
    code = 404
    description = "The page you asked for does not exist."


class MethodNotAllowed(ClientError):
    code = 405
    description = "This method is not allowed for this address."

    def __init__(self, allowed=(), description=None):
        super().__init__(description)
        self.allowed = sorted(set(allowed))

    def get_headers(self):
        return super().get_headers() + [("Allow", ", ".join(self.allowed))]


class NotAcceptable(ClientError):
    code = 406
    description = "No representation of this page matches what was asked for."


class RequestTimeout(ClientError):
    code = 408
    description = "The request took too long to arrive."


class Conflict(ClientError):
    code = 409
    description = "The request conflicts with the current state of the resource."


class Gone(ClientError):
    code = 410
    description = "This page was here once, and has been removed for good."


class LengthRequired(ClientError):
    code = 411
    description = "A request with a body must say how long it is."


class PreconditionFailed(ClientError):
    code = 412
    description = "A precondition of the request did not hold."


class RequestEntityTooLarge(ClientError):
    code = 413
    description = "The request body is larger than this site accepts."


class RequestURITooLarge(ClientError):
    code = 414
    description = "The address is longer than this site accepts."


class UnsupportedMediaType(ClientError):
    code = 415
    description = "The body's content type is not one this page reads."


class RangeNotSatisfiable(ClientError):
    code = 416
    description = "The requested range is outside the resource."


class ExpectationFailed(ClientError):
    code = 417
    description = "The server cannot meet the Expect header."


class ImATeapot(ClientError):
    code = 418
    description = "This server is a teapot; it will not brew coffee."


class MisdirectedRequest(ClientError):
    code = 421
    description = "This server does not answer for that host."


class UnprocessableEntity(ClientError):
    code = 422
    description = "The request was well formed but its content is invalid."


class Locked(ClientError):
    code = 423
    description = "The resource is locked."


class TooEarly(ClientError):
    code = 425
    description = "The server will not process a request that might be replayed."


class UpgradeRequired(ClientError):
    code = 426
    description = "Switch to another protocol to use this resource."


class PreconditionRequired(ClientError):
    code = 428
    description = "This request must be conditional."


class TooManyRequests(ClientError):
    code = 429
    description = "Too many requests in too short a time."

    def __init__(self, description=None, retry_after=None):
        super().__init__(description)
        self.retry_after = retry_after

    def get_headers(self):
        extra = [("Retry-After", str(self.retry_after))] if self.retry_after else []
        return super().get_headers() + extra


class RequestHeaderFieldsTooLarge(ClientError):
    code = 431
    description = "A request header is larger than this site accepts."


class UnavailableForLegalReasons(ClientError):
    code = 451
    description = "This page is not available for legal reasons."


class InternalServerError(ServerError):
    code = 500
    description = "Something broke on our side; it has been logged."

    def __init__(self, description=None, original=None):
        super().__init__(description)
        self.original = original


class NotImplementedYet(ServerError):
    code = 501
    description = "This feature is not implemented yet."


class BadGateway(ServerError):
    code = 502
    description = "A server this site depends on answered badly."


class ServiceUnavailable(ServerError):
    code = 503
    description = "The site is down for maintenance; try again shortly."


class GatewayTimeout(ServerError):
    code = 504
    description = "A server this site depends on did not answer in time."


class HTTPVersionNotSupported(ServerError):
    code = 505
    description = "This HTTP version is not supported."


# --- redirects -----------------------------------------------------------


class Redirect(HTTPException):
    """3xx: go to `location` instead.  Raised by views and the router
    (a missing trailing slash)."""

    code = 302
    description = "The page is at another address."

    def __init__(self, location, description=None):
        super().__init__(description)
        self.location = location

    def get_headers(self):
        return super().get_headers() + [("Location", self.location)]


class MovedPermanently(Redirect):
    code = 301


class Found(Redirect):
    code = 302


class SeeOther(Redirect):
    code = 303


class TemporaryRedirect(Redirect):
    code = 307


class PermanentRedirect(Redirect):
    code = 308


def abort(code, description=None, **kwargs):
    """Raises the HTTPException class registered for `code`."""
    cls = _BY_CODE.get(code)
    if cls is None:
        raise LookupError("no exception class for HTTP status %r" % code)
    raise cls(description=description, **kwargs)


def exception_for(code):
    """The HTTPException class for a status code (HTTPException itself
    for a code without one)."""
    return _BY_CODE.get(code, HTTPException)
