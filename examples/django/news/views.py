import os

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import DetailView, ListView

from .forms import ArticleForm, SearchForm
from .models import Article, Author, Tag

PER_PAGE = 20


def _articles():
    return Article.objects.select_related("author").prefetch_related("tags")


@require_GET
def home(request):
    return render(request, "news/home.html", {
        "latest": _articles()[:8],
        "popular": _articles().order_by("-views")[:5],
        "top_authors": Author.objects.annotate(n=Count("articles"))
                                     .order_by("-n", "name")[:6],
        "n_articles": Article.objects.count(),
    })


class ArticleListView(ListView):
    template_name = "news/article_list.html"
    context_object_name = "articles"
    paginate_by = PER_PAGE

    def get_queryset(self):
        qs = _articles()
        if self.request.GET.get("sort") == "popular":
            qs = qs.order_by("-views", "-id")
        return qs


class ArticleDetailView(DetailView):
    model = Article
    template_name = "news/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return _articles()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a = self.object
        ctx["more_by_author"] = (a.author.articles.exclude(pk=a.pk)
                                 .order_by("-published")[:5])
        # "Recently read", kept in the (signed-cookie) session.
        seen = [pk for pk in self.request.session.get("seen", [])
                if pk != a.pk]
        self.request.session["seen"] = [a.pk] + seen[:4]
        ctx["seen"] = (Article.objects.filter(pk__in=seen[:4])
                       .only("title", "slug"))
        return ctx


@require_GET
def author_list(request):
    authors = Author.objects.annotate(n=Count("articles"))
    return render(request, "news/author_list.html", {"authors": authors})


@require_GET
def author_detail(request, pk):
    author = get_object_or_404(Author, pk=pk)
    page = Paginator(_articles().filter(author=author), PER_PAGE) \
        .get_page(request.GET.get("page"))
    return render(request, "news/author_detail.html",
                  {"author": author, "page_obj": page,
                   "articles": page.object_list})


@require_GET
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = Paginator(_articles().filter(tags=tag), PER_PAGE) \
        .get_page(request.GET.get("page"))
    return render(request, "news/article_list.html",
                  {"tag": tag, "page_obj": page, "articles": page.object_list,
                   "is_paginated": page.has_other_pages()})


@require_GET
def search(request):
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = None
    if q:
        cond = Q()
        for term in q.split():
            cond &= (Q(title__icontains=term) | Q(summary__icontains=term)
                     | Q(author__name__icontains=term))
        page = Paginator(_articles().filter(cond), PER_PAGE) \
            .get_page(request.GET.get("page"))
    return render(request, "news/search.html",
                  {"form": form, "q": q, "page_obj": page,
                   "articles": page.object_list if page else []})


# The form is a demo a load test posts to without fetching a token first:
# exempt from CSRF (the rest of the site keeps the middleware's checks).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def article_new(request):
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            # Validated, not saved: the data set stays stable for benchmarks.
            messages.success(request, "Your article is valid.")
            return render(request, "news/article_preview.html",
                          {"article": form.cleaned_data}, status=201)
        return render(request, "news/article_form.html", {"form": form},
                      status=400)
    return render(request, "news/article_form.html", {"form": ArticleForm()})


@require_GET
def api_articles(request):
    qs = _articles()
    if request.GET.get("author"):
        qs = qs.filter(author_id=request.GET["author"])
    if request.GET.get("tag"):
        qs = qs.filter(tags__slug=request.GET["tag"])
    try:
        per = min(max(int(request.GET.get("per_page", PER_PAGE)), 1), 100)
    except ValueError:
        per = PER_PAGE
    page = Paginator(qs, per).get_page(request.GET.get("page"))
    return JsonResponse({
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next": page.next_page_number() if page.has_next() else None,
        "results": [a.as_dict() for a in page.object_list],
    })


@require_GET
def api_article(request, pk):
    try:
        a = _articles().get(pk=pk)
    except Article.DoesNotExist:
        return JsonResponse({"error": "not found", "id": pk}, status=404)
    return JsonResponse(a.as_dict(body=True))


@require_GET
def health(request):
    with connection.cursor() as c:
        c.execute("SELECT 1")
        db = c.fetchone()[0] == 1
    return JsonResponse({"status": "ok" if db else "degraded",
                         "database": db, "pid": os.getpid()})
