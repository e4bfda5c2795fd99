"""Atom feeds and sitemaps, built with xml.etree so that escaping and
namespaces are the XML library's business, not string formatting's."""
import xml.etree.ElementTree as ET
from datetime import datetime

from .timeutil import now

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ET.register_namespace("", ATOM_NS)


def _iso(when):
    if isinstance(when, datetime):
        return when.isoformat().replace("+00:00", "Z")
    return when.isoformat()


class FeedItem:
    __slots__ = ("title", "link", "id", "updated", "summary", "author", "categories")

    def __init__(self, title, link, id, updated, summary="", author=None, categories=()):
        self.title, self.link, self.id, self.updated = title, link, id, updated
        self.summary, self.author, self.categories = summary, author, list(categories)


class AtomFeed:
    """An Atom 1.0 document (RFC 4287)."""

    def __init__(self, title, link, feed_id, subtitle=None, author=None):
        self.title = title
        self.link = link
        self.id = feed_id
        self.subtitle = subtitle
        self.author = author
        self.items = []

    def add(self, *args, **kwargs):
        self.items.append(FeedItem(*args, **kwargs))

    def _el(self, parent, tag, text=None, **attrs):
        el = ET.SubElement(parent, "{%s}%s" % (ATOM_NS, tag), attrs)
        if text is not None:
            el.text = str(text)
        return el

    def to_element(self):
        feed = ET.Element("{%s}feed" % ATOM_NS)
        self._el(feed, "title", self.title)
        if self.subtitle:
            self._el(feed, "subtitle", self.subtitle)
        self._el(feed, "link", href=self.link, rel="alternate")
        self._el(feed, "id", self.id)
        updated = max((i.updated for i in self.items), default=None) or now()
        self._el(feed, "updated", _iso(updated))
        if self.author:
            self._el(self._el(feed, "author"), "name", self.author)
        for item in self.items:
            entry = self._el(feed, "entry")
            self._el(entry, "title", item.title)
            self._el(entry, "link", href=item.link, rel="alternate")
            self._el(entry, "id", item.id)
            self._el(entry, "updated", _iso(item.updated))
            if item.author:
                self._el(self._el(entry, "author"), "name", item.author)
            for c in item.categories:
                self._el(entry, "category", term=c)
            if item.summary:
                self._el(entry, "summary", item.summary, type="text")
        return feed

    def to_bytes(self):
        return ET.tostring(self.to_element(), encoding="utf-8", xml_declaration=True)


class Sitemap:
    """A sitemaps.org urlset."""

    def __init__(self):
        self.urls = []

    def add(self, loc, lastmod=None, changefreq=None, priority=None):
        self.urls.append((loc, lastmod, changefreq, priority))

    def to_bytes(self):
        urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
        for loc, lastmod, changefreq, priority in self.urls:
            url = ET.SubElement(urlset, "url")
            ET.SubElement(url, "loc").text = loc
            if lastmod is not None:
                ET.SubElement(url, "lastmod").text = _iso(lastmod)
            if changefreq:
                ET.SubElement(url, "changefreq").text = changefreq
            if priority is not None:
                ET.SubElement(url, "priority").text = "%.1f" % priority
        return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
