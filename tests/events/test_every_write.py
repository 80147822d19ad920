"""Every write endpoint of the API, driven once, and the events its change emits: `(type, changed_fields)` in feed
order (`changed_fields` only on updates). The table must name every write route (a PUT is its PATCH's twin), or
say in `NO_EVENTS` why the route emits none, so a new endpoint without events fails here."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from PIL import Image
from sqlalchemy.orm import Session

from tests.events.support import events
from tests.helpers import Api, Tenant, make_user
from wrenchwork.core.routing import API_PREFIX, flat_routes

Send = Callable[[], httpx.Response]


class World:
    """The records a case needs, made through the API on first use (before the cursor the case reads from)."""

    def __init__(self, api: Api, session: Session, tenant: Tenant) -> None:
        self.api, self.session, self.tenant = api, session, tenant

    def made(self, path: str, wrapper: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.api.post(path, json={wrapper: body})
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()["data"]
        return found

    @functools.cached_property
    def tech(self) -> int:
        return make_user(self.session, self.tenant, "technician")[0]

    @functools.cached_property
    def part(self) -> dict[str, Any]:
        return self.made("/parts", "part", {"name": "Filter", "on_hand_qty": 10, "min_qty": 1})

    @functools.cached_property
    def vendor(self) -> dict[str, Any]:
        return self.made("/vendors", "vendor", {"name": "Acme"})

    @functools.cached_property
    def location(self) -> dict[str, Any]:
        return self.made("/locations", "location", {"name": "Plant"})

    @functools.cached_property
    def asset(self) -> dict[str, Any]:
        return self.made("/assets", "asset", {"name": "Boiler"})

    @functools.cached_property
    def category(self) -> dict[str, Any]:
        return self.made("/categories", "category", {"name": "HVAC"})

    @functools.cached_property
    def template(self) -> dict[str, Any]:
        items = [{"name": "Filter replaced", "item_type": "checkbox"}]
        return self.made("/procedure_templates", "procedure_template", {"name": "Monthly", "items_attributes": items})

    @functools.cached_property
    def work_order(self) -> dict[str, Any]:
        return self.made("/work_orders", "work_order", {"title": "Fix pump"})

    @functools.cached_property
    def with_procedure(self) -> dict[str, Any]:
        body = {"title": "Inspect", "procedure_template_ids": [self.template["id"]]}
        return self.made("/work_orders", "work_order", body)

    @functools.cached_property
    def with_part(self) -> dict[str, Any]:
        body = {"title": "Replace filter", "parts": [{"part_id": self.part["id"], "quantity": 2}]}
        return self.made("/work_orders", "work_order", body)

    @functools.cached_property
    def request(self) -> dict[str, Any]:
        return self.made("/work_order_requests", "work_order_request", {"title": "Leak"})

    @functools.cached_property
    def schedule(self) -> dict[str, Any]:
        body = {"type": "persistent", "start_date": "2026-01-05T08:00:00Z", "time_to_complete": 2,
                "repeat_frequency": "day", "template_work_order_attributes": {"title": "Lubricate"}}  # fmt: skip
        return self.made("/pm_schedules", "pm_schedule", body)

    @functools.cached_property
    def portal(self) -> dict[str, Any]:
        return self.made("/request_portals", "request_portal", {"title": "Lobby"})

    @functools.cached_property
    def status(self) -> dict[str, Any]:
        return self.made("/work_order_statuses", "work_order_status", {"name": "Waiting", "base_status_id": 3})

    @functools.cached_property
    def user(self) -> dict[str, Any]:
        return self.made("/users", "user", {"name": "Ann", "email": "ann@example.com"})

    def child(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.api.post(path, json=body)
        assert response.status_code in (200, 201), response.text
        found: dict[str, Any] = response.json()["data"]
        return found

    def upload(self, path: str) -> dict[str, Any]:
        response = self.api.post(path, files=_file(path))
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()["data"]
        return found

    # The request a case measures, built now (its records made) and sent later.
    def post(self, path: str, body: Any = None) -> Send:
        return lambda: self.api.post(path, json=body)

    def patch(self, path: str, body: Any) -> Send:
        return lambda: self.api.patch(path, json=body)

    def delete(self, path: str) -> Send:
        return lambda: self.api.delete(path)

    def attach(self, path: str) -> Send:
        return lambda: self.api.post(path, files=_file(path))


def _file(path: str) -> dict[str, tuple[str, bytes, str]]:
    """A text document; a user's avatar must be an image."""
    if path.startswith("/users/"):
        picture = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(picture, "PNG")
        return {"file": ("me.png", picture.getvalue(), "image/png")}
    return {"file": ("notes.txt", b"checked and fine\n", "text/plain")}


