"""Model fields: how a Python value is stored in a SQLite column and read
back, and the relations between models.

SQLite has no decimal or date types, so: decimals are stored as integers
in their smallest unit (cents), which keeps ORDER BY and comparisons
right; datetimes as ISO 8601 text in UTC, which sorts as time does;
booleans as 0/1.  Relations: ForeignKey is a column (`author_id`) plus a
descriptor that loads the object; ManyToManyField is a join table.
"""
import itertools
import json
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

from .. import validators as v
from ..timeutil import now, parse_iso

NOT_PROVIDED = object()
_counter = itertools.count()


class FieldError(Exception):
    """A model has no such field, or a lookup does not apply to it."""


class Field:
    """A column.  Subclasses say its SQL type and conversions."""

    db_type = "TEXT"
    empty_values = (None, "")
    is_relation = False
    many_to_many = False

    def __init__(self, verbose_name=None, *, null=False, blank=False, default=NOT_PROVIDED,
                 primary_key=False, unique=False, index=False, db_column=None,
                 choices=None, editable=True, validators=(), help_text=""):
        self.verbose_name = verbose_name
        self.null = null
        self.blank = blank or null
        self.default = default
        self.primary_key = primary_key
        self.unique = unique or primary_key
        self.index = index
        self.db_column = db_column
        self.choices = choices
        self.editable = editable
        self.validators = list(validators)
        self.help_text = help_text
        self.creation_order = next(_counter)
        self.name = self.attname = self.column = self.model = None

    def contribute_to_class(self, cls, name):
        self.name = name
        self.attname = self.get_attname()
        self.column = self.db_column or self.attname
        self.model = cls
        if self.verbose_name is None:
            self.verbose_name = name.replace("_", " ")
        cls._meta.add_field(self)

    def get_attname(self):
        return self.name

    def has_default(self):
        return self.default is not NOT_PROVIDED

    def get_default(self):
        if self.default is NOT_PROVIDED:
            return None
        return self.default() if callable(self.default) else self.default

    # --- conversions ------------------------------------------------------------

    def to_db(self, value):
        """A Python value -> what sqlite3 stores."""
        return value

    def from_db(self, value):
        """What sqlite3 returns -> the Python value."""
        return value

    def from_aggregate(self, value, function):
        """The result of SUM/MIN/MAX/AVG over this column."""
        if value is None or function == "AVG":
            return value
        return self.from_db(value)

    def column_sql(self):
        parts = ['"%s" %s' % (self.column, self.db_type)]
        if self.primary_key:
            parts.append("PRIMARY KEY")
        elif not self.null:
            parts.append("NOT NULL")
        if self.unique and not self.primary_key:
            parts.append("UNIQUE")
        return " ".join(parts)

    # --- validation ----------------------------------------------------------------

    def clean(self, value, instance=None):
        if value in self.empty_values:
            if not self.blank:
                raise v.ValidationError("This field cannot be blank.", code="blank")
            return value
        if self.choices and value not in dict(self.choices):
            raise v.ValidationError("%(value)r is not a valid choice.",
                                    code="invalid_choice", params={"value": value})
        for validator in self.validators:
            validator(value)
        return value

    def __repr__(self):
        where = "%s.%s" % (self.model.__name__, self.name) if self.model else "unbound"
        return "<%s %s>" % (type(self).__name__, where)


class IntegerField(Field):
    db_type = "INTEGER"

    def to_db(self, value):
        return None if value is None else int(value)


