"""List items and details rendered as JSON by the database.

A list page of 50 items with nested references costs far more in Python (result rows, type conversion, dict
building, grouping reference rows) than in the database. For the busiest lists the page query therefore returns
each item as one JSON text, built by SQLite's JSON1 functions or PostgreSQL's json functions, and the response
embeds it unchanged (`orjson.Fragment`). The work order, PM schedule, asset and part details are rendered the same
way (`Detail`, core/repository.py `json_details`): one statement built once, for one record or a batch of them
(the event outbox renders a commit's records of a resource at once). A contract test checks that list items and
details agree field by field.

The constructs below compile to either dialect and render values exactly as the Python path does
(core/envelope.py): date-times as `2025-09-24T14:20:25Z` (UTC, whole seconds), decimals as an integer when whole
and a number otherwise, booleans as `true`/`false`, and `null` for a missing reference.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import BigInteger, Boolean, ColumnElement, Dialect, String, Table, bindparam, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

from wrenchwork.core.model_base import ExactDecimal

Pair = tuple[str, Any]


class _JsonFunction(FunctionElement[Any]):
    inherit_cache = True
    type = String()


class json_object(_JsonFunction):
    """A JSON object of (key, value) pairs, keys in the given order."""

    name = "json_object"
    inherit_cache = True

    def __init__(self, *pairs: Pair) -> None:
        flat: list[Any] = []
        for key, value in pairs:
            flat += [_key(key), value]
        super().__init__(*flat)


class json_ref(_JsonFunction):
    """`null` when `key` is null, else a JSON object of the pairs (a reference such as `location`)."""

    name = "json_ref"
    inherit_cache = True

    def __init__(self, key: Any, *pairs: Pair) -> None:
        super().__init__(key, json_object(*pairs))


class json_bool(_JsonFunction):
    name = "json_bool"
    inherit_cache = True


class json_empty_list(_JsonFunction):
    """`[]` (images and documents, which list items show empty)."""

    name = "json_empty_list"
    inherit_cache = True


class json_moment(_JsonFunction):
    """A UTC date-time as `YYYY-MM-DDTHH:MM:SSZ`."""

    name = "json_moment"
    inherit_cache = True


class json_item(ColumnElement[str]):
    """The page query's one column: `item` as JSON text (so the driver hands it over unparsed).

    `key` stands for the whole item in SQLAlchemy's statement cache: a filtered list builds a new statement per
    request, and without the key its cache key would walk the item's whole expression tree every time. So one
    key per distinct item."""

    inherit_cache = True
    type = String()
    _traverse_internals = [("key", InternalTraversal.dp_string)]

    def __init__(self, key: str, item: ColumnElement[Any]) -> None:
        self.key = key
        self.item = item

    @property
    def _from_objects(self) -> list[Any]:
        return self.item._from_objects  # the tables the item reads, so the query's FROM and joins follow


def json_decimal(value: Any, scale: int | None = None) -> ColumnElement[Any]:
    """An ExactDecimal column (or an expression of them, with its `scale`) as a JSON number: whole values as
    integers."""
    if scale is None:
        scale = value.type.scale if isinstance(value.type, ExactDecimal) else 0
    return _json_decimal(value, _literal_int(10**scale))


class _json_decimal(_JsonFunction):
    name = "json_decimal"
    inherit_cache = True


class json_array(ColumnElement[Any]):
    """The JSON array of `item` over the rows of `link` (joined to `target` on `link.<value> = target.id`)
    whose `link.<owner>` is `owner` (a column of the outer query), ordered by the target's id.

    `key` names the construct for SQLAlchemy's statement cache: one key per distinct array."""

    inherit_cache = True
    type = String()
    _traverse_internals = [("key", InternalTraversal.dp_string)]

    def __init__(
        self, key: str, item: json_object, link: Table, owner_column: str, value_column: str, target: Table, owner: Any
    ) -> None:
        self.key = key
        self.item = item
        self.link = link
        self.owner_column = owner_column
        self.value_column = value_column
        self.target = target
        self.owner = owner


def json_refs(
    key: str, link: Any, owner_column: str, value_column: str, target: Any, owner: Any, *extra: Pair
) -> json_array:
    """`[{id, name, *extra}]` of the `target` model's rows linked to `owner` (see `json_array`)."""
    table = target.__table__
    item = json_object(("id", table.c.id), ("name", table.c.name), *extra)
    return json_array(key, item, link, owner_column, value_column, table, owner)


