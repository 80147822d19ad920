from __future__ import annotations

from wrenchwork.core.listing import ListQuery
from wrenchwork.core.repository import Repository
from wrenchwork.models import Webhook, WebhookDelivery
from wrenchwork.webhooks.listing import DELIVERY_LIST, WEBHOOK_LIST


class WebhookRepository(Repository[Webhook]):
    model = Webhook

    def list(self, query: ListQuery) -> tuple[list[Webhook], int]:
        rows, total = self.page(WEBHOOK_LIST, query, self.scoped())
        return [row[0] for row in rows], total


class DeliveryRepository(Repository[WebhookDelivery]):
    model = WebhookDelivery

    def list_of(self, webhook_id: int, query: ListQuery) -> tuple[list[WebhookDelivery], int]:
        rows, total = self.page(DELIVERY_LIST, query, self.scoped().where(WebhookDelivery.webhook_id == webhook_id))
        return [row[0] for row in rows], total

    def of(self, webhook_id: int, delivery_id: int) -> WebhookDelivery | None:
        stmt = self.scoped().where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.id == delivery_id)
        found: WebhookDelivery | None = self.session.scalars(stmt).first()
        return found

    def add_message(self, delivery: WebhookDelivery) -> WebhookDelivery:
        return self.add(delivery)
