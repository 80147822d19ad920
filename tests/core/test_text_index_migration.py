"""Migration 0003 (the text indexes) goes up and down, and fills the index from the rows already there."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, make_url, text

from wrenchwork.core.db import make_engine, make_sessionmaker
from wrenchwork.core.migrate import alembic_config
from wrenchwork.models import Asset
from wrenchwork.system.bootstrap import create_customer


def _found(engine: Engine, term: str) -> list[str]:
    """Asset names holding `term` as their index has them (on PostgreSQL: read from the trigram index)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            ids = conn.execute(text("SELECT rowid FROM assets_text WHERE assets_text MATCH :t"), {"t": f'"{term}"'})
            return [conn.execute(text("SELECT name FROM assets WHERE id = :i"), {"i": i}).scalar_one() for (i,) in ids]
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            conn.exec_driver_sql(f"SET LOCAL {setting} = off")
        plan = conn.execute(text("EXPLAIN SELECT name FROM assets WHERE lower(name) LIKE :p"), {"p": f"%{term}%"})
        assert "ix_assets_name_trgm" in " ".join(plan.scalars())
        rows = conn.execute(text("SELECT name FROM assets WHERE lower(name) LIKE :p"), {"p": f"%{term}%"})
        return list(rows.scalars())


def _add_assets(engine: Engine, *names: str, entity_id: int | None = None) -> int:
    """Assets named `names` in `entity_id`, or in a new customer's entity; that entity's id."""
    with make_sessionmaker(engine)() as session:
        if entity_id is None:
            entity_id = create_customer(session, "Acme", "Main", "admin@example.com", "Ada", "Admin").entity.id
        session.add_all(Asset(entity_id=entity_id, name=name) for name in names)
        session.commit()
    return entity_id


def _index_objects(engine: Engine) -> int:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%\\_text%' ESCAPE '\\'"
        else:
            query = "SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%\\_trgm'"
        return int(conn.execute(text(query)).scalar_one())


def test_upgrade_fills_the_index_and_downgrade_removes_it(scratch_url: str) -> None:
    config = alembic_config(scratch_url)
    command.upgrade(config, "0002")
    engine = make_engine(scratch_url)
    try:
        _add_assets(engine, "Centrifugal Pump École")
        assert _index_objects(engine) == 0

        command.upgrade(config, "head")
        assert _found(engine, "pump é") == ["Centrifugal Pump École"]

        command.downgrade(config, "0002")
        assert _index_objects(engine) == 0
        command.upgrade(config, "head")
        assert _found(engine, "pump é") == ["Centrifugal Pump École"]
    finally:
        engine.dispose()


def _pending_pages(engine: Engine) -> dict[str, int]:
    """Each asset trigram index's pending list, in pages (PostgreSQL's `pgstattuple`)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        rows = conn.execute(
            text(
                "SELECT indexname, (pgstatginindex(indexname::regclass)).pending_pages FROM pg_indexes "
                "WHERE tablename = 'assets' AND indexname LIKE '%\\_trgm'"
            )
        )
        return {name: int(pages) for name, pages in rows}


def test_trigram_indexes_are_written_in_place(scratch_url: str) -> None:
    """Migration 0004: a search reads no pending list (GIN `fastupdate`), however recently its rows were written."""
    if make_url(scratch_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL's GIN indexes")
    config = alembic_config(scratch_url)
    command.upgrade(config, "0003")
    engine = make_engine(scratch_url)
    try:
        entity_id = _add_assets(engine, *(f"Pump {n}" for n in range(50)))
        assert all(_pending_pages(engine).values())  # written to the pending lists

        command.upgrade(config, "head")
        assert set(_pending_pages(engine).values()) == {0}  # moved into the indexes
        _add_assets(engine, "Pump 51", entity_id=entity_id)
        assert set(_pending_pages(engine).values()) == {0}  # and the new row went straight in
        assert _found(engine, "pump 51") == ["Pump 51"]

        command.downgrade(config, "0003")
        _add_assets(engine, "Pump 52", entity_id=entity_id)
        assert _pending_pages(engine)["ix_assets_name_trgm"] > 0
    finally:
        engine.dispose()
