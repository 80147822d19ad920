"""text indexes: trigram indexes for search and the text matchers (core/text_index.py)

Written by hand: autogenerate knows neither FTS5 tables and their triggers nor `pg_trgm`. The tables and columns
are this revision's own copy of `text_index.INDEXED` as it was when written.

SQLite: a contentless FTS5 table `<table>_text` (trigram tokenizer, case-sensitive over `text_fold`ed text) per
table, filled from the existing rows and kept in step by three triggers. A later migration that rebuilds one of
these tables in batch mode drops its triggers with the old table and must call `create_sqlite` for it again.

PostgreSQL: the `pg_trgm` extension and a GIN index on `lower(column)` per column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 12:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXED: dict[str, tuple[str, ...]] = {
    "assets": ("name", "asset_code", "serial_number", "model", "manufacturer", "description"),
    "parts": ("name", "number", "description", "area"),
    "work_orders": ("title", "description"),
    "work_order_requests": ("title", "description"),
    "locations": ("name", "description", "address"),
    "vendors": ("name", "description", "tax_id", "address"),
}


def _values(row: str, columns: tuple[str, ...]) -> str:
    return ", ".join(f"text_fold({row}.{column})" for column in columns)


def create_sqlite(table: str, columns: tuple[str, ...]) -> None:
    fts, names = f"{table}_text", ", ".join(columns)
    op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='', tokenize='trigram case_sensitive 1')")
    insert_new = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {_values('new', columns)});"
    # A contentless table forgets a row by being told its indexed values again.
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {_values('old', columns)});"
    op.execute(f"CREATE TRIGGER {table}_text_insert AFTER INSERT ON {table} BEGIN {insert_new} END")
    op.execute(f"CREATE TRIGGER {table}_text_delete AFTER DELETE ON {table} BEGIN {delete_old} END")
    op.execute(
        f"CREATE TRIGGER {table}_text_update AFTER UPDATE OF id, {names} ON {table} BEGIN {delete_old} {insert_new} END"
    )
    folded = ", ".join(f"text_fold({column})" for column in columns)
    op.execute(f"INSERT INTO {fts}(rowid, {names}) SELECT id, {folded} FROM {table}")


def drop_sqlite(table: str) -> None:
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_text_{event}")
    op.execute(f"DROP TABLE IF EXISTS {table}_text")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table, columns in INDEXED.items():
            create_sqlite(table, columns)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in INDEXED.items():
        for column in columns:
            op.execute(f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin (lower({column}) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in INDEXED:
            drop_sqlite(table)
        return
    for table, columns in INDEXED.items():
        for column in columns:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
    # pg_trgm stays: other objects of the database may use it.
