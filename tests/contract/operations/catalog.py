"""Every operation of the server's OpenAPI document, and the little the operation checks need to know about it.

The operations are read from `app.openapi()` when the tests are collected (with the PUT twin of each PATCH the
server also serves), so a new endpoint is checked by every test of this package without an edit here. What cannot
be read from the document is declared below; an operation that needs it and has none fails with a message naming
what to add (see the package docstring):

- `ROLE_TABLE`: who may call each operation, as the roles of core/auth.py's scope dependencies (`AnyScope`,
  `TechnicianScope`, `ManagerScope`, `AdminScope`, or `KEY`: any valid key, no entity).
- `MAKERS`: how to make the record a path parameter names. A top-level `{id}` not listed is made by the registered
  contract resource (tests/contract/resources.py `RESOURCES`) of that path; a nested one (`{cost_id}`) must be listed.
- `BODIES`: a valid request body, for the few operations whose body a rule beyond its schema governs
  (otherwise `minimal_body` derives one from the schema).
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, get_args

import httpx
import pytest
from fastapi.routing import APIRoute
from PIL import Image
from sqlalchemy.orm import Session

from tests.contract.resources import RESOURCES, Factory, create_asset, create_entity, create_location, create_part
from tests.helpers import Api, Tenant
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.core import auth
from wrenchwork.core.routing import flat_routes

API = "/api/v1"
# The largest id a path accepts; no record has it in a test database.
MISSING_ID = 2147483647


# ---- the document ---------------------------------------------------------------------------------------------


def _read_app() -> tuple[dict[str, Any], frozenset[str]]:
    """The OpenAPI document, and the paths also served as PUT without being documented so (the update twins)."""
    app = create_app(Settings(database_url="sqlite://", rate_limit="", log_level="WARNING"))
    try:
        undocumented_puts = frozenset(
            route.path.removeprefix(API)
            for route in flat_routes(app.routes)
            if isinstance(route, APIRoute) and not route.include_in_schema and "PUT" in route.methods
        )
        return app.openapi(), undocumented_puts
    finally:
        app.state.engine.dispose()


DOCUMENT, PUT_TWINS = _read_app()
_SCHEMAS: dict[str, Any] = DOCUMENT.get("components", {}).get("schemas", {})


def resolve(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema behind a `$ref`, and the non-null branch of an optional (`anyOf: [X, null]`)."""
    while "$ref" in schema:
        schema = _SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    branches = [b for b in schema.get("anyOf", ()) if b.get("type") != "null"]
    if len(branches) == 1:
        return resolve(branches[0])
    return dict(schema)


def types_of(schema: Mapping[str, Any]) -> set[str]:
    """Every JSON type a schema admits (through `anyOf` branches)."""
    schema = resolve(schema)
    if "anyOf" in schema:
        return set().union(*(types_of(b) for b in schema["anyOf"]))
    if "enum" in schema or "const" in schema:
        return {"string"}
    return {schema["type"]} if "type" in schema else set()


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as documented without the /api/v1 prefix: "/work_orders/{id}/costs/{cost_id}"
    spec: Mapping[str, Any]
    # False for the PUT twin of a documented PATCH (PUT is accepted as the same update, docs/api.md).
    documented: bool = True

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def documented_key(self) -> str:
        """The table key: a PUT twin is declared by its PATCH."""
        return self.key if self.documented else f"PATCH {self.path}"

    @cached_property
    def parameters(self) -> list[dict[str, Any]]:
        return list(self.spec.get("parameters", ()))

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.path))

    @property
    def query(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.parameters if p["in"] == "query"}

    @property
    def keyed(self) -> bool:
        """Needs an API key."""
        return bool(self.spec.get("security"))

    @property
    def scoped(self) -> bool:
        """Needs X-Entity-Id."""
        return any(p["in"] == "header" and p["name"] == "X-Entity-Id" for p in self.parameters)

    @property
    def is_list(self) -> bool:
        return {"page", "per_page"} <= set(self.query)

    @property
    def body_schema(self) -> dict[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            return None
        return resolve(content["application/json"]["schema"])

    @property
    def wrapper(self) -> str | None:
        """The singular resource name a body is wrapped in (`{"work_order": {...}}`), or None for a flat body."""
        body = self.body_schema
        if body is None:
            return None
        properties = body.get("properties", {})
        if len(properties) == 1 and body.get("required") == list(properties):
            (name,) = properties
            if resolve(properties[name]).get("type") == "object":
                return name
        return None

    @property
    def fields(self) -> dict[str, dict[str, Any]]:
        """The fields a client sets: inside the wrapper, or the flat body's own."""
        body = self.body_schema
        if body is None:
            return {}
        inner = resolve(body["properties"][self.wrapper]) if self.wrapper else body
        return dict(inner.get("properties", {}))

    @property
    def response_fields(self) -> set[str]:
        """The fields of `data` in the success answer (empty for a 204 or a non-JSON answer)."""
        for status in ("200", "201"):
            content = self.spec.get("responses", {}).get(status, {}).get("content", {})
            if "application/json" in content:
                envelope = resolve(content["application/json"]["schema"])
                data = envelope.get("properties", {}).get("data")
                if data is None:
                    return set()
                data = resolve(data)
                if data.get("type") == "array":
                    data = resolve(data["items"])
                return set(data.get("properties", {}))
        return set()

    def url(self, ids: Mapping[str, int | str]) -> str:
        """The path with each parameter replaced."""
        return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), self.path)

    def prefix(self, param: str) -> str:
        """The path up to and including `{param}`: what names the record the parameter points at."""
        return self.path[: self.path.index("{" + param + "}") + len(param) + 2]