def json_author(user: Any, user_id: Any) -> json_ref:
    """A `created_by`/`updated_by` reference through a joined (aliased) user."""
    return json_ref(user_id, ("id", user_id), ("name", user.name), ("surname", user.surname))


# ---- compilation -------------------------------------------------------------------------------------------

# SQLite embeds a value in JSON unquoted only while it carries the JSON "subtype", and which expressions keep the
# subtype has changed between releases (a value read through a view or a FROM subquery lost it in 3.39). The
# items below pass JSON through CASE and through a correlated scalar subquery. Where this process's SQLite keeps
# it there, they are used as they are; elsewhere each is wrapped in json(), which re-marks it, at a cost of about
# a fifth of the page query.
_SUBTYPE_PROBE = """
CREATE TABLE owner (id INTEGER PRIMARY KEY, ref_id INTEGER, flag BOOLEAN);
CREATE TABLE target (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE link (owner_id INTEGER, target_id INTEGER, PRIMARY KEY (owner_id, target_id));
INSERT INTO owner VALUES (1, 2, 1), (2, NULL, 0);
INSERT INTO target VALUES (1, 'a'), (2, 'b');
INSERT INTO link VALUES (1, 2), (1, 1);
"""
_SUBTYPE_QUERY = """
SELECT json_object(
    'ref', CASE WHEN owner.ref_id IS NULL THEN NULL ELSE json_object('id', owner.ref_id, 'name', ref.name) END,
    'flag', CASE WHEN owner.flag IS NULL THEN NULL WHEN owner.flag THEN json('true') ELSE json('false') END,
    'list', (SELECT json_group_array(json_object('id', target.id)) FROM link CROSS JOIN target
             ON target.id = link.target_id WHERE link.owner_id = owner.id))
FROM owner LEFT JOIN target AS ref ON ref.id = owner.ref_id
WHERE owner.id IN (SELECT id FROM owner ORDER BY id LIMIT 2) ORDER BY owner.id
"""
_SUBTYPE_KEPT = [
    '{"ref":{"id":2,"name":"b"},"flag":true,"list":[{"id":1},{"id":2}]}',
    '{"ref":null,"flag":false,"list":[]}',
]


@functools.cache
def sqlite_keeps_json() -> bool:
    """Whether this process's SQLite keeps JSON values JSON through CASE and correlated scalar subqueries."""
    with closing(sqlite3.connect(":memory:")) as connection:
        connection.executescript(_SUBTYPE_PROBE)
        return [row[0] for row in connection.execute(_SUBTYPE_QUERY)] == _SUBTYPE_KEPT


def _json_sqlite(value: str) -> str:
    """`value`, a JSON value, as one that embeds unquoted (see above)."""
    return value if sqlite_keeps_json() else f"json({value})"


def _key(name: str) -> Any:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe JSON key {name!r}")
    return literal_column(f"'{name}'")


def _literal_int(value: int) -> Any:
    return literal_column(str(int(value)))


