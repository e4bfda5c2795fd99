"""Models: classes whose fields map to a table's columns.

    class Article(Model):
        title = CharField(max_length=200)
        author = ForeignKey(Author, related_name="articles")
        tags = ManyToManyField(Tag, related_name="articles")

        class Meta:
            ordering = ["-published"]

The metaclass collects the fields (in the order they were written, an
abstract base's first), adds an `id` primary key when none is declared,
gives each model its own DoesNotExist and MultipleObjectsReturned, a
default manager `objects`, and the join model of each many-to-many
field.  Every model knows its Database through its Options (`_meta`).
"""
from .db import Database
from .fields import AutoField, Field, FieldError, ForeignKey, ManyToManyField
from .query import QuerySet
from ..validators import ValidationError

# Models by lower-case name, for the schema and the admin-style pages.
registry = {}
default_database = Database()


class ObjectDoesNotExist(Exception):
    """Base of every model's DoesNotExist."""


class MultipleObjectsReturned(Exception):
    """Base of every model's MultipleObjectsReturned."""


class Options:
    """A model's metadata: table, fields, relations, ordering."""

    def __init__(self, model, meta):
        self.model = model
        self.abstract = getattr(meta, "abstract", False)
        self.table = getattr(meta, "table", None) or model.__name__.lower()
        self.ordering = list(getattr(meta, "ordering", []))
        self.indexes = [tuple(i) for i in getattr(meta, "indexes", [])]
        self.unique_together = [tuple(u) for u in getattr(meta, "unique_together", [])]
        self.verbose_name = getattr(meta, "verbose_name", model.__name__.lower())
        self.verbose_name_plural = getattr(meta, "verbose_name_plural", self.verbose_name + "s")
        self.database = getattr(meta, "database", None) or default_database
        self.fields = []
        self.fields_map = {}
        self.many_to_many = []
        self.relations = {}
        self.pk = None

    def add_field(self, field):
        if field.name in self.fields_map:
            raise FieldError("%s.%s defined twice" % (self.model.__name__, field.name))
        self.fields.append(field)
        self.fields_map[field.name] = field
        if field.attname != field.name:
            self.fields_map[field.attname] = field
        if field.primary_key:
            if self.pk is not None:
                raise FieldError("%s has two primary keys" % self.model.__name__)
            self.pk = field

    def add_m2m(self, field):
        self.many_to_many.append(field)
        self.relations[field.name] = field

    def add_relation(self, name, relation):
        if name in self.fields_map or name in self.relations:
            raise FieldError("%s already has %r (a related_name clashes)" % (self.model.__name__, name))
        self.relations[name] = relation

    @property
    def concrete_fields(self):
        return self.fields

    def get_field(self, name):
        if name == "pk":
            return self.pk
        try:
            return self.fields_map[name]
        except KeyError:
            raise FieldError("%s has no field %r" % (self.model.__name__, name)) from None

    def get_field_or_relation(self, name):
        return self.fields_map.get(name) or self.relations.get(name)

    def create_sql(self):
        """CREATE TABLE and CREATE INDEX statements."""
        cols = [f.column_sql() for f in self.fields]
        for group in self.unique_together:
            cols.append("UNIQUE (%s)" % ", ".join('"%s"' % self.get_field(n).column for n in group))
        out = ['CREATE TABLE IF NOT EXISTS "%s" (\n    %s\n)' % (self.table, ",\n    ".join(cols))]
        for f in self.fields:
            if f.index and not f.unique:
                out.append('CREATE INDEX IF NOT EXISTS "%s_%s" ON "%s" ("%s")'
                           % (self.table, f.column, self.table, f.column))
        for group in self.indexes:
            cols_ = [self.get_field(n.lstrip("-")).column for n in group]
            out.append('CREATE INDEX IF NOT EXISTS "%s_%s" ON "%s" (%s)' % (
                self.table, "_".join(cols_), self.table,
                ", ".join('"%s"%s' % (c, " DESC" if n.startswith("-") else "")
                          for c, n in zip(cols_, group))))
        return out

    def __repr__(self):
        return "<Options for %s>" % self.model.__name__


class ModelState:
    """Per-instance bookkeeping, apart from the field values."""

    __slots__ = ("adding", "cache", "prefetched")

    def __init__(self, adding=True):
        self.adding = adding
        self.cache = {}
        self.prefetched = {}


