"""Creates, migrates and seeds the SQLite database on first use.

Called from site_project/wsgi.py at import.  Several processes may import
at once (gunicorn without --preload, two test runs), so the work is done
under an exclusive lock on a file next to the database and re-checked
once the lock is held.  A database that is already seeded costs one query.
"""
import fcntl
import logging
import os
import random
from datetime import date, datetime, timedelta, timezone

from django.conf import settings
from django.db import connection, transaction
from django.utils.text import slugify

log = logging.getLogger("news")

N_AUTHORS = 40
N_ARTICLES = int(os.environ.get("FORKD_EXAMPLE_ARTICLES", "400"))
TAGS = ["Python", "Linux", "Memory", "Kernels", "Databases", "Networking",
        "Security", "Web", "Compilers", "Performance", "Testing", "Cloud",
        "Hardware", "Open source", "Careers", "Science", "History",
        "Design"]
FIRST = ["Ada", "Alan", "Grace", "Linus", "Guido", "Barbara", "Ken",
         "Dennis", "Margaret", "Edsger", "Donald", "Frances", "John",
         "Radia", "Sophie", "Tim", "Hedy", "Bjarne", "Anita", "Niklaus"]
LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "van Rossum",
        "Liskov", "Thompson", "Ritchie", "Hamilton", "Dijkstra", "Knuth",
        "Allen", "McCarthy", "Perlman", "Wilson", "Berners-Lee", "Lamarr",
        "Stroustrup", "Borg", "Wirth"]
SUBJECTS = ["copy-on-write", "the page cache", "reference counting",
            "pre-fork servers", "huge pages", "io_uring", "SQLite",
            "garbage collection", "template engines", "URL routing",
            "keep-alive", "the GIL", "immortal objects", "zygotes",
            "memory fragmentation", "WSGI", "load balancers", "cgroups"]
PATTERNS = ["Understanding {s}", "{s} in practice", "Why {s} matters",
            "A short history of {s}", "{s}: ten lessons learned",
            "Measuring {s}", "The hidden cost of {s}", "Debugging {s}",
            "{s} for the impatient", "Rethinking {s}"]
WORDS = ("the a of to and in is it that for on with as was at by this be "
         "from or have an they which one you were all we can her has "
         "there been if more when will would who so no process memory "
         "page worker fork request server heap kernel python object "
         "share copy write read cache table query index latency").split()


def _db_path():
    return settings.DATABASES["default"]["NAME"]


def _seeded():
    if "news_article" not in connection.introspection.table_names():
        return False
    from .models import Article
    return Article.objects.exists()


def ensure_database():
    """Makes sure the schema exists and is seeded; idempotent."""
    path = _db_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if _seeded():
        return
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            connection.close()      # see the other process's work
            if _seeded():
                return
            from django.core.management import call_command
            call_command("migrate", interactive=False, verbosity=0)
            with transaction.atomic():
                _seed()
            log.info("news: created and seeded %s", path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sentence(rnd, lo=8, hi=20):
    words = [rnd.choice(WORDS) for _ in range(rnd.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def _seed():
    # Explicit ids: Django 3.2's bulk_create() does not read the new
    # primary keys back from SQLite.
    from .models import Article, Author, Tag
    rnd = random.Random(20240601)
    tags = Tag.objects.bulk_create(
        [Tag(id=i + 1, name=t, slug=slugify(t)) for i, t in enumerate(TAGS)])
    authors = []
    for i in range(N_AUTHORS):
        name = "%s %s" % (FIRST[i % len(FIRST)],
                          LAST[(i * 7 + i // len(FIRST)) % len(LAST)])
        authors.append(Author(
            id=i + 1, name=name, slug="%s-%d" % (slugify(name), i + 1),
            email="%s@example.org" % slugify(name),
            bio=" ".join(_sentence(rnd) for _ in range(3)),
            joined=date(2015, 1, 1) + timedelta(days=rnd.randint(0, 3000))))
    authors = Author.objects.bulk_create(authors)
    start = datetime(2021, 1, 1, tzinfo=timezone.utc)
    articles = []
    for i in range(N_ARTICLES):
        title = rnd.choice(PATTERNS).format(s=rnd.choice(SUBJECTS))
        title = title[0].upper() + title[1:]
        paras = ["\n".join(_sentence(rnd) for _ in range(rnd.randint(3, 7)))
                 for _ in range(rnd.randint(3, 8))]
        articles.append(Article(
            id=i + 1, title=title, slug="%s-%d" % (slugify(title), i + 1),
            author=rnd.choice(authors), summary=_sentence(rnd, 12, 30)[:300],
            body="\n\n".join(paras),
            published=start + timedelta(minutes=rnd.randint(0, 3 * 525600)),
            views=rnd.randint(0, 50000)))
    articles = Article.objects.bulk_create(articles)
    Through = Article.tags.through
    Through.objects.bulk_create([
        Through(article_id=a.pk, tag_id=t.pk)
        for a in articles for t in rnd.sample(tags, rnd.randint(1, 4))])


def warm_up():
    """Loads what the first requests would, so forked workers share it:
    the URL resolver (views, admin), the compiled templates, one query."""
    from django.template.loader import get_template
    from django.urls import get_resolver, reverse
    get_resolver().url_patterns
    reverse("news:home")
    reverse("admin:index")
    for name in ["base.html", "404.html", "500.html", "news/home.html",
                 "news/article_list.html", "news/article_detail.html",
                 "news/author_list.html", "news/author_detail.html",
                 "news/search.html", "news/article_form.html",
                 "news/article_preview.html", "news/_tag_cloud.html",
                 "news/_article_row.html", "news/_pager.html"]:
        get_template(name)
    from .models import Article
    Article.objects.select_related("author").first()