def _operations() -> tuple[Operation, ...]:
    found: list[Operation] = []
    for path, methods in DOCUMENT["paths"].items():
        if not path.startswith(API + "/") or path == API + "/openapi.json":
            continue
        for method, spec in methods.items():
            op = Operation(method.upper(), path.removeprefix(API), spec)
            found.append(op)
            if op.method == "PATCH" and op.path in PUT_TWINS:
                found.append(Operation("PUT", op.path, spec, documented=False))
    return tuple(found)


OPERATIONS: tuple[Operation, ...] = _operations()
KEYED = tuple(op for op in OPERATIONS if op.keyed)
WITH_IDS = tuple(op for op in OPERATIONS if op.path_params)
WITH_BODY = tuple(op for op in OPERATIONS if op.body_schema is not None)
WITH_QUERY = tuple(op for op in OPERATIONS if op.query)


def each(operations: tuple[Operation, ...]) -> Any:
    """`@each(OPERATIONS)` parametrises a test's `op` argument, one test per operation."""
    return pytest.mark.parametrize("op", operations, ids=[op.key for op in operations])


# ---- roles ----------------------------------------------------------------------------------------------------


def _roles_of(scope: Any) -> tuple[str, ...]:
    """The roles an `Annotated[Scope, Depends(EntityScope(...))]` of core/auth.py admits."""
    dependency = get_args(scope)[1].dependency
    assert isinstance(dependency, auth.EntityScope)
    return dependency.roles


ANY = _roles_of(auth.AnyScope)
TECHNICIAN = _roles_of(auth.TechnicianScope)
MANAGER = _roles_of(auth.ManagerScope)
ADMIN = _roles_of(auth.AdminScope)
KEY = auth.ROLES  # any valid key; the operation takes no X-Entity-Id


def _lookup_rows(path: str, read: tuple[str, ...] = ANY) -> dict[str, tuple[str, ...]]:
    """The five operations of a lookup (core/lookups): read by `read`, changed by managers."""
    return {
        f"GET {path}": read,
        f"POST {path}": MANAGER,
        f"GET {path}/{{id}}": read,
        f"PATCH {path}/{{id}}": MANAGER,
        f"DELETE {path}/{{id}}": MANAGER,
    }


