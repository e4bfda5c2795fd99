"""Queries: the lazy, chainable QuerySet the site uses, and the Query
that turns it into one SELECT.

    Article.objects.filter(tags__slug="python").select_related("author")
                   .annotate(n_comments=Count("comments"))
                   .order_by("-published")[:20]

Nothing runs until the QuerySet is iterated, counted or indexed; the
rows are then kept on it.  Lookups across relations become LEFT JOINs
(with DISTINCT when a relation can match several rows); aggregates in
annotate() become correlated subqueries, so no GROUP BY is needed.
"""
from .expressions import LOOKUPS, Aggregate, F, OrderBy, Q
from .fields import FieldError


class Query:
    """The state of one SELECT, in pieces; `as_sql` assembles it."""

    def __init__(self, model):
        self.model = model
        self.meta = model._meta
        self.joins = []
        self.join_aliases = {}
        self.where = []
        self.order = None
        self.limit = None
        self.offset = 0
        self.related = []
        self.prefetch = []
        self.annotations = {}
        self.multivalued = False
        self.empty = False

    def clone(self):
        q = Query.__new__(Query)
        q.__dict__.update(self.__dict__)
        q.joins = list(self.joins)
        q.join_aliases = dict(self.join_aliases)
        q.where = list(self.where)
        q.order = list(self.order) if self.order is not None else None
        q.related = list(self.related)
        q.prefetch = list(self.prefetch)
        q.annotations = dict(self.annotations)
        return q

    # --- names to SQL --------------------------------------------------------------

    def join(self, path, relation, from_alias):
        """The alias of the table at the end of `relation`, joining it once
        per path."""
        alias = self.join_aliases.get(path)
        if alias is not None:
            return alias
        prev = from_alias
        for table, on in relation.join_steps(from_alias):
            alias = "t%d" % (len(self.joins) + 1)
            self.joins.append('LEFT JOIN "%s" AS "%s" ON %s' % (table, alias, on.format(new=alias, prev=prev)))
            prev = alias
        self.join_aliases[path] = prev
        if relation.multivalued:
            self.multivalued = True
        return prev

    def resolve(self, name):
        """'author__name__icontains' -> (column SQL, field, lookup name)."""
        if name in self.annotations:
            return '"%s"' % name, self.annotations[name][2], "exact"
        parts = name.split("__")
        meta, alias, path = self.meta, "t0", ()
        column = field = None
        for i, part in enumerate(parts):
            if part == "pk":
                part = meta.pk.name
            f = meta.get_field_or_relation(part)
            if f is None:
                if field is not None and part in LOOKUPS and i == len(parts) - 1:
                    return column, field, part
                raise FieldError("%s has no field %r (in %r)" % (meta.model.__name__, part, name))
            rest = parts[i + 1:]
            traverse = f.is_relation and (f.multivalued or (rest and rest[0] not in LOOKUPS))
            if traverse:
                path += (part,)
                alias = self.join(path, f, alias)
                meta = f.target_model._meta
                field = meta.pk
                column = '"%s"."%s"' % (alias, meta.pk.column)
            else:
                field = f
                column = '"%s"."%s"' % (alias, f.column)
        return column, field, "exact"

    def build_lookup(self, name, value):
        column, field, lookup = self.resolve(name)
        if isinstance(value, F):
            value.sql = self.resolve(value.name)[0]
        if hasattr(value, "_meta"):
            value = value.pk
        return LOOKUPS[lookup](column, field, value).as_sql()

    def compile_q(self, q):
        parts, params = [], []
        for child in q.children:
            if isinstance(child, Q):
                sql, p = self.compile_q(child)
            else:
                sql, p = self.build_lookup(*child)
            parts.append("(%s)" % sql)
            params.extend(p)
        sql = (" %s " % q.connector).join(parts) if parts else "1"
        if q.negated:
            sql = "NOT (%s)" % sql
        return sql, params

    def add_annotation(self, name, agg):
        if not isinstance(agg, Aggregate):
            raise TypeError("annotate() takes aggregates, not %r" % agg)
        rel_name, _, field_name = agg.path.partition("__")
        rel = self.meta.get_field_or_relation(rel_name)
        if rel is None or not rel.multivalued:
            raise FieldError("annotate(%s=...): %r is not a to-many relation of %s"
                             % (name, rel_name, self.meta.model.__name__))
        table, cond = rel.correlated("t0")
        params = []
        if agg.filter:
            for key, value in sorted(agg.filter.items()):
                cond += ' AND "%s"."%s" = ?' % (table, key)
                params.append(value)
        field = None
        if field_name:
            if rel.many_to_many:
                raise FieldError("annotate over a field across a many-to-many relation")
            field = rel.target_model._meta.get_field(field_name)
            column = '"%s"."%s"' % (table, field.column)
        else:
            column = "*"
        sql = "(SELECT %s FROM \"%s\" WHERE %s)" % (agg.sql(column), table, cond)
        self.annotations[name] = (sql, params, field, agg)

    # --- SQL --------------------------------------------------------------------------

    def select_list(self):
        cols = ['"t0"."%s"' % f.column for f in self.meta.concrete_fields]
        params = []
        for name in self.related:
            f = self.meta.get_field(name)
            alias = self.join((name,), f, "t0")
            cols += ['"%s"."%s"' % (alias, rf.column) for rf in f.remote_model._meta.concrete_fields]
        for name, (sql, p, _, _) in self.annotations.items():
            cols.append('%s AS "%s"' % (sql, name))
            params.extend(p)
        return cols, params

    def where_sql(self):
        if self.empty:
            return " WHERE 0", []
        if not self.where:
            return "", []
        params = []
        for _, p in self.where:
            params.extend(p)
        return " WHERE " + " AND ".join("(%s)" % s for s, _ in self.where), params

    def order_sql(self):
        order = self.order if self.order is not None else [OrderBy.parse(o) for o in self.meta.ordering]
        terms, have_pk = [], False
        for o in order:
            if o.name == "?":
                terms.append("RANDOM()")
                continue
            column = self.resolve(o.name)[0]
            have_pk = have_pk or column == '"t0"."%s"' % self.meta.pk.column
            terms.append(column + (" DESC" if o.descending else ""))
        # A total order, so that pages never share or lose a row.
        if not have_pk and "RANDOM()" not in terms:
            terms.append('"t0"."%s"' % self.meta.pk.column)
        return " ORDER BY " + ", ".join(terms)

    def limit_sql(self):
        if self.limit is None and not self.offset:
            return "", []
        return " LIMIT ? OFFSET ?", [-1 if self.limit is None else self.limit, self.offset]

    def as_sql(self, columns=None):
        if columns is None:
            cols, params = self.select_list()
        else:
            cols, params = columns, []
        order = self.order_sql()          # may add joins: before FROM is built
        where, wparams = self.where_sql()
        limit, lparams = self.limit_sql()
        sql = "SELECT %s%s FROM \"%s\" AS \"t0\" %s%s%s%s" % (
            "DISTINCT " if self.multivalued else "", ", ".join(cols), self.meta.table,
            " ".join(self.joins), where, order, limit)
        return sql, params + wparams + lparams

    def pk_subquery(self):
        """SELECT of the matching primary keys, for COUNT and aggregates."""
        where, params = self.where_sql()
        sql = 'SELECT %s"t0"."%s" FROM "%s" AS "t0" %s%s' % (
            "DISTINCT " if self.multivalued else "", self.meta.pk.column, self.meta.table,
            " ".join(self.joins), where)
        if self.limit is not None or self.offset:
            sql += self.order_sql()
            limit, lparams = self.limit_sql()
            sql += limit
            params = params + lparams
        return sql, params


