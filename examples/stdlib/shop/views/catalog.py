"""The catalogue: product lists, categories, product pages, reviews and
the CSV export."""
import csv
import io
from plainweb import exceptions
from plainweb.i18n import gettext_ as _
from plainweb.orm import Avg, Count
from plainweb.response import StreamingResponse
from plainweb.views import DetailView, FormView, ListView, View

from ..forms import ReviewForm
from ..models import Category, Product
from ..pricing import HOME_COUNTRY, Money, vat_rate
from ..serializers import render_markdown
from .mixins import BreadcrumbsMixin, RecentlyViewedMixin, filter_by_price


class ProductListView(BreadcrumbsMixin, ListView):
    template_name = "product_list.html"
    paginate_by = 24
    context_object_name = "products"
    orderings = {
        "name": ["name"],
        "price": ["price"],
        "-price": ["-price"],
        "rating": ["-rating"],
        "newest": ["-created"],
    }

    def base_queryset(self):
        return Product.on_sale.select_related("category").prefetch_related("tags")

    def get_queryset(self):
        self.queryset = self.base_queryset()
        qs = super().get_queryset()
        args = self.request.args
        if args.get("in_stock") == "1":
            qs = qs.filter(stock__gt=0)
        qs = filter_by_price(qs, args)
        tag = args.get("tag")
        if tag:
            qs = qs.filter(tags__slug=tag)
        return qs

    def get_breadcrumbs(self):
        return [(_("Products"), self.request.app.url_for("products"))]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["heading"] = _("All products")
        ctx["sorts"] = [("name", _("Name")), ("price", _("Price, low to high")),
                        ("-price", _("Price, high to low")), ("rating", _("Best rated")),
                        ("newest", _("Newest"))]
        return ctx


class CategoryView(ProductListView):
    def base_queryset(self):
        self.category = Category.objects.filter(slug=self.kwargs["slug"]).first()
        if self.category is None:
            raise exceptions.NotFound(_("There is no such category."))
        return super().base_queryset().filter(category=self.category)

    def get_breadcrumbs(self):
        return super().get_breadcrumbs() + [(self.category.name, self.category.get_absolute_url())]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["heading"] = self.category.name
        ctx["category"] = self.category
        return ctx


class ProductDetailView(BreadcrumbsMixin, RecentlyViewedMixin, DetailView):
    template_name = "product_detail.html"
    context_object_name = "product"

    def get_queryset(self):
        return Product.on_sale.select_related("category").prefetch_related("tags")

    def get(self, request, **kwargs):
        response = super().get(request, **kwargs)
        self.remember(self.object)
        return response

    def get_breadcrumbs(self):
        p = self.object
        return [(_("Products"), self.request.app.url_for("products")),
                (p.category.name, p.category.get_absolute_url()), (p.name, p.get_absolute_url())]

    def get_context_data(self, **kwargs):
        p = self.object
        ctx = super().get_context_data(**kwargs)
        reviews = p.reviews.order_by("-created")
        ctx["reviews"] = list(reviews[:10])
        ctx["review_stats"] = reviews.aggregate(avg=Avg("rating"), n=Count())
        ctx["related"] = list(Product.on_sale.filter(category=p.category).exclude(pk=p.pk)
                              .order_by("-rating")[:4])
        ctx["articles"] = list(p.articles.order_by("-published")[:3])
        ctx["description_html"] = render_markdown("product", p, p.description)
        ctx["price"] = Money(p.price)
        rate = vat_rate(HOME_COUNTRY, p.category.slug)
        ctx["vat_rate"] = rate
        ctx["review_form"] = ReviewForm()
        ctx["recently_viewed"] = self.recently_viewed(exclude=p.pk)
        return ctx


class ReviewCreateView(BreadcrumbsMixin, FormView):
    """POST a review: echoed back (201), or the form with its errors
    (400).  Nothing is stored."""

    template_name = "review_form.html"
    form_class = ReviewForm
    csrf_exempt = True

    def dispatch(self, request, **kwargs):
        self.product = Product.on_sale.select_related("category").filter(pk=kwargs["pk"]).first()
        if self.product is None:
            raise exceptions.NotFound()
        return super().dispatch(request, **kwargs)

    def get_breadcrumbs(self):
        return [(self.product.name, self.product.get_absolute_url()), (_("Write a review"), "")]

    def get_context_data(self, **kwargs):
        kwargs["product"] = self.product
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        self.template_name = "review_sent.html"
        return self.render_to_response(self.get_context_data(form=form, review=form.cleaned_data),
                                       status=self.success_status)


class ProductExportView(View):
    """/products/export.csv: the catalogue as CSV, row by row."""

    columns = ["sku", "name", "category", "price", "stock", "rating", "url"]

    def get(self, request, **kwargs):
        rows = Product.on_sale.select_related("category").order_by("sku")
        return StreamingResponse(self._lines(request, rows), content_type="text/csv; charset=utf-8",
                                 headers=[("Content-Disposition", 'attachment; filename="products.csv"')])

    def _lines(self, request, rows):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.columns)
        for p in rows:
            writer.writerow([p.sku, p.name, p.category.name, p.price, p.stock, p.rating,
                             request.build_absolute_uri(p.get_absolute_url())])
            if buf.tell() > 8192:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()
