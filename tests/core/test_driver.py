"""core/driver.py: a statement run on the driver's cursor answers exactly as SQLAlchemy would."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Connection,
    Engine,
    Numeric,
    bindparam,
    column,
    insert,
    literal,
    literal_column,
    select,
    table,
    update,
)
from sqlalchemy.exc import DBAPIError, StatementError

from tests.helpers import Tenant, statements
from wrenchwork.core import driver
from wrenchwork.models import Location, Part, User

LOGIN = datetime(2026, 3, 1, 8, 30, 15, tzinfo=UTC)

# A user by id: named parameters (one of them twice), a value the statement carries, a date-time to convert.
BY_ID = driver.keep(
    select(User.id, User.name, User.last_login_at, literal("fixed").label("fixed"), bindparam("extra") + User.id).where(
        User.id == bindparam("user_id"), User.id != bindparam("extra")
    )
)
LOGGED_IN_BEFORE = driver.keep(select(User.id).where(User.last_login_at < bindparam("before")))
NO_TABLE = driver.keep(
    select(column("id")).select_from(table("no_such_table", column("id"))).where(column("id") == bindparam("id"))
)
# A location: a date-time to convert on the way in, its id and creation time back from RETURNING.
ADD_LOCATION = driver.keep(
    insert(Location)
    .values(entity_id=bindparam("entity_id"), name=bindparam("name"), path=bindparam("path"),
            created_at=bindparam("at"), updated_at=bindparam("at"))
    .returning(Location.name, Location.created_at)
)  # fmt: skip
# Percent signs written into the SQL (a LIKE pattern, a literal), which a `%(name)s` driver form doubles.
PERCENT = driver.keep(
    select(User.id, literal_column("'50%'").label("share")).where(
        User.name.like(literal_column("'A%'")), User.id == bindparam("user_id")
    )
)
# A part's stock: exact decimals both ways (whole thousandths on SQLite, numeric on PostgreSQL).
_parts = Part.__table__
PART_STOCK = driver.keep(
    select(_parts.c.on_hand_qty, _parts.c.avg_unit_cost).where(_parts.c.id == bindparam("part_id"))
)
SET_STOCK = driver.keep(
    update(_parts)
    .where(_parts.c.id == bindparam("part_id"))
    .values(on_hand_qty=bindparam("qty", type_=_parts.c.on_hand_qty.type),
            avg_unit_cost=bindparam("avg", type_=_parts.c.avg_unit_cost.type), updated_at=bindparam("at"))
)  # fmt: skip
# The same without `updated_at`, which SQLAlchemy fills from the column's `onupdate` at each execution.
SET_STOCK_NOW = driver.keep(
    update(_parts).where(_parts.c.id == bindparam("part_id")).values(on_hand_qty=bindparam("qty", type_=Numeric()))
)
IN_LIST = driver.keep(select(User.id, User.name).where(User.id.in_(bindparam("ids", expanding=True))))


@pytest.fixture
def connection(engine: Engine, tenant: Tenant) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execute(update(User).where(User.id == tenant.admin_id).values(last_login_at=LOGIN))
        yield conn
        conn.rollback()


def _sqlalchemy(connection: Connection, stmt: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(stmt, params)]


def test_rows_are_the_values_sqlalchemy_returns(connection: Connection, tenant: Tenant) -> None:
    params = {"user_id": tenant.admin_id, "extra": 1000}
    rows = driver.rows(connection, BY_ID, params)
    assert [tuple(row) for row in rows] == [(tenant.admin_id, "Ada", LOGIN, "fixed", 1000 + tenant.admin_id)]
    assert rows[0][2].tzinfo is UTC  # through the column type's result processing
    assert [tuple(row) for row in rows] == _sqlalchemy(connection, BY_ID, params)
    assert driver.rows(connection, BY_ID, {"user_id": tenant.admin_id + 1, "extra": 0}) == []


def test_percent_signs_in_the_sql_stay_as_written(connection: Connection, tenant: Tenant) -> None:
    rows = driver.rows(connection, PERCENT, {"user_id": tenant.admin_id})
    assert [tuple(row) for row in rows] == [(tenant.admin_id, "50%")]
    assert [tuple(row) for row in rows] == _sqlalchemy(connection, PERCENT, {"user_id": tenant.admin_id})


def test_parameters_go_through_their_types(connection: Connection, tenant: Tenant) -> None:
    """A date-time parameter is stored naive UTC (model_base.UTCDateTime), as SQLAlchemy would bind it."""
    before = {"before": datetime(2026, 3, 1, 8, 30, 16, tzinfo=UTC)}
    assert [tuple(row) for row in driver.rows(connection, LOGGED_IN_BEFORE, before)] == [(tenant.admin_id,)]
    assert driver.rows(connection, LOGGED_IN_BEFORE, {"before": LOGIN}) == []
    with pytest.raises(StatementError, match="naive datetime"):
        driver.rows(connection, LOGGED_IN_BEFORE, {"before": datetime(2026, 3, 2)})


def test_a_missing_parameter_is_sqlalchemys_error(connection: Connection, tenant: Tenant) -> None:
    with pytest.raises(StatementError, match="A value is required for bind parameter 'extra'"):
        driver.rows(connection, BY_ID, {"user_id": tenant.admin_id})


def test_only_kept_statements_skip_sqlalchemy(
    connection: Connection, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement nobody kept may be built anew on every call: SQLAlchemy's cache serves it, by its shape."""
    not_kept = select(User.id).where(User.id == bindparam("user_id"))
    params = {"user_id": tenant.admin_id}

    def refused(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("went through Connection.execute")

    monkeypatch.setattr(Connection, "execute", refused)
    assert [tuple(row) for row in driver.rows(connection, LOGGED_IN_BEFORE, {"before": datetime.now(UTC)})] == [
        (tenant.admin_id,)
    ]
    with pytest.raises(AssertionError, match="went through"):
        driver.rows(connection, not_kept, params)
    monkeypatch.undo()
    assert [tuple(row) for row in driver.rows(connection, not_kept, params)] == [(tenant.admin_id,)]


def test_an_expanding_list_goes_through_sqlalchemy(connection: Connection, tenant: Tenant) -> None:
    rows = driver.rows(connection, IN_LIST, {"ids": [tenant.admin_id, tenant.admin_id + 1]})
    assert [tuple(row) for row in rows] == [(tenant.admin_id, "Ada")]


def test_listeners_see_every_statement(engine: Engine, connection: Connection, tenant: Tenant) -> None:
    params = {"user_id": tenant.admin_id, "extra": 1}
    with statements(engine) as seen:
        rows = driver.rows(connection, BY_ID, params)
    assert [tuple(row) for row in rows] == _sqlalchemy(connection, BY_ID, params)
    assert len(seen) == 1 and "FROM users" in seen[0]


def test_a_driver_error_is_raised_as_sqlalchemys(connection: Connection) -> None:
    with pytest.raises(DBAPIError, match="no_such_table"):
        driver.rows(connection, NO_TABLE, {"id": 1})


def test_it_opens_the_transaction_sqlalchemy_would(engine: Engine, tenant: Tenant) -> None:
    with engine.connect() as conn:
        assert not conn.in_transaction()
        driver.rows(conn, BY_ID, {"user_id": tenant.admin_id, "extra": 0})
        assert conn.in_transaction()


def test_sql_logging_sees_every_statement(engine: Engine, tenant: Tenant, caplog: pytest.LogCaptureFixture) -> None:
    """With SQLAlchemy's SQL log on (`echo`, or its logger at INFO), the statement goes where the log sees it."""
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine.Engine"), engine.connect() as conn:
        rows = driver.rows(conn, BY_ID, {"user_id": tenant.admin_id, "extra": 0})
    assert [row[0] for row in rows] == [tenant.admin_id]
    assert any("FROM users" in record.getMessage() for record in caplog.records)


def test_a_kept_insert_writes_and_returns_what_sqlalchemy_would(connection: Connection, tenant: Tenant) -> None:
    one = {"entity_id": tenant.entity_id, "name": "Plant", "path": "/", "at": LOGIN}
    rows = driver.execute(connection, ADD_LOCATION, [one])
    assert [tuple(row) for row in rows] == [("Plant", LOGIN)]
    assert rows[0][1].tzinfo is UTC
    assert [tuple(row) for row in connection.execute(ADD_LOCATION, one | {"name": "Yard"})] == [("Yard", LOGIN)]
    several = [one | {"name": f"Bay {n}"} for n in range(3)]
    assert driver.execute(connection, ADD_LOCATION, several) == []  # one executemany: no RETURNING rows
    names = select(Location.name, Location.created_at).where(Location.entity_id == tenant.entity_id)
    assert sorted(tuple(row) for row in connection.execute(names)) == [
        ("Bay 0", LOGIN), ("Bay 1", LOGIN), ("Bay 2", LOGIN), ("Plant", LOGIN), ("Yard", LOGIN),
    ]  # fmt: skip


def test_a_kept_insert_is_seen_by_listeners(engine: Engine, connection: Connection, tenant: Tenant) -> None:
    one = {"entity_id": tenant.entity_id, "name": "Plant", "path": "/", "at": LOGIN}
    with statements(engine) as seen:
        rows = driver.execute(connection, ADD_LOCATION, [one])
    assert [tuple(row) for row in rows] == [("Plant", LOGIN)]
    assert len(seen) == 1 and "INSERT INTO locations" in seen[0]


def test_a_kept_insert_refusing_a_row_is_sqlalchemys_error(connection: Connection, tenant: Tenant) -> None:
    with pytest.raises(DBAPIError, match="path"):
        driver.execute(connection, ADD_LOCATION, [{"entity_id": tenant.entity_id, "name": "A", "path": None,
                                                   "at": LOGIN}])  # fmt: skip


def _part(connection: Connection, tenant: Tenant) -> int:
    part = {"entity_id": tenant.entity_id, "name": "Filter", "is_non_stock": False, "on_hand_qty": Decimal("1.5"),
            "unit_cost": Decimal(2), "avg_unit_cost": Decimal(2), "used_qty": Decimal(0)}  # fmt: skip
    part_id: int = connection.execute(insert(Part).values(part).returning(Part.id)).scalar_one()
    return part_id


def test_a_kept_update_writes_and_decimals_stay_exact(
    connection: Connection, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    part_id = _part(connection, tenant)

    def refused(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("went through Connection.execute")

    monkeypatch.setattr(Connection, "execute", refused)
    changed = {"part_id": part_id, "qty": Decimal("2.125"), "avg": Decimal("3.33"), "at": LOGIN}
    assert driver.execute(connection, SET_STOCK, [changed]) == []
    rows = driver.rows(connection, PART_STOCK, {"part_id": part_id})
    monkeypatch.undo()
    assert [tuple(row) for row in rows] == [(Decimal("2.125"), Decimal("3.33"))]
    assert _sqlalchemy(connection, PART_STOCK, {"part_id": part_id}) == [(Decimal("2.125"), Decimal("3.33"))]
    assert connection.scalar(select(Part.updated_at).where(Part.id == part_id)) == LOGIN


def test_a_default_python_computes_is_filled_by_sqlalchemy(connection: Connection, tenant: Tenant) -> None:
    """On the driver's cursor the `onupdate` time would be written as NULL (or refused by NOT NULL)."""
    part_id = _part(connection, tenant)
    before = datetime.now(UTC)
    driver.execute(connection, SET_STOCK_NOW, [{"part_id": part_id, "qty": Decimal(3)}])
    changed = connection.scalar(select(Part.updated_at).where(Part.id == part_id))
    assert changed is not None and changed >= before.replace(microsecond=0)


def _name(conn: Connection, user_id: int) -> str | None:
    return conn.scalar(select(User.name).where(User.id == user_id))


def test_savepoints_are_sent_on_the_driver_and_still_work(
    engine: Engine, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SAVEPOINT, RELEASE SAVEPOINT and ROLLBACK TO SAVEPOINT skip SQLAlchemy's execution (`quick_savepoints`): a
    released savepoint's change stays, a rolled back one's goes, the transaction's own change stays."""

    def refused(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("went through Connection.execute")

    rename = update(User).where(User.id == tenant.admin_id)
    with engine.connect() as conn:
        conn.begin()
        conn.execute(rename.values(surname="Outer"))
        monkeypatch.setattr(Connection, "execute", refused)
        kept = conn.begin_nested()
        monkeypatch.undo()
        conn.execute(rename.values(name="Kept"))
        monkeypatch.setattr(Connection, "execute", refused)
        kept.commit()
        undone = conn.begin_nested()
        monkeypatch.undo()
        conn.execute(rename.values(name="Undone"))
        monkeypatch.setattr(Connection, "execute", refused)
        undone.rollback()
        monkeypatch.undo()
        assert _name(conn, tenant.admin_id) == "Kept"
        assert conn.scalar(select(User.surname).where(User.id == tenant.admin_id)) == "Outer"
        conn.rollback()
        assert _name(conn, tenant.admin_id) == "Ada"


def test_listeners_see_savepoints(engine: Engine, tenant: Tenant) -> None:
    with engine.connect() as conn, statements(engine) as seen:
        conn.begin()
        conn.begin_nested().commit()
        conn.begin_nested().rollback()
        conn.rollback()
    assert [s.split(" sa_savepoint")[0] for s in seen] == [
        "SAVEPOINT",
        "RELEASE SAVEPOINT",
        "SAVEPOINT",
        "ROLLBACK TO SAVEPOINT",
    ]


def test_a_savepoint_error_is_raised_as_sqlalchemys(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.begin()
        with pytest.raises(DBAPIError, match="RELEASE SAVEPOINT"):
            engine.dialect.do_release_savepoint(conn, "never_made")
        conn.rollback()
