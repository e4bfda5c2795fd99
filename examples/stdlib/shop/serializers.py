"""What the JSON API returns for each model."""
from plainweb import serializers as s
from plainweb.cache import named_cache
from plainweb.markup import markdown

# Rendered Markdown by (kind, id): the same text always renders the same.
rendered = named_cache("markdown", maxsize=2000)


def render_markdown(kind, obj, text):
    return rendered.get_or_set((kind, obj.pk), lambda: markdown(text))


class TagSerializer(s.Serializer):
    name = s.CharField()
    slug = s.CharField()
    url = s.URLField("tag", slug="slug")


class CategorySerializer(s.Serializer):
    id = s.IntegerField()
    name = s.CharField()
    slug = s.CharField()
    url = s.URLField("category", slug="slug")


class AuthorSerializer(s.Serializer):
    id = s.IntegerField()
    name = s.CharField()
    country = s.CharField()
    url = s.URLField("author", pk="id")


class ProductSerializer(s.Serializer):
    id = s.IntegerField()
    sku = s.CharField()
    name = s.CharField()
    category = CategorySerializer()
    price = s.DecimalField(places=2)
    currency = s.MethodField()
    rating = s.FloatField(places=1)
    in_stock = s.BooleanField()
    tags = TagSerializer(many=True)
    url = s.URLField("api:product", pk="id")
    html_url = s.URLField("product", pk="id")

    def get_currency(self, obj):
        return "EUR"


class ReviewSerializer(s.Serializer):
    author = s.CharField("author_name")
    rating = s.IntegerField()
    title = s.CharField()
    created = s.DateTimeField()


class ProductDetailSerializer(ProductSerializer):
    description = s.CharField()
    description_html = s.MethodField()
    stock = s.IntegerField()
    weight_grams = s.IntegerField()
    created = s.DateTimeField()
    reviews = ReviewSerializer(many=True)

    def get_description_html(self, obj):
        return render_markdown("product", obj, obj.description)


class ArticleSerializer(s.Serializer):
    id = s.IntegerField()
    title = s.CharField()
    slug = s.CharField()
    author = AuthorSerializer()
    summary = s.CharField()
    published = s.DateTimeField()
    views = s.IntegerField()
    tags = TagSerializer(many=True)
    url = s.URLField("api:article", pk="id")
    html_url = s.URLField("article", slug="slug")


class CommentSerializer(s.Serializer):
    author = s.CharField("author_name")
    body = s.CharField()
    created = s.DateTimeField()


class ArticleDetailSerializer(ArticleSerializer):
    body = s.CharField()
    body_html = s.MethodField()
    reading_minutes = s.IntegerField()
    comments = s.MethodField()
    products = s.MethodField()

    def get_body_html(self, obj):
        return render_markdown("article", obj, obj.body)

    def get_comments(self, obj):
        approved = obj.comments.filter(approved=True).order_by("created")
        return CommentSerializer(approved, many=True, context=self.context).data

    def get_products(self, obj):
        return [{"id": p.pk, "name": p.name} for p in obj.products.all()]
