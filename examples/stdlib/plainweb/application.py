"""The WSGI application: settings, the router, the middleware chain,
templates, and what happens when something raises.

    app = Application(Settings.load("settings.toml"), routes)
    # app(environ, start_response) is the WSGI callable

Exceptions become responses at the innermost layer, right around the
view, so every middleware still sees a response (the session cookie,
the security headers and the request id are set on error pages too).
Whatever a middleware itself raises is caught once more outside the
chain.
"""
import contextvars
import dataclasses
import html
import logging
import logging.config
import os
import sys
import traceback
from typing import List

try:
    import tomllib
except ImportError:       # Python < 3.11: settings from defaults and env only
    tomllib = None

from . import exceptions, i18n
from .middleware import DEFAULT_MIDDLEWARE
from .orm import default_database
from .request import Request
from .response import HTMLResponse, ProblemResponse, RedirectResponse, Response, TextResponse
from .routing import Router
from .static import StaticFiles
from .templating import Environment, FileSystemLoader, TemplateNotFound
from .timeutil import get_zone, now

log = logging.getLogger("plainweb")
current_request = contextvars.ContextVar("current_request", default=None)


@dataclasses.dataclass
class Settings:
    """Everything configurable.  Loaded from a TOML file, then from
    environment variables PREFIX_<NAME> (upper case), which win."""

    site_name: str = "plainweb site"
    secret_key: str = "change-me"
    debug: bool = False
    allowed_hosts: List[str] = dataclasses.field(default_factory=lambda: ["*"])
    trusted_proxies: List[str] = dataclasses.field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])
    time_zone: str = "UTC"
    languages: List[str] = dataclasses.field(default_factory=lambda: list(i18n.LANGUAGES))
    session_cookie: str = "session"
    session_max_age: int = 14 * 86400
    max_content_length: int = 1024 * 1024
    content_security_policy: str = "default-src 'self'; img-src 'self' data:; style-src 'self'"
    per_page: int = 20
    log_level: str = "WARNING"
    base_dir: str = "."
    template_dir: str = "templates"
    static_dir: str = "static"
    locale_dir: str = "locale"
    extra: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def load(cls, path=None, env_prefix=None, **overrides):
        values = {}
        if path and tomllib is not None and os.path.exists(path):
            with open(path, "rb") as f:
                data = tomllib.load(f)
            known = {f.name for f in dataclasses.fields(cls)}
            extra = {}
            for section, table in data.items():
                if isinstance(table, dict) and section not in known:
                    for k, v in table.items():
                        (values if k in known else extra)[k] = v
                elif section in known:
                    values[section] = table
                else:
                    extra[section] = table
            values.setdefault("extra", {}).update(extra)
        if env_prefix:
            for f in dataclasses.fields(cls):
                raw = os.environ.get("%s_%s" % (env_prefix, f.name.upper()))
                if raw is not None:
                    values[f.name] = cls._from_env(f, raw)
        values.update(overrides)
        return cls(**values)

    @staticmethod
    def _from_env(field, raw):
        kind = field.type if isinstance(field.type, type) else None
        if kind is bool or field.type == "bool":
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if kind is int or field.type == "int":
            return int(raw)
        if "List" in str(field.type) or "list" in str(field.type):
            return [p.strip() for p in raw.split(",") if p.strip()]
        return raw

    def path(self, name):
        return os.path.join(self.base_dir, getattr(self, name))


class RequestContextFilter(logging.Filter):
    """Adds the current request's id and path to log records."""

    def filter(self, record):
        request = current_request.get()
        record.request_id = getattr(request, "id", None) or "-"
        record.path = getattr(request, "path", "-") if request is not None else "-"
        return True


def configure_logging(level):
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContextFilter}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                       "formatter": "plain", "filters": ["request"]},
        },
        "loggers": {
            "plainweb": {"level": level, "handlers": ["stderr"], "propagate": False},
            "shop": {"level": level, "handlers": ["stderr"], "propagate": False},
        },
    })


