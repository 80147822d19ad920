"""Trigram indexes behind `search` and the text matchers `_cont`, `_start` and `_end`.

What a search matches is decided by the scan's predicate alone (core/listing.py: a case-insensitive substring,
letters folded by Python's `str.lower` on SQLite and by `lower()` on PostgreSQL). An index only narrows the rows
that predicate is tested on, so every answer, and `meta.pagination.total`, stays the scan's:

- PostgreSQL keeps a `pg_trgm` GIN index on `lower(column)` for each column below. The scan's predicate is
  `lower(column) LIKE lower(:pattern)`, which the planner serves from those indexes by itself, and it chooses
  between them and the sort's index from its own estimate of how many rows match.
- SQLite keeps one FTS5 table per listed table, `<table>_text`, with the trigram tokenizer over the columns
  below *folded by the server's own `str.lower`* (`text_fold`, registered on every connection by core/db.py), so
  a term folded the same way is a substring of a folded value exactly when the index holds it as a phrase. The
  table is contentless and kept in step by triggers (migration 0003). Before a filtered page is read,
  `narrowed` reads each indexable term's rows from the index, up to `FEW_MATCHES`: when a term has no more, those
  ids are bound to the page's statement (`ListQuery.text_ids`), so the index is read once and each of the few
  rows is looked up by id, still tested by the predicate, and sorted. Otherwise each term's rows are counted up
  to a larger limit: a term under it drives the page and its total (`id IN (SELECT rowid ... MATCH ...)`, the
  same lookups for more rows); a term that more rows hold is left to the plain statements, which walk the sort's
  index testing each row and stop after a page.

The server merges an index written in many segments into one as it starts and, while it serves, every
`STATISTICS_INTERVAL` (`merge_segments`).

A term shorter than three characters (folded) has no trigram and is always scanned. A write from a connection
without `text_fold` (the sqlite3 shell, say) fails with "no such function: text_fold" rather than indexing other
text than the server searches. Alembic's batch mode copies a SQLite table to change it, which drops its triggers:
a migration that does so to one of these tables recreates them (see migration 0003).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy import table as sql_table

from wrenchwork.core import driver
from wrenchwork.core.db import fold
from wrenchwork.core.listing import Field, ListQuery, ListSpec, joined_link

# Listed table -> its indexed text columns: the list's search columns and the string fields with text matchers.
INDEXED: dict[str, tuple[str, ...]] = {
    "assets": ("name", "asset_code", "serial_number", "model", "manufacturer", "description"),
    "parts": ("name", "number", "description", "area"),
    "work_orders": ("title", "description"),
    "work_order_requests": ("title", "description"),
    "locations": ("name", "description", "address"),
    "vendors": ("name", "description", "tax_id", "address"),
}
MIN_TERM = 3
# A term that at most this fraction of the list holds (or this many rows, on a small list) drives the page; beyond
# it the sort's index does (module docstring). Driving costs about twice a scan's work per match.
DRIVE_FRACTION = 8
MIN_DRIVE_LIMIT = 1000
# A term that at most this many rows hold has its ids read once and bound to the page's statement: reading the
# index again inside the statement cost more than the rest of it (0.35 ms against 0.08 ms for 11 of 100,000).
FEW_MATCHES = 500
_MATCHERS = ("cont", "start", "end")
# FTS5's own tables behind each `<table>_text`.
_SHADOWS = ("", "_data", "_idx", "_docsize", "_config", "_content")


def fts_table(table: str) -> str:
    return f"{table}_text"


def trigram_index(table: str, column: str) -> str:
    return f"ix_{table}_{column}_trgm"


def is_index_object(name: str | None, type_: str) -> bool:
    """Whether a database object is one of these indexes (not a model's), for `alembic check` to leave alone."""
    if name is None:
        return False
    if type_ == "index":
        return any(name == trigram_index(t, c) for t, columns in INDEXED.items() for c in columns)
    if type_ == "table":
        return any(name == fts_table(t) + suffix for t in INDEXED for suffix in _SHADOWS)
    return False


def indexable(term: str) -> bool:
    return len(fold(term)) >= MIN_TERM


def match_expression(term: str, columns: tuple[str, ...], indexed: tuple[str, ...] = ()) -> str:
    """An FTS5 query for `term` as one phrase within any of `columns` of an index over `indexed`: quoted, so no
    character of the term is FTS5 syntax (a `"` is doubled). A phrase wanted in every column of the index goes
    without a column filter: FTS5 then skips testing each match's columns (a selective search of 100,000 assets'
    six columns read the index in 0.11 ms instead of 0.14)."""
    phrase = '"' + str(fold(term)).replace('"', '""') + '"'
    if set(columns) == set(indexed):
        return phrase
    return "{" + " ".join(columns) + "} : " + phrase


def _own_column(column: Any, table: Any, indexed: tuple[str, ...]) -> str | None:
    expression = getattr(column, "expression", column)
    if isinstance(expression, Column) and expression.table is table and expression.name in indexed:
        return expression.name
    return None


def index_terms(spec: ListSpec, query: ListQuery) -> list[str]:
    """The FTS5 queries of the query's indexable terms: the search when every search column is indexed, and
    each `_cont`, `_start` or `_end` on an indexed column."""
    table = spec.id_column.table
    indexed = INDEXED.get(table.name)
    if indexed is None:
        return []
    found = []
    if query.search and indexable(query.search):
        names = [_own_column(column, table, indexed) for column in spec.search]
        if names and all(names):
            found.append(match_expression(query.search, tuple(n for n in names if n), indexed))
    for cond in query.conditions:
        target = spec.fields[cond.name]
        if cond.matcher in _MATCHERS and isinstance(target, Field) and indexable(cond.value):
            name = _own_column(target.column, table, indexed)
            if name:
                found.append(match_expression(cond.value, (name,)))
    return found


def narrowed(connection: Connection, spec: ListSpec, query: ListQuery, rows: Callable[[], int | None]) -> ListQuery:
    """The query reading the index of its text terms when one of them is selective (SQLite; PostgreSQL's planner
    reads its indexes itself). `rows()`: how many the list holds unfiltered, if known. The first term that at most
    `FEW_MATCHES` rows hold gives the ids the page is read from (`ListQuery.text_ids`); the other terms are still
    tested on them by the predicate. Failing that, each term's rows are counted up to a limit (`drive_limit`);
    when one term has no more, the matches drive the page and its total. Otherwise the query is left to the plain
    statements: the page walks the sort's index testing each row and stops after a page, and the total is one pass
    over the table (through the index, every match would be looked up by id: two to three times slower when most
    rows match).

    A link filter (`technicians_id_eq`) drives the plain statements from the link's index (listing.link_joins):
    a term then drives (either way) only if it holds fewer rows than the link does. A technician's 1,116 work
    orders, each tested for "pump", cost 2 ms; the 5,453 that hold "pump", each tested for the technician, 10."""
    if connection.dialect.name != "sqlite":
        return query
    table = fts_table(spec.id_column.table.name)
    terms = index_terms(spec, query)
    if not terms:
        return query
    # At most FEW_MATCHES, and no more than a link filter's rows: the list itself always holds more than that
    # (`drive_limit` is at least MIN_DRIVE_LIMIT), so `rows()` is not needed yet.
    cap = min(FEW_MATCHES, MIN_DRIVE_LIMIT)
    few = _linked_rows(connection, spec, query, cap)
    for term in terms:
        ids = [row[0] for row in driver.rows(connection, _held(table), {"term": term, "most": few + 1})]
        if len(ids) <= few:
            return replace(query, text_ids=tuple(ids))
    unfiltered = drive_limit(rows())
    # Under the cap, `few` is the link filter's own count already.
    limit = min(unfiltered, few if few < cap else _linked_rows(connection, spec, query, unfiltered))
    # A row past the first `limit` of the term's, if there is one.
    beyond = text(f"SELECT rowid FROM {table} WHERE {table} MATCH :term LIMIT 1 OFFSET :limit")
    for term in terms:
        if connection.execute(beyond, {"term": term, "limit": limit}).first() is None:
            return replace(query, text_matches=tuple((table, term) for term in terms))
    return query


_HELD: dict[str, Select[Any]] = {}


def _held(table: str) -> Select[Any]:
    """The first `most` rows of the FTS5 `table` that hold `term`: kept (core/driver.py), one per indexed table,
    since every searched page reads it (through SQLAlchemy's statement machinery it cost a quarter of a selective
    search's CPU)."""
    if table not in _HELD:
        fts = sql_table(table)
        match = text(f"{table} MATCH :term").bindparams(bindparam("term", type_=String()))
        stmt = select(literal_column("rowid", Integer())).select_from(fts).where(match)
        _HELD[table] = driver.keep(stmt.limit(bindparam("most", type_=Integer())))
    return _HELD[table]


def _linked_rows(connection: Connection, spec: ListSpec, query: ListQuery, limit: int) -> int:
    """The fewest rows a link filter of the query names (at most `limit`; `limit` without one)."""
    fewest = limit
    for cond in query.conditions:
        target = joined_link(spec, cond)
        if target is not None:
            linked = select(target.link_value).where(target.link_value == cond.value).limit(fewest)
            fewest = min(fewest, connection.execute(select(func.count()).select_from(linked.subquery())).scalar_one())
    return fewest


def drive_limit(rows: int | None) -> int:
    """The most matches a term may have to drive the page: an eighth of the list (unknown: a list of 100,000)."""
    return max(MIN_DRIVE_LIMIT, (100_000 if rows is None else rows) // DRIVE_FRACTION)


# A SQLite text index of more segments than this is merged into one (`merge_segments`).
MAX_SEGMENTS = 4
# The pages one step of that merge writes, in a write transaction of its own: as the server starts, and while it
# serves, where a pause after each step lets the writes waiting meanwhile take the write lock. A 32-page step held
# it 1-5 ms (an index of 100,000 assets left in 19 segments by a benchmark's creates: 110 steps, 0.4 s in all).
MERGE_PAGES = 200
SERVING_MERGE_PAGES = 32
SERVING_PAUSE_S = 0.005


def merge_segments(engine: Engine, pages: int = MERGE_PAGES, pause: float = 0.0) -> list[str]:
    """Each SQLite text index held in more than `MAX_SEGMENTS` segments, merged into one; the tables merged.

    FTS5 writes each transaction's new rows as a segment of their own and merges segments only as they pile up,
    so an index filled by many writes (an import, the triggers of a day of changes) holds a dozen or more: a term
    is then looked up, and its rows read, in each. A selective search's read of the index took 0.16-0.19 ms in 14
    segments and 0.11 in one (100,000 assets). Run as the server starts, with the planner statistics
    (core/db.py `refresh_statistics`), before it serves, and while it serves with them (`keep_statistics`, in
    smaller steps with a `pause` after each): FTS5's incremental optimize ('merge' with a negative page count, then
    positive ones) in steps of `pages` pages, each its own transaction, until a step has nothing left to merge (it
    changes fewer than two rows). An index already in one segment costs a count of its segments."""
    if engine.dialect.name != "sqlite":
        return []
    with contextlib.closing(engine.raw_connection()) as raw:  # counted outside any transaction: no write lock
        db: Any = raw.driver_connection
        present = {row[0] for row in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        fragmented = [
            fts_table(name)
            for name in INDEXED
            if fts_table(name) in present
            and db.execute(f"SELECT count(DISTINCT segid) FROM {fts_table(name)}_idx").fetchone()[0] > MAX_SEGMENTS
        ]
    for table in fragmented:
        step = -pages  # negative: begins merging every segment into one
        while True:
            with engine.begin() as connection:
                driver_connection: Any = connection.connection.driver_connection
                before = driver_connection.total_changes
                connection.exec_driver_sql(f"INSERT INTO {table}({table}, rank) VALUES ('merge', {step})")
                if driver_connection.total_changes - before < 2:
                    break
            step = pages
            if pause:
                time.sleep(pause)
    return fragmented
