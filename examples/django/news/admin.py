from django.contrib import admin

from .models import Article, Author, Tag


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "joined"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "published", "views"]
    list_filter = ["published", "tags"]
    search_fields = ["title", "summary"]
    date_hierarchy = "published"
    raw_id_fields = ["author"]