class Application:
    def __init__(self, settings, routes=(), middleware=DEFAULT_MIDDLEWARE, database=None):
        self.settings = settings
        self.database = database or default_database
        self.router = routes if isinstance(routes, Router) else Router(routes)
        self.templates = Environment(FileSystemLoader(settings.path("template_dir")),
                                     auto_reload=settings.debug)
        self.static = StaticFiles(settings.path("static_dir"))
        self.context_processors = [self._base_context]
        self.zone = get_zone(settings.time_zone)
        i18n.set_timezone(self.zone)
        i18n.load_catalogs(settings.path("locale_dir"))
        self.templates.globals.update({
            "url": self.url_for,
            "static": self.static.url,
            "_": i18n.gettext_,
            "gettext": i18n.gettext_,
            "ngettext": i18n.ngettext,
            "pgettext": i18n.pgettext,
            "now": now,
            "settings": settings,
            "languages": i18n.LANGUAGES,
        })
        self.middleware = [cls for cls in middleware]
        self.handler = self._build_chain()
        self.started = now()
        self.requests = 0

    def _build_chain(self):
        handler = self.handle_view
        for cls in reversed(self.middleware):
            handler = cls(handler, self)
        return handler

    # --- helpers for views ----------------------------------------------------------

    def url_for(self, name, **kwargs):
        return self.router.reverse(name, **kwargs)

    def add_context_processor(self, func):
        self.context_processors.append(func)
        return func

    def _base_context(self, request):
        return {"request": request, "language": request.language if request else i18n.get_language()}

    def render(self, template_names, context, request=None):
        if isinstance(template_names, str):
            template_names = [template_names]
        tpl = self.templates.select_template(template_names)
        full = {}
        for processor in self.context_processors:
            full.update(processor(request))
        full.update(context)
        if request is not None:
            request.messages_shown = bool(request.messages)
        return tpl.render(full)

    def static_view(self, request, path):
        return self.static.serve(request, path)

    # --- requests -------------------------------------------------------------------------

    def handle_view(self, request):
        try:
            match = self.router.match(request.path, request.method)
            request.route = match
            request.url_kwargs = match.kwargs
            response = match.view(request, **match.kwargs)
            if isinstance(response, str):
                response = HTMLResponse(response)
            if not isinstance(response, Response):
                raise TypeError("view %s returned %r, not a Response" % (match.name, type(response)))
            return response
        except exceptions.HTTPException as e:
            return self.error_response(request, e)
        except Exception as e:                                  # noqa: BLE001
            return self.server_error(request, e)

    def error_response(self, request, exc):
        headers = exc.get_headers()
        if isinstance(exc, exceptions.Redirect):
            return RedirectResponse(exc.location, exc.code, [h for h in headers if h[0] != "Location"])
        if request.wants_json():
            return ProblemResponse(exc.code, exc.title, exc.description, headers=headers)
        context = {"code": exc.code, "title": exc.title, "description": exc.description,
                   "exception": exc}
        try:
            body = self.render(["errors/%d.html" % exc.code, "errors/error.html"], context, request)
        except TemplateNotFound:
            body = "<h1>%d %s</h1><p>%s</p>" % (exc.code, exc.title, html.escape(exc.description))
        return HTMLResponse(body, exc.code, headers)

    def server_error(self, request, error):
        log.error("error in %s %s:\n%s", request.method, request.path,
                  "".join(traceback.format_exception(type(error), error, error.__traceback__)))
        exc = exceptions.InternalServerError(original=error)
        if self.settings.debug:
            exc.description = "%s: %s" % (type(error).__name__, error)
        try:
            return self.error_response(request, exc)
        except Exception:                                       # noqa: BLE001
            log.exception("the error page itself failed")
            return TextResponse("500 Internal Server Error\n", 500)

    def __call__(self, environ, start_response):
        request = Request(environ, self)
        token = current_request.set(request)
        self.requests += 1
        try:
            try:
                response = self.handler(request)
            except exceptions.HTTPException as e:
                response = self.error_response(request, e)
            except Exception as e:                              # noqa: BLE001
                response = self.server_error(request, e)
            return response(environ, start_response)
        finally:
            current_request.reset(token)

    def __repr__(self):
        return "<Application %s: %d routes, %d middleware>" % (
            self.settings.site_name, len(self.router.rules), len(self.middleware))


def run_development_server(app, host="127.0.0.1", port=8000):
    """python3 app.py: serve with wsgiref, one request at a time."""
    from wsgiref.simple_server import make_server
    with make_server(host, port, app) as server:
        print("serving on http://%s:%d/ (Ctrl-C stops)" % (host, port), file=sys.stderr)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
