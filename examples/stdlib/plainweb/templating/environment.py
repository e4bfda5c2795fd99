"""The environment: where templates come from, how they are compiled,
and the cache that keeps each one compiled once per process.

    env = Environment(FileSystemLoader("templates"))
    env.get_template("product_list.html").render(products=...)

Compiled templates are kept by name for the life of the process (the
files do not change under a running site; set auto_reload for
development).  Their generated source is registered with linecache so a
traceback through a template shows the generated line.
"""
import linecache
import os
import re

from .compiler import CodeGenerator
from .errors import TemplateError, TemplateNotFound
from .filters import FILTERS, TESTS
from .parser import Parser
from . import runtime


class BaseLoader:
    """Finds a template's source by name."""

    def get_source(self, name):
        """(source, filename, mtime) or raises TemplateNotFound."""
        raise TemplateNotFound(name)

    def list_templates(self):
        return []


class FileSystemLoader(BaseLoader):
    def __init__(self, searchpath, encoding="utf-8"):
        self.searchpath = [searchpath] if isinstance(searchpath, str) else list(searchpath)
        self.encoding = encoding

    def get_source(self, name):
        parts = [p for p in name.split("/") if p]
        if any(p in (".", "..") for p in parts) or name.startswith("/"):
            raise TemplateNotFound(name)
        for base in self.searchpath:
            path = os.path.join(base, *parts)
            if os.path.isfile(path):
                with open(path, encoding=self.encoding) as f:
                    return f.read(), path, os.path.getmtime(path)
        raise TemplateNotFound(name, self.searchpath)

    def list_templates(self):
        found = set()
        for base in self.searchpath:
            for dirpath, _, files in os.walk(base):
                for f in files:
                    if f.endswith((".html", ".xml", ".txt")):
                        rel = os.path.relpath(os.path.join(dirpath, f), base)
                        found.add(rel.replace(os.sep, "/"))
        return sorted(found)


class DictLoader(BaseLoader):
    def __init__(self, mapping):
        self.mapping = mapping

    def get_source(self, name):
        if name not in self.mapping:
            raise TemplateNotFound(name)
        return self.mapping[name], None, None

    def list_templates(self):
        return sorted(self.mapping)


class ChoiceLoader(BaseLoader):
    """The first loader that has the template wins (site templates over
    the framework's defaults)."""

    def __init__(self, loaders):
        self.loaders = list(loaders)

    def get_source(self, name):
        for loader in self.loaders:
            try:
                return loader.get_source(name)
            except TemplateNotFound:
                continue
        raise TemplateNotFound(name)

    def list_templates(self):
        return sorted({n for loader in self.loaders for n in loader.list_templates()})


_SPACES_BETWEEN_TAGS = re.compile(r">\s+<")


def _concat(items):
    if any(hasattr(i, "__html__") for i in items):
        return runtime.Markup("").join(items)
    return "".join(runtime.to_text(i) for i in items)


def _spaceless(text):
    return runtime.Markup(_SPACES_BETWEEN_TAGS.sub("><", text.strip()))


def _super(ctx, blocks, name, depth):
    chain = blocks[name]
    if depth + 1 >= len(chain):
        raise TemplateError("block %r has no parent to call super() on" % name)
    out = []
    chain[depth + 1](ctx, out.append, blocks, depth + 1)
    return runtime.Markup("".join(out))


def _include(ctx, name, extra, w, ignore_missing):
    try:
        template = ctx.env.get_template(name)
    except TemplateNotFound:
        if ignore_missing:
            return
        raise
    template.render_into(ctx.derive(extra), w)


