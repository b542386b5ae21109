"""INSERTs and joined reads for the booking hot path, compiled once from the models.

The ORM builds each statement anew on every call. For the create action that compiling cost
more Python than everything else the request does: about 1.7 of 4.4 ms of CPU per booking
(py-spy, bench/hot_holds.py). These two helpers derive the same SQL from the same model
metadata once per process and convert values exactly as the ORM does (its own field methods
and the backend's converters), so the models stay the single source of truth: nothing here
names a table or a column. Signals are not sent: a test keeps receivers off the models used
here (tests/test_conventions.py). What the helpers do not handle (inheritance, generated
columns, database defaults, nullable joins) is refused when a statement is compiled.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import NOT_PROVIDED, Field, GeneratedField, Model

# At most this many rows per INSERT: it bounds the statements kept compiled, and the
# parameters of one statement (PostgreSQL's server-side binding takes at most 65,535).
ROWS_PER_STATEMENT = 100


def insert(objs: Sequence[Model]) -> None:
    """INSERT unsaved instances of one model, a hundred per statement, and give them ids."""
    for start in range(0, len(objs), ROWS_PER_STATEMENT):
        _insert_rows(objs[start : start + ROWS_PER_STATEMENT])


def _insert_rows(objs: Sequence[Model]) -> None:
    if not objs:
        return
    sql, fields = _insert_statement(type(objs[0]), len(objs), connection.vendor)
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")  # unsaved parents refused
    params = [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in objs
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


@cache
def _insert_statement(model: type[Model], rows: int, vendor: str) -> tuple[str, list[Field]]:
    _check_plain(model)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    quote = connection.ops.quote_name
    row = "({})".format(", ".join(["%s"] * len(fields)))
    sql = "INSERT INTO {} ({}) VALUES {} RETURNING {}".format(  # noqa: S608 (names, not values)
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join([row] * rows),
        quote(meta.pk.column),
    )
    return sql, fields


def _check_plain(model: type[Model]) -> None:
    meta = model._meta
    if meta.parents or meta.auto_field is None:
        raise TypeError(f"{model.__name__}: inherited models need the ORM")
    for field in meta.concrete_fields:
        if isinstance(field, GeneratedField) or field.db_default is not NOT_PROVIDED:
            raise TypeError(f"{model.__name__}.{field.name}: computed by the database")


def read_by_ids(model: type[Model], ids: Sequence[int], *path: str) -> list[Model]:
    """Instances of `model` by primary key, each with the chain of foreign keys in `path`
    joined in the same query and cached on it, like `select_related("a__b")`."""
    if not ids:
        return []
    return _read(model, path, ((model._meta.pk.name, len(ids)),), list(ids))


def read_first(model: type[Model], **equal: Any) -> Model | None:
    """The instance whose fields equal these values (a unique key), or None."""
    found = _read(model, (), tuple((name, 1) for name in equal), list(equal.values()))
    return found[0] if found else None


def _read(
    model: type[Model], path: tuple[str, ...], where: tuple[tuple[str, int], ...], params: list
) -> list[Model]:
    sql, chain = _read_statement(model, path, where, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        start, parent, first = 0, None, None
        for link, (related, columns) in enumerate(chain):
            values = [
                _convert(value, column)
                for value, column in zip(row[start : start + len(columns)], columns, strict=True)
            ]
            start += len(columns)
            instance = related.from_db(connection.alias, None, values)
            if parent is None:
                first = instance
            else:
                parent._meta.get_field(path[link - 1]).set_cached_value(parent, instance)
            parent = instance
        found.append(first)
    return found


def _convert(value: Any, column: tuple[Any, list[Any]]) -> Any:
    expression, converters = column
    for converter in converters:
        value = converter(value, expression, connection)
    return value


@cache
def _read_statement(
    model: type[Model], path: tuple[str, ...], where: tuple[tuple[str, int], ...], vendor: str
) -> tuple[str, list[tuple[type[Model], list[tuple[Any, list[Any]]]]]]:
    """SELECT every column of `model` and of the models along `path`, WHERE each named
    field equals one value, or is IN as many as its count. The converters depend on the
    backend and the settings only, so one set serves every connection of that vendor."""
    quote = connection.ops.quote_name
    chain: list[tuple[type[Model], list[tuple[Any, list[Any]]]]] = []
    selected, joins = [], []
    current: type[Model] = model
    for link in range(len(path) + 1):
        _check_plain(current)
        alias = f"t{link}"
        columns = []
        for field in current._meta.concrete_fields:
            expression = field.get_col(alias)
            converters = connection.ops.get_db_converters(
                expression
            ) + expression.get_db_converters(connection)
            columns.append((expression, converters))
            selected.append(f"{alias}.{quote(field.column)}")
        chain.append((current, columns))
        if link < len(path):
            key = current._meta.get_field(path[link])
            if key.null or not key.many_to_one:
                raise TypeError(f"{current.__name__}.{key.name}: joins follow required keys")
            current = key.related_model  # type: ignore[assignment]
            joins.append(
                f"JOIN {quote(current._meta.db_table)} t{link + 1} "
                f"ON t{link + 1}.{quote(current._meta.pk.column)} = {alias}.{quote(key.column)}"
            )
    conditions = [
        f"t0.{quote(model._meta.get_field(name).column)} "
        + ("= %s" if count == 1 else "IN ({})".format(", ".join(["%s"] * count)))
        for name, count in where
    ]
    sql = "SELECT {} FROM {} t0 {} WHERE {}".format(  # noqa: S608 (names, not values)
        ", ".join(selected), quote(model._meta.db_table), " ".join(joins), " AND ".join(conditions)
    )
    return sql, chain
