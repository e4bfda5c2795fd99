"""Serializers: model instances -> the dicts the JSON API returns.

    class TagSerializer(Serializer):
        id = IntegerField()
        name = CharField()
        url = URLField("api:tag", slug="slug")

A serializer declares its output fields; each reads an attribute (or a
dotted path) of the object and converts it.  MethodField calls
`get_<name>(obj)` on the serializer.  The request, when given, lets
URLField build absolute links.
"""
from decimal import Decimal

from .exceptions import NoReverseMatch


class SerializerField:
    _counter = 0

    def __init__(self, source=None, *, required=True, allow_null=True):
        self.source = source
        self.required = required
        self.allow_null = allow_null
        SerializerField._counter += 1
        self.order = SerializerField._counter
        self.name = None
        self.parent = None

    def bind(self, name, parent):
        self.name = name
        self.parent = parent
        if self.source is None:
            self.source = name

    def get_attribute(self, obj):
        for part in self.source.split("."):
            if obj is None:
                return None
            obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part)
            if callable(obj) and not isinstance(obj, type):
                obj = obj()
        return obj

    def to_representation(self, value):
        return value

    def serialize(self, obj):
        value = self.get_attribute(obj)
        if value is None:
            return None
        return self.to_representation(value)


class Field(SerializerField):
    pass


class CharField(SerializerField):
    def __init__(self, source=None, *, max_length=None, **kwargs):
        super().__init__(source, **kwargs)
        self.max_length = max_length

    def to_representation(self, value):
        value = str(value)
        if self.max_length and len(value) > self.max_length:
            value = value[:self.max_length - 1] + "\u2026"
        return value


class IntegerField(SerializerField):
    def to_representation(self, value):
        return int(value)


class FloatField(SerializerField):
    def __init__(self, source=None, *, places=None, **kwargs):
        super().__init__(source, **kwargs)
        self.places = places

    def to_representation(self, value):
        return round(float(value), self.places) if self.places is not None else float(value)


class DecimalField(SerializerField):
    """As a string ("12.50"): JSON numbers are floats to most clients."""

    def __init__(self, source=None, *, places=2, **kwargs):
        super().__init__(source, **kwargs)
        self.quantum = Decimal(1).scaleb(-places)

    def to_representation(self, value):
        return str(Decimal(value).quantize(self.quantum))


class BooleanField(SerializerField):
    def to_representation(self, value):
        return bool(value)


class DateTimeField(SerializerField):
    def to_representation(self, value):
        return value.isoformat().replace("+00:00", "Z")


class DateField(SerializerField):
    def to_representation(self, value):
        return value.isoformat()


class ListField(SerializerField):
    def __init__(self, child=None, source=None, **kwargs):
        super().__init__(source, **kwargs)
        self.child = child

    def to_representation(self, value):
        items = value.all() if hasattr(value, "all") else value
        if self.child is None:
            return list(items)
        return [self.child.to_representation(i) for i in items]


class MethodField(SerializerField):
    """The value of the serializer's get_<name>(obj)."""

    def __init__(self, method_name=None, **kwargs):
        super().__init__(source="*", **kwargs)
        self.method_name = method_name

    def bind(self, name, parent):
        super().bind(name, parent)
        self.method_name = self.method_name or "get_" + name

    def serialize(self, obj):
        return getattr(self.parent, self.method_name)(obj)


class URLField(SerializerField):
    """A link to a route: URLField("api:product", pk="id")."""

    def __init__(self, route, **url_kwargs):
        super().__init__(source="*")
        self.route = route
        self.url_kwargs = url_kwargs

    def serialize(self, obj):
        router = self.parent.context.get("router")
        if router is None:
            return None
        kwargs = {k: getattr(obj, attr) for k, attr in self.url_kwargs.items()}
        try:
            path = router.reverse(self.route, **kwargs)
        except NoReverseMatch:
            return None
        request = self.parent.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class SerializerMeta(type):
    def __new__(mcs, name, bases, attrs):
        declared = sorted(((k, v) for k, v in attrs.items() if isinstance(v, SerializerField)),
                          key=lambda kv: kv[1].order)
        for k, _ in declared:
            del attrs[k]
        cls = super().__new__(mcs, name, bases, attrs)
        fields = {}
        for base in reversed(cls.__mro__[1:]):
            fields.update(getattr(base, "declared_fields", {}))
        fields.update(declared)
        cls.declared_fields = fields
        return cls


class Serializer(SerializerField, metaclass=SerializerMeta):
    """Serializes one object, or many with many=True.  A serializer is
    itself a field, so serializers nest."""

    def __init__(self, instance=None, *, many=False, context=None, source=None, fields=None):
        super().__init__(source)
        self.instance = instance
        self.many = many
        self.context = dict(context or {})
        self.only = set(fields) if fields else None
        self._fields = None

    @property
    def fields(self):
        if self._fields is None:
            import copy
            self._fields = {}
            for name, f in self.declared_fields.items():
                if self.only is not None and name not in self.only:
                    continue
                f = copy.copy(f)
                f.bind(name, self)
                self._fields[name] = f
        return self._fields

    def bind(self, name, parent):
        super().bind(name, parent)
        self.context = parent.context

    def to_representation(self, obj):
        if self.many and not isinstance(obj, dict):
            if hasattr(obj, "all"):         # a related manager
                obj = obj.all()
            return [self._one(o) for o in obj]
        return self._one(obj)

    def _one(self, obj):
        return {name: f.serialize(obj) for name, f in self.fields.items()}

    @property
    def data(self):
        return self.to_representation(self.instance)
