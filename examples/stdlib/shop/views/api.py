"""/api/: the JSON API.  Lists are paginated ({count, page, pages, next,
previous, results}); errors are problem+json."""
from plainweb.orm import Count, Q
from plainweb.views import APIDetailView, APIListView, APIView

from ..models import Article, Product, Tag
from ..search import get_index
from ..serializers import (ArticleDetailSerializer, ArticleSerializer, ProductDetailSerializer,
                           ProductSerializer, TagSerializer)
from .mixins import filter_by_price


class APIRootView(APIView):
    def get(self, request, **kwargs):
        links = {name.split(":", 1)[1]: request.build_absolute_uri(request.app.url_for(name))
                 for name in ("api:products", "api:articles", "api:tags", "api:search")}
        return self.render_json({"version": 1, "links": links})


class ProductListAPI(APIListView):
    serializer_class = ProductSerializer
    orderings = {"price": ["price"], "-price": ["-price"], "rating": ["-rating"], "newest": ["-created"]}

    def get_queryset(self):
        self.queryset = Product.on_sale.select_related("category").prefetch_related("tags")
        qs = super().get_queryset()
        args = self.request.args
        if args.get("category"):
            qs = qs.filter(category__slug=args["category"])
        if args.get("tag"):
            qs = qs.filter(tags__slug=args["tag"])
        if args.get("q"):
            qs = qs.filter(Q(name__icontains=args["q"]) | Q(sku__iexact=args["q"]))
        return filter_by_price(qs, args)


class ProductDetailAPI(APIDetailView):
    serializer_class = ProductDetailSerializer

    def get_queryset(self):
        return Product.on_sale.select_related("category").prefetch_related("tags", "reviews")


class ArticleListAPI(APIListView):
    serializer_class = ArticleSerializer
    orderings = {"popular": ["-views"], "oldest": ["published"]}

    def get_queryset(self):
        self.queryset = Article.published_objects.select_related("author").prefetch_related("tags")
        qs = super().get_queryset()
        args = self.request.args
        author = args.get("author", type=int)
        if author:
            qs = qs.filter(author=author)
        if args.get("tag"):
            qs = qs.filter(tags__slug=args["tag"])
        return qs


class ArticleDetailAPI(APIDetailView):
    serializer_class = ArticleDetailSerializer

    def get_queryset(self):
        return Article.published_objects.select_related("author").prefetch_related("tags", "products")


class TagListAPI(APIView):
    def get(self, request, **kwargs):
        tags = Tag.objects.annotate(n_products=Count("products"), n_articles=Count("articles"))
        data = TagSerializer(tags, many=True, context={"request": request,
                                                       "router": request.app.router}).data
        for item, tag in zip(data, tags):
            item["products"], item["articles"] = tag.n_products, tag.n_articles
        return self.render_json({"count": len(data), "results": data})


class SearchAPI(APIView):
    def get(self, request, **kwargs):
        q = request.args.get("q", "")
        docs, suggestions = get_index().search(q, limit=20)
        return self.render_json({
            "query": q,
            "results": [{"kind": d.kind, "id": d.id, "title": d.title,
                         "url": request.build_absolute_uri(d.url), "tags": d.tags} for d in docs],
            "suggestions": suggestions,
        })
