"""Exact row counts per scope, kept in the same transaction as the inserts and deletes they count.

An unfiltered list answers `meta.pagination.total` from here instead of scanning the table. A model opts
in with ``__counted_by__ = "<column>"``; the counter is keyed by (table name, value of that column).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Integer, String, bindparam, delete, event, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from wrenchwork.core import driver
from wrenchwork.core.model_base import Base


class RowCount(Base):
    __tablename__ = "row_counts"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


_counts = RowCount.__table__
# Built once: every unfiltered list reads its total through this statement.
_READ_COUNT = select(_counts.c.count).where(
    _counts.c.name == bindparam("name"), _counts.c.scope_id == bindparam("scope")
)


def count_column(name: str, scope_id: Any) -> Any:
    """The same count as a scalar subquery (`scope_id` a value or a bound parameter), so a list page can read
    its total in the page query itself."""
    return select(_counts.c.count).where(_counts.c.name == name, _counts.c.scope_id == scope_id).scalar_subquery()


def read_count(session: Session, name: str, scope_id: int) -> int:
    value = session.connection().execute(_READ_COUNT, {"name": name, "scope": scope_id}).scalar()
    return value or 0


def _upsert(insert_of: Any) -> Any:
    """Add `delta` to the (`name`, `scope`) counter, creating it at `delta`; the values are bound parameters."""
    stmt = insert_of(RowCount).values(name=bindparam("name"), scope_id=bindparam("scope"), count=bindparam("delta"))
    return stmt.on_conflict_do_update(
        index_elements=["name", "scope_id"], set_={"count": RowCount.count + bindparam("delta")}
    )


# Built once per dialect: every insert and delete of a counted row runs one (PM generation makes thousands). Run
# on the driver's cursor (core/driver.py): through the session, an ORM-enabled INSERT, it was a seventh of a work
# order create's time in its writer thread.
_ADD = {"postgresql": driver.keep(_upsert(pg_insert)), "sqlite": driver.keep(_upsert(sqlite_insert))}


def add_to_count(session: Session, name: str, scope_id: int, delta: int) -> None:
    connection = session.connection()
    stmt = _ADD.get(connection.dialect.name)
    if stmt is None:  # pragma: no cover - only the two supported backends exist
        raise RuntimeError(f"unsupported dialect {connection.dialect.name}")
    driver.execute(connection, stmt, [{"name": name, "scope": scope_id, "delta": delta}])


def drop_count(session: Session, name: str, scope_id: int) -> None:
    """Forget a scope's counter when the scope goes (its rows went with it by a cascade the ORM does not see)."""
    session.execute(delete(RowCount).where(RowCount.name == name, RowCount.scope_id == scope_id))


def recount(session: Session, model: type[Base]) -> None:
    """Rebuild one model's counters from the table (after bulk loads that bypass the ORM)."""
    column_name = model.__counted_by__
    assert column_name is not None
    table = model.__table__
    name = table.name  # type: ignore[attr-defined]
    column = table.c[column_name]
    session.execute(RowCount.__table__.delete().where(RowCount.name == name))  # type: ignore[attr-defined]
    rows = session.execute(select(column, func.count()).group_by(column)).all()
    if rows:
        session.execute(insert(RowCount), [{"name": name, "scope_id": s, "count": n} for s, n in rows])


@event.listens_for(Session, "after_flush")
def _track_counts(session: Session, _context: Any) -> None:
    deltas: Counter[tuple[str, int]] = Counter()
    for obj, sign in [(o, 1) for o in session.new] + [(o, -1) for o in session.deleted]:
        column = getattr(type(obj), "__counted_by__", None)
        if column is None:
            continue
        scope_id = getattr(obj, column)
        if scope_id is not None:
            deltas[(obj.__tablename__, scope_id)] += sign
    for (name, scope_id), delta in sorted(deltas.items()):
        if delta:
            add_to_count(session, name, scope_id, delta)
