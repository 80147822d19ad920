"""The transactional outbox: every committed change of a resource becomes an event row in the same transaction.

Where: the session, the one thing every write goes through (requests, atomic batches, PM generation, the command
line). `after_flush` notes each created, changed or deleted record of a resource (events/resources.py), and a change
of a record shown inside a resource's detail as that resource's update; services add domain events with `emit`
and changes the session cannot see (link tables written with Core statements) with `note_changed`, and on the
records at the link's other end with `note_linked`. A deleted
record is presented in `before_flush`, while it still exists: its `deleted` event carries its last detail.
Nothing is written until the transaction commits: `before_commit` flushes what is still pending (the commit's own
flush comes after the hook, too late to be noted), presents each record once (the request's own answer when it is
that record's detail, else the resource's detail presenter), numbers the events and inserts them.
A rollback (of the request, an atomic batch or a savepoint) forgets what was noted inside it, so a rolled-back
change emits nothing.

Numbering (the feed's cursor, `seq`): per entity, from the entity's row of `event_counters`, incremented as the
last thing before COMMIT. On PostgreSQL the row stays locked until the commit, so a second transaction waits there
and numbers after the first has committed: seq order is commit order, and a reader that sees seq N committed has
every event below N too (no late-committing lower number to skip). On SQLite the write lock serializes
transactions anyway. Entities are locked in id order, so two transactions never wait for each other crosswise.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, insert, inspect, select
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.base import NO_VALUE

from wrenchwork.core import driver
from wrenchwork.core.auth import Scope
from wrenchwork.core.envelope import dumps
from wrenchwork.core.errors import AppError
from wrenchwork.core.model_base import utcnow
from wrenchwork.core.repository import CALLERS, IN_FLUSH
from wrenchwork.core.routing import ANSWER
from wrenchwork.events.resources import Resource, mirrored, parts, registry
from wrenchwork.models import Event, EventCounter

log = logging.getLogger("wrenchwork.events")

PENDING = "wrenchwork.events.pending"
# Records presented at once at commit, by resources that can (`Resource.present_many`).
PRESENT_BATCH = 1000
LAST = "wrenchwork.events.last"  # (resource name, id) -> the detail of a record about to be deleted


@dataclass
class Noted:
    txn: SessionTransaction
    resource: Resource
    obj: Any
    resource_id: int
    entity_id: int | None
    kind: str  # created | updated | deleted | a domain event's full type
    changed: set[str] = field(default_factory=set)
    extra: dict[str, Any] | None = None
    last: dict[str, Any] | None = None  # a deleted record's detail, presented before the delete


@dataclass(frozen=True)
class Ref:
    """A record known by its model and id only (the parent of a changed part, a part whose stock changed without
    the ORM): presenters need nothing else."""

    model: type[Any]
    id: int
    entity_id: int | None


def _resource_of(obj: Any) -> Resource:
    return registry()[obj.model if isinstance(obj, Ref) else type(obj)]


def emit(session: Session, type_: str, obj: Any, **extra: Any) -> None:
    """A domain event (`work_order.completed`, `part.low_stock`...) about `obj`, a record of a resource (or its
    `Ref`): its data is the record's detail (as of the commit) plus `extra`, whose callables are called at commit
    with the session and the caller's scope (to present something else as of then). Written only if the
    transaction commits."""
    resource = _resource_of(obj)
    _pending(session).append(Noted(_txn(session), resource, obj, obj.id, _entity_of(obj), type_, extra=extra))


def note_created(session: Session, model: type[Any], entity_id: int, ids: Sequence[int]) -> None:
    """`<resource>.created` for records of `model` inserted without the ORM (a batch insert sees no flush): as
    the flush's own notes, written only if the transaction commits, presented as of the commit. `model`'s
    resource must present many records at once (`present_many`): there is no ORM object to present."""
    resource = registry()[model]
    if resource.present_many is None:
        raise TypeError(f"{resource.name} records cannot be presented without their objects")
    txn = _txn(session)
    _pending(session).extend(Noted(txn, resource, None, id_, entity_id, "created") for id_ in ids)


def note_changed(session: Session, obj: Any, *fields: str) -> None:
    """`obj`'s resource (`obj` a record or its `Ref`) was changed in `fields` (API names) where the session cannot
    see it: its `updated` event (merged with the record's other changes of the transaction)."""
    resource = _resource_of(obj)
    noted = Noted(_txn(session), resource, obj, obj.id, _entity_of(obj), "updated", set(fields))
    _pending(session).append(noted)


def note_linked(session: Session, link: Table, value: str, ids: Iterable[int], entity_id: int | None) -> None:
    """Links in `link` to the records `ids` of its `value` column were added or removed (from the other side):
    each of those records whose detail shows the link (events/resources.py `mirrored`) has an `updated` event
    naming its field, merged with its other changes of the transaction."""
    found = mirrored().get((link.name, value))
    if found is None:
        return
    model, field_name = found
    resource, txn = registry()[model], _txn(session)
    _pending(session).extend(
        Noted(txn, resource, Ref(model, id_, entity_id), id_, entity_id, "updated", {field_name}) for id_ in sorted(ids)
    )


def _pending(session: Session) -> list[Noted]:
    pending: list[Noted] | None = session.info.get(PENDING)
    if pending is None:
        pending = session.info[PENDING] = []
    return pending


def _txn(session: Session) -> SessionTransaction:
    txn = session.get_nested_transaction() or session.get_transaction()
    assert txn is not None
    return txn


def _entity_of(obj: Any) -> int | None:
    return getattr(obj, "entity_id", None)


@sa_event.listens_for(Session, "before_flush")
def _present_deleted(session: Session, _context: Any, _instances: Any) -> None:
    if not session.deleted:
        return
    known = registry()
    scopes: dict[int, Scope] = session.info.get(CALLERS, {})
    session.info[IN_FLUSH] = True
    try:
        for obj in session.deleted:
            resource = known.get(type(obj))
            if resource is None:
                continue
            entity_id = _entity_of(obj)
            scope = scopes.get(entity_id) if entity_id is not None else next(iter(scopes.values()), None)
            if scope is not None:
                detail = _Rows(session, None)._safely(resource.present, scope, obj)
                if detail is not None:
                    session.info.setdefault(LAST, {})[(resource.name, obj.id)] = detail
    finally:
        session.info.pop(IN_FLUSH, None)


@sa_event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: Any) -> None:
    if not (session.new or session.dirty or session.deleted):
        return
    known, shown_in = registry(), parts()
    last: dict[tuple[str, int], dict[str, Any]] = session.info.pop(LAST, {})
    txn = None
    notes: list[Noted] = []
    in_parents: list[tuple[str, Any]] = []
    for kind, objects in (("created", session.new), ("updated", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            if type(obj) in shown_in:
                in_parents.append((kind, obj))
            resource = known.get(type(obj))
            if resource is None:
                continue
            changed: set[str] = set()
            if kind == "updated":
                changed = resource.api_fields(_changed_columns(obj))
                if not changed:
                    continue
            txn = txn or _txn(session)
            noted = Noted(txn, resource, obj, obj.id, _entity_of(obj), kind, changed)
            if kind == "deleted":
                noted.last = last.get((resource.name, obj.id))
            notes.append(noted)
    # After the records' own notes, so that a record created with its parts is one `created`.
    for kind, obj in in_parents:
        if kind == "updated" and not _changed_columns(obj):
            continue
        for part in shown_in[type(obj)]:
            parent_id = part.parent_id(session, obj)
            if parent_id is None:
                continue
            txn = txn or _txn(session)
            parent = Ref(part.parent, parent_id, _entity_of(obj))
            notes.append(Noted(txn, known[part.parent], parent, parent_id, parent.entity_id, "updated",
                               set(part.fields(obj))))  # fmt: skip
    if notes:
        _pending(session).extend(notes)


def _changed_columns(obj: Any) -> set[str]:
    """The columns whose value changed. A column set since the load keeps its loaded value in `committed_state`
    until the flush ends: compared with the value now, as SQLAlchemy's attribute history compares them (without
    building that history for each)."""
    state = inspect(obj)
    columns, now = _column_keys(state.mapper), state.dict
    return {k for k, was in state.committed_state.items() if k in columns and now.get(k, NO_VALUE) != was}


@functools.cache
def _column_keys(mapper: Any) -> frozenset[str]:
    return frozenset(a.key for a in mapper.column_attrs)


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    pending: list[Noted] | None = session.info.get(PENDING)
    # What was noted inside the rolled-back transaction was noted after it began: the end of the list. Only that
    # end is looked at, so a row-by-row savepoint rolled back in an import of 100,000 noted records stays cheap.
    while pending and _inside(pending[-1].txn, previous):
        pending.pop()


def _inside(txn: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while txn is not None:
        if txn is ended:
            return True
        txn = txn.parent
    return False


@sa_event.listens_for(Session, "after_rollback")
def _forget_all(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(LAST, None)
    session.info.pop(ANSWER, None)


@sa_event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(ANSWER, None)


@sa_event.listens_for(Session, "before_commit")
def _write_events(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release: its notes wait for the transaction's commit
    # The commit's own flush runs after this hook: what is still pending is flushed (and noted) here instead.
    session.flush()
    pending: list[Noted] | None = session.info.pop(PENDING, None)
    response = session.info.pop(ANSWER, None)
    if not pending:
        return
    rows = _Rows(session, response).build(_merged(pending))
    if rows:
        _insert(session, rows)


def _merged(pending: list[Noted]) -> list[Noted]:
    """One created/updated/deleted event per record and transaction (created then changed is created; changed
    then deleted is deleted; created then deleted is nothing), in the order each record was first noted, with the
    domain events where they were emitted."""
    merged: list[Noted] = []
    by_record: dict[tuple[str, int], Noted] = {}
    for noted in pending:
        if noted.kind not in ("created", "updated", "deleted"):
            merged.append(noted)
            continue
        key = (noted.resource.name, noted.resource_id)
        first = by_record.get(key)
        if first is None:
            by_record[key] = noted
            merged.append(noted)
        elif noted.kind == "deleted":
            first.kind = "gone" if first.kind == "created" else "deleted"
            first.last = noted.last
        elif noted.kind == "updated" and first.kind == "updated":
            first.changed |= noted.changed
    return [n for n in merged if n.kind != "gone"]


class _Rows:
    def __init__(self, session: Session, response: tuple[str, Any] | None) -> None:
        self.session = session
        self.scopes: dict[int, Scope] = session.info.get(CALLERS, {})
        self.answer = _Answer(response)
        self.details: dict[tuple[str, int], dict[str, Any]] = {}
        self.now = utcnow()

    def build(self, merged: list[Noted]) -> list[dict[str, Any]]:
        rows = []
        for index, noted in enumerate(merged):
            if index % PRESENT_BATCH == 0:
                self._present_batch(merged[index : index + PRESENT_BATCH])
            entity_id = noted.entity_id
            if entity_id is None:  # a customer-wide record (a user): the entity of the change's caller
                entity_id = next(iter(self.scopes), None)
            if entity_id is None:
                continue  # no caller in any entity (e.g. the command line bootstrapping a customer)
            scope = self.scopes.get(entity_id)
            kind = noted.kind if "." in noted.kind else f"{noted.resource.name}.{noted.kind}"
            actor_type, actor_id = _actor(scope)
            rows.append({
                "entity_id": entity_id, "type": kind, "resource": noted.resource.name,
                "resource_id": noted.resource_id, "actor_type": actor_type, "actor_id": actor_id,
                "data": self._data(noted, scope), "created_at": self.now,
            })  # fmt: skip
        return rows

    def _data(self, noted: Noted, scope: Scope | None) -> str:
        """The event's `data` as JSON text: the record's detail, and the changed fields of an update, the extra
        values of a domain event, or a deleted record's last detail."""
        if noted.kind == "deleted":
            return dumps(noted.last or {"id": noted.resource_id}).decode()
        if noted.kind in ("created", "updated"):
            text = self.answer.text(noted)  # the detail as the request answered it: not rendered again
            if text is not None and noted.kind == "created":
                return text.decode()
            if text is not None:
                return (text[:-1] + b',"changed_fields":' + dumps(sorted(noted.changed)) + b"}").decode()
        data = dict(self._detail(noted, scope))
        if noted.kind == "updated":
            data["changed_fields"] = sorted(noted.changed)
        elif noted.extra:
            data |= {k: self._value(v, scope) for k, v in noted.extra.items()}
        return dumps(data).decode()

    def _present_batch(self, notes: list[Noted]) -> None:
        """The details of the next notes whose resource presents many records at once (rendered by the database,
        core/json_sql.py), one call per resource and entity for all of them: a PM pass's commit holds hundreds of
        generated work orders, an import thousands of new assets. The previous batch's are dropped (memory stays
        flat); a record the request answered with is taken from its answer."""
        self.details.clear()
        wanted: dict[tuple[str, int], tuple[Resource, list[int]]] = {}
        for noted in notes:
            if noted.kind == "deleted" or noted.resource.present_many is None or noted.entity_id is None:
                continue
            if self.answer.text(noted) is None:
                key = (noted.resource.name, noted.entity_id)
                wanted.setdefault(key, (noted.resource, []))[1].append(noted.resource_id)
        for (_name, entity_id), (resource, ids) in wanted.items():
            scope = self.scopes.get(entity_id)
            assert resource.present_many is not None
            found = None if scope is None else self._safely(resource.present_many, scope, list(dict.fromkeys(ids)))
            for id_, detail in (found or {}).items():
                self.details[(resource.name, id_)] = detail

    def _value(self, value: Any, scope: Scope | None) -> Any:
        if not callable(value):
            return value
        return None if scope is None else self._safely(value, scope)

    def _safely(self, present: Any, scope: Scope, *args: Any) -> Any:
        """A presenter's answer, or None when it fails: the change itself must not fail for its event's sake
        (a record the caller may not see, or a mistake in a presenter, which is logged)."""
        try:
            return present(self.session, scope, *args)
        except AppError:
            return None
        except Exception:
            log.exception("event data not presented")
            return None

    def _detail(self, noted: Noted, scope: Scope | None) -> dict[str, Any]:
        key = (noted.resource.name, noted.resource_id)
        found = self.details.get(key)
        if found is not None:
            return found
        found = self.answer.detail(noted)
        if found is None and scope is not None and noted.obj is not None:
            found = self._safely(noted.resource.present, scope, noted.obj)
        if found is None:
            found = {"id": noted.resource_id}
        self.details[key] = found
        return found


# A success envelope as core/envelope.py `ok` renders it: `{"status":"success","data":<detail>,"meta":{...}}`.
_SUCCESS = b'{"status":"success","data":'
_META = b',"meta":'  # the envelope's meta, the last key: its own keys are never "meta"
_FIRST_ID = re.compile(rb'\{\s*"id"\s*:\s*(\d+)\s*[,}]')


class _Answer:
    """The request's own answer, when it is the detail of a record it created or changed: that record's event
    takes the detail out of the response's bytes (a JSON text cannot hold `,"meta":` outside a key: in a string
    the quote is escaped), instead of parsing the response and rendering the detail again."""

    def __init__(self, response: tuple[str, Any] | None) -> None:
        self.response = response
        self.found: tuple[int | None, bytes] | None = None  # (its id, its JSON text), once looked at
        self.parsed: dict[str, Any] | None = None

    def text(self, noted: Noted) -> bytes | None:
        """The detail's JSON text, if the answer is `noted`'s record's detail."""
        if self.response is None:
            return None
        path, response = self.response
        if path not in noted.resource.paths or not 200 <= response.status_code < 300:
            return None
        if self.found is None:
            self.found = self._slice(getattr(response, "body", None))  # a streamed response has none
        id_, text = self.found
        return text if id_ == noted.resource_id else None

    def detail(self, noted: Noted) -> dict[str, Any] | None:
        text = self.text(noted)
        if text is None:
            return None
        if self.parsed is None:
            self.parsed = _parsed(text)
        return self.parsed

    @staticmethod
    def _slice(body: Any) -> tuple[int | None, bytes]:
        if not (isinstance(body, bytes) and body.startswith(_SUCCESS)):
            return None, b""
        end = body.rfind(_META)
        text = body[len(_SUCCESS) : end].strip() if end > 0 else b""
        if not (text.startswith(b"{") and text.endswith(b"}")):
            return None, b""
        first = _FIRST_ID.match(text)  # the id, where the detail starts with it (else read from the parsed text)
        id_ = int(first[1]) if first else _parsed(text).get("id")
        return (id_ if isinstance(id_, int) else None), text


def _parsed(text: bytes) -> dict[str, Any]:
    try:
        found = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


def _actor(scope: Scope | None) -> tuple[str, int | None]:
    """An API key's user, else the server itself (PM generation, the command line)."""
    if scope is None or not scope.principal.api_key_id:
        return "system", None
    return "user", scope.user_id


_counters: Table = EventCounter.__table__  # type: ignore[assignment]
_events: Table = Event.__table__  # type: ignore[assignment]
_written = [c for c in _events.columns if c.key != "id"]


def _numbering(insert_of: Any) -> Any:
    stmt = insert_of(_counters).values(entity_id=bindparam("entity_id"), last_seq=bindparam("n"))
    stmt = stmt.on_conflict_do_update(
        index_elements=["entity_id"], set_={"last_seq": _counters.c.last_seq + bindparam("n")}
    )
    return stmt.returning(_counters.c.last_seq)


# These statements run on the driver's cursor (core/driver.py): SQLAlchemy's ORM and execution path around them
# were a third of what the outbox added to a request.
_NUMBER = {"postgresql": driver.keep(_numbering(pg_insert)), "sqlite": driver.keep(_numbering(sqlite_insert))}
_INSERT = driver.keep(insert(_events).values({c.key: bindparam(c.key, type_=c.type) for c in _written}))
# PostgreSQL, one event of an entity (a request's create or update): the counter and the event in one statement,
# one round trip instead of two, and less work for the driver than the two statements (measured: 160 against
# 350 us of CPU; the same for many rows, as arrays, cost more: 520 us). Several events take the two statements.
#   WITH counter AS (INSERT INTO event_counters ... ON CONFLICT (entity_id) DO UPDATE ... RETURNING last_seq)
#   INSERT INTO events (entity_id, seq, ...) SELECT :entity_id, counter.last_seq, ... FROM counter
_counter = (
    pg_insert(_counters)
    .values(entity_id=bindparam("entity_id"), last_seq=1)
    .on_conflict_do_update(index_elements=["entity_id"], set_={"last_seq": _counters.c.last_seq + 1})
    .returning(_counters.c.last_seq)
    .cte("counter")
)
_NUMBERED_ONE = driver.keep(
    insert(_events)
    .from_select(
        [c.key for c in _written],
        select(*[_counter.c.last_seq if c.key == "seq" else bindparam(c.key, type_=c.type) for c in _written]),
    )
    .add_cte(_counter)
)


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    connection = session.connection()
    dialect = connection.dialect.name
    by_entity: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_entity.setdefault(row["entity_id"], []).append(row)
    numbered = []
    for entity_id in sorted(by_entity):  # entities in id order: two transactions never wait crosswise
        mine = by_entity[entity_id]
        if dialect == "postgresql" and len(mine) == 1:
            driver.execute(connection, _NUMBERED_ONE, mine)
            continue
        [(last,)] = driver.execute(connection, _NUMBER[dialect], [{"entity_id": entity_id, "n": len(mine)}])
        for offset, row in enumerate(mine):
            row["seq"] = last - len(mine) + 1 + offset
        numbered += mine
    if numbered:
        driver.execute(connection, _INSERT, numbered)


def last_seq(session: Session, entity_id: int) -> int:
    """The entity's newest committed seq as this transaction sees it (0 before any event)."""
    found = session.scalar(select(EventCounter.last_seq).where(EventCounter.entity_id == entity_id))
    return found or 0