def _attachment_rows(path: str, roles: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """A record's file upload and deletion (files/router.py): whoever may change the record."""
    return {f"POST {path}/{{id}}/attachments": roles, f"DELETE {path}/{{id}}/attachments/{{attachment_id}}": roles}


# Who may call what (docs/api.md "Tenancy and roles" and each resource's section). A PUT is declared by its PATCH.
ROLE_TABLE: dict[str, tuple[str, ...]] = {
    "GET /entities": KEY,
    "POST /entities": ADMIN,
    "PATCH /entities/{id}": ADMIN,
    "GET /users": ANY,
    "POST /users": ADMIN,
    "GET /users/{id}": ANY,
    "PATCH /users/{id}": ADMIN,
    "GET /api_keys": ADMIN,
    "POST /api_keys": ADMIN,
    "DELETE /api_keys/{id}": ADMIN,
    "GET /request_portals": TECHNICIAN,
    "POST /request_portals": MANAGER,
    "GET /request_portals/{id}": TECHNICIAN,
    "PATCH /request_portals/{id}": MANAGER,
    "DELETE /request_portals/{id}": MANAGER,
    "GET /vendors": ANY,
    "POST /vendors": MANAGER,
    "GET /vendors/{id}": ANY,
    "PATCH /vendors/{id}": MANAGER,
    "DELETE /vendors/{id}": MANAGER,
    "GET /locations": ANY,
    "POST /locations": MANAGER,
    "GET /locations/{id}": ANY,
    "PATCH /locations/{id}": MANAGER,
    "DELETE /locations/{id}": MANAGER,
    "GET /locations/{id}/qr_code.svg": ANY,
    "GET /locations/{id}/qr_code.png": ANY,
    "GET /assets": ANY,
    "POST /assets": MANAGER,
    "GET /assets/{id}": ANY,
    "PATCH /assets/{id}": MANAGER,
    "DELETE /assets/{id}": MANAGER,
    "PATCH /assets/{id}/status": TECHNICIAN,
    "GET /assets/{id}/downtimes": ANY,
    "GET /assets/{id}/availability": ANY,
    "GET /assets/{id}/qr_code.svg": ANY,
    "GET /assets/{id}/qr_code.png": ANY,
    "GET /parts": ANY,
    "POST /parts": MANAGER,
    "GET /parts/{id}": ANY,
    "PATCH /parts/{id}": MANAGER,
    "DELETE /parts/{id}": MANAGER,
    "PATCH /parts/{id}/restock": TECHNICIAN,
    "PATCH /parts/{id}/reconcile": TECHNICIAN,
    "PATCH /parts/{id}/unit_cost": MANAGER,
    "PATCH /parts/{id}/avg_unit_cost": MANAGER,
    "GET /parts/{id}/transactions": TECHNICIAN,
    "GET /parts/{id}/transactions/{transaction_id}": TECHNICIAN,
    "GET /parts/{id}/qr_code.svg": ANY,
    "GET /parts/{id}/qr_code.png": ANY,
    "GET /procedure_templates": TECHNICIAN,
    "POST /procedure_templates": MANAGER,
    "GET /procedure_templates/{id}": TECHNICIAN,
    "PATCH /procedure_templates/{id}": MANAGER,
    "DELETE /procedure_templates/{id}": MANAGER,
    "GET /pm_schedules": TECHNICIAN,
    "POST /pm_schedules": MANAGER,
    "GET /pm_schedules/{id}": TECHNICIAN,
    "PATCH /pm_schedules/{id}": MANAGER,
    "DELETE /pm_schedules/{id}": MANAGER,
    "GET /pm_schedules/{id}/forecast": TECHNICIAN,
    "POST /pm_schedules/{id}/generate": MANAGER,
    "GET /pm_forecast": TECHNICIAN,
    "GET /work_orders": TECHNICIAN,
    "POST /work_orders": TECHNICIAN,
    "GET /work_orders/{id}": TECHNICIAN,
    "PATCH /work_orders/{id}": TECHNICIAN,
    "DELETE /work_orders/{id}": MANAGER,
    "GET /work_orders/{id}/procedures/{procedure_id}": TECHNICIAN,
    "PATCH /work_orders/{id}/procedures/{procedure_id}": TECHNICIAN,
    "POST /work_orders/{id}/parts": TECHNICIAN,
    "PATCH /work_orders/{id}/parts": TECHNICIAN,
    "DELETE /work_orders/{id}/parts/{part_id}": TECHNICIAN,
    "GET /work_orders/{id}/time_entries": TECHNICIAN,
    "POST /work_orders/{id}/time_entries": TECHNICIAN,
    "DELETE /work_orders/{id}/time_entries/{entry_id}": TECHNICIAN,
    "POST /work_orders/{id}/timer/start": TECHNICIAN,
    "POST /work_orders/{id}/timer/stop": TECHNICIAN,
    "GET /work_orders/{id}/costs": TECHNICIAN,
    "POST /work_orders/{id}/costs": TECHNICIAN,
    "DELETE /work_orders/{id}/costs/{cost_id}": TECHNICIAN,
    "GET /work_orders/{id}/comments": TECHNICIAN,
    "POST /work_orders/{id}/comments": TECHNICIAN,
    "DELETE /work_orders/{id}/comments/{comment_id}": TECHNICIAN,
    **_lookup_rows("/work_order_statuses", read=TECHNICIAN),
    "GET /work_order_requests": ANY,
    "POST /work_order_requests": ANY,
    "GET /work_order_requests/{id}": ANY,
    "PATCH /work_order_requests/{id}": ANY,
    "DELETE /work_order_requests/{id}": MANAGER,
    "GET /work_order_requests/{id}/comments": ANY,
    "POST /work_order_requests/{id}/comments": ANY,
    "DELETE /work_order_requests/{id}/comments/{comment_id}": ANY,
    "GET /work_order_requests/{id}/portal_submission": ANY,
    "POST /batch": ANY,
    **_attachment_rows("/assets", MANAGER),
    **_attachment_rows("/locations", MANAGER),
    **_attachment_rows("/parts", MANAGER),
    **_attachment_rows("/vendors", MANAGER),
    **_attachment_rows("/pm_schedules", MANAGER),
    **_attachment_rows("/work_orders", TECHNICIAN),
    **_attachment_rows("/work_order_requests", ANY),
    **_attachment_rows("/users", ADMIN),
    "POST /procedure_templates/{id}/items/{item_id}/attachments": MANAGER,
    "DELETE /procedure_templates/{id}/items/{item_id}/attachments/{attachment_id}": MANAGER,
    "POST /attachments": TECHNICIAN,
    "GET /attachments/usage": ADMIN,
    **_lookup_rows("/categories"),
    **_lookup_rows("/asset_types"),
    **_lookup_rows("/storerooms"),
    **_lookup_rows("/part_types"),
    **_lookup_rows("/measurement_units"),
    **_lookup_rows("/account_codes"),
    "GET /events": ADMIN,
    "GET /webhooks": ADMIN,
    "POST /webhooks": ADMIN,
    "GET /webhooks/{id}": ADMIN,
    "PATCH /webhooks/{id}": ADMIN,
    "DELETE /webhooks/{id}": ADMIN,
    "POST /webhooks/{id}/rotate_secret": ADMIN,
    "POST /webhooks/{id}/test": ADMIN,
    "GET /webhooks/{id}/deliveries": ADMIN,
    "POST /webhooks/{id}/deliveries/{delivery_id}/retry": ADMIN,
    "POST /imports": ADMIN,
    "GET /imports/{id}": ADMIN,
    **{f"GET /{name}.{kind}": ANY for name in ("locations", "assets", "parts", "vendors") for kind in ("csv", "xlsx")},
    **{f"GET /{name}.{kind}": ANY for name in ("users", "work_order_requests") for kind in ("csv", "xlsx")},
    **{f"GET /{name}.{kind}": TECHNICIAN for name in ("work_orders", "pm_schedules") for kind in ("csv", "xlsx")},
}


def roles_for(op: Operation) -> tuple[str, ...]:
    roles = ROLE_TABLE.get(op.documented_key)
    assert roles is not None, (
        f"{op.documented_key} is not in ROLE_TABLE (tests/contract/operations/catalog.py): declare who may call it"
    )
    return roles


# ---- records behind path parameters -----------------------------------------------------------------------------


@dataclass
class Place:
    """Where a record is made: a tenant's entity, with the tenant's admin acting there, and the ids of the path
    parameters before the one being made (`{"id": 7}` when making `{cost_id}` of work order 7)."""

    session: Session
    tenant: Tenant
    entity_id: int
    api: Api
    ids: Mapping[str, int]


# Makes the record a path parameter names, in `place`; returns its id. Makers writing through the session only
# flush (the world commits); makers calling the API see everything made before them.
Maker = Callable[[Place], int]

_n = itertools.count(1)


def _registered(create: Factory) -> Maker:
    return lambda place: create(place.session, place.tenant, place.entity_id)


def _unreachable_entity(place: Place) -> int:
    # An entity is itself the scope: "a record of another entity" is a site of the customer on which the caller
    # holds no role, so that no X-Entity-Id of the caller reaches it.
    return create_entity(place.session, place.tenant, role=None)


def _with_qr_code(create: Factory) -> Maker:
    # With a QR code, so that the record's QR image answers 200 where it belongs.
    return lambda place: create(place.session, place.tenant, place.entity_id, qr_code=f"QR-{next(_n)}")


def _created(response: httpx.Response) -> int:
    assert response.status_code in (200, 201), f"{response.request.method} {response.request.url}: {response.text}"
    return int(response.json()["data"]["id"])


def _custom_status(place: Place) -> int:
    # Through the API: custom status ids are numbered by the service (above the built-in ones).
    body = {"work_order_status": {"name": f"Custom {next(_n)}", "base_status_id": 1}}
    return _created(place.api.post("/work_order_statuses", json=body))


def _transaction(place: Place) -> int:
    part = place.ids["id"]
    restock = place.api.patch(f"/parts/{part}/restock", json={"quantity": 2, "cost": 3})
    assert restock.status_code == 200, restock.text
    return int(place.api.get(f"/parts/{part}/transactions").json()["data"][0]["id"])


def _procedure(place: Place) -> int:
    items = [{"name": "Oil level", "item_type": "text"}]
    template = {"procedure_template": {"name": f"Checks {next(_n)}", "items_attributes": items}}
    template_id = _created(place.api.post("/procedure_templates", json=template))
    body = {"work_order": {"procedure_template_ids": [template_id]}}
    response = place.api.patch(f"/work_orders/{place.ids['id']}", json=body)
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["procedures"][0]["id"])


