"""What filter(), order_by() and annotate() are written with: lookups
(the `__icontains` in `title__icontains="x"`), Q objects for and/or/not,
F for a column on the right-hand side, and aggregates.

Each lookup turns (column SQL, value) into a WHERE fragment with `?`
placeholders; values never go into the SQL text itself.
"""

LOOKUPS = {}


class Lookup:
    """column <op> value.  `prepare` converts the value through the
    field (a Decimal to cents, a datetime to ISO text)."""

    lookup_name = None
    operator = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.lookup_name:
            LOOKUPS[cls.lookup_name] = cls

    def __init__(self, lhs, field, value):
        self.lhs = lhs
        self.field = field
        self.value = value

    def prepare(self, value):
        return self.field.to_db(value) if self.field is not None else value

    def rhs(self):
        if isinstance(self.value, F):
            return self.value.sql, []
        return "?", [self.prepare(self.value)]

    def as_sql(self):
        rhs, params = self.rhs()
        return "%s %s %s" % (self.lhs, self.operator, rhs), params


class Exact(Lookup):
    lookup_name = "exact"
    operator = "="

    def as_sql(self):
        if self.value is None:
            return "%s IS NULL" % self.lhs, []
        return super().as_sql()


class IExact(Lookup):
    lookup_name = "iexact"

    def as_sql(self):
        return "%s = ? COLLATE NOCASE" % self.lhs, [self.prepare(self.value)]


class GreaterThan(Lookup):
    lookup_name = "gt"
    operator = ">"


class GreaterThanOrEqual(Lookup):
    lookup_name = "gte"
    operator = ">="


class LessThan(Lookup):
    lookup_name = "lt"
    operator = "<"


class LessThanOrEqual(Lookup):
    lookup_name = "lte"
    operator = "<="


class NotEqual(Lookup):
    lookup_name = "ne"
    operator = "!="


def _like_escape(text):
    return str(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class PatternLookup(Lookup):
    """LIKE, which SQLite compares without case for ASCII letters."""

    pattern = "%%%s%%"

    def as_sql(self):
        return "%s LIKE ? ESCAPE '\\'" % self.lhs, [self.pattern % _like_escape(self.value)]


class IContains(PatternLookup):
    lookup_name = "icontains"


class IStartsWith(PatternLookup):
    lookup_name = "istartswith"
    pattern = "%s%%"


class IEndsWith(PatternLookup):
    lookup_name = "iendswith"
    pattern = "%%%s"


class Contains(Lookup):
    """Case-sensitive, so not LIKE: instr() finds the exact text."""

    lookup_name = "contains"

    def as_sql(self):
        return "instr(%s, ?) > 0" % self.lhs, [str(self.value)]


class StartsWith(Lookup):
    lookup_name = "startswith"

    def as_sql(self):
        return "substr(%s, 1, ?) = ?" % self.lhs, [len(str(self.value)), str(self.value)]


class EndsWith(Lookup):
    lookup_name = "endswith"

    def as_sql(self):
        return "substr(%s, -?) = ?" % self.lhs, [len(str(self.value)), str(self.value)]


class In(Lookup):
    lookup_name = "in"

    def as_sql(self):
        values = [self.prepare(v) for v in self.value]
        if not values:
            return "0", []
        return "%s IN (%s)" % (self.lhs, ", ".join("?" * len(values))), values


class IsNull(Lookup):
    lookup_name = "isnull"

    def as_sql(self):
        return "%s IS %sNULL" % (self.lhs, "" if self.value else "NOT "), []


class Range(Lookup):
    lookup_name = "range"

    def as_sql(self):
        low, high = self.value
        return "%s BETWEEN ? AND ?" % self.lhs, [self.prepare(low), self.prepare(high)]


class Regex(Lookup):
    """Needs the REGEXP function the Database registers."""

    lookup_name = "regex"

    def as_sql(self):
        return "%s REGEXP ?" % self.lhs, [str(self.value)]


class DatePart(Lookup):
    """published__year=2023 on an ISO text column."""

    strftime = None

    def as_sql(self):
        return "CAST(strftime('%s', %s) AS INTEGER) = ?" % (self.strftime, self.lhs), [int(self.value)]


class Year(DatePart):
    lookup_name = "year"
    strftime = "%Y"


class Month(DatePart):
    lookup_name = "month"
    strftime = "%m"


class Day(DatePart):
    lookup_name = "day"
    strftime = "%d"


class Q:
    """Conditions combined with & | ~: Q(a=1) | Q(b__gt=2)."""

    AND, OR = "AND", "OR"

    def __init__(self, *children, _connector=AND, _negated=False, **kwargs):
        self.children = list(children) + sorted(kwargs.items())
        self.connector = _connector
        self.negated = _negated

    def _combine(self, other, connector):
        if not isinstance(other, Q):
            raise TypeError(other)
        return Q(self, other, _connector=connector)

    def __and__(self, other):
        return self._combine(other, self.AND)

    def __or__(self, other):
        return self._combine(other, self.OR)

    def __invert__(self):
        return Q(self, _negated=True)

    def __bool__(self):
        return bool(self.children)

    def __repr__(self):
        return "<Q %s%s: %r>" % ("NOT " if self.negated else "", self.connector, self.children)


class F:
    """A column as a value: filter(stock__lt=F("reorder_level")).  The
    query fills in `sql` when it resolves the name."""

    def __init__(self, name):
        self.name = name
        self.sql = None

    def __repr__(self):
        return "F(%s)" % self.name


class OrderBy:
    def __init__(self, name, descending=False):
        self.name = name
        self.descending = descending

    @classmethod
    def parse(cls, spec):
        if isinstance(spec, OrderBy):
            return spec
        if spec.startswith("-"):
            return cls(spec[1:], True)
        return cls(spec.lstrip("+"))


class Aggregate:
    """An aggregate over a column, or over the rows of a relation when
    used in annotate(): Count("comments") is the number of comments of
    each article."""

    function = None

    def __init__(self, path="*", distinct=False, filter=None):
        self.path = path
        self.distinct = distinct
        self.filter = filter

    def sql(self, column):
        return "%s(%s%s)" % (self.function, "DISTINCT " if self.distinct else "", column)

    def convert(self, value, field):
        if field is None:
            return value
        return field.from_aggregate(value, self.function)

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self.path)


class Count(Aggregate):
    function = "COUNT"

    def convert(self, value, field):
        return int(value or 0)


class Sum(Aggregate):
    function = "SUM"


class Avg(Aggregate):
    function = "AVG"


class Min(Aggregate):
    function = "MIN"


class Max(Aggregate):
    function = "MAX"
