"""PostgreSQL connections plan joins in the order the statements write them (core/db.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine


def test_postgresql_connections_keep_the_written_join_order(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    for _ in range(2):  # a connection handed back to the pool (and rolled back) keeps it
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW join_collapse_limit").scalar() == "1"
            conn.rollback()
