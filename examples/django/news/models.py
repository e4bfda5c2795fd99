from django.db import models
from django.urls import reverse


class Author(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    email = models.EmailField(blank=True)
    bio = models.TextField(blank=True)
    joined = models.DateField()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("news:author_detail", args=[self.pk])


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("news:tag", args=[self.slug])


class Article(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE,
                               related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    summary = models.CharField(max_length=300)
    body = models.TextField()
    published = models.DateTimeField(db_index=True)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-published", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("news:article_detail", args=[self.slug])

    def as_dict(self, body=False):
        d = {
            "id": self.pk,
            "title": self.title,
            "slug": self.slug,
            "url": self.get_absolute_url(),
            "author": {"id": self.author_id, "name": self.author.name},
            "tags": [t.slug for t in self.tags.all()],
            "summary": self.summary,
            "published": self.published.isoformat(),
            "views": self.views,
        }
        if body:
            d["body"] = self.body
        return d