Expected = list[tuple[str, list[str] | None]]


@dataclass(frozen=True)
class Case:
    op: str  # as the router declares it: "PATCH /work_orders/{id}"
    send: Callable[[World], Send]
    expect: Expected
    name: str = ""


def _lookup_cases(path: str, wrapper: str) -> list[Case]:
    name = wrapper
    return [
        Case(f"POST {path}", lambda w: w.post(path, {wrapper: {"name": "One"}}), [(f"{name}.created", None)]),
        Case(f"PATCH {path}/{{id}}", lambda w: w.patch(f"{path}/{w.made(path, wrapper, {'name': 'A'})['id']}",
                                                        {wrapper: {"name": "B"}}), [(f"{name}.updated", ["name"])]),
        Case(f"DELETE {path}/{{id}}", lambda w: w.delete(f"{path}/{w.made(path, wrapper, {'name': 'A'})['id']}"),
             [(f"{name}.deleted", None)]),
    ]  # fmt: skip


def _attachment_cases(collection: str, resource: str, made: Callable[[World], dict[str, Any]]) -> list[Case]:
    def added(w: World) -> Send:
        return w.attach(f"/{collection}/{made(w)['id']}/attachments")

    def removed(w: World) -> Send:
        owner = made(w)["id"]
        attachment = w.upload(f"/{collection}/{owner}/attachments")
        return w.delete(f"/{collection}/{owner}/attachments/{attachment['id']}")

    field = "avatar" if collection == "users" else "documents"
    changed: Expected = [(f"{resource}.updated", [field])]
    return [
        Case(f"POST /{collection}/{{id}}/attachments", added, changed),
        Case(f"DELETE /{collection}/{{id}}/attachments/{{attachment_id}}", removed, changed),
    ]


def _wo(w: World, tail: str = "") -> str:
    return f"/work_orders/{w.work_order['id']}{tail}"


def _on_request(w: World, tail: str = "") -> str:
    return f"/work_order_requests/{w.request['id']}{tail}"


def _answer(w: World) -> Send:
    order = w.with_procedure
    path = f"/work_orders/{order['id']}/procedures/{order['procedures'][0]['id']}"
    procedure = w.api.get(path).json()["data"]
    body = {"procedure": {"answers": [{"item_id": procedure["items"][0]["id"], "value": True}]}}
    return w.patch(path, body)


def _batch(w: World, atomic_failure: bool) -> Send:
    """A work order's comment, technicians and a part in one atomic batch, with a failing last operation or not."""
    on = f"{API_PREFIX}{_wo(w)}"
    ops: list[dict[str, Any]] = [
        {"method": "POST", "url": f"{on}/comments", "params": COMMENT},
        {"method": "PATCH", "url": on, "params": {"work_order": {"technicians_ids": [w.tech]}}},
        {"method": "POST", "url": f"{on}/parts", "params": {"part_id": w.part["id"], "quantity": 1}},
    ]
    if atomic_failure:
        ops.append({"method": "POST", "url": f"{API_PREFIX}/locations", "params": {"location": {}}})
    return w.post("/batch", {"ops": ops, "sequential": True, "atomic": True})


def _time_entry(w: World) -> dict[str, Any]:
    return w.child(_wo(w, "/time_entries"), {"time_entry": ENTRY})


