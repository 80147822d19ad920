"""`wrenchwork files check [--fix]`: stored bytes and attachment rows, compared both ways.

- bytes without a row (an upload whose transaction never committed, a crash between a deletion's commit and the
  removal of its bytes); only those older than an hour, so an upload under way is never taken for one;
- rows without bytes (files lost outside the server);
- rows whose record is gone (deleted by the database with a parent, e.g. an entity or a work order's answers);
- uploads never linked, past their day.
With `fix`, each is removed: rows first (committed), then bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from wrenchwork.files.owners import OWNERS
from wrenchwork.files.repository import all_keys, delete_rows, expired, ownerless
from wrenchwork.files.storage import KeyFiles, Storage

GRACE_SECONDS = 3600


@dataclass
class Report:
    orphan_bytes: list[str] = field(default_factory=list)
    missing_bytes: list[int] = field(default_factory=list)
    ownerless: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.orphan_bytes or self.missing_bytes or self.ownerless or self.expired)

    def lines(self) -> list[str]:
        return [
            f"bytes without a row: {len(self.orphan_bytes)}",
            f"rows without bytes: {len(self.missing_bytes)}",
            f"rows whose record is gone: {len(self.ownerless)}",
            f"unlinked uploads past their day: {len(self.expired)}",
        ]


def check(session: Session, storage: Storage, now: datetime, fix: bool) -> Report:
    report = Report()
    rows = all_keys(session)
    stored = storage.listing()
    cutoff = (now - timedelta(seconds=GRACE_SECONDS)).timestamp()
    report.orphan_bytes = sorted(key for key, files in stored.items() if key not in rows and files.modified < cutoff)
    report.missing_bytes = sorted(id_ for key, id_ in rows.items() if not _has_original(stored.get(key)))
    doomed: list[str] = []
    for owner in OWNERS.values():
        for id_, key in ownerless(session, owner.owner_type, owner.model):
            report.ownerless.append(id_)
            doomed.append(key)
    for id_, key in expired(session, now):
        report.expired.append(id_)
        doomed.append(key)
    if fix:
        delete_rows(session, [*report.missing_bytes, *report.ownerless, *report.expired])
        session.commit()
        for key in [*doomed, *report.orphan_bytes]:
            storage.delete(key)
    return report


def _has_original(files: KeyFiles | None) -> bool:
    return files is not None and any(name.startswith("original.") for name in files.names)
