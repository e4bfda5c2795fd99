"""A small Flask catalogue site: forkd's Flask example and benchmark app.

It is meant to look like a real (small) site rather than a hello-world:
an in-memory catalogue of a few hundred generated items built at import,
Jinja templates with inheritance, a signed-cookie session, a form that
validates, a JSON API and error handlers.

    build/forkd --app app:app --chdir examples/flask -w 8 -b 127.0.0.1:8000
    python3 -m gunicorn --chdir examples/flask -w 8 -b 127.0.0.1:8000 app:app

Routes:
  /                      home: categories, featured and newest items
  /items?page=&category= paginated list (24 a page)
  /items/<id>            one item, with related items; remembered in the
                         session ("recently viewed")
  /items/new             GET: a form; POST: validates, echoes the item
                         back (201) or the errors (400); nothing is stored
  /search?q=             substring search in names, tags and descriptions
  /api/items             JSON list (?limit=&offset=&category=&q=)
  /api/items/<id>        JSON of one item
  /echo                  POST: the form or JSON body back as JSON
  /health                JSON liveness probe
  anything else          the 404 page

Only Flask 2.2 (Debian's python3-flask) and the stdlib are used.
"""
import math
import os
import random
import time
from datetime import date, timedelta

from flask import (Flask, abort, jsonify, render_template, request,
                   session, url_for)

HERE = os.path.dirname(os.path.abspath(__file__))

app = Flask(__name__,
            template_folder=os.path.join(HERE, "templates"),
            static_folder=os.path.join(HERE, "static"))
# A fixed default, so every worker (forked or not, forkd or gunicorn)
# signs the session cookie with the same key.  Set one for real use.
app.config["SECRET_KEY"] = os.environ.get(
    "FLASK_SECRET_KEY", "forkd-example-not-a-secret")
app.config["JSON_SORT_KEYS"] = False
app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
app.jinja_env.trim_blocks = True
app.jinja_env.lstrip_blocks = True

PER_PAGE = 24
N_ITEMS = int(os.environ.get("FORKD_EXAMPLE_ITEMS", "400"))
STARTED = time.time()

# --------------------------------------------------------------------------
# The data set, generated deterministically at import.

CATEGORIES = ["Books", "Garden", "Kitchen", "Music", "Outdoor", "Tools",
              "Toys", "Electronics", "Stationery", "Bicycles"]
ADJECTIVES = ["Sturdy", "Compact", "Vintage", "Deluxe", "Foldable",
              "Handmade", "Lightweight", "Classic", "Solar", "Modular",
              "Quiet", "Rustic", "Wireless", "Waterproof", "Tiny"]
NOUNS = ["Lamp", "Kettle", "Notebook", "Shovel", "Speaker", "Tent",
         "Drill", "Puzzle", "Bell", "Planter", "Backpack", "Clock",
         "Guitar", "Pan", "Saddle", "Lantern", "Trowel", "Radio",
         "Frame", "Whistle"]
TAGS = ["gift", "eco", "sale", "new", "bestseller", "limited", "kids",
        "pro", "travel", "diy", "refurbished", "bundle"]
WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
         "eiusmod tempor incididunt ut labore et dolore magna aliqua enim "
         "ad minim veniam quis nostrud exercitation ullamco laboris nisi "
         "aliquip ex ea commodo consequat duis aute irure in reprehenderit "
         "voluptate velit esse cillum fugiat nulla pariatur").split()


