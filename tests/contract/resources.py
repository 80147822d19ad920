"""The registry of list/detail resources the contract suite runs against.

A new resource joins the whole suite by adding one `Resource(...)` to `RESOURCES`: its paths, a factory that makes a
record straight in the database (fast), how it is scoped, which fields it filters/sorts/searches on, and which of
its fields carry the values the matcher, sort and search tests write. Everything else is generic. For example (the
real entry is LOCATIONS below):

    LOCATIONS = Resource(
        name="locations", list_path="/locations", detail_path="/locations/{id}", scope="entity",
        create=create_location,              # (session, tenant, entity_id=None, **fields) -> id; flush only
        filterable={"id": INTEGER, "name": STRING, "parent_id": INTEGER, ...},   # exactly the OpenAPI list
        sortable=("id", "name", "path", ...), search=("name", "description", "address"), default_sort=("name asc",),
        samples=(Sample("description", nullable=True), Sample("created_at")),    # one per kind, real data
        sort_rows=(...), multi_sort="name asc,created_at desc", count=count_rows(Location),
        not_found="Location not found",
        write=Write("/locations", "location", lambda tenant, n: {"name": f"API room {n}"}),
        remove=deleter("/locations/{id}"),   # (api, id) -> None: DELETE, asserting the 204
        deletable=True,                      # DELETE <detail> exists: test_isolation checks it on foreign ids
    )

A to-many `*_id` filter (MEMBERSHIP) is sampled with the factory keyword that sets the links and the factory of
the linked records: `Sample("categories_id", attr="categories_ids", target=create_category)`.

test_registry.py checks each entry against the server's OpenAPI document, so a field added to a list without a
registry update fails there first. Factories only `flush()`; the test commits once after building its data set.

The security and bad-input checks of every operation (tests/contract/operations/) use these factories too, to make
the record a path's `{id}` names; their package docstring says what else a new endpoint must declare.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, Protocol, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tests.helpers import Api, Tenant, make_entity
from wrenchwork.models import (
    AccountCode,
    ApiKey,
    Asset,
    AssetType,
    Category,
    Entity,
    Location,
    MeasurementUnit,
    Part,
    PartType,
    PmSchedule,
    PmTemplatePart,
    PmTemplateWorkOrder,
    ProcedureTemplate,
    RequestPortal,
    Storeroom,
    User,
    UserRole,
    Vendor,
    VendorPart,
    WorkOrder,
    WorkOrderRequest,
    asset_asset_types,
    asset_technicians,
    asset_vendors,
    part_assets,
    pm_schedule_procedure_templates,
    pm_template_account_codes,
    pm_template_categories,
    pm_template_technicians,
    pm_template_vendors,
    request_portal_assets,
    request_portal_locations,
    vendor_categories,
    vendor_locations,
    work_order_account_codes,
    work_order_categories,
    work_order_request_categories,
    work_order_request_technicians,
    work_order_request_vendors,
    work_order_technicians,
    work_order_vendors,
)
from wrenchwork.models.work_orders import BUILT_IN_STATUSES

ROLES = ("admin", "limited_admin", "technician", "requester")


class Kind(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"
    MEMBERSHIP = "membership"  # a to-many `*_id` such as `technicians_id`


# The contract (docs/api.md, "Lists"): which matchers each kind of field accepts.
_ORDERED = ("eq", "not_eq", "lt", "lteq", "gt", "gteq", "in", "not_in", "null", "not_null")
MATCHERS: dict[Kind, tuple[str, ...]] = {
    Kind.STRING: (
        "eq",
        "not_eq",
        "cont",
        "not_cont",
        "start",
        "end",
        "in",
        "not_in",
        "null",
        "not_null",
        "present",
        "blank",
    ),
    Kind.ENUM: ("eq", "not_eq", "in", "not_in", "null", "not_null"),
    Kind.MEMBERSHIP: ("eq", "not_eq", "in", "not_in", "null", "not_null"),
    Kind.INTEGER: _ORDERED,
    Kind.DECIMAL: _ORDERED,
    Kind.DATE: _ORDERED,
    Kind.DATETIME: _ORDERED,
    Kind.BOOLEAN: ("eq", "not_eq", "true", "false", "null", "not_null"),
}
ALL_MATCHERS = (
    "eq",
    "not_eq",
    "cont",
    "not_cont",
    "start",
    "end",
    "in",
    "not_in",
    "null",
    "not_null",
    "present",
    "blank",
    "true",
    "false",
    "lt",
    "lteq",
    "gt",
    "gteq",
)


@dataclass(frozen=True)
class F:
    """A filterable field: its kind and, for an enum, its members."""

    kind: Kind
    choices: tuple[str, ...] = ()

    @property
    def matchers(self) -> tuple[str, ...]:
        return MATCHERS[self.kind]


STRING = F(Kind.STRING)
INTEGER = F(Kind.INTEGER)
DECIMAL = F(Kind.DECIMAL)
BOOLEAN = F(Kind.BOOLEAN)
DATE = F(Kind.DATE)
DATETIME = F(Kind.DATETIME)
MEMBERSHIP = F(Kind.MEMBERSHIP)


def enum(*choices: str) -> F:
    return F(Kind.ENUM, choices)


class Factory(Protocol):
    def __call__(self, session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int: ...


@dataclass(frozen=True)
class Sample:
    """A field the matcher tests write a standard set of values into (one data set per kind, see test_filters).

    `attr` is the factory keyword that sets it (default: the field name); `nullable` adds a record with NULL.
    """

    field: str
    nullable: bool = False
    attr: str | None = None
    # MEMBERSHIP only: makes a record the field links to, in the same entity (the factory keyword takes a list).
    target: Factory | None = None

    @property
    def keyword(self) -> str:
        return self.attr or self.field


@dataclass(frozen=True)
class Write:
    """How to create a record through the API (used where the API's behaviour is the point)."""

    path: str
    wrapper: str
    body: Callable[[Tenant, int], dict[str, Any]]  # a valid payload inside the wrapper, unique per n
    # A field inside the wrapper and a value of the wrong type for it.
    wrong_type: tuple[str, Any] = ("name", 12345)


@dataclass(frozen=True)
class Resource:
    name: str
    list_path: str
    detail_path: str | None  # "/users/{id}", or None when the resource has no GET detail
    # "entity": what a request sees depends on X-Entity-Id; "customer": the same for the whole customer.
    scope: Literal["entity", "customer"]
    create: Factory
    filterable: Mapping[str, F]
    sortable: tuple[str, ...]
    search: tuple[str, ...]
    default_sort: tuple[str, ...]  # as echoed in meta.sort
    samples: tuple[Sample, ...]  # fields the matcher tests put real data in (at least one per kind it has)
    # Rows (factory keywords) for the sort tests: each sortable field needs 2+ distinct values in an order other
    # than creation order, and some ties (to see them broken by id).
    sort_rows: tuple[Mapping[str, Any], ...]
    multi_sort: str  # a two-key sort over sortable fields, e.g. "status asc,name desc"
    # The exact COUNT(*) of what the list shows to `tenant`'s admin from `entity_id` (ground truth for totals).
    count: Callable[[Session, Tenant, int], int]
    not_found: str | None = None  # detail 404 message, e.g. "User not found"
    entity_header: bool = True  # False: no X-Entity-Id (GET /entities); meta.entity is then all null
    list_roles: tuple[str, ...] = ROLES  # roles allowed to list (others get 403)
    write: Write | None = None
    # Removes a record from this scope through the API (a DELETE, or whatever the resource's removal is).
    remove: Callable[[Api, int], None] | None = None
    # Tables a list page reads besides its own rows (one statement each, whatever per_page is).
    linked: tuple[str, ...] = ()
    # DELETE on the detail path removes a record (204); a record outside the scope must answer it like a missing one.
    deletable: bool = False
    # A record of the caller's own customer that this scope must not show; returns (id, entity where it shows
    # or None). Default for entity-scoped resources: the same factory in a second entity of the customer.
    create_elsewhere: Callable[[Session, Tenant], tuple[int, int | None]] | None = None
    # Keyword the search test writes a token into, per search field (default: the field name).
    search_attrs: Mapping[str, str] = field(default_factory=dict)
    # A text field that is NOT searched (a token in it must not be found), if the resource has one.
    unsearched: str | None = None
    # Factory keywords whose values must be unique (left out when a test repeats sort_rows).
    unique_attrs: tuple[str, ...] = ()
    # The JSON value a sortable field shows, when it is not simply item[field].
    sort_value: Mapping[str, Callable[[Mapping[str, Any]], Any]] = field(default_factory=dict)
    # The references a list item shows for a to-many `*_id`, when they are not item["<name without _id>"]; None
    # when the list item does not show them.
    shown_links: Mapping[str, Callable[[Mapping[str, Any]], list[Mapping[str, Any]]] | None] = field(
        default_factory=dict
    )

    def elsewhere(self, session: Session, tenant: Tenant) -> tuple[int, int | None]:
        if self.create_elsewhere is not None:
            return self.create_elsewhere(session, tenant)
        assert self.scope == "entity", f"{self.name}: a customer-scoped resource needs create_elsewhere"
        other = make_entity(session, tenant, name="Elsewhere")
        record = self.create(session, tenant, entity_id=other)
        return record, other

    def real_total(self, session: Session, tenant: Tenant, entity_id: int) -> int:
        """`count`, ending the read transaction at once (on SQLite it holds the write lock the server needs)."""
        total = self.count(session, tenant, entity_id)
        session.commit()
        return total

    def detail(self, record_id: int | str) -> str:
        assert self.detail_path is not None
        return self.detail_path.format(id=record_id)


# ---- factories ------------------------------------------------------------------------------------------------

_seq = itertools.count(1)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A whole-second UTC moment (JSON shows seconds, so values compare exactly)."""
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


def create_entity(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    """An entity of the tenant's customer on which the tenant's admin holds `role` (None: no role at all)."""
    n = next(_seq)
    role = fields.pop("role", "admin")
    values: dict[str, Any] = {
        "name": f"Site {n}",
        "datetime_format": "MM/DD/YYYY - 11:59 PM",
        "timezone": "Etc/UTC",
        "currency": "USD",
        "created_by_id": tenant.admin_id,
        "updated_by_id": tenant.admin_id,
    }
    values.update(fields)
    entity = Entity(customer_id=tenant.customer_id, **values)
    session.add(entity)
    session.flush()
    if role is not None:
        session.add(UserRole(user_id=tenant.admin_id, entity_id=entity.id, role=role))
        session.flush()
    return entity.id


def create_user(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    """A user of the tenant's customer with one `role` (default technician) in `entity_id` (default: the main one)."""
    n = next(_seq)
    role = fields.pop("role", "technician")
    values: dict[str, Any] = {"name": f"Person{n}", "surname": "Contract", "email": f"person{n}@example.com"}
    values.update(fields)
    user = User(customer_id=tenant.customer_id, **values)
    session.add(user)
    session.flush()
    session.add(UserRole(user_id=user.id, entity_id=entity_id or tenant.entity_id, role=role))
    session.flush()
    return user.id


def create_api_key(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    """A key of `user_id`, or of a new technician of `entity_id` (default: the main entity)."""
    n = next(_seq)
    user_id = fields.pop("user_id", None) or create_user(session, tenant, entity_id)
    token = "ww_" + secrets.token_urlsafe(32)
    values: dict[str, Any] = {
        "name": f"Key {n}",
        # Like a real prefix ("ww_" + 9 characters) but predictable: no digits, "%" or "_" a search could hit.
        "prefix": "ww_" + f"{n:09d}".translate(str.maketrans("0123456789", "klmnopqrst")),
        "token_hash": hashlib.sha256(token.encode()).hexdigest(),
        "created_by_id": tenant.admin_id,
    }
    values.update(fields)
    key = ApiKey(customer_id=tenant.customer_id, user_id=user_id, **values)
    session.add(key)
    session.flush()
    return key.id


def _entity_elsewhere(session: Session, tenant: Tenant) -> tuple[int, int | None]:
    # An entity of the same customer on which the caller holds no role: never listed to it.
    return create_entity(session, tenant, role=None), None


# The catalog: rows of one entity (`entity_id`, default the tenant's main one) made through the ORM session, so the
# per-entity row counters (core/counters.py, an after_flush hook) stay exact. To-many links are factory keywords
# named like the API's (`categories_ids=[...]`), written into the link tables.


def _audit(tenant: Tenant) -> dict[str, Any]:
    return {"created_by_id": tenant.admin_id, "updated_by_id": tenant.admin_id}


def _set_root(session: Session, row: Location | Asset, root_id: int) -> None:
    """`root_id` after the insert (it may be the row's own id). A plain UPDATE naming `updated_at`, so the column's
    onupdate does not overwrite the value the factory was given."""
    table = type(row).__table__
    values = {"root_id": root_id, "updated_at": row.updated_at}
    session.execute(update(table).where(table.c.id == row.id).values(**values))
    set_committed_value(row, "root_id", root_id)


def _link(session: Session, table: Table, owner: tuple[str, int], column: str, ids: list[int] | None) -> None:
    if ids:
        session.execute(insert(table), [{owner[0]: owner[1], column: linked} for linked in sorted(set(ids))])


def create_category(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    values: dict[str, Any] = {"name": f"Category {next(_seq)}", **_audit(tenant)} | fields
    row = Category(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    return row.id


def create_asset_type(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    values: dict[str, Any] = {"name": f"Asset type {next(_seq)}", **_audit(tenant)} | fields
    row = AssetType(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    return row.id


def create_location(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    """A location as the API would make it: `path` and `root_id` from its parent (a top-level one: its name and its
    own id), unless given (the sort tests give paths that order differently from the names)."""
    values: dict[str, Any] = {"name": f"Room {next(_seq)}", **_audit(tenant)} | fields
    parent = session.get(Location, values["parent_id"]) if values.get("parent_id") else None
    values.setdefault("path", values["name"] if parent is None else f"{parent.path} > {values['name']}")
    row = Location(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    if "root_id" not in fields:
        _set_root(session, row, row.id if parent is None else (parent.root_id or parent.id))
    return row.id


def create_vendor(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    links = {name: fields.pop(name, None) for name in ("categories_ids", "locations_ids", "assets_ids")}
    values: dict[str, Any] = {"name": f"Vendor {next(_seq)}", **_audit(tenant)} | fields
    row = Vendor(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    owner = ("vendor_id", row.id)
    _link(session, vendor_categories, owner, "category_id", links["categories_ids"])
    _link(session, vendor_locations, owner, "location_id", links["locations_ids"])
    _link(session, asset_vendors, owner, "asset_id", links["assets_ids"])
    return row.id


def create_asset(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    """An asset (online unless told); `root_id` from its parent, or its own id."""
    links = {name: fields.pop(name, None) for name in ("asset_types_ids", "technicians_ids", "vendors_ids")}
    values: dict[str, Any] = {"name": f"Asset {next(_seq)}", "status": "online", **_audit(tenant)} | fields
    row = Asset(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    if "root_id" not in fields:
        parent = session.get(Asset, row.parent_id) if row.parent_id else None
        _set_root(session, row, row.id if parent is None else (parent.root_id or parent.id))
    owner = ("asset_id", row.id)
    _link(session, asset_asset_types, owner, "asset_type_id", links["asset_types_ids"])
    _link(session, asset_technicians, owner, "user_id", links["technicians_ids"])
    _link(session, asset_vendors, owner, "vendor_id", links["vendors_ids"])
    return row.id


def _lookup_row(model: type[Any], label: str) -> Factory:
    def create(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
        values: dict[str, Any] = {"name": f"{label} {next(_seq)}", **_audit(tenant)} | fields
        row = model(entity_id=entity_id or tenant.entity_id, **values)
        session.add(row)
        session.flush()
        return int(row.id)

    return create


create_storeroom = _lookup_row(Storeroom, "Storeroom")
create_part_type = _lookup_row(PartType, "Part type")
create_measurement_unit = _lookup_row(MeasurementUnit, "Unit")


def create_request_portal(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    links = {name: fields.pop(name, None) for name in ("locations_ids", "assets_ids")}
    values: dict[str, Any] = {"title": f"Portal {next(_seq)}", "fields": {}, **_audit(tenant)} | fields
    row = RequestPortal(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    _link(session, request_portal_locations, ("portal_id", row.id), "location_id", links["locations_ids"])
    _link(session, request_portal_assets, ("portal_id", row.id), "asset_id", links["assets_ids"])
    return row.id


def create_part(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    """A part (its cached stock as given; the ledger is not the point of the list contract)."""
    links = {name: fields.pop(name, None) for name in ("assets_ids", "vendors_ids")}
    values: dict[str, Any] = {"name": f"Part {next(_seq)}", **_audit(tenant)} | fields
    row = Part(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    _link(session, part_assets, ("part_id", row.id), "asset_id", links["assets_ids"])
    _link(session, cast(Table, VendorPart.__table__), ("part_id", row.id), "vendor_id", links["vendors_ids"])
    return row.id


def create_account_code(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    values: dict[str, Any] = {"name": f"Account code {next(_seq)}", **_audit(tenant)} | fields
    row = AccountCode(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    return row.id


_WORK_ORDER_LINKS = (
    ("categories_ids", work_order_categories, "category_id"),
    ("account_codes_ids", work_order_account_codes, "account_code_id"),
    ("technicians_ids", work_order_technicians, "user_id"),
    ("vendors_ids", work_order_vendors, "vendor_id"),
)


def create_work_order(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    """A work order (open unless told); `base_status` follows `status_id` (an unknown id counts as open).
    `overdue=True` gives it a due date in the past, `overdue=False` none."""
    links = {name: fields.pop(name, None) for name, _, _ in _WORK_ORDER_LINKS}
    if "overdue" in fields:
        fields["due_date"] = datetime(2020, 1, 1, tzinfo=UTC) if fields.pop("overdue") else None
    values: dict[str, Any] = {"title": f"Work order {next(_seq)}", **_audit(tenant)} | fields
    values.setdefault("base_status", BUILT_IN_STATUSES.get(values.get("status_id", 1), "open"))
    row = WorkOrder(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    for name, table, column in _WORK_ORDER_LINKS:
        _link(session, table, ("work_order_id", row.id), column, links[name])
    return row.id


def create_procedure_template(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    values: dict[str, Any] = {"name": f"Procedure {next(_seq)}", **_audit(tenant)} | fields
    row = ProcedureTemplate(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    return row.id


_REQUEST_LINKS = (
    ("categories_ids", work_order_request_categories, "category_id"),
    ("technicians_ids", work_order_request_technicians, "user_id"),
    ("vendors_ids", work_order_request_vendors, "vendor_id"),
)


def create_work_order_request(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    """A request (pending unless told), created by the tenant's admin."""
    links = {name: fields.pop(name, None) for name, _, _ in _REQUEST_LINKS}
    values: dict[str, Any] = {"title": f"Request {next(_seq)}", **_audit(tenant)} | fields
    row = WorkOrderRequest(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    for name, table, column in _REQUEST_LINKS:
        _link(session, table, ("request_id", row.id), column, links[name])
    return row.id


_PM_TEMPLATE_FIELDS = ("title", "description", "priority", "asset_id", "location_id")
_PM_TEMPLATE_LINKS = (
    ("categories_ids", pm_template_categories, "category_id"),
    ("account_codes_ids", pm_template_account_codes, "account_code_id"),
    ("technicians_ids", pm_template_technicians, "user_id"),
    ("vendors_ids", pm_template_vendors, "vendor_id"),
)


def create_pm_schedule(session: Session, tenant: Tenant, entity_id: int | None = None, **fields: Any) -> int:
    """A daily PM schedule with its template work order. The template's fields and links are keywords named as
    on a work order (`title`, `asset_id`, `technicians_ids`, ...); `parts_ids` puts one of each part on the
    template, `procedure_template_ids` links procedure templates."""
    template = {name: fields.pop(name) for name in _PM_TEMPLATE_FIELDS if name in fields}
    links = {name: fields.pop(name, None) for name, _, _ in _PM_TEMPLATE_LINKS}
    parts, procedures = fields.pop("parts_ids", None), fields.pop("procedure_template_ids", None)
    values: dict[str, Any] = {"type": "persistent", "start_date": at(1, 8), "time_to_complete": 2,
                              "repeat_frequency": "day", **_audit(tenant)} | fields  # fmt: skip
    row = PmSchedule(entity_id=entity_id or tenant.entity_id, **values)
    session.add(row)
    session.flush()
    shown: dict[str, Any] = {"title": f"PM {next(_seq)}", **_audit(tenant)} | template
    made = PmTemplateWorkOrder(entity_id=row.entity_id, pm_schedule_id=row.id, **shown)
    session.add(made)
    session.flush()
    for name, table, column in _PM_TEMPLATE_LINKS:
        _link(session, table, ("template_id", made.id), column, links[name])
    for part_id in sorted(set(parts or [])):
        session.add(PmTemplatePart(template_id=made.id, part_id=part_id, quantity=Decimal(1)))
    _link(session, pm_schedule_procedure_templates, ("pm_schedule_id", row.id), "procedure_template_id", procedures)
    session.flush()
    return row.id


# ---- ground-truth counts --------------------------------------------------------------------------------------


def count_entities(session: Session, tenant: Tenant, entity_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Entity)
        .join(UserRole, UserRole.entity_id == Entity.id)
        .where(Entity.customer_id == tenant.customer_id, UserRole.user_id == tenant.admin_id)
    )
    return session.scalar(stmt) or 0


def count_users(session: Session, tenant: Tenant, entity_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.customer_id == tenant.customer_id, UserRole.entity_id == entity_id)
    )
    return session.scalar(stmt) or 0


def count_api_keys(session: Session, tenant: Tenant, entity_id: int) -> int:
    members = select(UserRole.user_id).where(UserRole.entity_id == entity_id)
    stmt = (
        select(func.count())
        .select_from(ApiKey)
        .where(ApiKey.customer_id == tenant.customer_id, ApiKey.user_id.in_(members))
    )
    return session.scalar(stmt) or 0


def count_rows(model: type[Any]) -> Callable[[Session, Tenant, int], int]:
    """COUNT(*) of an entity-scoped table's rows in the entity (the table itself, never its counter)."""

    def count(session: Session, tenant: Tenant, entity_id: int) -> int:
        return session.scalar(select(func.count()).select_from(model).where(model.entity_id == entity_id)) or 0

    return count


# ---- API writes -----------------------------------------------------------------------------------------------


def _remove_user(api: Api, user_id: int) -> None:
    # A user leaves an entity when its role there is removed (users themselves are never deleted).
    response = api.patch(f"/users/{user_id}", json={"user": {"permissions": []}})
    assert response.status_code == 200, response.text


def deleter(detail_path: str) -> Callable[[Api, int], None]:
    """A `remove` that DELETEs the record, asserting the documented 204 with no body."""

    def remove(api: Api, record_id: int) -> None:
        response = api.delete(detail_path.format(id=record_id))
        assert response.status_code == 204, response.text
        assert response.content == b""

    return remove


def _person(name: str, surname: str, job: str | None, status: str, created: int, updated: int) -> dict[str, Any]:
    return {
        "name": name,
        "surname": surname,
        "email": f"{name}.{surname}@example.com",
        "job_title": job,
        "status": status,
        "created_at": at(created),
        "updated_at": at(updated),
    }


# ---- the registry ---------------------------------------------------------------------------------------------

ENTITIES = Resource(
    name="entities",
    list_path="/entities",
    detail_path=None,
    scope="customer",
    entity_header=False,
    create=create_entity,
    create_elsewhere=_entity_elsewhere,
    filterable={
        "id": INTEGER,
        "name": STRING,
        "description": STRING,
        "address": STRING,
        "currency": STRING,
        "timezone": STRING,
        "datetime_format": STRING,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
    },
    sortable=("id", "name", "created_at", "updated_at"),
    search=("name", "description", "address"),
    default_sort=("name asc",),
    samples=(Sample("description", nullable=True), Sample("name"), Sample("created_at")),
    sort_rows=(
        {"name": "delta", "created_at": at(3), "updated_at": at(9)},
        {"name": "alpha", "created_at": at(1), "updated_at": at(5)},
        {"name": "charlie", "created_at": at(1), "updated_at": at(7)},
        {"name": "alpha", "created_at": at(4), "updated_at": at(5)},
        {"name": "bravo", "created_at": at(2), "updated_at": at(6)},
    ),
    multi_sort="name asc,created_at desc",
    count=count_entities,
    write=Write("/entities", "entity", lambda tenant, n: {"name": f"API site {n}"}),
    unsearched="timezone",
)

USERS = Resource(
    name="users",
    list_path="/users",
    detail_path="/users/{id}",
    scope="entity",
    create=create_user,
    filterable={
        "id": INTEGER,
        "name": STRING,
        "surname": STRING,
        "full_name": STRING,
        "email": STRING,
        "language": STRING,
        "phone_number": STRING,
        "job_title": STRING,
        "status": enum("active", "inactive"),
        "can_be_assigned_to_wo": BOOLEAN,
        "regular_rate": DECIMAL,
        "overtime_rate1": DECIMAL,
        "overtime_rate2": DECIMAL,
        "role": enum(*ROLES),
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
    },
    sortable=("id", "name", "surname", "full_name", "email", "job_title", "status", "created_at", "updated_at"),
    search=("name", "surname", "email", "job_title", "phone_number"),
    default_sort=("name asc",),
    samples=(
        Sample("job_title", nullable=True),
        Sample("surname"),
        Sample("status"),
        Sample("role"),
        Sample("regular_rate"),
        Sample("can_be_assigned_to_wo"),
        Sample("created_at"),
    ),
    sort_rows=(
        _person("delta", "one", "welder", "active", 3, 9),
        _person("alpha", "two", None, "inactive", 1, 5),
        _person("charlie", "three", "fitter", "active", 1, 7),
        _person("alpha", "four", "welder", "active", 4, 5),
        _person("bravo", "five", "electrician", "inactive", 2, 6),
        _person("bravo", "six", None, "active", 2, 8),
    ),
    multi_sort="status asc,name desc",
    count=count_users,
    not_found="User not found",
    write=Write(
        "/users", "user", lambda tenant, n: {"name": f"Api{n}", "surname": "Made", "email": f"api{n}@example.com"}
    ),
    remove=_remove_user,
    linked=("user_roles",),
    unsearched="language",
    unique_attrs=("email",),
)

API_KEYS = Resource(
    name="api_keys",
    list_path="/api_keys",
    detail_path=None,
    scope="entity",
    create=create_api_key,
    list_roles=("admin",),
    filterable={
        "id": INTEGER,
        "name": STRING,
        "prefix": STRING,
        "user_id": INTEGER,
        "last_used_at": DATETIME,
        "revoked_at": DATETIME,
        "created_at": DATETIME,
        "created_by_id": INTEGER,
    },
    sortable=("id", "name", "created_at", "last_used_at"),
    search=("name", "prefix"),
    default_sort=("created_at desc",),
    samples=(Sample("name"), Sample("last_used_at", nullable=True), Sample("revoked_at", nullable=True)),
    sort_rows=(
        {"name": "delta", "created_at": at(3), "last_used_at": at(9)},
        {"name": "alpha", "created_at": at(1), "last_used_at": None},
        {"name": "charlie", "created_at": at(1), "last_used_at": at(7)},
        {"name": "alpha", "created_at": at(4), "last_used_at": at(5)},
        {"name": "bravo", "created_at": at(2), "last_used_at": None},
        {"name": "echo", "created_at": at(5), "last_used_at": at(6)},
    ),
    multi_sort="name asc,created_at desc",
    count=count_api_keys,
    write=Write("/api_keys", "api_key", lambda tenant, n: {"name": f"API key {n}", "user_id": tenant.admin_id}),
)


def _lookup(name: str, path: str, wrapper: str, create: Factory, model: type[Any], title: str) -> Resource:
    """categories and asset_types: one generic resource (lookups/resource.py); names are unique in an entity."""
    return Resource(
        name=name,
        list_path=path,
        detail_path=path + "/{id}",
        scope="entity",
        create=create,
        filterable={"id": INTEGER, "name": STRING, "created_at": DATETIME, "updated_at": DATETIME},
        sortable=("id", "name", "created_at"),
        search=("name",),
        default_sort=("name asc",),
        samples=(Sample("name"), Sample("created_at"), Sample("updated_at")),
        # Unique names, so the ties are in created_at.
        sort_rows=(
            {"name": "delta", "created_at": at(3)},
            {"name": "alpha", "created_at": at(1)},
            {"name": "charlie", "created_at": at(1)},
            {"name": "echo", "created_at": at(4)},
            {"name": "bravo", "created_at": at(2)},
        ),
        multi_sort="created_at asc,name desc",
        count=count_rows(model),
        not_found=f"{title} not found",
        write=Write(path, wrapper, lambda tenant, n: {"name": f"API {wrapper} {n}"}),
        remove=deleter(path + "/{id}"),
        deletable=True,
        unique_attrs=("name",),
    )


CATEGORIES = _lookup("categories", "/categories", "category", create_category, Category, "Category")
ASSET_TYPES = _lookup("asset_types", "/asset_types", "asset_type", create_asset_type, AssetType, "Asset type")
STOREROOMS = _lookup("storerooms", "/storerooms", "storeroom", create_storeroom, Storeroom, "Storeroom")
PART_TYPES = _lookup("part_types", "/part_types", "part_type", create_part_type, PartType, "Part type")
# Units also carry `short_name` (filterable and searched); a fresh entity starts with the default units.
_UNITS = _lookup(
    "measurement_units", "/measurement_units", "measurement_unit", create_measurement_unit, MeasurementUnit,
    "Measurement unit",
)  # fmt: skip
MEASUREMENT_UNITS = replace(
    _UNITS,
    filterable={**_UNITS.filterable, "short_name": STRING},
    search=("name", "short_name"),
    samples=(*_UNITS.samples, Sample("short_name", nullable=True)),
)


def _vendor(name: str, rating: int | None, rate: str | None, created: int, updated: int) -> dict[str, Any]:
    hourly_rate = None if rate is None else Decimal(rate)
    return {
        "name": name,
        "rating": rating,
        "hourly_rate": hourly_rate,
        "created_at": at(created),
        "updated_at": at(updated),
    }


VENDORS = Resource(
    name="vendors",
    list_path="/vendors",
    detail_path="/vendors/{id}",
    scope="entity",
    create=create_vendor,
    filterable={
        "id": INTEGER,
        "name": STRING,
        "description": STRING,
        "is_active": BOOLEAN,
        "assign_to_work_orders": BOOLEAN,
        "parts_supplier": BOOLEAN,
        "tax_id": STRING,
        "address": STRING,
        "rating": INTEGER,
        "hourly_rate": DECIMAL,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
        "categories_id": MEMBERSHIP,
        "locations_id": MEMBERSHIP,
        "assets_id": MEMBERSHIP,
    },
    sortable=("id", "name", "rating", "hourly_rate", "created_at", "updated_at"),
    search=("name", "description", "tax_id", "address"),
    default_sort=("name asc",),
    samples=(
        Sample("description", nullable=True),
        Sample("is_active"),
        Sample("rating", nullable=True),
        Sample("hourly_rate", nullable=True),
        Sample("created_at"),
        Sample("categories_id", attr="categories_ids", target=create_category),
        Sample("locations_id", attr="locations_ids", target=create_location),
        Sample("assets_id", attr="assets_ids", target=create_asset),
    ),
    sort_rows=(
        _vendor("delta", 3, "40", 3, 9),
        _vendor("alpha", None, "12.5", 1, 5),
        _vendor("charlie", 5, None, 1, 7),
        _vendor("alpha", 3, "99.99", 4, 5),
        _vendor("bravo", 5, "12.5", 2, 6),
        _vendor("echo", None, "40", 5, 8),
    ),
    multi_sort="rating asc,name asc",
    count=count_rows(Vendor),
    not_found="Vendor not found",
    write=Write("/vendors", "vendor", lambda tenant, n: {"name": f"API vendor {n}"}),
    remove=deleter("/vendors/{id}"),
    deletable=True,
    linked=("vendor_contacts", "vendor_categories", "vendor_locations", "asset_vendors", "vendor_parts", "users"),
)

LOCATIONS = Resource(
    name="locations",
    list_path="/locations",
    detail_path="/locations/{id}",
    scope="entity",
    create=create_location,
    filterable={
        "id": INTEGER,
        "name": STRING,
        "description": STRING,
        "address": STRING,
        "path": STRING,
        "parent_id": INTEGER,
        "root_id": INTEGER,
        "qr_code": STRING,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
    },
    sortable=("id", "name", "path", "created_at", "updated_at"),
    search=("name", "description", "address"),
    default_sort=("name asc",),
    samples=(
        Sample("description", nullable=True),
        Sample("path"),
        Sample("qr_code", nullable=True),
        Sample("created_at"),
    ),
    # Stored paths (as under a parent) that order differently from the names, so sorting by path shows.
    sort_rows=(
        {"name": "delta", "path": "Plant B > delta", "created_at": at(3), "updated_at": at(9)},
        {"name": "alpha", "path": "Plant C > alpha", "created_at": at(1), "updated_at": at(5)},
        {"name": "charlie", "path": "Plant A > charlie", "created_at": at(1), "updated_at": at(7)},
        {"name": "alpha", "path": "Plant A > alpha", "created_at": at(4), "updated_at": at(5)},
        {"name": "bravo", "path": "Plant B > bravo", "created_at": at(2), "updated_at": at(6)},
    ),
    multi_sort="name asc,created_at desc",
    count=count_rows(Location),
    not_found="Location not found",
    write=Write("/locations", "location", lambda tenant, n: {"name": f"API room {n}"}),
    remove=deleter("/locations/{id}"),
    deletable=True,
    unsearched="qr_code",
    unique_attrs=("qr_code",),
)


def _asset(
    name: str, code: str | None, status: str, model: str | None, maker: str | None, bought: date | None,
    warranty: date | None, cost: str | None, created: int, updated: int,
) -> dict[str, Any]:  # fmt: skip
    return {
        "name": name,
        "asset_code": code,
        "status": status,
        "model": model,
        "manufacturer": maker,
        "purchase_date": bought,
        "warranty_exp_date": warranty,
        "purchase_cost": None if cost is None else Decimal(cost),
        "created_at": at(created),
        "updated_at": at(updated),
    }


ASSETS = Resource(
    name="assets",
    list_path="/assets",
    detail_path="/assets/{id}",
    scope="entity",
    create=create_asset,
    filterable={
        "id": INTEGER,
        "name": STRING,
        "asset_code": STRING,
        "description": STRING,
        "model": STRING,
        "manufacturer": STRING,
        "serial_number": STRING,
        "purchase_date": DATE,
        "warranty_exp_date": DATE,
        "warranty_expiration_notification": INTEGER,
        "life_expectancy": INTEGER,
        "purchase_cost": DECIMAL,
        "replacement_cost": DECIMAL,
        "salvage_value": DECIMAL,
        "status": enum("online", "offline"),
        "location_id": INTEGER,
        "parent_id": INTEGER,
        "root_id": INTEGER,
        "qr_code": STRING,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
        "asset_types_id": MEMBERSHIP,
        "technicians_id": MEMBERSHIP,
        "vendors_id": MEMBERSHIP,
    },
    sortable=(
        "id",
        "name",
        "asset_code",
        "status",
        "model",
        "manufacturer",
        "purchase_date",
        "warranty_exp_date",
        "purchase_cost",
        "created_at",
        "updated_at",
    ),
    search=("name", "asset_code", "serial_number", "model", "manufacturer", "description"),
    default_sort=("name asc",),
    samples=(
        Sample("description", nullable=True),
        Sample("asset_code", nullable=True),
        Sample("purchase_date", nullable=True),
        Sample("warranty_exp_date"),
        Sample("life_expectancy", nullable=True),
        Sample("purchase_cost", nullable=True),
        Sample("status"),
        Sample("created_at"),
        Sample("asset_types_id", attr="asset_types_ids", target=create_asset_type),
        Sample("technicians_id", attr="technicians_ids", target=create_user),
        Sample("vendors_id", attr="vendors_ids", target=create_vendor),
    ),
    sort_rows=(
        _asset("delta", "A-300", "online", "X2", "Acme", date(2024, 3, 1), date(2026, 1, 1), "40", 3, 9),
        _asset("alpha", None, "offline", None, "Bosch", date(2023, 5, 1), None, "12.5", 1, 5),
        _asset("charlie", "A-100", "online", "X1", None, None, date(2025, 6, 1), None, 1, 7),
        _asset("alpha", "A-200", "online", "X2", "Acme", date(2024, 3, 1), date(2025, 6, 1), "99.99", 4, 5),
        _asset("bravo", None, "offline", "X1", "Bosch", date(2022, 1, 1), date(2027, 1, 1), "12.5", 2, 6),
        _asset("echo", "A-050", "online", None, "Acme", None, date(2024, 1, 1), "40", 5, 8),
    ),
    multi_sort="status asc,name desc",
    count=count_rows(Asset),
    not_found="Asset not found",
    write=Write("/assets", "asset", lambda tenant, n: {"name": f"API asset {n}"}),
    remove=deleter("/assets/{id}"),
    deletable=True,
    linked=("asset_technicians", "asset_asset_types", "asset_vendors"),
    unsearched="qr_code",
    unique_attrs=("asset_code", "qr_code"),
)

ACCOUNT_CODES = _lookup(
    "account_codes", "/account_codes", "account_code", create_account_code, AccountCode, "Account code"
)


def _work_order(
    title: str, status_id: int, due: int | None, completed: int | None, created: int, updated: int
) -> dict[str, Any]:
    return {
        "title": title,
        "status_id": status_id,
        "due_date": None if due is None else at(due),
        "completed_at": None if completed is None else at(completed),
        "created_at": at(created),
        "updated_at": at(updated),
    }


WORK_ORDERS = Resource(
    name="work_orders",
    list_path="/work_orders",
    detail_path="/work_orders/{id}",
    scope="entity",
    create=create_work_order,
    list_roles=("admin", "limited_admin", "technician"),
    filterable={
        "id": INTEGER,
        "title": STRING,
        "description": STRING,
        "priority": enum("none", "low", "medium", "high"),
        "type": enum("reactive", "preventive"),
        "status_id": INTEGER,
        "base_status": enum("open", "in_progress", "on_hold", "completed", "cancelled"),
        "asset_id": INTEGER,
        "location_id": INTEGER,
        "pm_schedule_id": INTEGER,
        "due_date": DATETIME,
        "completed_at": DATETIME,
        "overdue": BOOLEAN,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
        "technicians_id": MEMBERSHIP,
        "categories_id": MEMBERSHIP,
        "account_codes_id": MEMBERSHIP,
        "vendors_id": MEMBERSHIP,
    },
    sortable=("id", "title", "status_id", "due_date", "completed_at", "created_at", "updated_at"),
    search=("title", "description"),
    default_sort=("created_at desc",),
    samples=(
        Sample("title"),
        Sample("description", nullable=True),
        Sample("priority"),
        Sample("base_status"),
        Sample("due_date", nullable=True),
        Sample("overdue"),
        Sample("created_at"),
        Sample("technicians_id", attr="technicians_ids", target=create_user),
        Sample("categories_id", attr="categories_ids", target=create_category),
        Sample("account_codes_id", attr="account_codes_ids", target=create_account_code),
        Sample("vendors_id", attr="vendors_ids", target=create_vendor),
    ),
    sort_rows=(
        _work_order("delta", 2, 9, None, 3, 9),
        _work_order("alpha", 5, None, 4, 1, 5),
        _work_order("charlie", 1, 3, None, 1, 7),
        _work_order("alpha", 5, 9, 2, 4, 5),
        _work_order("bravo", 3, None, None, 2, 6),
        _work_order("echo", 1, 5, None, 5, 8),
    ),
    multi_sort="status_id asc,title desc",
    count=count_rows(WorkOrder),
    not_found="Work order not found",
    write=Write("/work_orders", "work_order", lambda tenant, n: {"title": f"API work order {n}"}, ("title", 12345)),
    remove=deleter("/work_orders/{id}"),
    deletable=True,
    # The four link tables (categories, account codes, technicians, vendors) are read in one UNION statement.
    linked=("work_order_links", "downtimes", "work_timers", "comments", "work_order_requests"),
    sort_value={"status_id": lambda item: item["status"]["id"]},
)


def _template(name: str, description: str | None, created: int, updated: int) -> dict[str, Any]:
    return {"name": name, "description": description, "created_at": at(created), "updated_at": at(updated)}


PROCEDURE_TEMPLATES = Resource(
    name="procedure_templates",
    list_path="/procedure_templates",
    detail_path="/procedure_templates/{id}",
    scope="entity",
    create=create_procedure_template,
    list_roles=("admin", "limited_admin", "technician"),
    filterable={
        "id": INTEGER,
        "name": STRING,
        "description": STRING,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
    },
    sortable=("id", "name", "created_at", "updated_at"),
    search=("name", "description"),
    default_sort=("name asc",),
    samples=(Sample("name"), Sample("description", nullable=True), Sample("created_at")),
    sort_rows=(
        _template("delta", None, 3, 9),
        _template("alpha", "x", 1, 5),
        _template("charlie", None, 1, 7),
        _template("alpha", "y", 4, 5),
        _template("bravo", None, 2, 6),
        _template("echo", "z", 5, 8),
    ),
    multi_sort="updated_at asc,name desc",
    count=count_rows(ProcedureTemplate),
    not_found="Procedure template not found",
    write=Write("/procedure_templates", "procedure_template", lambda tenant, n: {"name": f"API template {n}"}),
    remove=deleter("/procedure_templates/{id}"),
    deletable=True,
    linked=("procedures", "pm_schedule_procedure_templates", "users"),
)


def _request(title: str, status: str, priority: str, due: int | None, created: int, updated: int) -> dict[str, Any]:
    return {
        "title": title,
        "status": status,
        "priority": priority,
        "due_date": None if due is None else at(due),
        "created_at": at(created),
        "updated_at": at(updated),
    }


WORK_ORDER_REQUESTS = Resource(
    name="work_order_requests",
    list_path="/work_order_requests",
    detail_path="/work_order_requests/{id}",
    scope="entity",
    create=create_work_order_request,
    filterable={
        "id": INTEGER,
        "title": STRING,
        "description": STRING,
        "status": enum("pending", "approved", "declined", "on_hold"),
        "priority": enum("none", "low", "medium", "high"),
        "notify": BOOLEAN,
        "work_order_id": INTEGER,
        "location_id": INTEGER,
        "asset_id": INTEGER,
        "request_portal_id": INTEGER,
        "due_date": DATETIME,
        "completed_at": DATETIME,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
        "categories_id": MEMBERSHIP,
        "technicians_id": MEMBERSHIP,
        "vendors_id": MEMBERSHIP,
    },
    sortable=("id", "title", "status", "priority", "due_date", "created_at", "updated_at"),
    search=("title", "description"),
    default_sort=("created_at desc",),
    samples=(
        Sample("title"),
        Sample("description", nullable=True),
        Sample("status"),
        Sample("priority"),
        Sample("notify"),
        Sample("due_date", nullable=True),
        Sample("created_at"),
        Sample("categories_id", attr="categories_ids", target=create_category),
        Sample("technicians_id", attr="technicians_ids", target=create_user),
        Sample("vendors_id", attr="vendors_ids", target=create_vendor),
    ),
    sort_rows=(
        _request("delta", "on_hold", "high", 9, 3, 9),
        _request("alpha", "pending", "none", None, 1, 5),
        _request("charlie", "declined", "low", 3, 1, 7),
        _request("alpha", "pending", "high", 9, 4, 5),
        _request("bravo", "approved", "medium", None, 2, 6),
        _request("echo", "on_hold", "none", 5, 5, 8),
    ),
    multi_sort="status asc,title desc",
    count=count_rows(WorkOrderRequest),
    not_found="Request not found",
    write=Write(
        "/work_order_requests",
        "work_order_request",
        lambda tenant, n: {"title": f"API request {n}"},
        ("title", 12345),
    ),
    remove=deleter("/work_order_requests/{id}"),
    deletable=True,
    # One statement reads the categories, technicians and vendors together; one counts the comments.
    linked=("request_links", "comments"),
)


def _part(
    name: str, number: str | None, area: str | None, lead_time: int | None, on_hand: str, min_qty: str | None,
    cost: str, created: int, updated: int,
) -> dict[str, Any]:  # fmt: skip
    return {
        "name": name,
        "number": number,
        "area": area,
        "lead_time": lead_time,
        "on_hand_qty": Decimal(on_hand),
        "min_qty": None if min_qty is None else Decimal(min_qty),
        "desired_qty": None if min_qty is None else Decimal(min_qty) * 2,
        "unit_cost": Decimal(cost),
        "avg_unit_cost": Decimal(cost),
        "created_at": at(created),
        "updated_at": at(updated),
    }


PARTS = Resource(
    name="parts",
    list_path="/parts",
    detail_path="/parts/{id}",
    scope="entity",
    create=create_part,
    filterable={
        "id": INTEGER,
        "name": STRING,
        "description": STRING,
        "is_non_stock": BOOLEAN,
        "number": STRING,
        "area": STRING,
        "lead_time": INTEGER,
        "on_hand_qty": DECIMAL,
        "min_qty": DECIMAL,
        "desired_qty": DECIMAL,
        "unit_cost": DECIMAL,
        "avg_unit_cost": DECIMAL,
        "low_stock": BOOLEAN,
        "part_type_id": INTEGER,
        "storeroom_id": INTEGER,
        "measurement_unit_id": INTEGER,
        "qr_code": STRING,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
        "assets_id": MEMBERSHIP,
        "vendors_id": MEMBERSHIP,
    },
    sortable=(
        "id",
        "name",
        "number",
        "area",
        "lead_time",
        "on_hand_qty",
        "min_qty",
        "desired_qty",
        "unit_cost",
        "avg_unit_cost",
        "created_at",
        "updated_at",
    ),
    search=("name", "number", "description", "area"),
    default_sort=("name asc",),
    samples=(
        Sample("description", nullable=True),
        Sample("number", nullable=True),
        Sample("is_non_stock"),
        Sample("lead_time", nullable=True),
        Sample("on_hand_qty"),
        Sample("min_qty", nullable=True),
        Sample("created_at"),
        Sample("assets_id", attr="assets_ids", target=create_asset),
        Sample("vendors_id", attr="vendors_ids", target=create_vendor),
    ),
    sort_rows=(
        _part("delta", "P-300", "Bin 2", 7, "4", "5", "40", 3, 9),
        _part("alpha", None, None, None, "0", None, "12.5", 1, 5),
        _part("charlie", "P-100", "Bin 1", 3, "12.5", "2", "99.99", 1, 7),
        _part("alpha", "P-200", "Bin 2", 7, "4", None, "12.5", 4, 5),
        _part("bravo", None, "Bin 3", None, "0.5", "1", "0", 2, 6),
        _part("echo", "P-050", None, 14, "100", "5", "40", 5, 8),
    ),
    multi_sort="on_hand_qty asc,name asc",
    count=count_rows(Part),
    not_found="Part not found",
    write=Write("/parts", "part", lambda tenant, n: {"name": f"API part {n}"}),
    remove=deleter("/parts/{id}"),
    deletable=True,
    # Asset references, vendor references and the reserved quantities: one statement each.
    linked=("part_assets", "vendor_parts", "work_order_parts"),
    unsearched="qr_code",
    unique_attrs=("number", "qr_code"),
)


def _pm(
    title: str, status: str, kind: str, start: int, next_order: int | None, hours: int, created: int, updated: int
) -> dict[str, Any]:
    return {
        "title": title,
        "status": status,
        "type": kind,
        "start_date": at(start, 8),
        "next_order_date": None if next_order is None else at(next_order, 8),
        "time_to_complete": hours,
        "created_at": at(created),
        "updated_at": at(updated),
    }


PM_SCHEDULES = Resource(
    name="pm_schedules",
    list_path="/pm_schedules",
    detail_path="/pm_schedules/{id}",
    scope="entity",
    create=create_pm_schedule,
    list_roles=("admin", "limited_admin", "technician"),
    filterable={
        "id": INTEGER,
        "status": enum("planned", "paused", "completed"),
        "type": enum("one_time", "persistent", "floating"),
        "start_date": DATETIME,
        "time_to_complete": INTEGER,
        "repeat_frequency": enum("hour", "day", "week", "month", "season", "year"),
        "repeat_interval": INTEGER,
        "repeat_occurrence": STRING,
        "on_month_day": INTEGER,
        "next_order_date": DATETIME,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
        "title": STRING,
        "description": STRING,
        "priority": enum("none", "low", "medium", "high"),
        "asset_id": INTEGER,
        "location_id": INTEGER,
        "technicians_id": MEMBERSHIP,
        "categories_id": MEMBERSHIP,
        "account_codes_id": MEMBERSHIP,
        "vendors_id": MEMBERSHIP,
        "parts_id": MEMBERSHIP,
        "procedure_templates_id": MEMBERSHIP,
    },
    sortable=(
        "id",
        "status",
        "type",
        "start_date",
        "next_order_date",
        "time_to_complete",
        "title",
        "created_at",
        "updated_at",
    ),
    search=("title", "description"),
    default_sort=("created_at desc",),
    samples=(
        Sample("title"),
        Sample("description", nullable=True),
        Sample("status"),
        Sample("repeat_frequency"),
        Sample("priority"),
        Sample("on_month_day", nullable=True),
        Sample("next_order_date", nullable=True),
        Sample("start_date"),
        Sample("created_at"),
        Sample("technicians_id", attr="technicians_ids", target=create_user),
        Sample("categories_id", attr="categories_ids", target=create_category),
        Sample("account_codes_id", attr="account_codes_ids", target=create_account_code),
        Sample("vendors_id", attr="vendors_ids", target=create_vendor),
        Sample("parts_id", attr="parts_ids", target=create_part),
        Sample("procedure_templates_id", attr="procedure_template_ids", target=create_procedure_template),
    ),
    sort_rows=(
        _pm("delta", "paused", "persistent", 3, None, 4, 3, 9),
        _pm("alpha", "planned", "one_time", 1, 9, 2, 1, 5),
        _pm("charlie", "completed", "floating", 1, 3, 8, 1, 7),
        _pm("alpha", "planned", "persistent", 4, 9, 2, 4, 5),
        _pm("bravo", "paused", "one_time", 2, None, 1, 2, 6),
        _pm("echo", "planned", "floating", 5, 5, 8, 5, 8),
    ),
    multi_sort="status asc,title desc",
    count=count_rows(PmSchedule),
    not_found="PM schedule not found",
    write=Write(
        "/pm_schedules",
        "pm_schedule",
        lambda tenant, n: {
            "type": "persistent",
            "start_date": "2026-01-05T08:00:00Z",
            "time_to_complete": 2,
            "repeat_frequency": "day",
            "template_work_order_attributes": {"title": f"API PM {n}"},
        },
        ("time_to_complete", "four hours"),
    ),
    remove=deleter("/pm_schedules/{id}"),
    deletable=True,
    unsearched="repeat_occurrence",
    sort_value={"title": lambda item: item["template_work_order"]["title"]},
    # The template's links are shown in its `template_work_order`; parts and procedure templates only in details.
    shown_links={
        "technicians_id": lambda item: item["template_work_order"]["technicians"],
        "categories_id": lambda item: item["template_work_order"]["categories"],
        "account_codes_id": lambda item: item["template_work_order"]["account_codes"],
        "vendors_id": lambda item: item["template_work_order"]["vendors"],
        "parts_id": None,
        "procedure_templates_id": None,
    },
)


def _portal(title: str, enabled: bool, created: int, updated: int) -> dict[str, Any]:
    return {"title": title, "enabled": enabled, "created_at": at(created), "updated_at": at(updated)}


REQUEST_PORTALS = Resource(
    name="request_portals",
    list_path="/request_portals",
    detail_path="/request_portals/{id}",
    scope="entity",
    create=create_request_portal,
    filterable={
        "id": INTEGER,
        "uuid": STRING,
        "title": STRING,
        "description": STRING,
        "enabled": BOOLEAN,
        "default_location_id": INTEGER,
        "default_asset_id": INTEGER,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "created_by_id": INTEGER,
        "updated_by_id": INTEGER,
        "locations_id": MEMBERSHIP,
        "assets_id": MEMBERSHIP,
    },
    sortable=("id", "title", "created_at", "updated_at"),
    search=("title", "description"),
    default_sort=("title asc",),
    samples=(
        Sample("title"),
        Sample("description", nullable=True),
        Sample("enabled"),
        Sample("created_at"),
        Sample("locations_id", attr="locations_ids", target=create_location),
        Sample("assets_id", attr="assets_ids", target=create_asset),
    ),
    sort_rows=(
        _portal("delta", True, 3, 9),
        _portal("alpha", False, 1, 5),
        _portal("charlie", True, 1, 7),
        _portal("alpha", True, 4, 5),
        _portal("bravo", False, 2, 6),
    ),
    multi_sort="created_at asc,title desc",
    count=count_rows(RequestPortal),
    not_found="Request portal not found",
    list_roles=("admin", "limited_admin", "technician"),
    write=Write("/request_portals", "request_portal", lambda tenant, n: {"title": f"API portal {n}"}, ("title", 12345)),
    remove=deleter("/request_portals/{id}"),
    deletable=True,
    linked=("request_portal_locations", "request_portal_assets", "locations", "assets"),
)

RESOURCES: tuple[Resource, ...] = (
    ENTITIES,
    USERS,
    API_KEYS,
    VENDORS,
    LOCATIONS,
    ASSETS,
    CATEGORIES,
    ASSET_TYPES,
    STOREROOMS,
    PART_TYPES,
    MEASUREMENT_UNITS,
    PARTS,
    ACCOUNT_CODES,
    WORK_ORDERS,
    PROCEDURE_TEMPLATES,
    WORK_ORDER_REQUESTS,
    PM_SCHEDULES,
    REQUEST_PORTALS,
)
BY_NAME = {r.name: r for r in RESOURCES}
WITH_DETAIL = tuple(r for r in RESOURCES if r.detail_path is not None)
WITH_WRITE = tuple(r for r in RESOURCES if r.write is not None)
WITH_DELETE = tuple(r for r in WITH_DETAIL if r.deletable)
