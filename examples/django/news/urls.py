from django.urls import path

from . import views

app_name = "news"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.ArticleListView.as_view(), name="article_list"),
    # Before the slug pattern: "new" is a valid slug.
    path("articles/new/", views.article_new, name="article_new"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(),
         name="article_detail"),
    path("authors/", views.author_list, name="author_list"),
    path("authors/<int:pk>/", views.author_detail, name="author_detail"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("search/", views.search, name="search"),
    path("api/articles/", views.api_articles, name="api_articles"),
    path("api/articles/<int:pk>/", views.api_article, name="api_article"),
    path("health/", views.health, name="health"),
]