class QuerySet:
    """A lazy query over one model."""

    def __init__(self, model, query=None):
        self.model = model
        self.query = query or Query(model)
        self._result = None

    @property
    def db(self):
        return self.model._meta.database

    def _clone(self):
        return type(self)(self.model, self.query.clone())

    def __repr__(self):
        items = list(self[:6])
        more = ", ..." if len(items) > 5 else ""
        return "<QuerySet %s%s>" % (items[:5], more)

    # --- building ---------------------------------------------------------------------

    def all(self):
        return self._clone()

    def filter(self, *args, **kwargs):
        return self._filter(False, args, kwargs)

    def exclude(self, *args, **kwargs):
        return self._filter(True, args, kwargs)

    def _filter(self, negate, args, kwargs):
        qs = self._clone()
        q = Q(*args, **kwargs)
        if not q:
            return qs
        if negate:
            # NOT IN a subquery: a plain NOT over a join to a to-many
            # relation would keep rows that also have a non-matching
            # related row.
            inner = Query(self.model)
            inner.where.append(inner.compile_q(q))
            sub, params = inner.pk_subquery()
            qs.query.where.append(('"t0"."%s" NOT IN (%s)' % (self.model._meta.pk.column, sub), params))
        else:
            qs.query.where.append(qs.query.compile_q(q))
        return qs

    def order_by(self, *names):
        qs = self._clone()
        qs.query.order = [OrderBy.parse(n) for n in names]
        return qs

    def select_related(self, *names):
        qs = self._clone()
        for n in names:
            f = self.model._meta.get_field(n)
            if not f.is_relation or f.multivalued:
                raise FieldError("select_related(%r): not a foreign key" % n)
            if n not in qs.query.related:
                qs.query.related.append(n)
        return qs

    def prefetch_related(self, *names):
        qs = self._clone()
        for n in names:
            rel = self.model._meta.get_field_or_relation(n)
            if rel is None or not rel.multivalued:
                raise FieldError("prefetch_related(%r): not a to-many relation" % n)
            qs.query.prefetch.append(n)
        return qs

    def annotate(self, **aggregates):
        qs = self._clone()
        for name, agg in aggregates.items():
            qs.query.add_annotation(name, agg)
        return qs

    def none(self):
        qs = self._clone()
        qs.query.empty = True
        return qs

    def __getitem__(self, k):
        if self._result is not None:
            return self._result[k]
        if isinstance(k, slice):
            if (k.start is not None and k.start < 0) or (k.stop is not None and k.stop < 0) or k.step:
                raise ValueError("negative indexing and steps are not supported")
            qs = self._clone()
            start = k.start or 0
            q = qs.query
            q.offset += start
            if k.stop is not None:
                stop = k.stop - start
                q.limit = max(0, stop if q.limit is None else min(q.limit - start, stop))
            elif q.limit is not None:
                q.limit = max(0, q.limit - start)
            return qs
        if k < 0:
            raise ValueError("negative indexing is not supported")
        items = list(self[k:k + 1])
        if not items:
            raise IndexError("QuerySet index out of range")
        return items[0]

    # --- running -------------------------------------------------------------------------

    def _fetch(self):
        if self._result is None:
            self._result = list(self.iterator())
            if self.query.prefetch and self._result:
                for name in self.query.prefetch:
                    prefetch(self._result, name)
        return self._result

    def iterator(self):
        q = self.query
        meta = self.model._meta
        sql, params = q.as_sql()
        n = len(meta.concrete_fields)
        related = [(name, meta.get_field(name).remote_model) for name in q.related]
        annotations = list(q.annotations.items())
        for row in self.db.execute(sql, params):
            obj = self.model.from_db(row[:n])
            pos = n
            for name, rmodel in related:
                m = len(rmodel._meta.concrete_fields)
                part = row[pos:pos + m]
                obj._state.cache[name] = rmodel.from_db(part) if part[0] is not None else None
                pos += m
            for name, (_, _, field, agg) in annotations:
                setattr(obj, name, agg.convert(row[pos], field))
                pos += 1
            yield obj

    def __iter__(self):
        return iter(self._fetch())

    def __len__(self):
        return len(self._fetch())

    def __bool__(self):
        return bool(self._fetch())

    def count(self):
        if self._result is not None:
            return len(self._result)
        sql, params = self.query.pk_subquery()
        return self.db.scalar("SELECT COUNT(*) FROM (%s)" % sql, params)

    def exists(self):
        if self._result is not None:
            return bool(self._result)
        sql, params = self.query.pk_subquery()
        return self.db.fetchone("SELECT 1 FROM (%s) LIMIT 1" % sql, params) is not None

    def get(self, *args, **kwargs):
        items = list(self.filter(*args, **kwargs)[:2])
        if not items:
            raise self.model.DoesNotExist("%s matching %r does not exist"
                                          % (self.model.__name__, kwargs or args))
        if len(items) > 1:
            raise self.model.MultipleObjectsReturned("more than one %s matches %r"
                                                     % (self.model.__name__, kwargs or args))
        return items[0]

    def first(self):
        items = list(self[:1])
        return items[0] if items else None

    def aggregate(self, **aggregates):
        sub, params = self.query.pk_subquery()
        meta = self.model._meta
        cols, fields = [], []
        for name, agg in aggregates.items():
            if agg.path == "*":
                field, column = None, "*"
            else:
                field = meta.get_field(agg.path)
                column = '"%s"' % field.column
            cols.append(agg.sql(column))
            fields.append((name, agg, field))
        sql = 'SELECT %s FROM "%s" WHERE "%s" IN (%s)' % (
            ", ".join(cols), meta.table, meta.pk.column, sub)
        row = self.db.fetchone(sql, params)
        return {name: agg.convert(value, field) for (name, agg, field), value in zip(fields, row)}

    def values_list(self, *names, flat=False):
        if flat and len(names) != 1:
            raise TypeError("flat=True takes one field")
        q = self.query.clone()
        resolved = [q.resolve(n) for n in names]
        sql, params = q.as_sql(columns=[c for c, _, _ in resolved])
        rows = self.db.fetchall(sql, params)
        convs = [f.from_db for _, f, _ in resolved]
        if flat:
            return [convs[0](r[0]) for r in rows]
        return [tuple(c(v) for c, v in zip(convs, r)) for r in rows]

    def in_bulk(self, ids):
        ids = list(ids)
        if not ids:
            return {}
        return {obj.pk: obj for obj in self.filter(pk__in=ids)}

    # --- writing -----------------------------------------------------------------------

    def create(self, **kwargs):
        obj = self.model(**kwargs)
        obj.save()
        return obj

    def bulk_create(self, objs):
        objs = list(objs)
        if not objs:
            return objs
        meta = self.model._meta
        fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(objs[0], f.attname) is None)]
        sql = 'INSERT INTO "%s" (%s) VALUES (%s)' % (
            meta.table, ", ".join('"%s"' % f.column for f in fields), ", ".join("?" * len(fields)))
        self.db.executemany(sql, [[f.to_db(getattr(o, f.attname)) for f in fields] for o in objs])
        for o in objs:
            o._state.adding = False
        return objs

    def update(self, **kwargs):
        meta = self.model._meta
        sets, params = [], []
        for name, value in kwargs.items():
            f = meta.get_field(name)
            sets.append('"%s" = ?' % f.column)
            params.append(f.to_db(value))
        sub, sparams = self.query.pk_subquery()
        sql = 'UPDATE "%s" SET %s WHERE "%s" IN (%s)' % (meta.table, ", ".join(sets), meta.pk.column, sub)
        return self.db.execute(sql, params + sparams).rowcount

    def delete(self):
        meta = self.model._meta
        sub, params = self.query.pk_subquery()
        return self.db.execute('DELETE FROM "%s" WHERE "%s" IN (%s)' % (
            meta.table, meta.pk.column, sub), params).rowcount


