"""Bytes follow the transaction: files written for a request go when it rolls back; files of deleted attachments
(and of deleted records) go only once the deletion is committed. So the database never points at missing bytes,
and a crash in between leaves at worst unreferenced bytes, which `wrenchwork files check --fix` removes.

Hooked on SQLAlchemy's session events rather than on each resource's delete: every record of files/owners.py
deleted through the ORM takes its attachments with it, whichever service deletes it, and so do the records the
database deletes with it (owners.py `CASCADES`: a work order's procedure answers, a part's ledger lines, a
template's items).
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from wrenchwork.core.group_commit import when_durable
from wrenchwork.files.owners import CASCADES, OWNER_MODELS
from wrenchwork.files.repository import delete_of_owners
from wrenchwork.files.storage import Storage

log = logging.getLogger("wrenchwork.files")
_WRITTEN = "files.written"  # storage keys written in this transaction
_DOOMED = "files.doomed"  # storage keys whose rows this transaction deletes
_STORAGES: weakref.WeakKeyDictionary[Engine, Storage] = weakref.WeakKeyDictionary()


def register(engine: Engine, storage: Storage) -> None:
    """Makes `storage` the file store of every session bound to `engine`."""
    _STORAGES[engine] = storage


def storage_of(session: Session) -> Storage:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    storage = _STORAGES.get(engine)
    if storage is None:
        raise RuntimeError("no file storage registered for this database")
    return storage


def written(session: Session, key: str) -> None:
    session.info.setdefault(_WRITTEN, []).append(key)


def doomed(session: Session, keys: list[str]) -> None:
    session.info.setdefault(_DOOMED, []).extend(keys)


@event.listens_for(Session, "before_flush")
def _owners_deleted(session: Session, flush_context: Any, instances: Any) -> None:
    by_model: dict[type[Any], list[int]] = {}
    for obj in session.deleted:
        if type(obj) in OWNER_MODELS or type(obj) in CASCADES:
            by_model.setdefault(type(obj), []).append(obj.id)
    for model, ids in by_model.items():
        # Children first: their rows are still there to be found until the parent's DELETE is flushed.
        for owner_type, children in CASCADES.get(model, ()):
            doomed(session, delete_of_owners(session, owner_type, children(ids)))
        if model in OWNER_MODELS:
            doomed(session, delete_of_owners(session, OWNER_MODELS[model], ids))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    keys = session.info.pop(_DOOMED, None)
    if keys:  # once the rows that named them are gone for good
        when_durable(session, lambda: _remove(session, keys))


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_DOOMED, None)
    keys = session.info.pop(_WRITTEN, None)
    if keys:
        _remove(session, keys)


def _remove(session: Session, keys: list[str]) -> None:
    try:
        storage = storage_of(session)
    except Exception:
        log.warning("files not removed: no storage", extra={"fields": {"keys": keys}})
        return
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # a disk or S3 error: the bytes stay, `files check --fix` removes them later
            log.warning("file not removed", exc_info=True, extra={"fields": {"key": key}})