def _assigned_part(place: Place) -> int:
    part = _created(place.api.post("/parts", json={"part": {"name": f"Assigned part {next(_n)}"}}))
    response = place.api.post(f"/work_orders/{place.ids['id']}/parts", json={"part_id": part, "quantity": 1})
    assert response.status_code in (200, 201), response.text
    return part


def _time_entry(place: Place) -> int:
    body = {"time_entry": {"started_at": "2024-01-02T08:00:00Z", "duration": 1}}
    return _created(place.api.post(f"/work_orders/{place.ids['id']}/time_entries", json=body))


def _cost(place: Place) -> int:
    body = {"cost": {"description": "Call-out fee", "amount": 5}}
    return _created(place.api.post(f"/work_orders/{place.ids['id']}/costs", json=body))


def _comment(collection: str) -> Maker:
    def make(place: Place) -> int:
        body = {"comment": {"body": "Noted"}}
        return _created(place.api.post(f"{collection}/{place.ids['id']}/comments", json=body))

    return make


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 128, 255)).save(out, "PNG")
    return out.getvalue()


def _attachment(collection: str) -> Maker:
    def make(place: Place) -> int:
        files = {"file": ("tiny.png", _png(), "image/png")}
        return _created(place.api.post(f"{collection}/{place.ids['id']}/attachments", files=files))

    return make