def prefetch(instances, name):
    """Loads a to-many relation of every instance in one query."""
    model = type(instances[0])
    rel = model._meta.get_field_or_relation(name)
    pks = list({o.pk for o in instances})
    groups = {pk: [] for pk in pks}
    target = rel.target_model
    if rel.many_to_many:
        field = getattr(rel, "field", rel)     # the reverse side knows its field
        forward = rel is field
        through = field.through._meta
        own_fk, other_fk = (field.source_fk, field.target_fk) if forward else (field.target_fk, field.source_fk)
        tmeta = target._meta
        cols = ", ".join('"t"."%s"' % f.column for f in tmeta.concrete_fields)
        order = ", ".join('"t"."%s"%s' % (tmeta.get_field(o.lstrip("-")).column,
                                          " DESC" if o.startswith("-") else "")
                          for o in tmeta.ordering) or '"t"."%s"' % tmeta.pk.column
        sql = ('SELECT "j"."%s", %s FROM "%s" AS "t" JOIN "%s" AS "j" ON "j"."%s" = "t"."%s" '
               'WHERE "j"."%s" IN (%s) ORDER BY %s') % (
            own_fk.column, cols, tmeta.table, through.table, other_fk.column, tmeta.pk.column,
            own_fk.column, ", ".join("?" * len(pks)), order)
        for row in target._meta.database.execute(sql, pks):
            groups[row[0]].append(target.from_db(row[1:]))
    else:
        fk = rel.field
        for obj in target.objects.filter(**{fk.name + "__in": pks}):
            groups[getattr(obj, fk.attname)].append(obj)
    for o in instances:
        o._state.prefetched[name] = groups[o.pk]
