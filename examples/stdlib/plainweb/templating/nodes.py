"""The parse tree: statement nodes (what a template does) and expression
nodes (what {{ }} and tag arguments compute).  Plain data; the compiler
walks it."""


class Node:
    fields = ()

    def __init__(self, *args, lineno=None):
        if len(args) != len(self.fields):
            raise TypeError("%s takes %d fields" % (type(self).__name__, len(self.fields)))
        for name, value in zip(self.fields, args):
            setattr(self, name, value)
        self.lineno = lineno

    def iter_children(self):
        stack = [getattr(self, name) for name in reversed(self.fields)]
        while stack:
            value = stack.pop()
            if isinstance(value, Node):
                yield value
            elif isinstance(value, (list, tuple)):
                stack.extend(reversed(value))

    def find_all(self, cls):
        for child in self.iter_children():
            if isinstance(child, cls):
                yield child
            yield from child.find_all(cls)

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join(
            "%s=%r" % (f, getattr(self, f)) for f in self.fields))


# --- statements --------------------------------------------------------------------


class Stmt(Node):
    pass


class TemplateBody(Stmt):
    """The whole template.  `extends` is the parent's name or None."""
    fields = ("body", "extends", "imports")


class Text(Stmt):
    fields = ("data",)


class Output(Stmt):
    fields = ("expr",)


class If(Stmt):
    """`tests` is a list of (condition, body) for if and each elif."""
    fields = ("tests", "else_body")


class For(Stmt):
    fields = ("targets", "iter", "body", "else_body", "condition")


class Block(Stmt):
    fields = ("name", "body")


class Include(Stmt):
    fields = ("template", "with_vars", "ignore_missing")


class Set(Stmt):
    fields = ("name", "expr")


class With(Stmt):
    fields = ("assignments", "body")


class Autoescape(Stmt):
    fields = ("enabled", "body")


class FilterBlock(Stmt):
    fields = ("filters", "body")


class MacroDef(Stmt):
    """`args` is a list of (name, default expression or None)."""
    fields = ("name", "args", "body")


class Spaceless(Stmt):
    fields = ("body",)


# --- expressions ---------------------------------------------------------------------


class Expr(Node):
    pass


class Const(Expr):
    fields = ("value",)


class Name(Expr):
    fields = ("name",)


class ListLiteral(Expr):
    fields = ("items",)


class TupleLiteral(Expr):
    fields = ("items",)


class DictLiteral(Expr):
    """`items` is a list of (key expression, value expression)."""
    fields = ("items",)


class Getattr(Expr):
    fields = ("node", "attr")


class Getitem(Expr):
    fields = ("node", "arg")


class Call(Expr):
    """`kwargs` is a list of (name, expression)."""
    fields = ("node", "args", "kwargs")


class Filter(Expr):
    fields = ("node", "name", "args", "kwargs")


class Test(Expr):
    fields = ("node", "name", "args", "negated")


class UnaryOp(Expr):
    fields = ("op", "node")


class BinOp(Expr):
    fields = ("op", "left", "right")


class Concat(Expr):
    fields = ("nodes",)


class Compare(Expr):
    """`ops` is a list of (operator, expression): a < b <= c."""
    fields = ("expr", "ops")


class And(Expr):
    fields = ("left", "right")


class Or(Expr):
    fields = ("left", "right")


class Not(Expr):
    fields = ("node",)


class CondExpr(Expr):
    fields = ("test", "expr1", "expr2")


class SuperCall(Expr):
    """super() inside a block: the parent template's version of it."""
    fields = ()
