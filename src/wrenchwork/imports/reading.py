"""A spreadsheet file -> its header row and its data rows, as text.

CSV: the delimiter is what `csv.Sniffer` finds (comma when it finds nothing); UTF-8 with or without a byte order
mark, and Windows-1252 (what Excel writes on Windows) when the bytes are not UTF-8. XLSX: the first sheet, read
in openpyxl's read-only mode (rows are streamed, not loaded as a workbook). Cells come back as text the API's
schemas parse: dates as YYYY-MM-DD, whole numbers without a trailing `.0`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from wrenchwork.core.errors import Unprocessable

XLSX_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[list[str]]


def read_table(data: bytes) -> Table:
    """The file's table; a file that is neither readable CSV nor XLSX is a 422 on `file`."""
    if data.startswith(XLSX_MAGIC):
        return _xlsx(data)
    return _csv(decode(data))


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv(text: str) -> Table:
    sample = text[:SNIFF_BYTES]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    headers = next(reader, None)
    if not headers or not any(h.strip() for h in headers):
        raise Unprocessable.field("file", "has no header row")
    return Table([h.strip() for h in headers], (row for row in reader if any(cell.strip() for cell in row)))


def _xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook  # only XLSX imports pay for loading it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Unprocessable.field("file", "is not a readable XLSX workbook") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    if not first or not any(cell not in (None, "") for cell in first):
        raise Unprocessable.field("file", "has no header row")
    headers = [_text(cell).strip() for cell in first]

    def body() -> Iterator[list[str]]:
        for row in rows:
            cells = [_text(cell) for cell in row]
            if any(cell.strip() for cell in cells):
                yield cells
        book.close()

    return Table(headers, body())


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(Decimal(repr(cell)))
    return str(cell)