def _template_item(place: Place) -> int:
    body = {"procedure_template": {"items_attributes": [{"name": f"Photo {next(_n)}", "item_type": "photo"}]}}
    response = place.api.patch(f"/procedure_templates/{place.ids['id']}", json=body)
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["items"][-1]["id"])


def _item_attachment(place: Place) -> int:
    files = {"file": ("tiny.png", _png(), "image/png")}
    path = f"/procedure_templates/{place.ids['id']}/items/{place.ids['item_id']}/attachments"
    return _created(place.api.post(path, files=files))


# Makers by the path prefix that names the record. A top-level `{id}` not listed here is made by the registered
# contract resource (tests/contract/resources.py) whose list or detail path it belongs to.
def _webhook(place: Place) -> int:
    from wrenchwork.models import Webhook

    hook = Webhook(
        entity_id=place.entity_id, url="https://hooks.example.com/in", event_types=["*"], secret="whsec_eA=="
    )
    place.session.add(hook)
    place.session.flush()
    return hook.id


def _delivery(place: Place) -> int:
    from wrenchwork.models import WebhookDelivery

    delivery = WebhookDelivery(entity_id=place.entity_id, webhook_id=place.ids["id"], message_id=f"ping_{next(_n)}",
                               event_type="webhook.ping", payload="{}")  # fmt: skip
    place.session.add(delivery)
    place.session.flush()
    return delivery.id


