from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from wrenchwork.config import settings
from wrenchwork.core.db import make_engine
from wrenchwork.core.text_index import is_index_object
from wrenchwork.models import Base

config = context.config
target_metadata = Base.metadata


def _include_object(_object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object) -> bool:
    """Leave to the hand-written revisions what no model describes: the text indexes (migration 0003)."""
    return not is_index_object(name, type_)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or settings.effective_database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
