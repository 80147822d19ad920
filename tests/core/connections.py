"""Ending PostgreSQL connections as a server restart would (tests/core/conftest.py `killer`)."""

from __future__ import annotations

from sqlalchemy import Engine, text


def end_other_connections(killer: Engine) -> int:
    """Ends every connection to the test database but `killer`'s own; how many it ended."""
    with killer.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
        connection.commit()
    return int(ended)