def _make_items(n, seed=1234):
    rnd = random.Random(seed)
    base = date(2023, 1, 1)
    items = []
    for i in range(1, n + 1):
        name = "%s %s %s" % (rnd.choice(ADJECTIVES), rnd.choice(NOUNS),
                             rnd.choice(["Mk I", "Mk II", "Plus", "Mini",
                                         "XL", "2000", "Lite", "Pro"]))
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(25, 60))]
        items.append({
            "id": i,
            "sku": "FK-%05d" % (i * 7919 % 100000),
            "name": name,
            "category": rnd.choice(CATEGORIES),
            "price": round(rnd.uniform(2, 400), 2),
            "stock": rnd.randint(0, 120),
            "rating": round(rnd.uniform(1, 5), 1),
            "tags": sorted(rnd.sample(TAGS, rnd.randint(1, 4))),
            "added": (base + timedelta(days=rnd.randint(0, 700))).isoformat(),
            "description": " ".join(words).capitalize() + ".",
        })
    return items


ITEMS = _make_items(N_ITEMS)
BY_ID = {it["id"]: it for it in ITEMS}
BY_CATEGORY = {c: [it for it in ITEMS if it["category"] == c]
               for c in CATEGORIES}
# A lower-cased haystack per item, for /search.
_HAYSTACK = {it["id"]: " ".join([it["name"], it["sku"], it["category"],
                                 " ".join(it["tags"]),
                                 it["description"]]).lower()
             for it in ITEMS}


def search(q):
    q = q.strip().lower()
    if not q:
        return []
    terms = q.split()
    return [it for it in ITEMS
            if all(t in _HAYSTACK[it["id"]] for t in terms)]


def related(item, n=4):
    same = [it for it in BY_CATEGORY[item["category"]] if it is not item]
    same.sort(key=lambda it: (-len(set(it["tags"]) & set(item["tags"])),
                              abs(it["price"] - item["price"])))
    return same[:n]


