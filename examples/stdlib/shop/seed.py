"""Creates and fills the SQLite database on first use.

The file lives outside the checkout, so a read-only tree works:
$FORKD_EXAMPLE_DB/forkd-example-stdlib-u<uid>-v1.sqlite3 when that
variable names a directory (created if missing), else the same name in
the system's temporary directory.

Several processes may import the app at once (gunicorn without
--preload, two test runs), so creating is done under an exclusive lock
on a file next to the database and the check is repeated once the lock
is held.  A database that is already seeded costs one query.  Names,
slugs and prices follow from row numbers, never from the random
generator, so every Python creates the same rows; the generator (fixed
seed) only writes the prose.
"""
import fcntl
import logging
import os
import random
import tempfile
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from plainweb.text import slugify

from . import models as m

log = logging.getLogger("shop.seed")

SCHEMA_VERSION = 1
N_PRODUCTS = 300
N_AUTHORS = 30
N_ARTICLES = 200

TAGS = ["Eco", "Gift", "Handmade", "Python", "Linux", "Travel", "Kids", "Outdoor",
        "Vintage", "Kitchen", "Garden", "Repair", "Music", "Reading", "Coffee",
        "Bicycles", "Memory", "Open source", "Design", "Winter"]
CATEGORIES = [
    ("Books", ["Notebook", "Atlas", "Cookbook", "Field guide", "Novel", "Manual"]),
    ("Kitchen", ["Kettle", "Pan", "Grinder", "Teapot", "Knife", "Scale"]),
    ("Garden", ["Trowel", "Planter", "Hose", "Seed box", "Shears", "Bird house"]),
    ("Tools", ["Drill", "Saw", "Wrench", "Level", "Chisel", "Clamp"]),
    ("Outdoor", ["Tent", "Lantern", "Backpack", "Stove", "Hammock", "Compass"]),
    ("Music", ["Guitar", "Ukulele", "Metronome", "Harmonica", "Drum", "Tuner"]),
    ("Bicycles", ["Saddle", "Bell", "Pump", "Light", "Lock", "Pannier"]),
    ("Electronics", ["Radio", "Speaker", "Charger", "Clock", "Lamp", "Sensor"]),
    ("Stationery", ["Pen", "Ink", "Sketchbook", "Ruler", "Stamp", "Folder"]),
    ("Toys", ["Puzzle", "Kite", "Top", "Yo-yo", "Train", "Marble run"]),
]
ADJECTIVES = ["Sturdy", "Compact", "Vintage", "Deluxe", "Foldable", "Handmade",
              "Lightweight", "Classic", "Solar", "Modular", "Quiet", "Rustic",
              "Wireless", "Waterproof", "Tiny", "Oak", "Copper", "Linen"]
FIRST = ["Ada", "Alan", "Grace", "Linus", "Guido", "Barbara", "Ken", "Dennis",
         "Margaret", "Edsger", "Donald", "Frances", "Radia", "Sophie", "Hedy"]
LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "van Rossum", "Liskov",
        "Thompson", "Ritchie", "Hamilton", "Dijkstra", "Knuth", "Allen",
        "Perlman", "Wilson", "Lamarr"]
COUNTRIES = ["NL", "BE", "DE", "FR", "ES", "IT", "SE", "PL", "AT", "IE"]
SUBJECTS = ["copy-on-write", "the page cache", "reference counting", "pre-fork servers",
            "huge pages", "io_uring", "SQLite", "garbage collection", "template engines",
            "URL routing", "keep-alive", "immortal objects", "zygotes", "repair cafes",
            "cast iron pans", "bicycle maintenance", "seed saving", "fountain pens"]
PATTERNS = ["Understanding {s}", "{s} in practice", "Why {s} matters",
            "A short history of {s}", "{s}: ten lessons learned", "Measuring {s}",
            "The hidden cost of {s}", "Debugging {s}", "{s} for the impatient",
            "Rethinking {s}", "Notes on {s}"]
