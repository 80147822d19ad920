"""One record's detail as the database renders it (core/json_sql.py `Detail`), or 404: what each resource's
`get_*` (the API's answer, embedded as rendered) and `read_*` (a dict: writes answer it, web pages show it) share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from orjson import Fragment
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.db import run_alone
from wrenchwork.core.errors import NotFound

Details = Callable[[Session, Scope, Iterable[int]], dict[int, str]]


@dataclass(frozen=True)
class OneDetail:
    details: Details  # the resource's `*_details`: {id: JSON text} of the ids the caller may read
    name: str  # the record as a 404 names it ("Work order not found")

    def text(self, session: Session, scope: Scope, record_id: int) -> str:
        found = self.details(session, scope, [record_id]).get(record_id)
        if found is None:
            raise NotFound.of(self.name)
        return found

    def fragment(self, session: Session, scope: Scope, record_id: int) -> Fragment:
        """The detail as a request's answer: its last statement (in a GET, often its only one: `run_alone`)."""
        run_alone(session)
        return Fragment(self.text(session, scope, record_id))

    def read(self, session: Session, scope: Scope, record_id: int) -> dict[str, Any]:
        """Date-times as the API writes them (ISO strings), amounts as numbers."""
        loaded: dict[str, Any] = orjson.loads(self.text(session, scope, record_id))
        return loaded
