"""Assembling the site: settings, the application, the template filters
of the shop, and the warm-up that fills the caches before a server
forks its workers."""
import logging
import os
from decimal import Decimal

from plainweb import orm
from plainweb.application import Application, Settings, configure_logging
from plainweb.markup import markdown
from plainweb.templating import Markup

from . import search, seed
from .models import Article, Product
from .pricing import Money
from .serializers import render_markdown
from .urls import router
from .views.mixins import nav_categories, site_context, tag_cloud

log = logging.getLogger("shop")


def money(value, lang=None):
    """12.5 -> '€12.50' in the request's language."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Money):
        value = Money(Decimal(str(value)))
    return value.format(lang)


def stars(rating, out_of=5):
    try:
        full = int(round(float(rating)))
    except (TypeError, ValueError):
        full = 0
    full = max(0, min(out_of, full))
    return Markup('<span class="stars" title="%.1f / %d">%s%s</span>' % (
        float(rating or 0), out_of, "\u2605" * full, "\u2606" * (out_of - full)))


def percent(value):
    return "%s%%" % (Decimal(value).normalize() if isinstance(value, Decimal) else value)


def create_app(base_dir):
    settings = Settings.load(os.path.join(base_dir, "settings.toml"), env_prefix="SHOP",
                             base_dir=base_dir)
    configure_logging(settings.log_level)
    app = Application(settings, router, database=orm.default_database)
    if "static" not in router.by_name:
        router.add("/static/<path:path>", app.static_view, "static")
    app.add_context_processor(site_context)
    app.templates.filters.update(money=money, stars=stars, percent=percent, markdown=markdown)
    return app


def warm_up(app):
    """What the first requests would otherwise do in each worker: compile
    every template, read the static files, build the search index, fill
    the site caches and render the most read texts.  Run at import, so
    forked workers share all of it."""
    n_templates = app.templates.compile_all()
    n_static = app.static.preload()
    search.get_index()
    nav_categories()
    tag_cloud()
    for a in Article.published_objects.order_by("-views")[:60]:
        render_markdown("article", a, a.body)
    for p in Product.on_sale.order_by("-rating")[:60]:
        render_markdown("product", p, p.description)
    log.info("warm-up: %d templates, %d static files, %d documents indexed",
             n_templates, n_static, len(search.get_index().documents))


def ensure_database():
    return seed.ensure_database(orm.default_database)
