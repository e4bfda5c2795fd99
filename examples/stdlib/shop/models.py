"""The shop's data: a catalogue (categories, products, reviews), a
journal (authors, articles, comments) and the tags both share."""
from plainweb import orm
from plainweb.text import reading_minutes
from plainweb.timeutil import now


def _reverse(name, **kwargs):
    # Imported here: the URL table imports the views, which import us.
    from .urls import router
    return router.reverse(name, **kwargs)


class Timestamped(orm.Model):
    created = orm.DateTimeField(default=now, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created"]


class Tag(orm.Model):
    name = orm.CharField(max_length=40)
    slug = orm.SlugField(unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return _reverse("tag", slug=self.slug)


class Category(orm.Model):
    name = orm.CharField(max_length=60)
    slug = orm.SlugField(unique=True)
    description = orm.TextField(blank=True, default="")
    position = orm.IntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return _reverse("category", slug=self.slug)


class ActiveProductManager(orm.Manager):
    """Products on sale; withdrawn ones stay in the table for old orders."""

    def get_queryset(self):
        return super().get_queryset().filter(active=True)


class Product(orm.Model):
    sku = orm.CharField(max_length=16, unique=True)
    name = orm.CharField(max_length=120)
    slug = orm.SlugField()
    category = orm.ForeignKey(Category, related_name="products", on_delete=orm.PROTECT)
    description = orm.TextField()
    price = orm.DecimalField(max_digits=8, decimal_places=2)
    stock = orm.PositiveIntegerField(default=0)
    rating = orm.FloatField(default=0.0)
    weight_grams = orm.PositiveIntegerField(default=500)
    active = orm.BooleanField(default=True)
    created = orm.DateTimeField(default=now)
    tags = orm.ManyToManyField(Tag, related_name="products")

    objects = orm.Manager()
    on_sale = ActiveProductManager()

    class Meta:
        ordering = ["name"]
        indexes = [("category", "price"), ("-rating",)]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return _reverse("product", pk=self.pk)

    @property
    def in_stock(self):
        return self.stock > 0

    @property
    def low_stock(self):
        return 0 < self.stock <= 5


class Review(Timestamped):
    product = orm.ForeignKey(Product, related_name="reviews")
    author_name = orm.CharField(max_length=60)
    rating = orm.IntegerField()
    title = orm.CharField(max_length=120)
    body = orm.TextField()

    def __str__(self):
        return self.title


class Author(orm.Model):
    name = orm.CharField(max_length=80)
    slug = orm.SlugField(unique=True)
    email = orm.EmailField()
    bio = orm.TextField(blank=True, default="")
    joined = orm.DateField()
    country = orm.CharField(max_length=2, default="NL")
    website = orm.URLField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return _reverse("author", pk=self.pk)


class PublishedManager(orm.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(published__lte=now())


class Article(orm.Model):
    title = orm.CharField(max_length=200)
    slug = orm.SlugField(unique=True, max_length=220)
    author = orm.ForeignKey(Author, related_name="articles")
    summary = orm.TextField()
    body = orm.TextField()
    published = orm.DateTimeField()
    views = orm.PositiveIntegerField(default=0)
    featured = orm.BooleanField(default=False)
    tags = orm.ManyToManyField(Tag, related_name="articles")
    products = orm.ManyToManyField(Product, related_name="articles")

    objects = orm.Manager()
    published_objects = PublishedManager()

    class Meta:
        ordering = ["-published"]
        indexes = [("-published",), ("-views",)]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return _reverse("article", slug=self.slug)

    @property
    def reading_minutes(self):
        return reading_minutes(self.body)


class Comment(Timestamped):
    article = orm.ForeignKey(Article, related_name="comments")
    author_name = orm.CharField(max_length=60)
    email = orm.EmailField()
    body = orm.TextField()
    approved = orm.BooleanField(default=True)

    def __str__(self):
        return "%s on %s" % (self.author_name, self.article_id)


# In creation order: a table comes after the ones it references.
MODELS = [Tag, Category, Product, Product.tags.field.through, Review, Author,
          Article, Article.tags.field.through, Article.products.field.through, Comment]
