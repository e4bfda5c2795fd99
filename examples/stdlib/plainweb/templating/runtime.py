"""What compiled templates call at render time: the escaping string
type, undefined values, attribute lookup, the loop variable, contexts
and bound macros.  The compiler decides *what* to call; this file holds
how each of those behaves."""
import html
from collections.abc import Mapping

from .errors import UndefinedError


class Markup(str):
    """A string that is already safe HTML: escape() leaves it alone and
    operations with plain strings escape the plain side."""

    __slots__ = ()

    def __new__(cls, value="", *args, **kwargs):
        if hasattr(value, "__html__"):
            value = value.__html__()
        return super().__new__(cls, value, *args, **kwargs)

    def __html__(self):
        return self

    def __add__(self, other):
        if isinstance(other, str):
            return Markup(str.__add__(self, escape(other)))
        return NotImplemented

    def __radd__(self, other):
        if isinstance(other, str):
            return Markup(str.__add__(escape(other), self))
        return NotImplemented

    def __mod__(self, args):
        if isinstance(args, tuple):
            args = tuple(escape(a) if isinstance(a, str) else a for a in args)
        elif isinstance(args, Mapping):
            args = {k: escape(v) if isinstance(v, str) else v for k, v in args.items()}
        elif isinstance(args, str):
            args = escape(args)
        return Markup(str.__mod__(self, args))

    def join(self, seq):
        return Markup(str.join(self, (escape(s) for s in seq)))

    def format(self, *args, **kwargs):
        args = [escape(a) if isinstance(a, str) else a for a in args]
        kwargs = {k: escape(v) if isinstance(v, str) else v for k, v in kwargs.items()}
        return Markup(str.format(self, *args, **kwargs))

    def striptags(self):
        from ..text import strip_tags
        return strip_tags(self)

    def __repr__(self):
        return "Markup(%s)" % str.__repr__(self)


def escape(value):
    """HTML-escaped text as Markup; Markup (anything with __html__) is
    passed through unchanged."""
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    if value is None:
        return Markup("")
    return Markup(html.escape(str(value), quote=True))


def to_text(value):
    """Output without autoescape."""
    if value is None:
        return ""
    return str(value)


class Undefined:
    """What a missing name or attribute gives: empty when printed,
    iterated or tested, an error when called."""

    __slots__ = ("_name", "_obj")

    def __init__(self, name=None, obj=None):
        self._name = name
        self._obj = obj

    def _fail(self, *args, **kwargs):
        if self._obj is not None:
            raise UndefinedError("%r has no attribute %r" % (type(self._obj).__name__, self._name))
        raise UndefinedError("%r is undefined" % self._name)

    __call__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __floordiv__ = __mod__ = __lt__ = __le__ = __gt__ = __ge__ = _fail

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Undefined(name)

    def __getitem__(self, key):
        return Undefined(key)

    def __str__(self):
        return ""

    def __html__(self):
        return ""

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __bool__(self):
        return False

    def __eq__(self, other):
        return isinstance(other, Undefined)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return id(type(self))

    def __repr__(self):
        return "Undefined(%r)" % self._name


def getattr_(obj, name):
    """a.b in a template: the key of a mapping first, else the attribute,
    else the item."""
    if isinstance(obj, Mapping):
        try:
            return obj[name]
        except KeyError:
            pass
    try:
        return getattr(obj, name)
    except AttributeError:
        pass
    if not isinstance(obj, Mapping):
        try:
            return obj[name]
        except (TypeError, LookupError):
            pass
    return Undefined(name, obj)


def getitem_(obj, key):
    """a[b] in a template."""
    try:
        return obj[key]
    except (TypeError, LookupError):
        if isinstance(key, str):
            try:
                return getattr(obj, key)
            except AttributeError:
                pass
    return Undefined(key, obj)


class LoopContext:
    """The `loop` variable of a for loop."""

    __slots__ = ("index0", "length", "_items", "_depth")

    def __init__(self, items, depth=1):
        self._items = items
        self.length = len(items)
        self.index0 = -1
        self._depth = depth

    @classmethod
    def iterate(cls, iterable, depth=1):
        items = list(iterable) if not isinstance(iterable, (list, tuple)) else iterable
        loop = cls(items, depth)
        for i, item in enumerate(items):
            loop.index0 = i
            yield item, loop

    @property
    def index(self):
        return self.index0 + 1

    @property
    def revindex(self):
        return self.length - self.index0

    @property
    def revindex0(self):
        return self.length - self.index0 - 1

    @property
    def first(self):
        return self.index0 == 0

    @property
    def last(self):
        return self.index0 == self.length - 1

    @property
    def depth(self):
        return self._depth

    @property
    def previtem(self):
        return self._items[self.index0 - 1] if self.index0 > 0 else Undefined("previtem")

    @property
    def nextitem(self):
        if self.index0 + 1 < self.length:
            return self._items[self.index0 + 1]
        return Undefined("nextitem")

    def cycle(self, *values):
        if not values:
            raise TypeError("cycle() needs at least one value")
        return values[self.index0 % len(values)]


def iterate(value):
    """What a for loop iterates: a mapping's keys, nothing for None."""
    if value is None or isinstance(value, Undefined):
        return ()
    return value


class Context:
    """The names a template renders with: the render's own variables,
    then the environment's globals."""

    __slots__ = ("env", "vars", "parent", "name")

    def __init__(self, env, vars, parent=None, name=None):
        self.env = env
        self.vars = vars
        self.parent = env.globals if parent is None else parent
        self.name = name

    def resolve(self, key):
        try:
            return self.vars[key]
        except KeyError:
            pass
        try:
            return self.parent[key]
        except KeyError:
            return Undefined(key)

    def get(self, key, default=None):
        value = self.resolve(key)
        return default if isinstance(value, Undefined) else value

    def set(self, key, value):
        self.vars[key] = value

    def derive(self, extra):
        """A context for an include: the same names plus `extra`, in a
        dict of its own, so what the include binds (its macros) stays
        in it."""
        merged = dict(self.vars)
        merged.update(extra)
        return Context(self.env, merged, self.parent, self.name)

    def __contains__(self, key):
        return key in self.vars or key in self.parent

    def __repr__(self):
        return "<Context of %s: %s>" % (self.name, sorted(self.vars))


class Macro:
    """A {% macro %} bound to the context it was imported into."""

    __slots__ = ("func", "ctx", "name")

    def __init__(self, func, ctx, name):
        self.func, self.ctx, self.name = func, ctx, name

    def __call__(self, *args, **kwargs):
        try:
            return self.func(self.ctx, *args, **kwargs)
        except TypeError as e:
            if "macro_" in str(e):
                raise UndefinedError("macro %s: %s" % (self.name, e)) from None
            raise

    def __repr__(self):
        return "<Macro %s>" % self.name