class AutoField(IntegerField):
    """The integer primary key SQLite assigns (its rowid)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("editable", False)
        super().__init__(**kwargs)


class PositiveIntegerField(IntegerField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(v.MinValueValidator(0))


class FloatField(Field):
    db_type = "REAL"

    def to_db(self, value):
        return None if value is None else float(value)


class BooleanField(Field):
    db_type = "INTEGER"
    empty_values = (None,)

    def to_db(self, value):
        return None if value is None else int(bool(value))

    def from_db(self, value):
        return None if value is None else bool(value)


class CharField(Field):
    def __init__(self, *args, max_length=200, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        self.validators.append(v.MaxLengthValidator(max_length))

    def to_db(self, value):
        return None if value is None else str(value)


class SlugField(CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("index", True)
        super().__init__(*args, **kwargs)
        self.validators.append(v.validate_slug)


class EmailField(CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(*args, **kwargs)
        self.validators.append(v.validate_email)


class URLField(CharField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(v.URLValidator())


class TextField(Field):
    def to_db(self, value):
        return None if value is None else str(value)


class DecimalField(Field):
    """Stored as an integer count of 10**-decimal_places units."""

    db_type = "INTEGER"

    def __init__(self, *args, max_digits=10, decimal_places=2, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_digits = max_digits
        self.decimal_places = decimal_places
        self.validators.append(v.DecimalValidator(max_digits, decimal_places))

    def to_db(self, value):
        if value is None:
            return None
        return int(Decimal(str(value)).scaleb(self.decimal_places).to_integral_value())

    def from_db(self, value):
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.decimal_places)

    def from_aggregate(self, value, function):
        if value is None:
            return None
        if function == "AVG":
            q = Decimal(1).scaleb(-self.decimal_places)
            return (Decimal(str(value)).scaleb(-self.decimal_places)).quantize(q)
        return self.from_db(value)


class DateTimeField(Field):
    """ISO 8601 text, always UTC."""

    def __init__(self, *args, auto_now_add=False, **kwargs):
        if auto_now_add:
            kwargs.setdefault("default", now)
            kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def to_db(self, value):
        if value is None:
            return None
        if isinstance(value, str):
            value = parse_iso(value)
        if not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat(timespec="seconds")

    def from_db(self, value):
        return parse_iso(value)


class DateField(Field):
    def to_db(self, value):
        if value is None:
            return None
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    def from_db(self, value):
        return date.fromisoformat(value) if value else None


class JSONField(Field):
    def to_db(self, value):
        return None if value is None else json.dumps(value, sort_keys=True)

    def from_db(self, value):
        return None if value is None else json.loads(value)


class UUIDField(Field):
    def to_db(self, value):
        return None if value is None else str(value)

    def from_db(self, value):
        return None if value is None else uuid.UUID(value)


# --- relations ------------------------------------------------------------------------


class CASCADE:
    """on_delete markers (SQLite enforces them: foreign_keys = ON)."""
    sql = "CASCADE"


class SET_NULL:
    sql = "SET NULL"


class PROTECT:
    sql = "RESTRICT"


class ForeignKey(Field):
    """A many-to-one relation: `author = ForeignKey(Author)` stores
    `author_id` and loads `author` on first access."""

    db_type = "INTEGER"
    is_relation = True

    def __init__(self, to, *args, on_delete=CASCADE, related_name=None, **kwargs):
        kwargs.setdefault("index", True)
        super().__init__(*args, **kwargs)
        self.remote_model = to
        self.on_delete = on_delete
        self.related_name = related_name

    def get_attname(self):
        return self.name + "_id"

    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        setattr(cls, name, ForwardDescriptor(self))
        related = self.related_name or cls.__name__.lower() + "_set"
        self.related_name = related
        self.remote_model._meta.add_relation(related, ReverseRelation(self))
        setattr(self.remote_model, related, ReverseManyDescriptor(self))

    def to_db(self, value):
        if value is None:
            return None
        if hasattr(value, "_meta"):
            return value.pk
        return int(value)

    def column_sql(self):
        remote = self.remote_model._meta
        return '%s REFERENCES "%s" ("%s") ON DELETE %s' % (
            super().column_sql(), remote.table, remote.pk.column, self.on_delete.sql)

    # The path a lookup such as author__name follows.
    def join_steps(self, alias):
        remote = self.remote_model._meta
        return [(remote.table, '"{new}"."%s" = "%s"."%s"' % (remote.pk.column, alias, self.column))]

    @property
    def target_model(self):
        return self.remote_model

    multivalued = False


class RelatedEnd:
    """The far end of a relation, seen from the model it points to: its
    name there is the field's related_name, and lookups through it reach
    the field's own model."""

    is_relation = True
    multivalued = True
    many_to_many = False

    def __init__(self, field):
        self.field = field
        self.name = field.related_name

    @property
    def target_model(self):
        return self.field.model


class ReverseRelation(RelatedEnd):
    """The other end of a ForeignKey: author.article_set."""

    def join_steps(self, alias):
        src = self.field.model._meta
        own_pk = self.field.remote_model._meta.pk.column
        return [(src.table, '"{new}"."%s" = "%s"."%s"' % (self.field.column, alias, own_pk))]

    def correlated(self, outer_alias):
        """(table, WHERE condition) tying the related rows to an outer row."""
        src = self.field.model._meta
        own_pk = self.field.remote_model._meta.pk.column
        return src.table, '"%s"."%s" = "%s"."%s"' % (src.table, self.field.column, outer_alias, own_pk)


