from wrenchwork.core.listing import Field, Kind, ListSpec
from wrenchwork.models import Webhook, WebhookDelivery

WEBHOOK_LIST = ListSpec(
    id_column=Webhook.id,
    fields={
        "id": Field(Webhook.id, Kind.INTEGER),
        "url": Field(Webhook.url, Kind.STRING),
        "description": Field(Webhook.description, Kind.STRING),
        "enabled": Field(Webhook.enabled, Kind.BOOLEAN),
        "created_at": Field(Webhook.created_at, Kind.DATETIME),
    },
    sortable={"id": Webhook.id, "url": Webhook.url, "created_at": Webhook.created_at},
    search=(Webhook.url, Webhook.description),
    default_sort=(("id", "asc"),),
    counter="webhooks",
)

DELIVERY_LIST = ListSpec(
    id_column=WebhookDelivery.id,
    fields={
        "id": Field(WebhookDelivery.id, Kind.INTEGER),
        "status": Field(WebhookDelivery.status, Kind.STRING),
        "event_type": Field(WebhookDelivery.event_type, Kind.STRING),
        "message_id": Field(WebhookDelivery.message_id, Kind.STRING),
        "attempts": Field(WebhookDelivery.attempts, Kind.INTEGER),
        "last_status_code": Field(WebhookDelivery.last_status_code, Kind.INTEGER),
        "created_at": Field(WebhookDelivery.created_at, Kind.DATETIME),
    },
    sortable={"id": WebhookDelivery.id, "created_at": WebhookDelivery.created_at},
    search=(WebhookDelivery.event_type, WebhookDelivery.message_id),
    default_sort=(("id", "desc"),),
)
