"""/search/?q=: products and articles from the in-memory index."""
from plainweb.i18n import gettext_ as _
from plainweb.pagination import Paginator
from plainweb.views import TemplateView

from ..forms import SearchForm
from ..models import Article, Product
from ..search import get_index
from .mixins import BreadcrumbsMixin


class SearchView(BreadcrumbsMixin, TemplateView):
    template_name = "search.html"
    per_page = 20

    def get_breadcrumbs(self):
        return [(_("Search"), self.request.app.url_for("search"))]

    def get_context_data(self, **kwargs):
        form = SearchForm(self.request.args)
        q = form.cleaned_data.get("q", "") if form.is_valid() else ""
        docs, suggestions = get_index().search(q) if q else ([], [])
        page = Paginator(docs, self.per_page).get_page(self.request.args.get("page", 1))
        # The page's rows, loaded with what the result list shows.
        products = Product.on_sale.select_related("category").in_bulk(
            d.id for d in page.object_list if d.kind == "product")
        articles = Article.objects.select_related("author").in_bulk(
            d.id for d in page.object_list if d.kind == "article")
        results = []
        for d in page.object_list:
            obj = (products if d.kind == "product" else articles).get(d.id)
            if obj is not None:
                results.append((d, obj))
        ctx = super().get_context_data(**kwargs)
        ctx.update(form=form, q=q, page=page, results=results, suggestions=suggestions,
                   total=len(docs))
        return ctx
