"""Writing a whole list, page after page, as CSV or XLSX without holding it in memory.

Each page is read in a short read transaction of its own (the request's own transaction has ended by the time
the body is sent), through the list's service function with the request's search, filters and sort, so the file
holds exactly the rows the list shows, in its order. CSV is sent as it is written; XLSX (openpyxl's write-only
mode) is written to a temporary file that spills to disk past 8 MiB, then sent.
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
from wrenchwork.core.listing import MAX_PER_PAGE, ListQuery
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


def rows(sessions: sessionmaker[Session], scope: Scope, export: Export, query: ListQuery) -> Iterator[list[str]]:
    page = 1
    while True:
        with sessions() as session:
            items, _meta = export.lister(session, scope, replace(query, page=page, per_page=MAX_PER_PAGE))
        for item in items:
            values = export.row(item_of(item), scope)
            yield [cell(values[name]) for name in export.columns]
        if len(items) < MAX_PER_PAGE:
            return
        page += 1


def csv_chunks(sessions: sessionmaker[Session], scope: Scope, export: Export, query: ListQuery) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(export.columns)
    for row in rows(sessions, scope, export, query):
        writer.writerow(row)
        if buffer.tell() >= CHUNK:
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
        sheet.append(row)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        book.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk
