"""A small Markdown dialect for product descriptions and journal posts:
headings, paragraphs, lists, block quotes, fenced code, rules, and
inline emphasis, code and links.  Input is escaped first, so the output
is safe to mark safe.

Each kind of block is a class with a `match` regular expression and a
`render` method; the renderer tries them in order at the start of each
block.  The output of a given text never changes, so callers cache it.
"""
import html
import re

from .templating.runtime import Markup


class BlockRule:
    """One kind of block.  `match` is tried at the start of a chunk of
    lines separated by blank lines."""

    match = None

    def applies(self, chunk):
        return self.match.match(chunk) is not None

    def render(self, chunk, inline):
        raise NotImplementedError


class FencedCode(BlockRule):
    match = re.compile(r"^```(\w*)\n(.*?)\n?```$", re.S)

    def render(self, chunk, inline):
        m = self.match.match(chunk)
        lang = ' class="language-%s"' % m.group(1) if m.group(1) else ""
        return "<pre><code%s>%s</code></pre>" % (lang, m.group(2))


class Heading(BlockRule):
    match = re.compile(r"^(#{1,6})\s+(.+)$")

    def render(self, chunk, inline):
        m = self.match.match(chunk)
        level = min(len(m.group(1)) + 1, 6)        # h1 is the page's title
        return "<h%d>%s</h%d>" % (level, inline(m.group(2).strip()), level)


class Rule(BlockRule):
    match = re.compile(r"^(?:-{3,}|\*{3,})$")

    def render(self, chunk, inline):
        return "<hr>"


class Quote(BlockRule):
    match = re.compile(r"^&gt; ")

    def render(self, chunk, inline):
        lines = [line[5:] if line.startswith("&gt; ") else line for line in chunk.split("\n")]
        return "<blockquote><p>%s</p></blockquote>" % inline(" ".join(lines))


class BulletList(BlockRule):
    match = re.compile(r"^[-*] ")
    item = re.compile(r"^[-*] ", re.M)
    tag = "ul"

    def render(self, chunk, inline):
        items = [i.strip().replace("\n", " ") for i in self.item.split(chunk) if i.strip()]
        return "<%s>%s</%s>" % (self.tag, "".join("<li>%s</li>" % inline(i) for i in items), self.tag)


class OrderedList(BulletList):
    match = re.compile(r"^\d+\. ")
    item = re.compile(r"^\d+\. ", re.M)
    tag = "ol"


class Paragraph(BlockRule):
    match = re.compile(r"")

    def render(self, chunk, inline):
        return "<p>%s</p>" % inline(chunk.replace("\n", " "))


class InlineRule:
    """One inline pattern: a regex and a replacement template."""

    def __init__(self, pattern, replacement):
        self.pattern = re.compile(pattern)
        self.replacement = replacement

    def apply(self, text):
        return self.pattern.sub(self.replacement, text)


_CODE_SPAN = re.compile(r"`([^`]+)`")
_SAFE_URL = re.compile(r"^(?:https?://|/|#|mailto:)", re.I)


class MarkdownRenderer:
    block_rules = (FencedCode(), Heading(), Rule(), Quote(), BulletList(),
                   OrderedList(), Paragraph())
    inline_rules = (
        InlineRule(r"\*\*(.+?)\*\*", r"<strong>\1</strong>"),
        InlineRule(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>"),
        InlineRule(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])", r"<em>\1</em>"),
        InlineRule(r"~~(.+?)~~", r"<del>\1</del>"),
    )
    link = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")

    def render(self, text):
        text = html.escape(str(text).replace("\r\n", "\n"), quote=False)
        out = []
        for chunk in self._chunks(text):
            for rule in self.block_rules:
                if rule.applies(chunk):
                    out.append(rule.render(chunk, self.inline))
                    break
        return Markup("\n".join(out))

    @staticmethod
    def _chunks(text):
        """Blank-line separated chunks; a fenced block stays whole even
        with blank lines inside."""
        chunks, current, fenced = [], [], False
        for line in text.split("\n"):
            if line.startswith("```"):
                fenced = not fenced
            if not line.strip() and not fenced:
                if current:
                    chunks.append("\n".join(current))
                    current = []
                continue
            current.append(line)
        if current:
            chunks.append("\n".join(current))
        return chunks

    def inline(self, text):
        # Code spans first, kept out of the other rules' reach.
        spans = []

        def keep(m):
            spans.append("<code>%s</code>" % m.group(1))
            return "\x00%d\x00" % (len(spans) - 1)

        text = _CODE_SPAN.sub(keep, text)
        for rule in self.inline_rules:
            text = rule.apply(text)
        text = self.link.sub(self._link, text)
        return re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)

    @staticmethod
    def _link(m):
        url = m.group(2)
        if not _SAFE_URL.match(html.unescape(url)):
            return m.group(1)
        return '<a href="%s">%s</a>' % (url.replace('"', "&quot;"), m.group(1))


_renderer = MarkdownRenderer()


def markdown(text):
    """Safe HTML (Markup) for a text in the site's Markdown dialect."""
    return _renderer.render(text)
