"""The parse tree -> Python source, compiled once per template.

A template becomes a module with a `_root` function (the body outside
blocks), one function per block, one per macro, and the tables `blocks`
and `macros`.  Output is appended through `_w` (a list's append).
Every identifier the generated code introduces starts with an
underscore; template variables bound by for, with and set become Python
locals named `l_<name>_<n>`, and any other name is looked up in the
render context at run time (`_resolve("name")`).  Filters and tests are
resolved when the template compiles, so a typo fails at startup, not on
the first request that reaches it.
"""
from . import nodes
from .errors import TemplateSyntaxError
from .runtime import escape

# Names the generated modules find in their globals (runtime.py and the
# environment put them there).
RUNTIME_NAMES = ("_Markup", "_escape", "_to_text", "_getattr", "_getitem",
                 "_iterate", "_Loop", "_include", "_super", "_concat",
                 "_spaceless")

_BINOPS = frozenset(["+", "-", "*", "/", "//", "%"])


class Frame:
    """The compile-time scope: which template names are Python locals.
    `toplevel` is true only for the body of _root itself, outside any
    tag: there {% set %} writes to the context (blocks see it) and
    macros may be defined."""

    def __init__(self, parent=None, kind=None, block=None, toplevel=False):
        self.locals = dict(parent.locals) if parent else {}
        self.kind = kind or (parent.kind if parent else "root")
        self.block = block if block is not None else (parent.block if parent else None)
        self.toplevel = toplevel

    def child(self):
        return Frame(self)