class ManyToManyField(Field):
    """A many-to-many relation through a join table (made for it unless
    `through` names a model with a ForeignKey to each side)."""

    is_relation = True
    many_to_many = True
    multivalued = True

    def __init__(self, to, *args, through=None, related_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.remote_model = to
        self.through = through
        self.related_name = related_name

    def contribute_to_class(self, cls, name):
        self.name = self.attname = name
        self.model = cls
        self.column = None
        if self.verbose_name is None:
            self.verbose_name = name.replace("_", " ")
        cls._meta.add_m2m(self)
        setattr(cls, name, ManyToManyDescriptor(self, reverse=False))

    def finish(self):
        """Called once the owning class exists: makes the join model and
        the reverse accessor."""
        from .models import make_through_model
        if self.through is None:
            self.through = make_through_model(self)
        through = self.through._meta
        self.source_fk = next(f for f in through.fields if f.is_relation and f.remote_model is self.model)
        self.target_fk = next(f for f in through.fields if f.is_relation and f.remote_model is self.remote_model
                              and f is not self.source_fk)
        related = self.related_name or self.model.__name__.lower() + "_set"
        self.related_name = related
        self.remote_model._meta.add_relation(related, ManyToManyRel(self))
        setattr(self.remote_model, related, ManyToManyDescriptor(self, reverse=True))

    @property
    def target_model(self):
        return self.remote_model

    def column_sql(self):
        return None

    def join_steps(self, alias):
        return _m2m_steps(self.through, self.source_fk, self.target_fk, self.model,
                          self.remote_model, alias)

    def correlated(self, outer_alias):
        return _m2m_correlated(self.through, self.source_fk, self.model, outer_alias)


def _m2m_steps(through, near_fk, far_fk, near_model, far_model, alias):
    """The two joins from `near_model` (at `alias`) through the join
    table to `far_model`; the same in both directions, roles swapped."""
    t = through._meta
    far = far_model._meta
    return [
        (t.table, '"{new}"."%s" = "%s"."%s"' % (near_fk.column, alias, near_model._meta.pk.column)),
        (far.table, '"{new}"."%s" = "{prev}"."%s"' % (far.pk.column, far_fk.column)),
    ]


def _m2m_correlated(through, near_fk, near_model, outer_alias):
    t = through._meta
    return t.table, '"%s"."%s" = "%s"."%s"' % (
        t.table, near_fk.column, outer_alias, near_model._meta.pk.column)


class ManyToManyRel(RelatedEnd):
    """The other end of a ManyToManyField: tag.product_set."""

    many_to_many = True

    def join_steps(self, alias):
        f = self.field
        return _m2m_steps(f.through, f.target_fk, f.source_fk, f.remote_model, f.model, alias)

    def correlated(self, outer_alias):
        f = self.field
        return _m2m_correlated(f.through, f.target_fk, f.remote_model, outer_alias)


# --- descriptors -------------------------------------------------------------------------


class ForwardDescriptor:
    """article.author: the related object, loaded once and cached on
    the instance (select_related() fills the cache up front)."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner):
        if instance is None:
            return self
        cache = instance._state.cache
        name = self.field.name
        if name in cache:
            return cache[name]
        pk = getattr(instance, self.field.attname)
        obj = None if pk is None else self.field.remote_model.objects.get(pk=pk)
        cache[name] = obj
        return obj

    def __set__(self, instance, value):
        setattr(instance, self.field.attname, None if value is None else value.pk)
        instance._state.cache[self.field.name] = value


class ReverseManyDescriptor:
    """author.article_set: a manager over the rows that point here."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner):
        if instance is None:
            return self
        from .models import RelatedManager
        return RelatedManager(instance, self.field.model, {self.field.name: instance.pk},
                              self.field.related_name)


class ManyToManyDescriptor:
    def __init__(self, field, reverse):
        self.field = field
        self.reverse = reverse

    def __get__(self, instance, owner):
        if instance is None:
            return self
        from .models import ManyRelatedManager
        return ManyRelatedManager(instance, self.field, self.reverse)
