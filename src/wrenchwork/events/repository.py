from __future__ import annotations

from collections.abc import Sequence

from wrenchwork.core.repository import Repository
from wrenchwork.events.patterns import where
from wrenchwork.models import Event


class EventRepository(Repository[Event]):
    model = Event

    def after(self, seq: int, up_to: int, patterns: list[str], limit: int) -> Sequence[Event]:
        """The entity's events after `seq` and up to `up_to`, in seq (commit) order."""
        stmt = self.scoped().where(Event.seq > seq, Event.seq <= up_to)
        condition = where(Event.type, patterns)
        if condition is not None:
            stmt = stmt.where(condition)
        return self.session.scalars(stmt.order_by(Event.seq).limit(limit)).all()