def _args(compiler: SQLCompiler, element: FunctionElement[Any], **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


@compiles(json_object, "sqlite")
def _object_sqlite(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({', '.join(_args(compiler, element, **kw))})"


@compiles(json_object, "postgresql")
def _object_pg(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_object({', '.join(_args(compiler, element, **kw))})"


@compiles(json_ref)
def _ref(element: json_ref, compiler: SQLCompiler, **kw: Any) -> str:
    key, obj = _args(compiler, element, **kw)
    case = f"CASE WHEN {key} IS NULL THEN NULL ELSE {obj} END"
    return _json_sqlite(case) if compiler.dialect.name == "sqlite" else case


@compiles(json_bool, "sqlite")
def _bool_sqlite(element: json_bool, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    return _json_sqlite(f"CASE WHEN {value} IS NULL THEN NULL WHEN {value} THEN json('true') ELSE json('false') END")


@compiles(json_bool, "postgresql")
def _bool_pg(element: json_bool, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    return value


@compiles(json_empty_list, "sqlite")
def _empty_list_sqlite(element: json_empty_list, compiler: SQLCompiler, **kw: Any) -> str:
    return "json_array()"


@compiles(json_empty_list, "postgresql")
def _empty_list_pg(element: json_empty_list, compiler: SQLCompiler, **kw: Any) -> str:
    return "json_build_array()"


@compiles(json_moment, "sqlite")
def _moment_sqlite(element: json_moment, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    # Stored as `YYYY-MM-DD HH:MM:SS[.ffffff]` (model_base.UTCDateTime), so a string edit: about half the time
    # strftime() takes to parse and format it again, and the value is named once.
    return f"(replace(substr({value}, 1, 19), ' ', 'T') || 'Z')"


@compiles(json_moment, "postgresql")
def _moment_pg(element: json_moment, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    return f'to_char({value}, \'YYYY-MM-DD"T"HH24:MI:SS"Z"\')'


@compiles(_json_decimal, "sqlite")
def _decimal_sqlite(element: _json_decimal, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored as a whole number of the smallest unit (model_base.ExactDecimal).
    value, unit = _args(compiler, element, **kw)
    return f"(CASE WHEN ({value}) % {unit} = 0 THEN ({value}) / {unit} ELSE ({value}) * 1.0 / {unit} END)"


@compiles(_json_decimal, "postgresql")
def _decimal_pg(element: _json_decimal, compiler: SQLCompiler, **kw: Any) -> str:
    value, _ = _args(compiler, element, **kw)
    return f"trim_scale(({value})::numeric)"


@compiles(json_item)
def _item(element: json_item, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.item, **kw)
    return f"CAST({value} AS TEXT)" if compiler.dialect.name == "postgresql" else value


@compiles(json_array)
def _array(element: json_array, compiler: SQLCompiler, **kw: Any) -> str:
    link, target = element.link.name, element.target.name
    owner = compiler.process(element.owner, **kw)
    # The item names the target's and link's columns by table; inside this subquery they are these tables.
    item = compiler.process(element.item, **kw)
    where = f"{target}.id = {link}.{element.value_column} WHERE {link}.{element.owner_column} = {owner}"
    if compiler.dialect.name == "postgresql":
        order = f"{target}.id"
        return f"(SELECT coalesce(json_agg({item} ORDER BY {order}), '[]'::json) FROM {link} JOIN {target} ON {where})"
    # SQLite before 3.44 has no ORDER BY inside an aggregate, and an ordered subquery to aggregate costs as
    # much as the rest of the item. CROSS JOIN makes the link table the outer loop: its rows are read from
    # its index on (owner, value) (models/catalog.py `link_table`; vendor_parts' unique (part_id, vendor_id)),
    # so in the target's id order. tests/contract/test_list_items.py checks list items against details.
    return _json_sqlite(f"(SELECT json_group_array({item}) FROM {link} CROSS JOIN {target} ON {where})")


class json_moment_ms(_JsonFunction):
    """A UTC date-time as `YYYY-MM-DDTHH:MM:SS.mmmZ` (PM schedule dates carry milliseconds in the published
    examples)."""

    name = "json_moment_ms"
    inherit_cache = True


class json_stored(_JsonFunction):
    """A JSON column's stored value (a list such as `[2, 7]`) embedded as JSON, not as a string."""

    name = "json_stored"
    inherit_cache = True


@compiles(json_moment_ms, "sqlite")
def _moment_ms_sqlite(element: json_moment_ms, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    # As json_moment; a value stored without a fraction (or computed by datetime()) gets `.000`.
    return f"(replace(substr({value}, 1, 19), ' ', 'T') || '.' || substr({value} || '.000', 21, 3) || 'Z')"


@compiles(json_moment_ms, "postgresql")
def _moment_ms_pg(element: json_moment_ms, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    return f'to_char({value}, \'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"\')'


@compiles(json_stored, "sqlite")
def _stored_sqlite(element: json_stored, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    return f"json({value})"


@compiles(json_stored, "postgresql")
def _stored_pg(element: json_stored, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    return f"({value})::json"


# ---- details ------------------------------------------------------------------------------------------------
# A detail is rendered like a list item, for one record or a batch (the event outbox renders every record of a
# commit at once): one statement per resource, built once, that takes the ids as one bound value.


@dataclass(frozen=True, eq=False)
class Detail:
    """A resource's detail rendered by the database (core/repository.py `json_details`): `item` over the model,
    `joined` adds the joins of its one-per-row references to a statement over the model."""

    key: str  # names the item in SQLAlchemy's statement cache (see json_item)
    item: ColumnElement[Any]
    joined: Callable[[Any], Any] = field(default=lambda stmt: stmt)


class json_list_of(_JsonFunction):
    """The aggregate of a `json_list` subquery: its ordered rows' `item`s as a JSON array, `[]` for none."""

    name = "json_list_of"
    inherit_cache = True


class json_embedded(_JsonFunction):
    """A JSON value a correlated scalar subquery returns, embedded unquoted (see `sqlite_keeps_json`)."""

    name = "json_embedded"
    inherit_cache = True


def json_list(item: ColumnElement[Any], *where: Any, order_by: Sequence[Any], outer: Any, source: Any = None) -> Any:
    """The JSON array of `item` over the rows (of `source`, default: the item's tables) that match `where`, in
    `order_by`, correlated to `outer` (the detail's model). The rows are ordered in a subquery and aggregated
    outside it: SQLite before 3.44 has no ORDER BY inside an aggregate, and both databases aggregate a derived
    table's rows in its order."""
    rows = select(item.label("item"))
    if source is not None:
        rows = rows.select_from(source)
    ordered = rows.where(*where).order_by(*order_by).correlate(outer).subquery()
    return json_embedded(select(json_list_of(ordered.c.item)).scalar_subquery())


def json_first(item: ColumnElement[Any], *where: Any, order_by: Sequence[Any], source: Any = None) -> Any:
    """`item` of the first row that matches `where` in `order_by`, or `null` (a work order's request)."""
    row = select(item)
    if source is not None:
        row = row.select_from(source)
    return json_embedded(row.where(*where).order_by(*order_by).limit(1).scalar_subquery())


@compiles(json_list_of, "sqlite")
def _list_of_sqlite(element: json_list_of, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    return f"json_group_array(json({value}))"  # read through a subquery: no longer marked JSON (see above)


@compiles(json_list_of, "postgresql")
def _list_of_pg(element: json_list_of, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    return f"coalesce(json_agg({value}), '[]'::json)"


@compiles(json_embedded, "sqlite")
def _embedded_sqlite(element: json_embedded, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    return _json_sqlite(value)


@compiles(json_embedded, "postgresql")
def _embedded_pg(element: json_embedded, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(compiler, element, **kw)
    return value


class IdBatch(TypeDecorator[list[int]]):
    """A batch of record ids bound as one value (so the statement is the same for any number of ids): a JSON
    array on SQLite (read by json_each), an integer array on PostgreSQL."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(BigInteger()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        ids = [int(i) for i in value]
        return ids if dialect.name == "postgresql" else orjson.dumps(ids).decode()


class in_batch(ColumnElement[bool]):
    """`column` is one of the ids bound to `name` (an `IdBatch`): a condition each planner applies where it reads
    `column`'s table, by key. On PostgreSQL `= ANY(ids)`: an `IN (SELECT unnest(ids))` is a semi-join, which the
    written join order (core/db.py `join_collapse_limit`) puts after a detail's joins, i.e. after joining every
    row of the table. On SQLite `IN (SELECT value FROM json_each(ids))`. `ids`, when given, is the bound value (a
    statement run without parameters of its own); otherwise each execution binds `name`."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it stands: no `= 1` after it where booleans are integers
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("ids", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: Any, name: str, ids: Sequence[int] | None = None) -> None:
        self.column = column
        self.ids = bindparam(name, type_=IdBatch()) if ids is None else bindparam(name, list(ids), type_=IdBatch())

    @property
    def _from_objects(self) -> list[Any]:
        return list(self.column._from_objects)


@compiles(in_batch)
def _in_batch(element: in_batch, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = compiler.process(element.column, **kw), compiler.process(element.ids, **kw)
    if compiler.dialect.name == "postgresql":
        return f"{column} = ANY({ids})"
    return f"{column} IN (SELECT value FROM json_each({ids}))"


class rounded_product(FunctionElement[Any]):
    """`a` x `b` (two ExactDecimal columns) rounded half up to `scale` places, as a value of that scale (on SQLite
    a whole number of its smallest unit, as ExactDecimal stores it): a part assignment's cost."""

    name = "rounded_product"
    inherit_cache = True

    def __init__(self, a: Any, b: Any, scale: int) -> None:
        drop = a.type.scale + b.type.scale - scale
        super().__init__(a, b, _literal_int(10**drop), _literal_int(scale))


@compiles(rounded_product, "sqlite")
def _rounded_product_sqlite(element: rounded_product, compiler: SQLCompiler, **kw: Any) -> str:
    a, b, unit, _ = _args(compiler, element, **kw)
    product, half = f"(({a}) * ({b}))", f"({unit} / 2)"
    # Integer division truncates towards zero: add half a unit away from zero first (ROUND_HALF_UP).
    return f"(CASE WHEN {product} >= 0 THEN ({product} + {half}) / {unit} ELSE ({product} - {half}) / {unit} END)"


@compiles(rounded_product, "postgresql")
def _rounded_product_pg(element: rounded_product, compiler: SQLCompiler, **kw: Any) -> str:
    a, b, _, scale = _args(compiler, element, **kw)
    return f"round(({a}) * ({b}), {scale})"  # numeric round(): half away from zero
