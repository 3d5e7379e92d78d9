"""
Querysets compiled to SQL once and run again with new values: `FixedQuery`.

The public pages run a few querysets of a fixed shape on every request (a tag by its slug, a page of a
tag's article ids, the story cards of a page), and building and compiling them through the ORM cost more
CPU than sending them and reading their rows. A FixedQuery builds its queryset once per shape with `Param`
expressions where the values go, keeps the compiled SQL, and then only fills in the values. The queryset
stays the one definition of the query (published() included); only the work of turning it into SQL is
done once per process and database.

A value is prepared for the database the way a lookup prepares it (the parameter's field's
get_db_prep_value), and result rows are converted the way the ORM converts the selected columns. A list
parameter (`Many`) becomes one placeholder per item: its length is part of the shape. Values must not be
None (a lookup would have turned `= None` into IS NULL).
"""

import threading

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Expression
from django.db.models.query import ModelIterable, get_related_populators


class Param(Expression):
    """Stands for the value of the parameter `name` of a FixedQuery; compiles to one placeholder."""

    def __init__(self, name, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name, self.output_field)]


class Many:
    """Declares a list parameter: the builder gets a list of Params, one per item of the value."""

    def __init__(self, field):
        self.field = field


class _Slot:
    """Where a parameter's value goes in the compiled parameters."""

    __slots__ = ("name", "field")

    def __init__(self, name, field):
        self.name = name
        self.field = field


class _Compiled:
    """SQL with _Slots among its parameters, and the converters of its columns."""

    def __init__(self, sql, params, columns, connection, loader=None):
        self.sql = sql
        self.params = list(params)
        self.loader = loader  # a model queryset's: makes instances of its rows
        self.slots = [(index, p) for index, p in enumerate(self.params) if isinstance(p, _Slot)]
        # Bound to the compiling thread's connection.ops; they read only settings-derived attributes of it.
        self.converters = [
            (index, functions, column)
            for index, column in enumerate(columns)
            if (functions := connection.ops.get_db_converters(column) + column.get_db_converters(connection))
        ]

    @classmethod
    def query(cls, queryset, using):
        connection = connections[using]
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return cls(None, (), (), connection)
        models = issubclass(queryset._iterable_class, ModelIterable)
        loader = _Loader(queryset, compiler, using) if models else None
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        return cls(sql, params, columns, connection, loader)

    @classmethod
    def where(cls, queryset, using):
        query = queryset.query
        sql, params = query.get_compiler(using=using).compile(query.where)
        return cls(sql, params, (), connections[using])

    def sql_and_params(self, connection, values):
        params = list(self.params)
        for index, slot in self.slots:
            value = values[slot.name]
            if value is None:  # the queryset would have said IS NULL, not = NULL
                raise ValueError(f"FixedQuery parameter {slot.name!r} is None")
            params[index] = slot.field.get_db_prep_value(value, connection)
        return self.sql, params

    def rows(self, connection, values, limit=None, offset=0):
        if self.sql is None:
            return []
        sql, params = self.sql_and_params(connection, values)
        if limit is not None:  # what a slice of the queryset adds, as parameters: one shape for every page
            sql = f"{sql} LIMIT %s OFFSET %s"
            params += [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for index, functions, column in self.converters:
                for function in functions:
                    row[index] = function(row[index], column, connection)
            converted.append(tuple(row))
        return converted


class _Loader:
    """What ModelIterable does with a row: the model instance, its select_related() objects, annotations."""

    def __init__(self, queryset, compiler, using):
        if queryset._fetch_mode.track_peers or queryset._known_related_objects:
            raise ValueError(
                "FixedQuery makes instances in the default fetch mode, without known related objects"
            )
        klass_info, select = compiler.klass_info, compiler.select
        self.using = using
        self.model = klass_info["model"]
        self.fetch_mode = queryset._fetch_mode
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.names = [column[0].target.attname for column in select[self.start : self.end]]
        self.related = get_related_populators(klass_info, select, using, queryset._fetch_mode)
        self.annotations = dict(compiler.annotation_col_map or {})

    def instance(self, row):
        obj = self.model.from_db(
            self.using, self.names, row[self.start : self.end], fetch_mode=self.fetch_mode
        )
        for populator in self.related:
            populator.populate(row, obj)
        for name, position in self.annotations.items():
            setattr(obj, name, row[position])
        return obj


class FixedQuery:
    """
    `build(**params)` returns a queryset: rows() gives tuples of its columns (for a values_list()),
    instances() model instances; `params` maps each parameter's name to a model field (its type) or
    Many(field); `model` routes the query as the queryset would be routed.

        ids = FixedQuery(lambda tag: TaggedArticle.objects.filter(tag_id=tag).values_list("id"),
                         model=TaggedArticle, tag=models.BigIntegerField())
        ids.rows(tag=3)
    """

    def __init__(self, build, *, model=None, **params):
        self.build = build
        self.model = model  # routes rows() as the queryset would be routed (router.db_for_read)
        self.params = params
        self._compiled = {}
        self._lock = threading.Lock()

    def rows(self, *, limit=None, offset=0, **values):
        """The rows for `values`; `limit` and `offset` slice them in SQL (the queryset must be unsliced)."""
        return self._rows(router.db_for_read(self.model), values, limit, offset)

    def instances(self, **values):
        """Model instances, as iterating the model queryset gives them (select_related(), annotations)."""
        using = router.db_for_read(self.model)
        compiled = self._compiled_query(using, values)
        return [
            compiled.loader.instance(row)
            for row in compiled.rows(connections[using], self._flat_values(values))
        ]

    def where(self, using, **values):
        """
        The queryset's WHERE clause as SQL on its unaliased tables, and its parameters: for hand-written SQL
        that must filter as the queryset does (published() in articles/related.py).
        """
        compiled = self._get(("where", using), _Compiled.where, using, values)
        return compiled.sql_and_params(connections[using], self._flat_values(values))

    def _rows(self, using, values, limit, offset):
        return self._compiled_query(using, values).rows(
            connections[using], self._flat_values(values), limit, offset
        )

    def _compiled_query(self, using, values):
        shape = (using, *(len(values[name]) for name, kind in self.params.items() if isinstance(kind, Many)))
        return self._get(shape, _Compiled.query, using, values)

    def _get(self, shape, compile, using, values):
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = compile(self.build(**self._arguments(values)).using(using), using)
            with self._lock:
                self._compiled[shape] = compiled
        return compiled

    def _arguments(self, values):
        """What build() is called with: a Param for each parameter, a list of them for a Many."""
        arguments = {}
        for name, kind in self.params.items():
            if isinstance(kind, Many):
                arguments[name] = [Param(f"{name}[{i}]", kind.field) for i in range(len(values[name]))]
            else:
                arguments[name] = Param(name, kind)
        return arguments

    def _flat_values(self, values):
        flat = {}
        for name, kind in self.params.items():
            if isinstance(kind, Many):
                flat.update((f"{name}[{i}]", value) for i, value in enumerate(values[name]))
            else:
                flat[name] = values[name]
        return flat
