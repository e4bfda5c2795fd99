"""What the site's pages have in common: breadcrumbs, the recently
viewed products, and the site-wide data every page shows (kept in a
short-lived cache, so a new product appears within a minute)."""
from decimal import Decimal, InvalidOperation

from plainweb.cache import named_cache
from plainweb.i18n import gettext_ as _
from plainweb.orm import Count
from plainweb.views import ContextMixin

from ..cart import Cart
from ..models import Category, Product, Tag

site_cache = named_cache("site", maxsize=32, ttl=60)


def nav_categories():
    return site_cache.get_or_set("categories", lambda: list(
        Category.objects.annotate(n_products=Count("products", filter={"active": 1}))))


def tag_cloud():
    def build():
        tags = list(Tag.objects.annotate(n_products=Count("products"), n_articles=Count("articles")))
        top = max((t.n_products + t.n_articles for t in tags), default=1) or 1
        for t in tags:
            t.weight = 1 + round(4 * (t.n_products + t.n_articles) / top)
        return tags
    return site_cache.get_or_set("tag_cloud", build)


def site_context(request):
    """The context processor every template gets."""
    session = request.session if request is not None else None
    return {
        "nav_categories": nav_categories(),
        "cart_count": len(Cart(session)) if session is not None else 0,
    }


class BreadcrumbsMixin(ContextMixin):
    """breadcrumbs: (label, url) pairs from Home to this page."""

    def get_breadcrumbs(self):
        return []

    def get_context_data(self, **kwargs):
        kwargs.setdefault("breadcrumbs", [(_("Home"), self.request.app.url_for("home"))]
                          + self.get_breadcrumbs())
        return super().get_context_data(**kwargs)


class RecentlyViewedMixin:
    """Remembers the products a visitor looked at, in the session."""

    session_key = "recent"
    keep = 6

    def remember(self, product):
        recent = [pid for pid in self.request.session.get(self.session_key, []) if pid != product.pk]
        recent.insert(0, product.pk)
        self.request.session[self.session_key] = recent[:self.keep]

    def recently_viewed(self, exclude=None):
        ids = [pid for pid in self.request.session.get(self.session_key, []) if pid != exclude]
        if not ids:
            return []
        found = Product.on_sale.in_bulk(ids)
        return [found[i] for i in ids if i in found]


def filter_by_price(qs, args):
    """?min_price= and ?max_price= on a product queryset; a value that
    is not a number is ignored, as a shop's filter box would."""
    for key, lookup in (("min_price", "price__gte"), ("max_price", "price__lte")):
        try:
            qs = qs.filter(**{lookup: Decimal(args.get(key, ""))})
        except InvalidOperation:
            continue
    return qs
