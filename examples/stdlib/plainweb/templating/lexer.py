"""Splitting template source into tokens.

Two levels: the template lexer cuts text, {{ output }}, {% tags %} and
{# comments #} apart (with the whitespace rules: a tag alone on its line
leaves no blank line behind, and `{%-`/`-%}` trim explicitly); the
expression lexer cuts what is inside {{ }} and {% %} into names,
literals and operators for the parser.
"""
import enum
import re

from .errors import TemplateSyntaxError


class TokenType(enum.Enum):
    TEXT = "text"
    OUTPUT = "output"
    TAG = "tag"
    NAME = "name"
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    OPERATOR = "operator"
    EOF = "eof"


class Token:
    __slots__ = ("type", "value", "lineno")

    def __init__(self, type, value, lineno):
        self.type, self.value, self.lineno = type, value, lineno

    def test(self, type, value=None):
        return self.type is type and (value is None or self.value == value)

    def __repr__(self):
        return "Token(%s, %r, line %d)" % (self.type.name, self.value, self.lineno)


_MARKUP = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)
_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")


class Lexer:
    """Template source -> TEXT, OUTPUT and TAG tokens."""

    def __init__(self, trim_blocks=True, lstrip_blocks=True):
        self.trim_blocks = trim_blocks
        self.lstrip_blocks = lstrip_blocks

    def tokenize(self, source, name=None):
        tokens = []
        lineno = 1
        pos = 0
        trim_next = False
        while pos < len(source):
            m = _MARKUP.search(source, pos)
            text = source[pos:m.start()] if m else source[pos:]
            if trim_next:
                text = self._trim_start(text, trim_next)
                trim_next = False
            if m is None:
                self._text(tokens, text, lineno)
                break
            raw = m.group(0)
            kind, inner = raw[:2], raw[2:-2]
            strip_left = inner.startswith("-")
            strip_right = inner.endswith("-")
            inner = inner[1 if strip_left else 0:len(inner) - (1 if strip_right else 0)]
            if strip_left:
                text = text.rstrip()
            elif kind in ("{%", "{#") and self.lstrip_blocks:
                text = self._lstrip_line(text)
            self._text(tokens, text, lineno)
            lineno += source.count("\n", pos, m.start())
            tag_line = lineno
            lineno += raw.count("\n")
            pos = m.end()
            if kind == "{{":
                tokens.append(Token(TokenType.OUTPUT, inner.strip(), tag_line))
            elif kind == "{%":
                body = inner.strip()
                if body == "raw":
                    end = _RAW_END.search(source, pos)
                    if end is None:
                        raise TemplateSyntaxError("{% raw %} without {% endraw %}", name, tag_line)
                    tokens.append(Token(TokenType.TEXT, source[pos:end.start()], tag_line))
                    lineno += source.count("\n", pos, end.end())
                    pos = end.end()
                else:
                    tokens.append(Token(TokenType.TAG, body, tag_line))
            if kind in ("{%", "{#"):
                trim_next = "all" if strip_right else ("line" if self.trim_blocks else False)
            elif strip_right:
                trim_next = "all"
        return tokens

    @staticmethod
    def _text(tokens, text, lineno):
        if text:
            tokens.append(Token(TokenType.TEXT, text, lineno))

    @staticmethod
    def _trim_start(text, how):
        if how == "all":
            return text.lstrip()
        if text.startswith("\r\n"):
            return text[2:]
        if text.startswith("\n"):
            return text[1:]
        return text

    @staticmethod
    def _lstrip_line(text):
        """Drops the spaces and tabs before a tag when nothing else is on
        its line."""
        cut = len(text.rstrip(" \t"))
        if cut == 0 or text[cut - 1] == "\n":
            return text[:cut]
        return text


_EXPR_TOKENS = re.compile(r"""
    (?P<ws>\s+)
  | (?P<float>\d+\.\d+)
  | (?P<integer>\d+)
  | (?P<name>[a-zA-Z_][a-zA-Z0-9_]*)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<operator>==|!=|<=|>=|//|\*\*|[-+*/%<>~|.,:()\[\]{}=])
    """, re.VERBOSE | re.S)


def tokenize_expression(text, name=None, lineno=None):
    """An expression's source -> NAME, literal and OPERATOR tokens, then
    EOF."""
    tokens = []
    pos = 0
    while pos < len(text):
        m = _EXPR_TOKENS.match(text, pos)
        if m is None:
            raise TemplateSyntaxError("unexpected character %r in %r" % (text[pos], text),
                                      name, lineno)
        kind = m.lastgroup
        if kind != "ws":
            tokens.append(Token(TokenType[kind.upper()], m.group(kind), lineno))
        pos = m.end()
    tokens.append(Token(TokenType.EOF, None, lineno))
    return tokens
