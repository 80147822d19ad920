"""Pruning events older than the retention (WRENCHWORK_EVENT_RETENTION_DAYS), and the webhook messages that
were settled (delivered or given up) before it: a few thousand rows per transaction, so writers are never held up
for long."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from wrenchwork.models import Event, WebhookDelivery

CHUNK = 5000


def prune(sessions: sessionmaker[Session], retention_days: float, now: datetime) -> int:
    """Deletes what is older than the retention; returns how many events went."""
    cutoff = now - timedelta(days=retention_days)
    gone = 0
    while True:
        with sessions.begin() as session:
            ids = session.scalars(select(Event.id).where(Event.created_at < cutoff).limit(CHUNK)).all()
            if ids:
                session.execute(delete(Event).where(Event.id.in_(ids)))
            settled = session.scalars(
                select(WebhookDelivery.id)
                .where(WebhookDelivery.status != "pending", WebhookDelivery.created_at < cutoff)
                .limit(CHUNK)
            ).all()
            if settled:
                session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(settled)))
        gone += len(ids)
        if len(ids) < CHUNK and len(settled) < CHUNK:
            return gone
