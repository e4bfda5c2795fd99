"""Site search: an inverted index over products and articles, built in
memory from the database once per process (by the warm-up, before the
fork, so that workers share it).

Queries are words, "quoted phrases", -excluded words and the filters
tag:python and in:products / in:journal.  Results are ranked by a small
tf-idf with a bonus for words in titles.  A word the index does not know
gets a "did you mean" from difflib over the vocabulary.
"""
import difflib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import List

from plainweb.text import smart_split

STOPWORDS = frozenset("""
a an and are as at be but by for from has have in is it its of on or that the this to was
were will with you your we our not no can do does how what when why which who all more
""".split())

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def normalize(text):
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return text.lower()


def stem(word):
    """A light English stemmer: enough to match lamp and lamps."""
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[:-len(suffix)] + keep
    return word


def tokens(text):
    return [stem(w) for w in _WORD.findall(normalize(text)) if w not in STOPWORDS]


@dataclass
class Document:
    kind: str
    id: int
    title: str
    url: str
    snippet: str
    tags: List[str] = field(default_factory=list)
    text: str = ""


@dataclass
class ParsedQuery:
    terms: List[str] = field(default_factory=list)
    phrases: List[str] = field(default_factory=list)
    excluded: List[str] = field(default_factory=list)
    tags: List[str] = field(default_factory=list)
    kinds: List[str] = field(default_factory=list)
    words: List[str] = field(default_factory=list)

    @property
    def empty(self):
        return not (self.terms or self.phrases or self.tags)


def parse_query(q):
    pq = ParsedQuery()
    for part in smart_split(q or ""):
        if " " in part:
            pq.phrases.append(normalize(part))
            pq.terms += tokens(part)
        elif part.startswith("-") and len(part) > 1:
            pq.excluded += tokens(part[1:])
        elif part.startswith("tag:"):
            pq.tags.append(part[4:].lower())
        elif part.startswith("in:"):
            kind = {"products": "product", "journal": "article", "articles": "article"}.get(part[3:])
            if kind:
                pq.kinds.append(kind)
        else:
            found = tokens(part)
            pq.terms += found
            pq.words += [w for w in _WORD.findall(normalize(part)) if w not in STOPWORDS]
    return pq


class SearchIndex:
    TITLE_WEIGHT = 3

    def __init__(self):
        self.documents = {}
        self.postings = defaultdict(dict)          # term -> {doc key: weight}
        self.by_tag = defaultdict(set)
        self.vocabulary = set()
        self.built = False

    def add(self, doc):
        key = (doc.kind, doc.id)
        self.documents[key] = doc
        counts = Counter(tokens(doc.text))
        for t in tokens(doc.title):
            counts[t] += self.TITLE_WEIGHT
        for t in doc.tags:
            counts[stem(t)] += 2
            self.by_tag[t].add(key)
        length = sum(counts.values()) or 1
        for term, n in counts.items():
            self.postings[term][key] = n / length
        self.vocabulary.update(w for w in _WORD.findall(normalize(doc.title + " " + doc.text))
                               if len(w) > 3 and w not in STOPWORDS)

    def idf(self, term):
        n = len(self.postings.get(term, ()))
        return math.log((1 + len(self.documents)) / (1 + n)) + 1

    def search(self, query, limit=50):
        """(ranked documents, suggestions) for a query string."""
        pq = parse_query(query)
        if pq.empty:
            return [], []
        scores = None
        for term in pq.terms:
            posting = self.postings.get(term, {})
            found = {k: w * self.idf(term) for k, w in posting.items()}
            if scores is None:
                scores = found
            else:
                scores = {k: scores[k] + found[k] for k in scores.keys() & found.keys()}
        if scores is None:
            scores = {k: 1.0 for k in self.documents}
        for tag in pq.tags:
            keep = self.by_tag.get(tag, set())
            scores = {k: s for k, s in scores.items() if k in keep}
        for term in pq.excluded:
            drop = self.postings.get(term, {})
            scores = {k: s for k, s in scores.items() if k not in drop}
        if pq.kinds:
            scores = {k: s for k, s in scores.items() if k[0] in pq.kinds}
        for phrase in pq.phrases:
            scores = {k: s for k, s in scores.items()
                      if phrase in normalize(self.documents[k].title + " " + self.documents[k].text)}
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        suggestions = []
        if not ranked:
            for word in pq.words:
                if stem(word) not in self.postings:
                    suggestions += difflib.get_close_matches(word, self.vocabulary, n=3, cutoff=0.75)
        return [self.documents[k] for k, _ in ranked], suggestions


_index = SearchIndex()


def get_index():
    """The process's index, built on first use."""
    if not _index.built:
        build(_index)
    return _index


def build(index):
    from .models import Article, Product
    from plainweb.text import Truncator
    products = Product.on_sale.select_related("category").prefetch_related("tags")
    for p in products:
        index.add(Document("product", p.pk, p.name, p.get_absolute_url(),
                           Truncator(p.description).words(24),
                           [t.slug for t in p.tags.all()],
                           "%s %s %s" % (p.category.name, p.sku, p.description)))
    for a in Article.published_objects.select_related("author").prefetch_related("tags"):
        index.add(Document("article", a.pk, a.title, a.get_absolute_url(), a.summary,
                           [t.slug for t in a.tags.all()],
                           "%s %s %s" % (a.author.name, a.summary, a.body)))
    index.built = True
    return index