class Manager:
    """The model's entry to queries: Article.objects.filter(...)."""

    def __init__(self):
        self.model = None
        self.name = None

    def contribute_to_class(self, cls, name):
        self.model = cls
        self.name = name
        setattr(cls, name, self)

    def get_queryset(self):
        return QuerySet(self.model)

    def all(self):
        return self.get_queryset()

    def filter(self, *args, **kwargs):
        return self.get_queryset().filter(*args, **kwargs)

    def exclude(self, *args, **kwargs):
        return self.get_queryset().exclude(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self.get_queryset().get(*args, **kwargs)

    def first(self):
        return self.get_queryset().first()

    def count(self):
        return self.get_queryset().count()

    def exists(self):
        return self.get_queryset().exists()

    def order_by(self, *names):
        return self.get_queryset().order_by(*names)

    def select_related(self, *names):
        return self.get_queryset().select_related(*names)

    def prefetch_related(self, *names):
        return self.get_queryset().prefetch_related(*names)

    def annotate(self, **aggregates):
        return self.get_queryset().annotate(**aggregates)

    def aggregate(self, **aggregates):
        return self.get_queryset().aggregate(**aggregates)

    def values_list(self, *names, flat=False):
        return self.get_queryset().values_list(*names, flat=flat)

    def in_bulk(self, ids):
        return self.get_queryset().in_bulk(ids)

    def create(self, **kwargs):
        return self.get_queryset().create(**kwargs)

    def bulk_create(self, objs):
        return self.get_queryset().bulk_create(objs)

    def none(self):
        return self.get_queryset().none()

    def __iter__(self):
        raise TypeError("iterate %s.%s.all(), not the manager" % (self.model.__name__, self.name))


class RelatedManager(Manager):
    """author.articles: the rows of another model pointing at one row."""

    def __init__(self, instance, model, filters, name):
        super().__init__()
        self.instance = instance
        self.model = model
        self.filters = filters
        self.name = name

    def get_queryset(self):
        qs = self.model.objects.get_queryset().filter(**self.filters)
        cached = self.instance._state.prefetched.get(self.name)
        if cached is not None:
            qs._result = cached
        return qs


class ManyRelatedManager(Manager):
    """article.tags and tag.articles."""

    def __init__(self, instance, field, reverse):
        super().__init__()
        self.instance = instance
        self.field = field
        self.reverse = reverse
        if reverse:
            self.model, self.name, self.path = field.model, field.related_name, field.name
        else:
            self.model, self.name, self.path = field.remote_model, field.name, field.related_name

    def get_queryset(self):
        qs = self.model.objects.get_queryset().filter(**{self.path: self.instance.pk})
        cached = self.instance._state.prefetched.get(self.name)
        if cached is not None:
            qs._result = cached
        return qs

    def add(self, *objs):
        through = self.field.through
        own, other = (self.field.target_fk, self.field.source_fk) if self.reverse else \
            (self.field.source_fk, self.field.target_fk)
        through.objects.bulk_create([
            through(**{own.attname: self.instance.pk, other.attname: o.pk}) for o in objs])
        self.instance._state.prefetched.pop(self.name, None)


class ModelBase(type):
    def __new__(mcs, name, bases, attrs, **kwargs):
        parents = [b for b in bases if isinstance(b, ModelBase)]
        if not parents:
            return super().__new__(mcs, name, bases, attrs, **kwargs)
        meta = attrs.pop("Meta", None)
        contributable = {k: v for k, v in attrs.items() if hasattr(v, "contribute_to_class")}
        plain = {k: v for k, v in attrs.items() if k not in contributable}
        cls = super().__new__(mcs, name, bases, plain, **kwargs)
        cls._meta = Options(cls, meta)
        # Fields of abstract parents are copied: each concrete model owns
        # its own Field objects (their .model differs).
        inherited = []
        for parent in parents:
            pmeta = getattr(parent, "_meta", None)
            if pmeta is not None and pmeta.abstract:
                inherited += [(f.name, f) for f in pmeta.fields] + \
                             [(f.name, f) for f in pmeta.many_to_many]
                if not cls._meta.ordering:
                    cls._meta.ordering = list(pmeta.ordering)
        own = sorted(((k, v) for k, v in contributable.items() if isinstance(v, Field)),
                     key=lambda kv: kv[1].creation_order)
        if not cls._meta.abstract:
            declared = [f for _, f in inherited] + [f for _, f in own]
            if not any(f.primary_key for f in declared):
                AutoField().contribute_to_class(cls, "id")
        # An abstract model only records its fields; they are bound to a
        # table by the concrete models that inherit them.
        fields = [(fname, _copy_field(f)) for fname, f in inherited] + own
        for fname, field in fields:
            if not cls._meta.abstract:
                field.contribute_to_class(cls, fname)
            elif field.many_to_many:
                field.name = field.attname = fname
                cls._meta.add_m2m(field)
            else:
                field.name = field.attname = fname
                cls._meta.add_field(field)
        for key, value in contributable.items():
            if not isinstance(value, Field):
                value.contribute_to_class(cls, key)
        if cls._meta.abstract:
            return cls
        cls.DoesNotExist = type("DoesNotExist", (ObjectDoesNotExist,), {"__module__": cls.__module__,
                                                                        "__qualname__": name + ".DoesNotExist"})
        cls.MultipleObjectsReturned = type("MultipleObjectsReturned", (MultipleObjectsReturned,),
                                           {"__module__": cls.__module__,
                                            "__qualname__": name + ".MultipleObjectsReturned"})
        if not any(isinstance(v, Manager) for v in contributable.values()):
            Manager().contribute_to_class(cls, "objects")
        elif "objects" not in contributable:
            # The first manager declared is the default one.
            first = next(v for v in contributable.values() if isinstance(v, Manager))
            cls.objects = first
        cls._attnames = tuple(f.attname for f in cls._meta.fields)
        cls._converters = tuple(f.from_db for f in cls._meta.fields)
        registry[name.lower()] = cls
        for field in cls._meta.many_to_many:
            field.finish()
        return cls


def _copy_field(field):
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    clone.validators = list(field.validators)
    return clone


def make_through_model(field):
    """The join model of a ManyToManyField declared without `through`:
    article_tags with article_id and tag_id."""
    src, dst = field.model, field.remote_model
    table = "%s_%s" % (src._meta.table, field.name)
    src_name, dst_name = src.__name__.lower(), dst.__name__.lower()
    if src_name == dst_name:
        src_name, dst_name = "from_" + src_name, "to_" + dst_name
    meta = type("Meta", (), {"table": table, "unique_together": [(src_name, dst_name)],
                             "database": src._meta.database})
    attrs = {
        "__module__": src.__module__,
        "__qualname__": "%s_%s" % (src.__name__, field.name),
        "Meta": meta,
        src_name: ForeignKey(src, related_name="+%s_%s" % (table, src_name)),
        dst_name: ForeignKey(dst, related_name="+%s_%s" % (table, dst_name)),
    }
    return ModelBase("%s_%s" % (src.__name__, field.name), (Model,), attrs)


class Model(metaclass=ModelBase):
    """Base of every model."""

    def __init__(self, **kwargs):
        self._state = ModelState()
        meta = self._meta
        for field in meta.fields:
            if field.name in kwargs and field.is_relation:
                setattr(self, field.name, kwargs.pop(field.name))
            elif field.attname in kwargs:
                setattr(self, field.attname, kwargs.pop(field.attname))
            else:
                setattr(self, field.attname, field.get_default())
        for name, value in kwargs.items():
            if name in meta.relations:
                raise TypeError("%s: set %r after saving (a to-many relation)" % (type(self).__name__, name))
            raise TypeError("%s has no field %r" % (type(self).__name__, name))

    @classmethod
    def from_db(cls, row):
        obj = cls.__new__(cls)
        obj._state = ModelState(adding=False)
        d = obj.__dict__
        for name, conv, value in zip(cls._attnames, cls._converters, row):
            d[name] = conv(value)
        return obj

    @property
    def pk(self):
        return getattr(self, self._meta.pk.attname)

    @pk.setter
    def pk(self, value):
        setattr(self, self._meta.pk.attname, value)

    def __eq__(self, other):
        return type(self) is type(other) and self.pk is not None and self.pk == other.pk

    def __hash__(self):
        if self.pk is None:
            raise TypeError("an unsaved model instance cannot be hashed")
        return hash((type(self).__name__, self.pk))

    def __repr__(self):
        return "<%s %s: %s>" % (type(self).__name__, self.pk, self)

    def __str__(self):
        return "%s object (%s)" % (type(self).__name__, self.pk)

    def full_clean(self, exclude=()):
        """Runs every field's validation; raises ValidationError with a
        dict of field name -> messages."""
        errors = {}
        for f in self._meta.fields:
            if f.name in exclude or f.primary_key:
                continue
            try:
                setattr(self, f.attname, f.clean(getattr(self, f.attname), self))
            except ValidationError as e:
                errors[f.name] = e.messages
        try:
            self.clean()
        except ValidationError as e:
            errors.setdefault("__all__", []).extend(e.messages)
        if errors:
            raise ValidationError(errors)

    def clean(self):
        """Checks across fields; subclasses override."""

    def save(self):
        meta = self._meta
        db = meta.database
        fields = [f for f in meta.fields if not f.primary_key]
        values = [f.to_db(getattr(self, f.attname)) for f in fields]
        if self._state.adding or self.pk is None:
            cols = list(fields)
            if self.pk is not None:
                cols.insert(0, meta.pk)
                values.insert(0, meta.pk.to_db(self.pk))
            sql = 'INSERT INTO "%s" (%s) VALUES (%s)' % (
                meta.table, ", ".join('"%s"' % f.column for f in cols), ", ".join("?" * len(cols)))
            cur = db.execute(sql, values)
            if self.pk is None:
                self.pk = cur.lastrowid
            self._state.adding = False
        else:
            sql = 'UPDATE "%s" SET %s WHERE "%s" = ?' % (
                meta.table, ", ".join('"%s" = ?' % f.column for f in fields), meta.pk.column)
            db.execute(sql, values + [self.pk])

    def delete(self):
        meta = self._meta
        meta.database.execute('DELETE FROM "%s" WHERE "%s" = ?' % (meta.table, meta.pk.column), [self.pk])
        self._state.adding = True

    def to_dict(self, fields=None):
        names = fields or [f.attname for f in self._meta.fields]
        return {n: getattr(self, n) for n in names}