class CodeGenerator:
    """Generates the module source for one template."""

    def __init__(self, name, filters, tests, autoescape=True):
        self.name = name
        self.filters = filters
        self.tests = tests
        self.autoescape = autoescape
        self.lines = []
        self.indent = 0
        self.counter = 0
        self.pending = []          # (kind, node) functions still to write
        self.used_filters = set()
        self.used_tests = set()
        self.block_funcs = {}
        self.macro_funcs = {}
        self.extends = None

    # --- output helpers --------------------------------------------------------

    def fail(self, message, node):
        raise TemplateSyntaxError(message, self.name, node.lineno)

    def write(self, line):
        self.lines.append("    " * self.indent + line)

    def unique(self, prefix):
        self.counter += 1
        return "_%s%d" % (prefix, self.counter)

    def bind(self, frame, name):
        self.counter += 1
        ident = "l_%s_%d" % (name, self.counter)
        frame.locals[name] = ident
        return ident

    # --- the module --------------------------------------------------------------

    def generate(self, tree):
        self.extends = tree.extends
        self.write("# compiled from template %r" % self.name)
        self.write("def _root(_ctx, _w, _blocks):")
        self.indent += 1
        self.write("_resolve = _ctx.resolve")
        frame = Frame(kind="root", toplevel=True)
        if tree.extends is not None:
            # A child's own output is its blocks; outside them only
            # {% set %} and the definitions count.
            for node in tree.body:
                if isinstance(node, (nodes.Set, nodes.Block, nodes.MacroDef)):
                    self.visit(node, frame)
        else:
            self.visit_body(tree.body, frame)
        self.write("pass")
        self.indent -= 1
        while self.pending:
            kind, node = self.pending.pop(0)
            if kind == "block":
                self.write_block(node)
            else:
                self.write_macro(node)
        self.write("blocks = {%s}" % ", ".join(
            "%r: %s" % item for item in self.block_funcs.items()))
        self.write("macros = {%s}" % ", ".join(
            "%r: %s" % item for item in self.macro_funcs.items()))
        return "\n".join(self.lines) + "\n"

    def write_block(self, node):
        func = "_block_%s" % node.name
        self.block_funcs[node.name] = func
        self.write("def %s(_ctx, _w, _blocks, _depth):" % func)
        self.indent += 1
        self.write("_resolve = _ctx.resolve")
        self.visit_body(node.body, Frame(kind="block", block=node.name))
        self.write("pass")
        self.indent -= 1

    def write_macro(self, node):
        func = "_macro_%s" % node.name
        self.macro_funcs[node.name] = func
        frame = Frame(kind="macro")
        params = ["_ctx"]
        for arg, default in node.args:
            if arg.startswith(("_", "l_")):
                self.fail("macro argument %r: names starting with _ or l_ are reserved" % arg, node)
            if default is None:
                params.append(arg)
            else:
                if any(isinstance(n, nodes.Name) for n in [default, *default.find_all(nodes.Name)]):
                    self.fail("macro %s: argument defaults must be constants" % node.name, node)
                params.append("%s=%s" % (arg, self.expr(default, frame)))
            frame.locals[arg] = arg
        self.write("def %s(%s):" % (func, ", ".join(params)))
        self.indent += 1
        self.write("_out = []")
        self.write("_w = _out.append")
        self.write("_resolve = _ctx.resolve")
        self.visit_body(node.body, frame)
        self.write('return _Markup("".join(_out))')
        self.indent -= 1

    # --- statements -----------------------------------------------------------------

    def visit_body(self, body, frame):
        for node in body:
            self.visit(node, frame)

    def visit(self, node, frame):
        method = getattr(self, "visit_" + type(node).__name__)
        method(node, frame)

    def visit_Text(self, node, frame):
        self.write("_w(%r)" % node.data)

    def visit_Output(self, node, frame):
        if isinstance(node.expr, nodes.Const) and isinstance(node.expr.value, str):
            # A literal is escaped once, here, not on every render.
            value = str(escape(node.expr.value)) if self.autoescape else node.expr.value
            self.write("_w(%r)" % value)
            return
        wrap = "_escape" if self.autoescape else "_to_text"
        self.write("_w(%s(%s))" % (wrap, self.expr(node.expr, frame)))

    def visit_If(self, node, frame):
        for i, (cond, body) in enumerate(node.tests):
            self.write("%s %s:" % ("if" if i == 0 else "elif", self.expr(cond, frame)))
            self.indent += 1
            self.visit_body(body, frame.child())
            self.write("pass")
            self.indent -= 1
        if node.else_body:
            self.write("else:")
            self.indent += 1
            self.visit_body(node.else_body, frame.child())
            self.write("pass")
            self.indent -= 1

    def visit_For(self, node, frame):
        seq = self.unique("seq")
        self.write("%s = _iterate(%s)" % (seq, self.expr(node.iter, frame)))
        if node.condition is not None:
            cond_frame = frame.child()
            idents = [self.bind(cond_frame, t) for t in node.targets]
            func = self.unique("cond")
            self.write("def %s(%s):" % (func, ", ".join(idents)))
            self.indent += 1
            self.write("return %s" % self.expr(node.condition, cond_frame))
            self.indent -= 1
            star = "*" if len(idents) > 1 else ""
            self.write("%s = [_it for _it in %s if %s(%s_it)]" % (seq, seq, func, star))
        body_frame = frame.child()
        idents = [self.bind(body_frame, t) for t in node.targets]
        target = idents[0] if len(idents) == 1 else "(%s)" % ", ".join(idents)
        uses_loop = any(n.name == "loop" for b in node.body for n in b.find_all(nodes.Name))
        empty = None
        if node.else_body:
            empty = self.unique("empty")
            self.write("%s = True" % empty)
        if uses_loop:
            loop = self.bind(body_frame, "loop")
            self.write("for %s, %s in _Loop.iterate(%s):" % (target, loop, seq))
        else:
            self.write("for %s in %s:" % (target, seq))
        self.indent += 1
        if empty:
            self.write("%s = False" % empty)
        self.visit_body(node.body, body_frame)
        self.write("pass")
        self.indent -= 1
        if empty:
            self.write("if %s:" % empty)
            self.indent += 1
            self.visit_body(node.else_body, frame.child())
            self.write("pass")
            self.indent -= 1

    def visit_Block(self, node, frame):
        if frame.kind == "macro":
            self.fail("a block cannot be inside a macro", node)
        self.pending.append(("block", node))
        if self.extends is None or not frame.toplevel:
            self.write("_blocks[%r][0](_ctx, _w, _blocks, 0)" % node.name)

    def visit_MacroDef(self, node, frame):
        if not frame.toplevel:
            self.fail("macros are defined at the top of a template only", node)
        self.pending.append(("macro", node))

    def visit_Include(self, node, frame):
        # The included template sees the loop and with variables in scope.
        pairs = ["%r: %s" % (name, ident) for name, ident in frame.locals.items()]
        pairs += ["%r: %s" % (name, self.expr(expr, frame)) for name, expr in node.with_vars]
        self.write("_include(_ctx, %s, {%s}, _w, %r)" % (
            self.expr(node.template, frame), ", ".join(pairs), node.ignore_missing))

    def visit_Set(self, node, frame):
        value = self.expr(node.expr, frame)
        if frame.toplevel:
            self.write("_ctx.set(%r, %s)" % (node.name, value))
        else:
            self.write("%s = %s" % (self.bind(frame, node.name), value))

    def visit_With(self, node, frame):
        inner = frame.child()
        values = [(name, self.expr(expr, frame)) for name, expr in node.assignments]
        for name, value in values:
            self.write("%s = %s" % (self.bind(inner, name), value))
        self.visit_body(node.body, inner)

    def visit_Autoescape(self, node, frame):
        saved, self.autoescape = self.autoescape, node.enabled
        try:
            self.visit_body(node.body, frame.child())
        finally:
            self.autoescape = saved

    def _capture(self, body, frame):
        """Runs `body` into a buffer; returns the buffer's name."""
        buf, saved = self.unique("buf"), self.unique("w")
        self.write("%s = []" % buf)
        self.write("%s = _w" % saved)
        self.write("_w = %s.append" % buf)
        self.visit_body(body, frame.child())
        self.write("_w = %s" % saved)
        return buf

    def visit_FilterBlock(self, node, frame):
        buf = self._capture(node.body, frame)
        value = '_Markup("".join(%s))' % buf if self.autoescape else '"".join(%s)' % buf
        for name, args, kwargs in node.filters:
            value = self.filter_call(name, value, args, kwargs, frame, node)
        self.write("_w(%s(%s))" % ("_escape" if self.autoescape else "_to_text", value))

    def visit_Spaceless(self, node, frame):
        buf = self._capture(node.body, frame)
        self.write('_w(_spaceless("".join(%s)))' % buf)

    # --- expressions ------------------------------------------------------------------

    def expr(self, node, frame):
        method = getattr(self, "expr_" + type(node).__name__)
        return method(node, frame)

    def args_source(self, args, kwargs, frame):
        parts = [self.expr(a, frame) for a in args]
        parts += ["%s=%s" % (k, self.expr(v, frame)) for k, v in kwargs]
        return ", ".join(parts)

    def expr_Const(self, node, frame):
        return repr(node.value)

    def expr_Name(self, node, frame):
        ident = frame.locals.get(node.name)
        if ident is not None:
            return ident
        return "_resolve(%r)" % node.name

    def expr_ListLiteral(self, node, frame):
        return "[%s]" % ", ".join(self.expr(i, frame) for i in node.items)

    def expr_TupleLiteral(self, node, frame):
        return "(%s)" % "".join(self.expr(i, frame) + ", " for i in node.items)

    def expr_DictLiteral(self, node, frame):
        return "{%s}" % ", ".join("%s: %s" % (self.expr(k, frame), self.expr(v, frame))
                                  for k, v in node.items)

    def expr_Getattr(self, node, frame):
        return "_getattr(%s, %r)" % (self.expr(node.node, frame), node.attr)

    def expr_Getitem(self, node, frame):
        return "_getitem(%s, %s)" % (self.expr(node.node, frame), self.expr(node.arg, frame))

    def expr_Call(self, node, frame):
        return "%s(%s)" % (self.expr(node.node, frame),
                           self.args_source(node.args, node.kwargs, frame))

    def expr_SuperCall(self, node, frame):
        if frame.kind != "block":
            self.fail("super() outside a block", node)
        return "_super(_ctx, _blocks, %r, _depth)" % frame.block

    def filter_call(self, name, value, args, kwargs, frame, node):
        func = self.filters.get(name)
        if func is None:
            self.fail("no filter named %r" % name, node)
        self.used_filters.add(name)
        rest = self.args_source(args, kwargs, frame)
        head = "_ctx, " if getattr(func, "pass_context", False) else ""
        if getattr(func, "pass_autoescape", False):
            head += "%r, " % self.autoescape
        return "_f_%s(%s%s%s)" % (name, head, value, ", " + rest if rest else "")

    def expr_Filter(self, node, frame):
        return self.filter_call(node.name, self.expr(node.node, frame),
                                node.args, node.kwargs, frame, node)

    def expr_Test(self, node, frame):
        if node.name not in self.tests:
            self.fail("no test named %r" % node.name, node)
        self.used_tests.add(node.name)
        rest = self.args_source(node.args, [], frame)
        call = "_t_%s(%s%s)" % (node.name, self.expr(node.node, frame), ", " + rest if rest else "")
        return "(not %s)" % call if node.negated else call

    def expr_UnaryOp(self, node, frame):
        return "(%s%s)" % (node.op, self.expr(node.node, frame))

    def expr_BinOp(self, node, frame):
        if node.op not in _BINOPS:
            self.fail("unknown operator %r" % node.op, node)
        return "(%s %s %s)" % (self.expr(node.left, frame), node.op, self.expr(node.right, frame))

    def expr_Concat(self, node, frame):
        return "_concat((%s,))" % ", ".join(self.expr(n, frame) for n in node.nodes)

    def expr_Compare(self, node, frame):
        out = [self.expr(node.expr, frame)]
        for op, expr in node.ops:
            out.append(op)
            out.append(self.expr(expr, frame))
        return "(%s)" % " ".join(out)

    def expr_And(self, node, frame):
        return "(%s and %s)" % (self.expr(node.left, frame), self.expr(node.right, frame))

    def expr_Or(self, node, frame):
        return "(%s or %s)" % (self.expr(node.left, frame), self.expr(node.right, frame))

    def expr_Not(self, node, frame):
        return "(not %s)" % self.expr(node.node, frame)

    def expr_CondExpr(self, node, frame):
        return "(%s if %s else %s)" % (self.expr(node.expr1, frame), self.expr(node.test, frame),
                                       self.expr(node.expr2, frame))
