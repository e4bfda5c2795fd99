"""The site's addresses.  Names are what templates and models pass to
url() and reverse()."""
from plainweb.routing import Router, include, route

from .views import api, cart, catalog, journal, pages, search

api_routes = [
    route("/", api.APIRootView.as_view(), name="root"),
    route("/products/", api.ProductListAPI.as_view(), name="products"),
    route("/products/<int:pk>/", api.ProductDetailAPI.as_view(), name="product"),
    route("/articles/", api.ArticleListAPI.as_view(), name="articles"),
    route("/articles/<int:pk>/", api.ArticleDetailAPI.as_view(), name="article"),
    route("/tags/", api.TagListAPI.as_view(), name="tags"),
    route("/search/", api.SearchAPI.as_view(), name="search"),
]

routes = [
    route("/", pages.HomeView.as_view(), name="home"),
    route("/health/", pages.HealthView.as_view(), name="health"),
    route("/feed.xml", pages.FeedView.as_view(), name="feed"),
    route("/sitemap.xml", pages.SitemapView.as_view(), name="sitemap"),
    route("/robots.txt", pages.RobotsView.as_view(), name="robots"),
    route("/contact/", pages.ContactView.as_view(), name="contact"),
    route("/products/", catalog.ProductListView.as_view(), name="products"),
    route("/products/export.csv", catalog.ProductExportView.as_view(), name="products_csv"),
    route("/products/<int:pk>/", catalog.ProductDetailView.as_view(), name="product"),
    route("/products/<int:pk>/reviews/", catalog.ReviewCreateView.as_view(), name="review_new",
          methods=["GET", "POST"]),
    route("/categories/<slug:slug>/", catalog.CategoryView.as_view(), name="category"),
    route("/journal/", journal.ArticleListView.as_view(), name="articles"),
    route("/journal/new/", journal.ArticleCreateView.as_view(), name="article_new"),
    route("/journal/<int(min=2000,max=2100):year>/<int(min=1,max=12,fixed_digits=2):month>/",
          journal.ArchiveView.as_view(), name="archive"),
    route("/journal/<slug:slug>/", journal.ArticleDetailView.as_view(), name="article"),
    route("/authors/", journal.AuthorListView.as_view(), name="authors"),
    route("/authors/<int:pk>/", journal.AuthorDetailView.as_view(), name="author"),
    route("/tags/<slug:slug>/", journal.TagView.as_view(), name="tag"),
    route("/search/", search.SearchView.as_view(), name="search"),
    route("/cart/", cart.CartView.as_view(), name="cart", methods=["GET", "POST"]),
    include("/api", api_routes, namespace="api"),
]

router = Router(routes)
