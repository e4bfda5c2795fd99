"""Tokens -> the parse tree (nodes.py).

Statements are parsed by one method per tag (`parse_for`, `parse_block`,
...), each consuming tokens up to its end tag.  Expressions are parsed by
precedence climbing, lowest first: conditional, or, and, not,
comparisons and tests, ~, + -, * / // %, unary minus, then the postfix
operators (attribute, item, call, filter) that bind tightest.
"""
import ast

from . import nodes
from .errors import TemplateSyntaxError
from .lexer import Lexer, TokenType, tokenize_expression

_KEYWORDS = frozenset(["and", "or", "not", "in", "is", "if", "else"])
_CONSTANTS = {"true": True, "false": False, "none": None,
              "True": True, "False": False, "None": None}
_COMPARE = frozenset(["==", "!=", "<", ">", "<=", ">="])


class TokenStream:
    """The expression tokens of one tag or output, with look-ahead."""

    def __init__(self, tokens, name):
        self.tokens = tokens
        self.pos = 0
        self.name = name

    @property
    def current(self):
        return self.tokens[self.pos]

    def look(self, n=1):
        return self.tokens[min(self.pos + n, len(self.tokens) - 1)]

    def next(self):
        tok = self.tokens[self.pos]
        if tok.type is not TokenType.EOF:
            self.pos += 1
        return tok

    def skip_if(self, type, value=None):
        if self.current.test(type, value):
            return self.next()
        return None

    def expect(self, type, value=None):
        tok = self.current
        if not tok.test(type, value):
            want = repr(value) if value else type.value
            got = "end of tag" if tok.type is TokenType.EOF else repr(tok.value)
            self.fail("expected %s, got %s" % (want, got))
        return self.next()

    def expect_end(self):
        if self.current.type is not TokenType.EOF:
            self.fail("unexpected %r" % self.current.value)

    def fail(self, message):
        raise TemplateSyntaxError(message, self.name, self.current.lineno)