def _import_job(place: Place) -> int:
    from wrenchwork.models import ImportJob

    # Finished: no import runner picks it up.
    job = ImportJob(entity_id=place.entity_id, resource="locations", mode="validate", status="completed", content=b"")
    place.session.add(job)
    place.session.flush()
    return job.id


MAKERS: dict[str, Maker] = {
    "/imports/{id}": _import_job,
    "/webhooks/{id}": _webhook,
    "/webhooks/{id}/deliveries/{delivery_id}": _delivery,
    "/entities/{id}": _unreachable_entity,
    "/locations/{id}": _with_qr_code(create_location),
    "/assets/{id}": _with_qr_code(create_asset),
    "/parts/{id}": _with_qr_code(create_part),
    "/work_order_statuses/{id}": _custom_status,
    "/parts/{id}/transactions/{transaction_id}": _transaction,
    "/work_orders/{id}/procedures/{procedure_id}": _procedure,
    "/work_orders/{id}/parts/{part_id}": _assigned_part,
    "/work_orders/{id}/time_entries/{entry_id}": _time_entry,
    "/work_orders/{id}/costs/{cost_id}": _cost,
    "/work_orders/{id}/comments/{comment_id}": _comment("/work_orders"),
    "/work_order_requests/{id}/comments/{comment_id}": _comment("/work_order_requests"),
    "/procedure_templates/{id}/items/{item_id}": _template_item,
    "/procedure_templates/{id}/items/{item_id}/attachments/{attachment_id}": _item_attachment,
    **{
        f"{collection}/{{id}}/attachments/{{attachment_id}}": _attachment(collection)
        for collection in (
            "/assets",
            "/locations",
            "/parts",
            "/vendors",
            "/pm_schedules",
            "/work_orders",
            "/work_order_requests",
            "/users",
        )
    },
}


def maker_for(prefix: str) -> Maker | None:
    if prefix in MAKERS:
        return MAKERS[prefix]
    if prefix.count("{") == 1:
        collection = prefix.rsplit("/", 1)[0]
        for resource in RESOURCES:
            if prefix in (resource.detail_path, f"{resource.list_path}/{{id}}") or resource.list_path == collection:
                return _registered(resource.create)
    return None


def record_prefixes() -> list[str]:
    """Every record prefix the operations name, parents first."""
    seen = {op.prefix(param): None for op in WITH_IDS for param in op.path_params}
    return sorted(seen, key=lambda prefix: prefix.count("{"))


# ---- bodies and query strings -----------------------------------------------------------------------------------


def sample(schema: Mapping[str, Any]) -> Any:
    """A valid value for a schema, as small as it allows."""
    schema = resolve(schema)
    if "anyOf" in schema:
        return sample(schema["anyOf"][0])
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return "2024-01-02"
        if fmt == "date-time":
            return "2024-01-02T08:00:00Z"
        if fmt == "email":
            return f"sample{next(_n)}@example.com"
        return "x" * max(1, schema.get("minLength", 1))
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
        return max(1, int(low)) if kind == "integer" else max(1, low)
    if kind == "boolean":
        return True
    if kind == "array":
        return [sample(schema["items"]) for _ in range(schema.get("minItems", 0))]
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: sample(properties[name]) for name in schema.get("required", ())}
    return None


# Operations whose smallest schema-valid body is refused by a rule the schema cannot state.
BODIES: dict[str, Callable[[], Any]] = {
    # Exactly one of ended_at and duration.
    "POST /work_orders/{id}/time_entries": lambda: {
        "time_entry": {"started_at": "2024-01-02T08:00:00Z", "duration": 1}
    },
    # A quantity other than zero, and a note.
    "PATCH /parts/{id}/reconcile": lambda: {"quantity": 1, "note": "count"},
    "POST /batch": lambda: {"ops": [{"method": "GET", "url": "/api/v1/entities"}], "sequential": True},
}


def minimal_body(op: Operation) -> Any:
    """A valid body for the operation (the references in it may still name missing records)."""
    if op.documented_key in BODIES:
        return BODIES[op.documented_key]()
    if op.body_schema is None:
        return None
    return sample(op.body_schema)


def minimal_query(op: Operation) -> dict[str, Any]:
    """The required query parameters, each with a valid value."""
    return {name: sample(p.get("schema", {})) for name, p in op.query.items() if p.get("required")}