def paginate(seq, page, per_page=PER_PAGE):
    pages = max(1, math.ceil(len(seq) / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return seq[start:start + per_page], page, pages


# --------------------------------------------------------------------------
# Jinja: filters and globals every template sees.

@app.template_filter("money")
def money(value):
    return "\u20ac%.2f" % value


@app.template_filter("stars")
def stars(value):
    full = int(round(value))
    return "\u2605" * full + "\u2606" * (5 - full)


@app.context_processor
def _globals():
    return {"categories": CATEGORIES, "n_items": len(ITEMS),
            "recent_ids": session.get("recent", []), "pid": os.getpid()}


# --------------------------------------------------------------------------
# Pages.

@app.route("/")
def index():
    featured = sorted(ITEMS, key=lambda it: (-it["rating"], it["id"]))[:6]
    newest = sorted(ITEMS, key=lambda it: (it["added"], it["id"]),
                    reverse=True)[:6]
    counts = {c: len(BY_CATEGORY[c]) for c in CATEGORIES}
    return render_template("index.html", featured=featured, newest=newest,
                           counts=counts)


@app.route("/items")
def items():
    category = request.args.get("category", "")
    if category and category not in BY_CATEGORY:
        abort(404)
    seq = BY_CATEGORY[category] if category else ITEMS
    sort = request.args.get("sort", "id")
    if sort == "price":
        seq = sorted(seq, key=lambda it: it["price"])
    elif sort == "rating":
        seq = sorted(seq, key=lambda it: -it["rating"])
    page_items, page, pages = paginate(seq,
                                       request.args.get("page", 1, type=int))
    return render_template("items.html", items=page_items, page=page,
                           pages=pages, category=category, sort=sort,
                           total=len(seq))


@app.route("/items/<int:item_id>")
def item(item_id):
    it = BY_ID.get(item_id)
    if it is None:
        abort(404)
    recent = [i for i in session.get("recent", []) if i != item_id]
    session["recent"] = ([item_id] + recent)[:5]
    return render_template("item.html", item=it, related=related(it),
                           recent=[BY_ID[i] for i in recent[:4]
                                   if i in BY_ID])


def validate_item(form):
    """The cleaned item and a dict of errors, from a posted form."""
    errors = {}
    clean = {}
    name = form.get("name", "").strip()
    if not name:
        errors["name"] = "A name is required."
    elif len(name) > 80:
        errors["name"] = "At most 80 characters."
    clean["name"] = name
    category = form.get("category", "")
    if category not in CATEGORIES:
        errors["category"] = "Choose one of the categories."
    clean["category"] = category
    try:
        price = float(form.get("price", ""))
        if not 0 < price < 100000:
            raise ValueError
        clean["price"] = round(price, 2)
    except ValueError:
        errors["price"] = "A price between 0 and 100000."
        clean["price"] = form.get("price", "")
    tags = [t.strip().lower() for t in form.get("tags", "").split(",")
            if t.strip()]
    if len(tags) > 6:
        errors["tags"] = "At most 6 tags."
    clean["tags"] = tags
    clean["description"] = form.get("description", "").strip()[:2000]
    return clean, errors


@app.route("/items/new", methods=["GET", "POST"])
def new_item():
    if request.method == "GET":
        return render_template("new_item.html", form={}, errors={})
    clean, errors = validate_item(request.form)
    if errors:
        return render_template("new_item.html", form=request.form,
                               errors=errors), 400
    # Nothing is stored: workers do not share memory writes, and the
    # benchmarks want a stable data set.  Echo what would be created.
    return render_template("created.html", item=clean), 201


@app.route("/search")
def search_page():
    q = request.args.get("q", "")
    results = search(q)
    page_items, page, pages = paginate(results,
                                       request.args.get("page", 1, type=int))
    return render_template("search.html", q=q, items=page_items,
                           total=len(results), page=page, pages=pages)


# --------------------------------------------------------------------------
# JSON.

@app.route("/api/items")
def api_items():
    seq = ITEMS
    category = request.args.get("category")
    if category:
        seq = BY_CATEGORY.get(category, [])
    q = request.args.get("q")
    if q:
        hits = {it["id"] for it in search(q)}
        seq = [it for it in seq if it["id"] in hits]
    limit = min(max(request.args.get("limit", 50, type=int), 1), 200)
    offset = max(request.args.get("offset", 0, type=int), 0)
    chunk = seq[offset:offset + limit]
    nxt = None
    if offset + limit < len(seq):
        nxt = url_for("api_items", limit=limit, offset=offset + limit,
                      **({"category": category} if category else {}))
    return jsonify(count=len(seq), offset=offset, limit=limit, next=nxt,
                   items=chunk)


@app.route("/api/items/<int:item_id>")
def api_item(item_id):
    it = BY_ID.get(item_id)
    if it is None:
        return jsonify(error="not found", id=item_id), 404
    return jsonify(dict(it, related=[r["id"] for r in related(it)]))


@app.route("/echo", methods=["POST"])
def echo():
    if request.is_json:
        data = request.get_json(silent=True)
        if data is None:
            return jsonify(error="invalid JSON"), 400
    else:
        data = request.form.to_dict(flat=False)
    return jsonify(method=request.method, content_type=request.content_type,
                   data=data, length=request.content_length)


@app.route("/health")
def health():
    return jsonify(status="ok", items=len(ITEMS), pid=os.getpid(),
                   uptime=round(time.time() - STARTED, 3))


# --------------------------------------------------------------------------
# Errors.

@app.errorhandler(404)
def not_found(e):
    if request.path.startswith("/api/"):
        return jsonify(error="not found", path=request.path), 404
    return render_template("404.html", path=request.path), 404


@app.errorhandler(400)
def bad_request(e):
    return render_template("error.html", code=400, message=e.description), 400


@app.errorhandler(500)
def server_error(e):
    return render_template("error.html", code=500,
                           message="Something went wrong."), 500


# Compile every template now, at import: under forkd (or gunicorn
# --preload) the workers then share the compiled templates instead of each
# compiling its own copy on first use.
for _name in app.jinja_env.list_templates():
    if _name.endswith(".html"):
        app.jinja_env.get_template(_name)

if __name__ == "__main__":
    app.run(port=int(os.environ.get("PORT", "8000")))