def _timer_stop(w: World) -> Send:
    w.child(_wo(w, "/timer/start"), {})
    return w.post(_wo(w, "/timer/stop"))


UPDATED_TOTALS: Expected = [("work_order.updated", ["total_costs"])]
ENTRY = {"started_at": "2024-01-02T08:00:00Z", "duration": 1}
COST = {"description": "Crane", "amount": 120}
COMMENT = {"comment": {"body": "Done?"}}


def _unlink_parts(w: World) -> Send:
    """An asset made listing the part, then listing none."""
    asset = w.made("/assets", "asset", {"name": "Mixer", "parts_ids": [w.part["id"]]})
    return w.patch(f"/assets/{asset['id']}", {"asset": {"parts_ids": []}})


CASES: list[Case] = [
    # work orders
    Case("POST /work_orders", lambda w: w.post("/work_orders", {"work_order": {"title": "New"}}),
         [("work_order.created", None)]),
    Case("PATCH /work_orders/{id}", lambda w: w.patch(_wo(w), {"work_order": {"title": "Renamed", "priority": "high"}}),
         [("work_order.updated", ["priority", "title"])]),
    Case("PATCH /work_orders/{id}", lambda w: w.patch(_wo(w), {"work_order": {"status_id": 2}}),
         [("work_order.updated", ["status_id"]), ("work_order.status_changed", None)], "status"),
    Case("PATCH /work_orders/{id}", lambda w: w.patch(_wo(w), {"work_order": {"status_id": w.status["id"]}}),
         [("work_order.updated", ["status_id"]), ("work_order.status_changed", None)], "custom status"),
    Case("PATCH /work_orders/{id}", lambda w: w.patch(_wo(w), {"work_order": {"technicians_ids": [w.tech]}}),
         [("work_order.updated", ["technicians_ids"]), ("work_order.assigned", None)], "technicians only"),
    Case("PATCH /work_orders/{id}",
         lambda w: w.patch(_wo(w), {"work_order": {"categories_ids": [w.category["id"]],
                                                   "location_id": w.location["id"]}}),
         [("work_order.updated", ["categories_ids", "location_id"])], "links"),
    Case("PATCH /work_orders/{id}", lambda w: w.patch(_wo(w), {"work_order": {"title": "Fix pump"}}), [], "no change"),
    Case("DELETE /work_orders/{id}", lambda w: w.delete(_wo(w)), [("work_order.deleted", None)]),
    Case("POST /work_orders/{id}/parts", lambda w: w.post(_wo(w, "/parts"), {"part_id": w.part["id"], "quantity": 1}),
         [("work_order.updated", ["part_assignments", "total_costs"]), ("part.updated", ["available", "reserved"])]),
    Case("PATCH /work_orders/{id}/parts",
         lambda w: w.patch(f"/work_orders/{w.with_part['id']}/parts", {"part_id": w.part["id"], "quantity": 3}),
         [("work_order.updated", ["part_assignments", "total_costs"]), ("part.updated", ["available", "reserved"])]),
    Case("DELETE /work_orders/{id}/parts/{part_id}",
         lambda w: w.delete(f"/work_orders/{w.with_part['id']}/parts/{w.part['id']}"),
         [("work_order.updated", ["part_assignments", "total_costs"]), ("part.updated", ["available", "reserved"])]),
    Case("POST /work_orders/{id}/time_entries",
         lambda w: w.post(_wo(w, "/time_entries"), {"time_entry": ENTRY}),
         [("time_entry.created", None), *UPDATED_TOTALS]),
    Case("DELETE /work_orders/{id}/time_entries/{entry_id}",
         lambda w: w.delete(_wo(w, f"/time_entries/{_time_entry(w)['id']}")),
         [("time_entry.deleted", None), *UPDATED_TOTALS]),
    Case("POST /work_orders/{id}/timer/start", lambda w: w.post(_wo(w, "/timer/start")),
         [("work_order.updated", ["active_timer_current_user"])]),
    Case("POST /work_orders/{id}/timer/stop", _timer_stop,
         [("work_order.updated", ["active_timer_current_user", "total_costs"]), ("time_entry.created", None)]),
    Case("POST /work_orders/{id}/costs", lambda w: w.post(_wo(w, "/costs"), {"cost": COST}),
         [("work_order_cost.created", None), *UPDATED_TOTALS]),
    Case("DELETE /work_orders/{id}/costs/{cost_id}",
         lambda w: w.delete(_wo(w, f"/costs/{w.child(_wo(w, '/costs'), {'cost': COST})['id']}")),
         [("work_order_cost.deleted", None), *UPDATED_TOTALS]),
    Case("POST /work_orders/{id}/comments", lambda w: w.post(_wo(w, "/comments"), {"comment": {"body": "Done?"}}),
         [("comment.created", None)]),
    Case("DELETE /work_orders/{id}/comments/{comment_id}",
         lambda w: w.delete(_wo(w, f"/comments/{w.child(_wo(w, '/comments'), COMMENT)['id']}")),
         [("comment.deleted", None)]),
    Case("PATCH /work_orders/{id}/procedures/{procedure_id}", _answer,
         [("procedure.updated", ["completed_at", "items"]), ("work_order.updated", ["procedures"])]),
    Case("POST /batch", lambda w: _batch(w, False),
         [("comment.created", None), ("work_order.updated", ["part_assignments", "technicians_ids", "total_costs"]),
          ("work_order.assigned", None), ("part.updated", ["available", "reserved"])], "atomic"),
    Case("POST /batch", lambda w: _batch(w, True), [], "atomic, rolled back"),
    # custom statuses
    Case("POST /work_order_statuses",
         lambda w: w.post("/work_order_statuses", {"work_order_status": {"name": "Parts", "base_status_id": 3}}),
         [("work_order_status.created", None)]),
    Case("PATCH /work_order_statuses/{id}",
         lambda w: w.patch(f"/work_order_statuses/{w.status['id']}", {"work_order_status": {"name": "Held"}}),
         [("work_order_status.updated", ["name"])]),
    Case("DELETE /work_order_statuses/{id}", lambda w: w.delete(f"/work_order_statuses/{w.status['id']}"),
         [("work_order_status.deleted", None)]),
    # requests
    Case("POST /work_order_requests",
         lambda w: w.post("/work_order_requests", {"work_order_request": {"title": "Drip"}}),
         [("work_order_request.created", None)]),
    Case("PATCH /work_order_requests/{id}",
         lambda w: w.patch(f"/work_order_requests/{w.request['id']}",
                           {"work_order_request": {"priority": "high", "technicians_ids": [w.tech]}}),
         [("work_order_request.updated", ["priority", "technicians_ids"])]),
    Case("PATCH /work_order_requests/{id}",
         lambda w: w.patch(f"/work_order_requests/{w.request['id']}", {"work_order_request": {"status": "declined"}}),
         [("work_order_request.updated", ["status"]), ("work_order_request.declined", None)], "decline"),
    Case("DELETE /work_order_requests/{id}", lambda w: w.delete(f"/work_order_requests/{w.request['id']}"),
         [("work_order_request.deleted", None)]),
    Case("POST /work_order_requests/{id}/comments",
         lambda w: w.post(f"/work_order_requests/{w.request['id']}/comments", {"comment": {"body": "When?"}}),
         [("comment.created", None)]),
    Case("DELETE /work_order_requests/{id}/comments/{comment_id}",
         lambda w: w.delete(_on_request(w, f"/comments/{w.child(_on_request(w, '/comments'), COMMENT)['id']}")),
         [("comment.deleted", None)]),
    # assets, locations
    Case("POST /assets", lambda w: w.post("/assets", {"asset": {"name": "Pump"}}), [("asset.created", None)]),
    Case("PATCH /assets/{id}",
         lambda w: w.patch(f"/assets/{w.asset['id']}", {"asset": {"model": "X1", "technicians_ids": [w.tech]}}),
         [("asset.updated", ["model", "technicians_ids"])]),
    Case("PATCH /assets/{id}",
         lambda w: w.patch(f"/assets/{w.asset['id']}", {"asset": {"vendors_ids": [w.vendor["id"]]}}),
         [("asset.updated", ["vendors_ids"]), ("vendor.updated", ["assets_ids"])], "vendors: the vendor lists it"),
    Case("PATCH /assets/{id}", _unlink_parts,
         [("asset.updated", ["parts_ids"]), ("part.updated", ["assets_ids"])], "a part unlinked: the part drops it"),
    Case("POST /assets", lambda w: w.post("/assets", {"asset": {"name": "Fan", "vendors_ids": [w.vendor["id"]]}}),
         [("asset.created", None), ("vendor.updated", ["assets_ids"])], "with a vendor"),
    Case("DELETE /assets/{id}", lambda w: w.delete(f"/assets/{w.asset['id']}"), [("asset.deleted", None)]),
    Case("PATCH /assets/{id}/status",
         lambda w: w.patch(f"/assets/{w.asset['id']}/status", {"status": "offline", "reason": "broken"}),
         [("asset.updated", ["status"]), ("asset.status_changed", None)]),
    Case("POST /locations", lambda w: w.post("/locations", {"location": {"name": "Hall"}}),
         [("location.created", None)]),
    Case("PATCH /locations/{id}",
         lambda w: w.patch(f"/locations/{w.location['id']}", {"location": {"address": "1 Main"}}),
         [("location.updated", ["address"])]),
    Case("DELETE /locations/{id}", lambda w: w.delete(f"/locations/{w.location['id']}"), [("location.deleted", None)]),
    # parts
    Case("POST /parts", lambda w: w.post("/parts", {"part": {"name": "Belt", "on_hand_qty": 2}}),
         [("part.created", None), ("part.stock_changed", None)]),
    Case("PATCH /parts/{id}", lambda w: w.patch(f"/parts/{w.part['id']}", {"part": {"area": "B2"}}),
         [("part.updated", ["area"])]),
    Case("PATCH /parts/{id}", lambda w: w.patch(f"/parts/{w.part['id']}", {"part": {"assets_ids": [w.asset["id"]]}}),
         [("part.updated", ["assets_ids"]), ("asset.updated", ["parts_ids"])], "assets only: the asset lists it"),
    Case("PATCH /parts/{id}",
         lambda w: w.patch(f"/parts/{w.part['id']}",
                           {"part": {"vendor_parts_attributes": [{"vendor_id": w.vendor["id"]}]}}),
         [("part.updated", ["vendors"]), ("vendor.updated", ["parts"])], "vendor parts"),
    Case("DELETE /parts/{id}", lambda w: w.delete(f"/parts/{w.part['id']}"), [("part.deleted", None)]),
    Case("PATCH /parts/{id}/restock", lambda w: w.patch(f"/parts/{w.part['id']}/restock", {"quantity": 5, "cost": 2}),
         [("part.updated", ["avg_unit_cost", "on_hand_qty"]), ("part.stock_changed", None)]),
    Case("PATCH /parts/{id}/reconcile",
         lambda w: w.patch(f"/parts/{w.part['id']}/reconcile", {"quantity": -9, "note": "lost"}),
         [("part.updated", ["on_hand_qty"]), ("part.stock_changed", None), ("part.low_stock", None)]),
    Case("PATCH /parts/{id}/unit_cost", lambda w: w.patch(f"/parts/{w.part['id']}/unit_cost", {"cost": 3}),
         [("part.updated", ["unit_cost"]), ("part.stock_changed", None)]),
    Case("PATCH /parts/{id}/avg_unit_cost", lambda w: w.patch(f"/parts/{w.part['id']}/avg_unit_cost", {"cost": 4}),
         [("part.updated", ["avg_unit_cost"]), ("part.stock_changed", None)]),
    # vendors
    Case("POST /vendors", lambda w: w.post("/vendors", {"vendor": {"name": "Bolt Co"}}), [("vendor.created", None)]),
    Case("PATCH /vendors/{id}",
         lambda w: w.patch(f"/vendors/{w.vendor['id']}",
                           {"vendor": {"rating": 4, "locations_ids": [w.location["id"]]}}),
         [("vendor.updated", ["locations_ids", "rating"])]),
    Case("PATCH /vendors/{id}",
         lambda w: w.patch(f"/vendors/{w.vendor['id']}", {"vendor": {"vendor_contacts_attributes": [{"name": "Bo"}]}}),
         [("vendor.updated", ["vendor_contacts"])], "contacts"),
    Case("PATCH /vendors/{id}",
         lambda w: w.patch(f"/vendors/{w.vendor['id']}", {"vendor": {"assets_ids": [w.asset["id"]]}}),
         [("vendor.updated", ["assets_ids"]), ("asset.updated", ["vendors_ids"])], "assets: the asset lists it"),
    Case("DELETE /vendors/{id}", lambda w: w.delete(f"/vendors/{w.vendor['id']}"), [("vendor.deleted", None)]),
    # procedure templates
    Case("POST /procedure_templates",
         lambda w: w.post("/procedure_templates", {"procedure_template": {"name": "Weekly"}}),
         [("procedure_template.created", None)]),
    Case("PATCH /procedure_templates/{id}",
         lambda w: w.patch(f"/procedure_templates/{w.template['id']}", {"procedure_template": {"items_attributes": [
             {"name": "Belt OK", "item_type": "yes_no"}]}}),
         [("procedure_template.updated", ["items"])]),
    Case("DELETE /procedure_templates/{id}", lambda w: w.delete(f"/procedure_templates/{w.template['id']}"),
         [("procedure_template.deleted", None)]),
    # PM schedules
    Case("POST /pm_schedules",
         lambda w: w.post("/pm_schedules", {"pm_schedule": {"type": "persistent", "start_date": "2026-01-05T08:00:00Z",
              "time_to_complete": 2, "repeat_frequency": "day", "template_work_order_attributes": {"title": "Oil"}}}),
         [("pm_schedule.created", None)]),
    Case("PATCH /pm_schedules/{id}",
         lambda w: w.patch(f"/pm_schedules/{w.schedule['id']}", {"pm_schedule": {"time_to_complete": 3}}),
         [("pm_schedule.updated", ["time_to_complete"])]),
    Case("PATCH /pm_schedules/{id}",
         lambda w: w.patch(f"/pm_schedules/{w.schedule['id']}",
                           {"pm_schedule": {"template_work_order_attributes": {"title": "Grease"}}}),
         [("pm_schedule.updated", ["template_work_order"])], "template"),
    Case("PATCH /pm_schedules/{id}",
         lambda w: w.patch(f"/pm_schedules/{w.schedule['id']}",
                           {"pm_schedule": {"procedure_template_ids": [w.template["id"]]}}),
         [("pm_schedule.updated", ["procedure_template_ids"])], "procedures"),
    Case("DELETE /pm_schedules/{id}", lambda w: w.delete(f"/pm_schedules/{w.schedule['id']}"),
         [("pm_schedule.deleted", None)]),
    Case("POST /pm_schedules/{id}/generate", lambda w: w.post(f"/pm_schedules/{w.schedule['id']}/generate"),
         [("work_order.created", None), ("pm_schedule.updated", ["next_order_date"]), ("pm_schedule.generated", None)]),
    # request portals
    Case("POST /request_portals", lambda w: w.post("/request_portals", {"request_portal": {"title": "Dock"}}),
         [("request_portal.created", None)]),
    Case("PATCH /request_portals/{id}",
         lambda w: w.patch(f"/request_portals/{w.portal['id']}", {"request_portal": {"enabled": False}}),
         [("request_portal.updated", ["enabled"])]),
    Case("DELETE /request_portals/{id}", lambda w: w.delete(f"/request_portals/{w.portal['id']}"),
         [("request_portal.deleted", None)]),
    # users
    Case("POST /users", lambda w: w.post("/users", {"user": {"name": "Bea", "email": "bea@example.com"}}),
         [("user.created", None)]),
    Case("PATCH /users/{id}", lambda w: w.patch(f"/users/{w.user['id']}", {"user": {"job_title": "Fitter"}}),
         [("user.updated", ["job_title"])]),
    # lookups
    *_lookup_cases("/categories", "category"),
    *_lookup_cases("/asset_types", "asset_type"),
    *_lookup_cases("/storerooms", "storeroom"),
    *_lookup_cases("/part_types", "part_type"),
    *_lookup_cases("/measurement_units", "measurement_unit"),
    *_lookup_cases("/account_codes", "account_code"),
    # attachments: a change of the record's detail
    *_attachment_cases("work_orders", "work_order", lambda w: w.work_order),
    *_attachment_cases("work_order_requests", "work_order_request", lambda w: w.request),
    *_attachment_cases("assets", "asset", lambda w: w.asset),
    *_attachment_cases("locations", "location", lambda w: w.location),
    *_attachment_cases("parts", "part", lambda w: w.part),
    *_attachment_cases("vendors", "vendor", lambda w: w.vendor),
    *_attachment_cases("pm_schedules", "pm_schedule", lambda w: w.schedule),
    *_attachment_cases("users", "user", lambda w: w.user),
]  # fmt: skip