class Template:
    """One compiled template."""

    def __init__(self, env, name, filename, namespace, parent_name, imports, mtime):
        self.env = env
        self.name = name
        self.filename = filename
        self.root = namespace["_root"]
        self.blocks = namespace["blocks"]
        self.macros = namespace["macros"]
        self.parent_name = parent_name
        self.imports = imports
        self.mtime = mtime

    def __repr__(self):
        return "<Template %r>" % self.name

    def chain(self):
        """This template and its ancestors, child first."""
        out, tpl, seen = [], self, set()
        while tpl is not None:
            if tpl.name in seen:
                raise TemplateError("%s extends itself" % tpl.name)
            seen.add(tpl.name)
            out.append(tpl)
            tpl = self.env.get_template(tpl.parent_name) if tpl.parent_name else None
        return out

    def macro_module(self, ctx):
        """This template's macros bound to a copy of `ctx` in which they
        also see each other (a macro may call its neighbours even when
        only it was imported)."""
        mctx = runtime.Context(self.env, dict(ctx.vars), ctx.parent, self.name)
        bound = {name: runtime.Macro(func, mctx, name) for name, func in self.macros.items()}
        mctx.vars.update(bound)
        return bound

    def bind_macros(self, ctx):
        for tpl_name, names in self.imports:
            module = self.env.get_template(tpl_name).macro_module(ctx)
            for name, alias in names:
                if name not in module:
                    raise TemplateError("%s has no macro %r (imported by %s)"
                                        % (tpl_name, name, self.name))
                ctx.vars[alias] = module[name]
        for name, func in self.macros.items():
            ctx.vars[name] = runtime.Macro(func, ctx, name)

    def render_into(self, ctx, w):
        chain = self.chain()
        blocks = {}
        for tpl in chain:
            for name, func in tpl.blocks.items():
                blocks.setdefault(name, []).append(func)
        for tpl in reversed(chain):
            tpl.bind_macros(ctx)
        for tpl in chain:
            tpl.root(ctx, w, blocks)

    def render(self, context=None, **kwargs):
        variables = dict(context or {}, **kwargs)
        ctx = runtime.Context(self.env, variables, name=self.name)
        out = []
        self.render_into(ctx, out.append)
        return "".join(out)

    def module_source(self):
        """The Python source this template compiles to (for debugging)."""
        return self.env.compile_source(self.env.loader.get_source(self.name)[0], self.name)[0]


class Environment:
    """Settings, filters and globals shared by every template, and the
    cache of compiled ones."""

    def __init__(self, loader, autoescape=True, auto_reload=False,
                 trim_blocks=True, lstrip_blocks=True):
        self.loader = loader
        self.autoescape = autoescape
        self.auto_reload = auto_reload
        self.trim_blocks = trim_blocks
        self.lstrip_blocks = lstrip_blocks
        self.filters = dict(FILTERS)
        self.tests = dict(TESTS)
        self.globals = {"range": range, "dict": dict, "len": len,
                        "zip": zip, "enumerate": enumerate}
        self.cache = {}
        self.compiled_count = 0

    def compile_source(self, source, name):
        """(python source, parent name, imports) for a template source."""
        tree = Parser(source, name, self.trim_blocks, self.lstrip_blocks).parse()
        gen = CodeGenerator(name, self.filters, self.tests, self.autoescape)
        return gen.generate(tree), tree.extends, tree.imports, gen

    def _namespace(self, gen):
        ns = {
            "_Markup": runtime.Markup, "_escape": runtime.escape,
            "_to_text": runtime.to_text, "_getattr": runtime.getattr_,
            "_getitem": runtime.getitem_, "_iterate": runtime.iterate,
            "_Loop": runtime.LoopContext, "_include": _include, "_super": _super,
            "_concat": _concat, "_spaceless": _spaceless,
        }
        for name in gen.used_filters:
            ns["_f_" + name] = self.filters[name]
        for name in gen.used_tests:
            ns["_t_" + name] = self.tests[name]
        return ns

    def from_string(self, source, name="<string>", filename=None, mtime=None):
        py_source, parent, imports, gen = self.compile_source(source, name)
        filename = "<template %s>" % name
        code = compile(py_source, filename, "exec")
        linecache.cache[filename] = (len(py_source), None, py_source.splitlines(True), filename)
        namespace = self._namespace(gen)
        exec(code, namespace)
        self.compiled_count += 1
        return Template(self, name, filename, namespace, parent, imports, mtime)

    def get_template(self, name):
        tpl = self.cache.get(name)
        if tpl is not None and not self.auto_reload:
            return tpl
        source, filename, mtime = self.loader.get_source(name)
        if tpl is not None and tpl.mtime == mtime:
            return tpl
        tpl = self.from_string(source, name, filename, mtime)
        self.cache[name] = tpl
        return tpl

    def select_template(self, names):
        for name in names:
            try:
                return self.get_template(name)
            except TemplateNotFound:
                continue
        raise TemplateNotFound(", ".join(names))

    def list_templates(self):
        return self.loader.list_templates()

    def compile_all(self):
        """Compiles every template the loader has (the warm-up): the
        compiled code is then shared by every forked worker."""
        for name in self.list_templates():
            self.get_template(name)
        return len(self.cache)