WORDS = ("the a of to and in is it that for on with as was at by this be from or have "
         "an they which one you were all we can her has there been if more when will "
         "would who so no process memory page worker fork request server heap kernel "
         "python object share copy write read cache table query index latency lamp "
         "kettle garden repair wood steel brass linen season coffee winter").split()
EPOCH = datetime(2022, 1, 1, tzinfo=timezone.utc)


def database_path():
    directory = os.environ.get("FORKD_EXAMPLE_DB") or tempfile.gettempdir()
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, "forkd-example-stdlib-u%d-v%d.sqlite3" % (os.getuid(), SCHEMA_VERSION))


def _seeded(db):
    try:
        return db.scalar("SELECT value FROM seed_info WHERE key = 'version'") == str(SCHEMA_VERSION)
    except Exception as e:          # noqa: BLE001 -- no table yet
        if "no such table" in str(e):
            return False
        raise


def ensure_database(db):
    """Points `db` at the site's file and makes sure it is seeded.
    Returns True if this call created it."""
    db.configure(database_path())
    if _seeded(db):
        return False
    with open(db.path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            db.close()          # see what the other process wrote
            if _seeded(db):
                return False
            with db.atomic():
                for model in m.MODELS:
                    for sql in model._meta.create_sql():
                        db.execute(sql)
                db.execute("CREATE TABLE IF NOT EXISTS seed_info (key TEXT PRIMARY KEY, value TEXT)")
                _seed(random.Random(20240601))
                db.execute("INSERT OR REPLACE INTO seed_info VALUES ('version', ?)", [str(SCHEMA_VERSION)])
                db.execute("INSERT OR REPLACE INTO seed_info VALUES ('created', ?)",
                           [datetime.now(timezone.utc).isoformat(timespec="seconds")])
            db.execute("ANALYZE")
            log.info("shop: created and seeded %s", db.path)
            return True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sentence(rnd, lo=8, hi=18):
    words = [rnd.choice(WORDS) for _ in range(rnd.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def _paragraph(rnd, lo=3, hi=6):
    return " ".join(_sentence(rnd) for _ in range(rnd.randint(lo, hi)))


def _product_description(rnd, name, category):
    features = "\n".join("- %s" % _sentence(rnd, 3, 7) for _ in range(rnd.randint(3, 5)))
    return "%s\n\n## Features\n\n%s\n\n%s *%s* %s" % (
        _paragraph(rnd, 2, 4), features, _sentence(rnd), name.lower(),
        "is made to last." if category != "Toys" else "is safe for ages 6 and up.")


def _article_body(rnd, subject):
    parts = [_paragraph(rnd)]
    for _ in range(rnd.randint(2, 4)):
        parts.append("## %s" % _sentence(rnd, 3, 6).rstrip("."))
        parts.append(_paragraph(rnd))
        kind = rnd.randint(0, 3)
        if kind == 0:
            parts.append("\n".join("%d. %s" % (i + 1, _sentence(rnd, 4, 9)) for i in range(rnd.randint(2, 5))))
        elif kind == 1:
            parts.append("```python\n# %s\nfor page in pages:\n    copy(page)\n```" % subject)
        elif kind == 2:
            parts.append("> %s" % _sentence(rnd, 10, 20))
        parts.append("%s **%s** %s `%s`." % (_sentence(rnd), subject, _sentence(rnd, 4, 8).rstrip("."),
                                            rnd.choice(WORDS)))
    return "\n\n".join(parts)


def _seed(rnd):
    tags = m.Tag.objects.bulk_create([m.Tag(id=i + 1, name=t, slug=slugify(t)) for i, t in enumerate(TAGS)])
    cats = m.Category.objects.bulk_create([
        m.Category(id=i + 1, name=name, slug=slugify(name), position=i,
                   description=_paragraph(rnd, 1, 2)) for i, (name, _) in enumerate(CATEGORIES)])
    products = []
    for i in range(N_PRODUCTS):
        cat_i = i % len(CATEGORIES)
        noun = CATEGORIES[cat_i][1][(i // len(CATEGORIES)) % 6]
        name = "%s %s" % (ADJECTIVES[(i * 7) % len(ADJECTIVES)], noun)
        cents = 499 + (i * 7919) % 24000
        products.append(m.Product(
            id=i + 1, sku="SKU-%05d" % (i + 1), name=name, slug=slugify(name), category_id=cats[cat_i].pk,
            description=_product_description(rnd, name, CATEGORIES[cat_i][0]),
            price=Decimal(cents - cents % 100 + 95).scaleb(-2),
            stock=(i * 37) % 60, rating=round(2.5 + ((i * 13) % 26) / 10, 1),
            weight_grams=200 + (i * 97) % 9000, active=(i % 23) != 22,
            created=EPOCH + timedelta(hours=i * 29)))
    m.Product.objects.bulk_create(products)
    PT = m.Product.tags.field.through
    PT.objects.bulk_create([
        PT(product_id=p.pk, tag_id=t.pk) for p in products for t in rnd.sample(tags, rnd.randint(1, 3))])
    reviews = []
    for p in products:
        for j in range(rnd.randint(0, 4)):
            reviews.append(m.Review(
                product_id=p.pk, author_name="%s %s." % (rnd.choice(FIRST), rnd.choice(LAST)[0]),
                rating=rnd.randint(2, 5), title=_sentence(rnd, 2, 5).rstrip("."),
                body=_paragraph(rnd, 1, 3), created=EPOCH + timedelta(days=rnd.randint(30, 1000))))
    m.Review.objects.bulk_create(reviews)
    authors = []
    for i in range(N_AUTHORS):
        name = "%s %s" % (FIRST[i % len(FIRST)], LAST[(i * 4 + i // len(FIRST)) % len(LAST)])
        authors.append(m.Author(
            id=i + 1, name=name, slug="%s-%d" % (slugify(name), i + 1),
            email="%s@example.org" % slugify(name), bio=_paragraph(rnd, 2, 3),
            joined=date(2015, 1, 1) + timedelta(days=(i * 113) % 2500),
            country=COUNTRIES[i % len(COUNTRIES)],
            website="https://example.org/~%s" % slugify(name) if i % 3 else ""))
    m.Author.objects.bulk_create(authors)
    articles = []
    for i in range(N_ARTICLES):
        subject = SUBJECTS[(i * 5) % len(SUBJECTS)]
        title = PATTERNS[i % len(PATTERNS)].format(s=subject)
        title = title[0].upper() + title[1:]
        articles.append(m.Article(
            id=i + 1, title=title, slug="%s-%d" % (slugify(title), i + 1),
            author_id=authors[(i * 7) % N_AUTHORS].pk, summary=_sentence(rnd, 14, 28),
            body=_article_body(rnd, subject), published=EPOCH + timedelta(hours=i * 97),
            views=(i * 7717) % 50000, featured=i % 17 == 0))
    m.Article.objects.bulk_create(articles)
    AT = m.Article.tags.field.through
    AT.objects.bulk_create([AT(article_id=a.pk, tag_id=t.pk)
                            for a in articles for t in rnd.sample(tags, rnd.randint(1, 4))])
    AP = m.Article.products.field.through
    AP.objects.bulk_create([AP(article_id=a.pk, product_id=p.pk)
                            for a in articles for p in rnd.sample(products, rnd.randint(0, 3))])
    comments = []
    for a in articles:
        for j in range(rnd.randint(0, 6)):
            who = rnd.choice(FIRST)
            comments.append(m.Comment(
                article_id=a.pk, author_name=who, email="%s@example.net" % who.lower(),
                body=_paragraph(rnd, 1, 2), approved=rnd.random() > 0.1,
                created=a.published + timedelta(hours=rnd.randint(1, 400))))
    m.Comment.objects.bulk_create(comments)