# Write routes that change no resource of the feed, and why.
NO_EVENTS = {
    "POST /imports": "queues the import; its records' events are written by the background run that makes them",
    "POST /entities": "an entity is the feed itself, not a record in one",
    "PATCH /entities/{id}": "as above",
    "POST /api_keys": "credentials are never sent to receivers",
    "DELETE /api_keys/{id}": "credentials are never sent to receivers",
    "POST /attachments": "an upload not attached to any record yet changes no record",
    "POST /procedure_templates/{id}/items/{item_id}/attachments": "an item's picture: not part of the template detail",
    "DELETE /procedure_templates/{id}/items/{item_id}/attachments/{attachment_id}": "as above",
    "POST /webhooks": "subscriptions configure the feed's delivery; they are not records of it",
    "PATCH /webhooks/{id}": "as above",
    "DELETE /webhooks/{id}": "as above",
    "POST /webhooks/{id}/rotate_secret": "as above",
    "POST /webhooks/{id}/test": "sends a `webhook.ping` message, not an event",
    "POST /webhooks/{id}/deliveries/{delivery_id}/retry": "as above",
}


def _case_id(case: Case) -> str:
    return f"{case.op} {case.name}".strip()


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_write_emits(api: Api, session: Session, tenant: Tenant, case: Case) -> None:
    world = World(api, session, tenant)
    send = case.send(world)
    after = (events(api) or [{"seq": 0}])[-1]["seq"]
    response = send()
    assert response.status_code in (200, 201, 204), response.text
    found = [(e["type"], e["data"].get("changed_fields") if e["type"].endswith(".updated") else None)
             for e in events(api, after)]  # fmt: skip
    assert found == case.expect


def test_the_table_names_every_write_route(app: FastAPI) -> None:
    routes = {
        f"{method} {route.path.removeprefix(API_PREFIX)}"
        for route in flat_routes(app.routes)
        if isinstance(route, APIRoute) and route.path.startswith(API_PREFIX)
        for method in route.methods or ()
        if method in ("POST", "PATCH", "DELETE")
    }
    covered = {case.op for case in CASES}
    assert sorted(routes - covered - set(NO_EVENTS)) == []
    assert sorted((covered | set(NO_EVENTS)) - routes) == []


def test_every_event_type_is_documented(app: FastAPI) -> None:
    documented = set(app.openapi()["webhooks"])
    emitted = {type_ for case in CASES for type_, _ in case.expect}
    assert sorted(emitted - documented) == []
