"""The OpenAPI document's `webhooks` section: one operation per event type, whose body is the event with `data`
in the resource's detail shape (taken from the resource's own `GET /<resource>/{id}` route, never copied)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, create_model

from wrenchwork.core.routing import flat_routes
from wrenchwork.events.resources import registry
from wrenchwork.events.schemas import EventItem

# Domain events beyond created/updated/deleted, with what they add to `data`.
DOMAIN: dict[str, list[tuple[str, str]]] = {
    "work_order": [
        ("status_changed", "The status moved (`previous_status_id` added)"),
        ("completed", "The work order became completed"),
        ("assigned", "Technicians were assigned (`assigned_technicians_ids` added)"),
    ],
    "work_order_request": [("approved", "The request was approved"), ("declined", "The request was declined")],
    "part": [
        ("low_stock", "Stock went from above min_qty to at or below it (`previous_on_hand_qty` added)"),
        ("stock_changed", "A ledger line was written (`transaction`: the line as its GET shows it)"),
    ],
    "asset": [("status_changed", "Taken offline or brought online (`work_order_id`, `reason` added)")],
    "pm_schedule": [("generated", "A work order was generated (`work_order_id`, `occurrence_at` added)")],
}
HEADERS = (
    "Headers (Standard Webhooks): `webhook-id` (the same on every attempt: `evt_<event id>`), `webhook-timestamp` "
    "(unix seconds), `webhook-signature` (`v1,<base64 HMAC-SHA256>`, two of them during a secret rotation). Answer "
    "2xx within 10 s; anything else is retried."
)


def _detail_model(routes: list[Any], path: str) -> Any:
    for route in routes:
        if isinstance(route, APIRoute) and route.path_format == path and "GET" in (route.methods or ()):
            model = route.response_model
            if isinstance(model, type) and issubclass(model, BaseModel) and "data" in model.model_fields:
                return model.model_fields["data"].annotation
    return dict[str, Any]


def install(app: FastAPI) -> None:
    routes = flat_routes(app.routes)
    done: set[str] = set()
    for resource in registry().values():
        if resource.name in done:
            continue
        done.add(resource.name)
        detail = resource.schema or _detail_model(routes, next(p for p in sorted(resource.paths) if p.endswith("{id}")))
        stem = "".join(part.title() for part in resource.name.split("_"))
        body: type[BaseModel] = create_model(
            f"{stem}Event", __base__=EventItem, data=(detail, Field(description="As the API shows it after the change"))
        )
        kinds = [("created", "Created"), ("updated", "Changed (`changed_fields` added: the API's names of the fields)"),
                 ("deleted", "Deleted (`data`: the last detail, as presented just before the delete)"),
                 *DOMAIN.get(resource.name, [])]  # fmt: skip
        for kind, summary in kinds:
            name = f"{resource.name}.{kind}"
            app.webhooks.add_api_route(
                name, _receiver, methods=["POST"], summary=f"{name}: {summary}", description=HEADERS,
                tags=["extension"], openapi_extra={"requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{body.__name__}"}}}}},
                response_model=None, include_in_schema=True,
            )  # fmt: skip
            _BODIES[body.__name__] = body


_BODIES: dict[str, type[BaseModel]] = {}


async def _receiver() -> None:
    """Documentation only: what the receiver's endpoint gets."""


def component_schemas() -> dict[str, Any]:
    """The event body schemas the webhooks section refers to (and the schemas they use), for the document."""
    from pydantic.json_schema import models_json_schema

    if not _BODIES:
        return {}
    _, defs = models_json_schema(
        [(m, "validation") for m in _BODIES.values()], ref_template="#/components/schemas/{model}"
    )
    found: dict[str, Any] = defs.get("$defs", {})
    return found
