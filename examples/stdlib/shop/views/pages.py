"""The home page, health, feeds, the sitemap, robots.txt and the contact
form."""
import os

from plainweb.cache import caches
from plainweb.feeds import AtomFeed, Sitemap
from plainweb.i18n import gettext_ as _
from plainweb.mail import build_message, get_backend
from plainweb.response import TextResponse, XMLResponse
from plainweb.views import APIView, FormView, TemplateView, View

from ..forms import ContactForm
from ..models import Article, Category, Product
from .journal import article_list
from .mixins import BreadcrumbsMixin, tag_cloud

outbox = get_backend("memory")


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        on_sale = Product.on_sale.select_related("category")
        ctx["best_rated"] = list(on_sale.order_by("-rating")[:8])
        ctx["newest"] = list(on_sale.order_by("-created")[:6])
        ctx["latest"] = list(article_list()[:5])
        ctx["featured"] = Article.published_objects.filter(featured=True).select_related("author").first()
        ctx["cloud"] = tag_cloud()
        return ctx


class HealthView(APIView):
    """Liveness and a little about this process."""

    def get(self, request, **kwargs):
        db = request.app.database
        ok = db.scalar("SELECT 1") == 1
        try:
            import forkd
            worker = forkd.worker_id()
        except (ImportError, AttributeError):
            worker = None
        data = {
            "status": "ok" if ok else "degraded",
            "database": ok,
            "pid": os.getpid(),
            "worker": worker,
            "requests": request.app.requests,
            "queries": db.log.count,
            "templates": len(request.app.templates.cache),
            "caches": {name: len(c) for name, c in sorted(caches.items())},
        }
        return self.render_json(data, 200 if ok else 503)


class FeedView(View):
    def get(self, request, **kwargs):
        app = request.app
        feed = AtomFeed(app.settings.site_name + " \u2014 " + _("Journal"),
                        request.build_absolute_uri(app.url_for("articles")),
                        request.build_absolute_uri(app.url_for("feed")),
                        subtitle=_("Notes from the workshop"))
        for a in article_list()[:20]:
            url = request.build_absolute_uri(a.get_absolute_url())
            feed.add(a.title, url, url, a.published, a.summary, a.author.name,
                     [t.slug for t in a.tags.all()])
        response = XMLResponse(feed.to_bytes(), content_type="application/atom+xml; charset=utf-8")
        response.cache_for(600)
        return response


class SitemapView(View):
    def get(self, request, **kwargs):
        sm = Sitemap()
        absolute = request.build_absolute_uri
        sm.add(absolute("/"), changefreq="daily", priority=1.0)
        for c in Category.objects.all():
            sm.add(absolute(c.get_absolute_url()), changefreq="weekly", priority=0.8)
        for p in Product.on_sale.all():
            sm.add(absolute(p.get_absolute_url()), lastmod=p.created, priority=0.6)
        for a in Article.published_objects.all():
            sm.add(absolute(a.get_absolute_url()), lastmod=a.published, priority=0.5)
        return XMLResponse(sm.to_bytes())


class RobotsView(View):
    def get(self, request, **kwargs):
        lines = ["User-agent: *", "Disallow: /cart/", "Disallow: /api/",
                 "Sitemap: %s" % request.build_absolute_uri(request.app.url_for("sitemap"))]
        return TextResponse("\n".join(lines) + "\n")


class ContactView(BreadcrumbsMixin, FormView):
    """POST: builds the email the shop would receive, "sends" it to this
    process's in-memory outbox, and shows it (201)."""

    template_name = "contact.html"
    form_class = ContactForm
    csrf_exempt = True

    def get_breadcrumbs(self):
        return [(_("Contact"), self.request.app.url_for("contact"))]

    def form_valid(self, form):
        d = form.cleaned_data
        settings = self.request.app.settings
        to = [(settings.site_name, settings.extra.get("contact_email", "shop@example.org"))]
        if d["copy_me"]:
            to.append((d["name"], d["email"]))
        msg = build_message("[%s] %s" % (d["topic"], d["name"]), d["message"],
                            (d["name"], d["email"]), to, reply_to=d["email"])
        outbox.send([msg])
        self.template_name = "contact_sent.html"
        return self.render_to_response(self.get_context_data(form=form, message=msg,
                                                             message_text=msg.as_string()),
                                       status=self.success_status)
