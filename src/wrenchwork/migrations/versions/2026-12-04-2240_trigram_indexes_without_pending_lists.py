"""trigram indexes without pending lists: PostgreSQL's GIN trigram indexes written in place (`fastupdate = off`)

With GIN's default `fastupdate`, rows inserted or changed since the table's last vacuum wait in the index's pending
list (up to `gin_pending_list_limit`, 4 MB), which every search through the index reads in full. Autovacuum empties it
only after a fifth of the table has been inserted, so on a busy table a selective search read hundreds of pending
pages per indexed column: `search=005000` over 100,000 assets read 1,059 pages in 7.9 ms, and 67 pages in 0.5 ms once
the lists were cleaned (docs/performance.md). Written in place, each insert or change of an indexed column pays for
its own trigrams, and a search costs the same however recently its rows were written. The lists pending now are
moved into the indexes here.

SQLite's FTS5 indexes have no such list (core/text_index.py merges their segments as the server starts).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 22:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _indexes() -> list[str]:
    """Revision 0003's trigram indexes (`ix_<table>_<column>_trgm`), as the catalog lists them."""
    query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE :name"
    found = op.get_bind().execute(sa.text(query + " ORDER BY indexname"), {"name": "ix\\_%\\_trgm"})
    return list(found.scalars())


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for index in _indexes():
        op.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
        op.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for index in _indexes():
        op.execute(f"ALTER INDEX {index} RESET (fastupdate)")
