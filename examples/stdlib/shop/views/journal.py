"""The journal: articles, authors, tags, the monthly archive and the
article form."""
from datetime import datetime, timezone

from plainweb import exceptions
from plainweb.i18n import MONTHS, get_language
from plainweb.i18n import gettext_ as _
from plainweb.orm import Count
from plainweb.pagination import Paginator
from plainweb.timeutil import month_grid, month_range
from plainweb.views import DetailView, FormView, ListView, TemplateView

from ..forms import ArticleForm
from ..models import Article, Author, Product, Tag
from ..serializers import render_markdown
from .mixins import BreadcrumbsMixin, tag_cloud


def article_list():
    return (Article.published_objects.select_related("author").prefetch_related("tags")
            .annotate(n_comments=Count("comments", filter={"approved": 1})))


class JournalMixin(BreadcrumbsMixin):
    def get_breadcrumbs(self):
        return [(_("Journal"), self.request.app.url_for("articles"))]


class ArticleListView(JournalMixin, ListView):
    template_name = "article_list.html"
    paginate_by = 10
    context_object_name = "articles"
    orderings = {"popular": ["-views"], "oldest": ["published"], "newest": ["-published"]}

    def get_queryset(self):
        self.queryset = article_list()
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cloud"] = tag_cloud()
        ctx["heading"] = _("Journal")
        return ctx


class ArticleDetailView(JournalMixin, DetailView):
    template_name = "article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.published_objects.select_related("author").prefetch_related("tags")

    def get_breadcrumbs(self):
        return super().get_breadcrumbs() + [(self.object.title, self.object.get_absolute_url())]

    def get_context_data(self, **kwargs):
        a = self.object
        ctx = super().get_context_data(**kwargs)
        ctx["body_html"] = render_markdown("article", a, a.body)
        ctx["comments"] = list(a.comments.filter(approved=True).order_by("created"))
        ctx["products"] = list(a.products.select_related("category").all())
        ctx["more_by_author"] = list(Article.published_objects.filter(author=a.author_id)
                                     .exclude(pk=a.pk)[:3])
        ctx["previous"] = Article.published_objects.filter(published__lt=a.published).first()
        ctx["next"] = Article.published_objects.filter(published__gt=a.published).order_by("published").first()
        return ctx


class ArticleCreateView(JournalMixin, FormView):
    """GET: the form.  POST: a preview (201) or the errors (400); the
    article is not saved.  Open to POSTs from anywhere, for load tests."""

    template_name = "article_form.html"
    form_class = ArticleForm
    csrf_exempt = True

    def get_breadcrumbs(self):
        return super().get_breadcrumbs() + [(_("New article"), self.request.app.url_for("article_new"))]

    def form_valid(self, form):
        data = form.cleaned_data
        preview = Article(title=data["title"], slug="preview", author=data["author"],
                          summary=data["summary"], body=data["body"],
                          published=datetime.now(timezone.utc))
        self.template_name = "article_preview.html"
        from plainweb.markup import markdown
        return self.render_to_response(self.get_context_data(
            form=form, preview=preview, tags=data["tags"], body_html=markdown(data["body"])),
            status=self.success_status)


class AuthorListView(JournalMixin, ListView):
    template_name = "author_list.html"
    context_object_name = "authors"

    def get_queryset(self):
        self.queryset = Author.objects.annotate(n_articles=Count("articles"))
        return super().get_queryset()

    def get_breadcrumbs(self):
        return super().get_breadcrumbs() + [(_("Authors"), self.request.app.url_for("authors"))]


class AuthorDetailView(JournalMixin, DetailView):
    template_name = "author_detail.html"
    context_object_name = "author"
    model = Author

    def get_breadcrumbs(self):
        return super().get_breadcrumbs() + [(_("Authors"), self.request.app.url_for("authors")),
                                            (self.object.name, self.object.get_absolute_url())]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        paginator = Paginator(article_list().filter(author=self.object), 10)
        ctx["page"] = paginator.get_page(self.request.args.get("page", 1))
        ctx["articles"] = ctx["page"].object_list
        return ctx


class TagView(BreadcrumbsMixin, TemplateView):
    template_name = "tag_detail.html"

    def get_context_data(self, **kwargs):
        tag = Tag.objects.filter(slug=self.kwargs["slug"]).first()
        if tag is None:
            raise exceptions.NotFound(_("There is no such tag."))
        self.tag = tag
        ctx = super().get_context_data(**kwargs)
        ctx["tag"] = tag
        ctx["products"] = list(Product.on_sale.filter(tags=tag).select_related("category")
                               .order_by("-rating")[:12])
        ctx["articles"] = list(article_list().filter(tags=tag)[:10])
        ctx["n_articles"] = Article.published_objects.filter(tags=tag).count()
        return ctx

    def get_breadcrumbs(self):
        return [(_("Tags"), ""), (self.tag.name, self.tag.get_absolute_url())]


class ArchiveView(JournalMixin, TemplateView):
    """/journal/2023/05/: a month's articles, with a calendar."""

    template_name = "archive.html"

    def get_context_data(self, **kwargs):
        year, month = self.kwargs["year"], self.kwargs["month"]
        first, after = month_range(year, month)
        articles = list(article_list().filter(published__gte=first, published__lt=after)
                        .order_by("published"))
        days = {a.published.day for a in articles}
        ctx = super().get_context_data(**kwargs)
        ctx.update(year=year, month=month, articles=articles, days_with_posts=days,
                   weeks=month_grid(year, month),
                   month_name=MONTHS.get(get_language(), MONTHS["en"])[month - 1])
        return ctx
