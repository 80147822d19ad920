"""Writing a whole list, window after window, as CSV or XLSX without holding it in memory.

Each window is read through the list's service function with the request's search, filters and sort, so the file
holds exactly the rows the list shows, in its order. Windows are keyset-paged: the next one starts after the last
row read (`ListQuery.after`, core/listing.py `after_clause`), so each costs the same wherever it is in the list
(by offset, the millionth row cost reading the 999,999 before it). An order that cannot be keyset-paged (a column
of another table) is paged by offset instead.

Every window is read in one read transaction, opened when the body starts (the request's own transaction has ended
by then): one snapshot, so a row written or deleted meanwhile is neither read twice nor skipped. SQLite's read
transaction is a WAL snapshot from its first read; PostgreSQL's is REPEATABLE READ (core/db.py
`PostgresReadSession`; READ COMMITTED would take a new snapshot per statement). No total is counted
(`ListQuery.counted`).

CSV is sent as it is written; XLSX (openpyxl's write-only mode, which keeps the sheet in a temporary file) is then
zipped into a temporary file that spills to disk past 8 MiB, and sent.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from wrenchwork.core.auth import Scope
from wrenchwork.core.listing import ListQuery, keyset_terms
from wrenchwork.exports.columns import Export, item_of

CHUNK = 64 * 1024


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Rows per window: large enough that a window's statements cost little per row, small enough to hold. The first
# window is smaller, so the first bytes leave sooner (a CSV chunk is 64 KiB, a few hundred rows).
WINDOW = 1000
FIRST_WINDOW = 100


def windows(session: Session, scope: Scope, export: Export, query: ListQuery) -> Iterator[list[dict[str, Any]]]:
    """The list's items, a window at a time, in its order."""
    window = replace(query, page=1, per_page=min(FIRST_WINDOW, WINDOW), counted=False, after=None)
    keyset = keyset_terms(export.spec, query) is not None
    while True:
        items = [item_of(item) for item in export.lister(session, scope, window)[0]]
        if items:
            yield items
        if len(items) < window.per_page:
            return
        if keyset:
            window = replace(window, per_page=WINDOW, after=items[-1]["id"])
        else:  # the same size throughout, so the offset stays a multiple of it
            window = replace(window, page=window.page + 1)


def rows(sessions: sessionmaker[Session], scope: Scope, export: Export, query: ListQuery) -> Iterator[list[str]]:
    with sessions() as session:
        for items in windows(session, scope, export, query):
            for item in items:
                values = export.row(item, scope)
                yield [cell(values[name]) for name in export.columns]


def csv_chunks(sessions: sessionmaker[Session], scope: Scope, export: Export, query: ListQuery) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(export.columns)
    for number, row in enumerate(rows(sessions, scope, export, query), 1):
        writer.writerow(row)
        if buffer.tell() >= CHUNK or number == FIRST_WINDOW:  # the first window leaves at once
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_chunks(sessions: sessionmaker[Session], scope: Scope, export: Export, query: ListQuery) -> Iterator[bytes]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(export.columns))
    for row in rows(sessions, scope, export, query):
        sheet.append([value or None for value in row])  # an empty cell is not written at all
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        book.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk
