"""Webhook delivery and event pruning in the background (core/background.py): every server process runs it
(`WRENCHWORK_WEBHOOK_INTERVAL` seconds apart, default 1; 0 turns it off there) and `wrenchwork worker` runs it as
a process of its own. Any number may run against one database (webhooks/delivery.py says how they share)."""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from wrenchwork.config import Settings
from wrenchwork.core import clock
from wrenchwork.core.background import Runner
from wrenchwork.events.retention import prune
from wrenchwork.webhooks.delivery import make_client, run_pass

PRUNE_EVERY_S = 3600


class DeliveryJob:
    """One call: the due messages delivered, and the retention applied once an hour."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.client = make_client()
        self._pruned_at = 0.0

    def __call__(self, stop: threading.Event) -> None:
        if time.monotonic() - self._pruned_at >= PRUNE_EVERY_S or not self._pruned_at:
            self._pruned_at = time.monotonic()
            prune(self.sessions, self.settings.event_retention_days, clock.now())
        settings = self.settings
        run_pass(self.sessions, settings.webhook_allow_private, settings.webhook_lease_seconds, self.client, stop)


def delivery_runner(sessions: sessionmaker[Session], settings: Settings) -> Runner:
    return Runner("webhook-delivery", DeliveryJob(sessions, settings), settings.webhook_interval)
