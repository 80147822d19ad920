"""Running one import: read the file, match its columns, then each row through the API's own rules.

Each row becomes the API's request body for its resource and goes through the same schema and the same service
function as `POST`/`PATCH /<resource>` would, so an import writes exactly what the API writes (row counters,
search index, ledger lines, tree paths) and reports the API's own error messages. Each row runs in a savepoint:
a row that fails leaves nothing behind and the rows after it still see the rows before it (a parent created
three rows up). Then the file's transaction is kept (partial mode, or no row failed) or rolled back (validate,
or all-or-nothing with errors). The caller owns the transaction and commits it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import AppError
from wrenchwork.imports.bulk_assets import BulkAssets
from wrenchwork.imports.columns import ColumnMap, match
from wrenchwork.imports.reading import read_table
from wrenchwork.imports.resources import IMPORTERS
from wrenchwork.imports.resources.assets import AssetImporter
from wrenchwork.imports.resources.base import Importer, RowProblems

HEADER_ROW = 1  # rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2
MAX_ERRORS = 1000  # a report lists at most this many errors (a wrong file would otherwise list one per row)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    unmatched_columns: list[str] = field(default_factory=list)
    failed: bool = False  # nothing was kept: the file could not be read, or all-or-nothing met an error

    def error(self, row: int | None, column: str | None, field_: str | None, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "field": field_, "message": message})


def run_import(
    session: Session,
    scope: Scope,
    data: bytes,
    resource: str,
    mode: str,
    progress: Callable[[int], None] | None = None,
    bulk: bool = True,
) -> ImportResult:
    """Import `data` (CSV or XLSX) as `resource` rows. `mode`: all_or_nothing, partial or validate. `bulk=False`
    sends every row through the service (bench/imports.py compares the two)."""
    result = ImportResult()
    try:
        table = read_table(data)
    except AppError as exc:
        result.failed = True
        result.error(None, None, "file", (exc.errors or {}).get("file", [exc.message])[0])
        return result
    importer = IMPORTERS[resource](session, scope)
    columns = match(table.headers, importer.synonyms)
    result.unmatched_columns = columns.unmatched
    missing = [f for f in importer.required if f not in columns.headers]
    if missing:
        result.failed = True
        for name in missing:
            result.error(HEADER_ROW, None, name, f"no column for {name}: the file needs one")
        return result
    # Rows whose parent comes further down the file (a list exported in name order, say): tried again at the end.
    deferred: dict[int, dict[str, str]] = {}
    fast = BulkAssets(importer) if bulk and isinstance(importer, AssetImporter) else None
    outer = session.begin_nested()
    for number, cells in enumerate(table.rows, start=HEADER_ROW + 1):
        result.rows += 1
        values = {name: cells[index].strip() for index, name in columns.fields.items() if index < len(cells)}
        outcome: str | None = None
        if fast is not None:
            try:
                outcome = fast.try_row(number, values)
            except RowProblems as exc:
                _report(importer, columns, number, result, exc.problems)
                outcome = "skipped"
            if outcome is None:
                fast.flush()  # the importer's row sees every row above it
            _refused(fast, importer, columns, result)
        if outcome is None:
            outcome = _row(session, importer, columns, values, number, result, deferred)
        if outcome == "deferred":
            continue
        if outcome == "created":
            result.created += 1
        elif outcome == "updated":
            result.updated += 1
        else:
            result.skipped += 1
        if progress is not None:
            progress(result.rows)
    if fast is not None:
        fast.flush()
        _refused(fast, importer, columns, result)
    _retry(session, importer, columns, deferred, result)
    keep = mode == "partial" or (mode == "all_or_nothing" and not result.errors)
    if keep:
        outer.commit()
    else:
        outer.rollback()
        if mode == "all_or_nothing":
            result.failed = True
            result.skipped, result.created, result.updated = result.rows, 0, 0
    return result


def _refused(fast: BulkAssets, importer: Importer, columns: ColumnMap, result: ImportResult) -> None:
    """Rows counted as created when they joined a batch that the service then refused: skipped, reported."""
    for number, exc in fast.refused:
        result.created -= 1
        result.skipped += 1
        _report(importer, columns, number, result, _problems(exc))
    fast.refused.clear()


def _problems(exc: AppError) -> list[tuple[str, str]]:
    problems = [(path, message) for path, messages in (exc.errors or {}).items() for message in messages]
    return problems or [("", exc.message)]


def _retry(
    session: Session,
    importer: Importer,
    columns: ColumnMap,
    deferred: dict[int, dict[str, str]],
    result: ImportResult,
) -> None:
    """Deferred rows again, pass after pass while a pass places one; then what is left is reported."""
    while deferred:
        waiting = dict(deferred)
        deferred.clear()
        for number, values in sorted(waiting.items()):
            outcome = _row(session, importer, columns, values, number, result, deferred)
            if outcome == "created":
                result.created += 1
            elif outcome == "updated":
                result.updated += 1
            elif outcome != "deferred":
                result.skipped += 1
        if len(deferred) == len(waiting):  # no progress: each is reported with its own errors
            for number, values in sorted(deferred.items()):
                _row(session, importer, columns, values, number, result, None)
                result.skipped += 1
            deferred.clear()


def _row(
    session: Session,
    importer: Importer,
    columns: ColumnMap,
    values: dict[str, str],
    number: int,
    result: ImportResult,
    deferred: dict[int, dict[str, str]] | None,
) -> str | None:
    """The row through the importer in a savepoint: its outcome, `deferred` when its only problem is a parent not
    found (and `deferred` is given), or None once its problems are reported."""
    savepoint = session.begin_nested()
    try:
        outcome = importer.apply(values)
        savepoint.commit()
        return outcome
    except RowProblems as exc:
        problems = exc.problems
    except AppError as exc:
        problems = _problems(exc)
    except IntegrityError:
        # A race the services' own checks could not see; the API answers it the same way (core/handlers.py).
        problems = [("", "Conflict with an existing record")]
    savepoint.rollback()
    if deferred is not None and problems and all(importer.column_of(path) == "parent" for path, _ in problems):
        deferred[number] = values
        return "deferred"
    _report(importer, columns, number, result, problems)
    return None


def _report(
    importer: Importer, columns: ColumnMap, number: int, result: ImportResult, problems: list[tuple[str, str]]
) -> None:
    order = {name: index for index, name in columns.fields.items()}
    found = [(importer.column_of(path) if path else None, message) for path, message in problems]
    for name, message in sorted(found, key=lambda p: order.get(p[0] or "", len(order))):
        result.error(number, columns.headers.get(name) if name else None, name, message)