class Parser:
    """Parses one template.  `parse()` returns a TemplateBody."""

    def __init__(self, source, name=None, trim_blocks=True, lstrip_blocks=True):
        self.name = name
        self.tokens = Lexer(trim_blocks, lstrip_blocks).tokenize(source, name)
        self.pos = 0
        self.extends = None
        self.imports = []
        self.block_names = set()
        self.macro_names = set()
        self.seen_content = False

    def fail(self, message, lineno):
        raise TemplateSyntaxError(message, self.name, lineno)

    def parse(self):
        body, _, _ = self.subparse(())
        return nodes.TemplateBody(body, self.extends, self.imports, lineno=1)

    def subparse(self, end_tags):
        """Statements up to one of `end_tags`; returns (body, the end tag
        found, the stream positioned after its keyword)."""
        body = []
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            self.pos += 1
            if tok.type is TokenType.TEXT:
                if tok.value.strip():
                    self.seen_content = True
                body.append(nodes.Text(tok.value, lineno=tok.lineno))
                continue
            stream = TokenStream(tokenize_expression(tok.value, self.name, tok.lineno), self.name)
            if tok.type is TokenType.OUTPUT:
                self.seen_content = True
                expr = self.parse_expression(stream)
                stream.expect_end()
                body.append(nodes.Output(expr, lineno=tok.lineno))
                continue
            keyword = stream.expect(TokenType.NAME).value
            if keyword in end_tags:
                return body, keyword, stream
            method = getattr(self, "parse_" + keyword, None)
            if method is None:
                if keyword.startswith(("end", "el")) or keyword == "else":
                    self.fail("unexpected {%% %s %%}" % keyword, tok.lineno)
                self.fail("unknown tag %r" % keyword, tok.lineno)
            node = method(stream, tok.lineno)
            if keyword not in ("extends", "from", "set", "macro"):
                self.seen_content = True
            if node is not None:
                body.append(node)
        if end_tags:
            self.fail("missing {%% %s %%}" % end_tags[-1], self.tokens[-1].lineno if self.tokens else 1)
        return body, None, None

    # --- tags -----------------------------------------------------------------------

    def parse_if(self, stream, lineno):
        cond = self.parse_expression(stream)
        stream.expect_end()
        tests, else_body = [], []
        while True:
            body, end, stream = self.subparse(("elif", "else", "endif"))
            tests.append((cond, body))
            if end == "elif":
                cond = self.parse_expression(stream)
                stream.expect_end()
                continue
            if end == "else":
                stream.expect_end()
                else_body, _, stream = self.subparse(("endif",))
            stream.expect_end()
            return nodes.If(tests, else_body, lineno=lineno)

    def parse_for(self, stream, lineno):
        targets = [stream.expect(TokenType.NAME).value]
        while stream.skip_if(TokenType.OPERATOR, ","):
            targets.append(stream.expect(TokenType.NAME).value)
        for t in targets:
            if t in _KEYWORDS or t == "loop":
                stream.fail("cannot assign to %r" % t)
        stream.expect(TokenType.NAME, "in")
        iterable = self.parse_expression(stream, with_condexpr=False)
        condition = None
        if stream.skip_if(TokenType.NAME, "if"):
            condition = self.parse_expression(stream, with_condexpr=False)
        stream.expect_end()
        body, end, stream = self.subparse(("else", "endfor"))
        else_body = []
        if end == "else":
            stream.expect_end()
            else_body, _, stream = self.subparse(("endfor",))
        stream.expect_end()
        return nodes.For(targets, iterable, body, else_body, condition, lineno=lineno)

    def parse_block(self, stream, lineno):
        name = stream.expect(TokenType.NAME).value
        stream.expect_end()
        if name in self.block_names:
            self.fail("block %r defined twice" % name, lineno)
        self.block_names.add(name)
        body, _, stream = self.subparse(("endblock",))
        end_name = stream.skip_if(TokenType.NAME)
        if end_name is not None and end_name.value != name:
            stream.fail("{%% endblock %s %%} closes block %r" % (end_name.value, name))
        stream.expect_end()
        return nodes.Block(name, body, lineno=lineno)

    def parse_extends(self, stream, lineno):
        if self.extends is not None:
            self.fail("a template extends one parent only", lineno)
        if self.seen_content:
            self.fail("{% extends %} must come first", lineno)
        tok = stream.expect(TokenType.STRING)
        stream.expect_end()
        self.extends = ast.literal_eval(tok.value)
        return None

    def parse_from(self, stream, lineno):
        tok = stream.expect(TokenType.STRING)
        stream.expect(TokenType.NAME, "import")
        names = []
        while True:
            name = stream.expect(TokenType.NAME).value
            alias = name
            if stream.skip_if(TokenType.NAME, "as"):
                alias = stream.expect(TokenType.NAME).value
            names.append((name, alias))
            if not stream.skip_if(TokenType.OPERATOR, ","):
                break
        stream.expect_end()
        self.imports.append((ast.literal_eval(tok.value), names))
        return None

    def parse_include(self, stream, lineno):
        template = self.parse_expression(stream)
        with_vars = []
        if stream.skip_if(TokenType.NAME, "with"):
            with_vars = self.parse_assignments(stream)
        ignore_missing = False
        if stream.skip_if(TokenType.NAME, "ignore"):
            stream.expect(TokenType.NAME, "missing")
            ignore_missing = True
        stream.expect_end()
        return nodes.Include(template, with_vars, ignore_missing, lineno=lineno)

    def parse_assignments(self, stream):
        out = []
        while True:
            name = stream.expect(TokenType.NAME).value
            stream.expect(TokenType.OPERATOR, "=")
            out.append((name, self.parse_expression(stream)))
            if not stream.skip_if(TokenType.OPERATOR, ","):
                return out

    def parse_set(self, stream, lineno):
        (name, expr), = self.parse_assignments(stream)
        stream.expect_end()
        return nodes.Set(name, expr, lineno=lineno)

    def parse_with(self, stream, lineno):
        assignments = self.parse_assignments(stream)
        stream.expect_end()
        body, _, stream = self.subparse(("endwith",))
        stream.expect_end()
        return nodes.With(assignments, body, lineno=lineno)

    def parse_autoescape(self, stream, lineno):
        tok = stream.expect(TokenType.NAME)
        if tok.value not in ("true", "false", "on", "off"):
            stream.fail("autoescape wants true or false")
        stream.expect_end()
        body, _, stream = self.subparse(("endautoescape",))
        stream.expect_end()
        return nodes.Autoescape(tok.value in ("true", "on"), body, lineno=lineno)

    def parse_filter(self, stream, lineno):
        filters = []
        while True:
            name = stream.expect(TokenType.NAME).value
            args, kwargs = [], []
            if stream.skip_if(TokenType.OPERATOR, "("):
                args, kwargs = self.parse_call_args(stream)
            filters.append((name, args, kwargs))
            if not stream.skip_if(TokenType.OPERATOR, "|"):
                break
        stream.expect_end()
        body, _, stream = self.subparse(("endfilter",))
        stream.expect_end()
        return nodes.FilterBlock(filters, body, lineno=lineno)

    def parse_macro(self, stream, lineno):
        name = stream.expect(TokenType.NAME).value
        if name in self.macro_names:
            self.fail("macro %r defined twice" % name, lineno)
        self.macro_names.add(name)
        stream.expect(TokenType.OPERATOR, "(")
        args = []
        while not stream.skip_if(TokenType.OPERATOR, ")"):
            if args:
                stream.expect(TokenType.OPERATOR, ",")
            arg = stream.expect(TokenType.NAME).value
            default = None
            if stream.skip_if(TokenType.OPERATOR, "="):
                default = self.parse_expression(stream)
            elif args and args[-1][1] is not None:
                stream.fail("argument %r without a default follows one with" % arg)
            args.append((arg, default))
        stream.expect_end()
        body, _, stream = self.subparse(("endmacro",))
        stream.expect_end()
        return nodes.MacroDef(name, args, body, lineno=lineno)

    def parse_spaceless(self, stream, lineno):
        stream.expect_end()
        body, _, stream = self.subparse(("endspaceless",))
        stream.expect_end()
        return nodes.Spaceless(body, lineno=lineno)

    # --- expressions ------------------------------------------------------------------

    def parse_expression(self, stream, with_condexpr=True):
        expr = self.parse_or(stream)
        if with_condexpr:
            while stream.skip_if(TokenType.NAME, "if"):
                test = self.parse_or(stream)
                if stream.skip_if(TokenType.NAME, "else"):
                    other = self.parse_expression(stream)
                else:
                    other = nodes.Const("", lineno=test.lineno)
                expr = nodes.CondExpr(test, expr, other, lineno=test.lineno)
        return expr

    def _left_assoc(self, stream, keyword, operand, node_class):
        """operand (keyword operand)*, grouped to the left."""
        left = operand(stream)
        while stream.skip_if(TokenType.NAME, keyword):
            left = node_class(left, operand(stream), lineno=left.lineno)
        return left

    def parse_or(self, stream):
        return self._left_assoc(stream, "or", self.parse_and, nodes.Or)

    def parse_and(self, stream):
        return self._left_assoc(stream, "and", self.parse_not, nodes.And)

    def parse_not(self, stream):
        tok = stream.skip_if(TokenType.NAME, "not")
        if tok is not None:
            return nodes.Not(self.parse_not(stream), lineno=tok.lineno)
        return self.parse_compare(stream)

    def parse_compare(self, stream):
        expr = self.parse_concat(stream)
        ops = []
        while True:
            tok = stream.current
            if tok.type is TokenType.OPERATOR and tok.value in _COMPARE:
                stream.next()
                ops.append((tok.value, self.parse_concat(stream)))
            elif tok.test(TokenType.NAME, "in"):
                stream.next()
                ops.append(("in", self.parse_concat(stream)))
            elif tok.test(TokenType.NAME, "not") and stream.look().test(TokenType.NAME, "in"):
                stream.next()
                stream.next()
                ops.append(("not in", self.parse_concat(stream)))
            elif tok.test(TokenType.NAME, "is"):
                stream.next()
                negated = bool(stream.skip_if(TokenType.NAME, "not"))
                name = stream.expect(TokenType.NAME).value
                args = []
                if stream.skip_if(TokenType.OPERATOR, "("):
                    args, _ = self.parse_call_args(stream)
                if ops:
                    expr = nodes.Compare(expr, ops, lineno=expr.lineno)
                    ops = []
                expr = nodes.Test(expr, name, args, negated, lineno=tok.lineno)
            else:
                break
        if ops:
            return nodes.Compare(expr, ops, lineno=expr.lineno)
        return expr

    def parse_concat(self, stream):
        items = [self.parse_additive(stream)]
        while stream.skip_if(TokenType.OPERATOR, "~"):
            items.append(self.parse_additive(stream))
        if len(items) == 1:
            return items[0]
        return nodes.Concat(items, lineno=items[0].lineno)

    def parse_additive(self, stream):
        left = self.parse_multiplicative(stream)
        while stream.current.type is TokenType.OPERATOR and stream.current.value in "+-":
            op = stream.next().value
            left = nodes.BinOp(op, left, self.parse_multiplicative(stream), lineno=left.lineno)
        return left

    def parse_multiplicative(self, stream):
        left = self.parse_unary(stream)
        while stream.current.type is TokenType.OPERATOR and \
                stream.current.value in ("*", "/", "//", "%"):
            op = stream.next().value
            left = nodes.BinOp(op, left, self.parse_unary(stream), lineno=left.lineno)
        return left

    def parse_unary(self, stream):
        tok = stream.current
        if tok.type is TokenType.OPERATOR and tok.value in ("-", "+"):
            stream.next()
            return nodes.UnaryOp(tok.value, self.parse_unary(stream), lineno=tok.lineno)
        return self.parse_postfix(stream, self.parse_primary(stream))

    def parse_primary(self, stream):
        tok = stream.next()
        if tok.type is TokenType.NAME:
            if tok.value in _CONSTANTS:
                return nodes.Const(_CONSTANTS[tok.value], lineno=tok.lineno)
            if tok.value in _KEYWORDS:
                stream.pos -= 1
                stream.fail("unexpected %r" % tok.value)
            return nodes.Name(tok.value, lineno=tok.lineno)
        if tok.type is TokenType.STRING:
            value = ast.literal_eval(tok.value)
            while stream.current.type is TokenType.STRING:     # "a" "b"
                value += ast.literal_eval(stream.next().value)
            return nodes.Const(value, lineno=tok.lineno)
        if tok.type is TokenType.INTEGER:
            return nodes.Const(int(tok.value), lineno=tok.lineno)
        if tok.type is TokenType.FLOAT:
            return nodes.Const(float(tok.value), lineno=tok.lineno)
        if tok.test(TokenType.OPERATOR, "("):
            if stream.skip_if(TokenType.OPERATOR, ")"):
                return nodes.TupleLiteral([], lineno=tok.lineno)
            expr = self.parse_expression(stream)
            if stream.current.test(TokenType.OPERATOR, ","):
                items = [expr]
                while stream.skip_if(TokenType.OPERATOR, ","):
                    if stream.current.test(TokenType.OPERATOR, ")"):
                        break
                    items.append(self.parse_expression(stream))
                expr = nodes.TupleLiteral(items, lineno=tok.lineno)
            stream.expect(TokenType.OPERATOR, ")")
            return expr
        if tok.test(TokenType.OPERATOR, "["):
            items = self.parse_delimited(stream, "]", self.parse_expression)
            return nodes.ListLiteral(items, lineno=tok.lineno)
        if tok.test(TokenType.OPERATOR, "{"):
            items = self.parse_delimited(stream, "}", self.parse_dict_item)
            return nodes.DictLiteral(items, lineno=tok.lineno)
        stream.pos -= 1
        if tok.type is TokenType.EOF:
            stream.fail("expected an expression")
        stream.fail("unexpected %r" % tok.value)

    def parse_delimited(self, stream, closer, parse_item):
        """Items separated by commas up to `closer` (a trailing comma is
        allowed), after the opening bracket."""
        items = []
        while not stream.skip_if(TokenType.OPERATOR, closer):
            if items:
                stream.expect(TokenType.OPERATOR, ",")
                if stream.skip_if(TokenType.OPERATOR, closer):
                    break
            items.append(parse_item(stream))
        return items

    def parse_dict_item(self, stream):
        key = self.parse_expression(stream)
        stream.expect(TokenType.OPERATOR, ":")
        return key, self.parse_expression(stream)

    def parse_postfix(self, stream, node):
        while True:
            tok = stream.current
            if tok.test(TokenType.OPERATOR, "."):
                stream.next()
                attr = stream.next()
                if attr.type is TokenType.NAME:
                    node = nodes.Getattr(node, attr.value, lineno=tok.lineno)
                elif attr.type is TokenType.INTEGER:
                    node = nodes.Getitem(node, nodes.Const(int(attr.value)), lineno=tok.lineno)
                else:
                    stream.pos -= 1
                    stream.fail("expected an attribute name after '.'")
            elif tok.test(TokenType.OPERATOR, "["):
                stream.next()
                arg = self.parse_expression(stream)
                stream.expect(TokenType.OPERATOR, "]")
                node = nodes.Getitem(node, arg, lineno=tok.lineno)
            elif tok.test(TokenType.OPERATOR, "("):
                stream.next()
                args, kwargs = self.parse_call_args(stream)
                if isinstance(node, nodes.Name) and node.name == "super" and not args and not kwargs:
                    node = nodes.SuperCall(lineno=tok.lineno)
                else:
                    node = nodes.Call(node, args, kwargs, lineno=tok.lineno)
            elif tok.test(TokenType.OPERATOR, "|"):
                stream.next()
                name = stream.expect(TokenType.NAME).value
                args, kwargs = [], []
                if stream.skip_if(TokenType.OPERATOR, "("):
                    args, kwargs = self.parse_call_args(stream)
                node = nodes.Filter(node, name, args, kwargs, lineno=tok.lineno)
            else:
                return node

    def parse_call_args(self, stream):
        """After '(': positional and keyword arguments up to ')'."""
        args, kwargs = [], []
        while not stream.skip_if(TokenType.OPERATOR, ")"):
            if args or kwargs:
                stream.expect(TokenType.OPERATOR, ",")
                if stream.skip_if(TokenType.OPERATOR, ")"):
                    break
            if stream.current.type is TokenType.NAME and stream.look().test(TokenType.OPERATOR, "="):
                key = stream.next().value
                stream.next()
                kwargs.append((key, self.parse_expression(stream)))
            else:
                if kwargs:
                    stream.fail("positional argument after a keyword argument")
                args.append(self.parse_expression(stream))
        return args, kwargs
