"""Shared annotated types for request bodies and path parameters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from wrenchwork.core.errors import Unprocessable

# Integer primary keys are 32-bit on PostgreSQL; anything larger can only be a missing record.
MAX_ID = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


def _plain_digits(value: object) -> object:
    # Python's int() also reads "1_0" and non-ASCII digits; an id in a path must be plain digits.
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a positive integer")
    return value


IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="ID"), BeforeValidator(_plain_digits)]

# ---- ids and enums, each described once ---------------------------------------------------------------------
# Every `id`, `*_id`, `*_ids` and enum-like field of a request or response uses one of these (or a resource's own
# annotated type built the same way), so the OpenAPI document says what each one refers to or may hold
# (tests/openapi/test_descriptions.py). core/openapi.py lifts a description out of `anyOf` for nullable fields.
# The same type serves requests (validated: a positive 32-bit integer) and responses (documentation only).

_IN_ENTITY = "of the entity in X-Entity-Id"


def _ref(description: str) -> Any:
    return Field(ge=1, le=MAX_ID, strict=True, description=description)


def _refs(description: str) -> Any:
    return Field(max_length=1000, description=f"{description}; replaces the whole set, [] clears it")


RecordId = Annotated[int, Field(description="ID of this record, unique among records of its kind")]
EntityId = Annotated[int, _ref("An entity (site) of the caller's customer (GET /entities)")]
UserId = Annotated[int, _ref("A user holding a role in the entity (GET /users)")]
UserRoleId = Annotated[int, Field(description="ID of this role assignment (the user's role in that entity)")]
CreatedById = Annotated[int, Field(description="The user who created the record; null when unknown or deleted")]
UpdatedById = Annotated[int, Field(description="The user who last changed the record; null when unknown or deleted")]
LocationId = Annotated[int, _ref(f"A location {_IN_ENTITY} (GET /locations)")]
ParentLocationId = Annotated[int, _ref(f"The parent location {_IN_ENTITY}; null for a top-level location (no cycles)")]
AssetId = Annotated[int, _ref(f"An asset {_IN_ENTITY} (GET /assets)")]
ParentAssetId = Annotated[int, _ref(f"The parent asset {_IN_ENTITY}; null for a top-level asset (no cycles)")]
RootId = Annotated[int, Field(description="The top ancestor of the tree; its own id for a top-level record")]
PartId = Annotated[int, _ref(f"A part {_IN_ENTITY} (GET /parts)")]
VendorId = Annotated[int, _ref(f"A vendor {_IN_ENTITY} (GET /vendors)")]
PartTypeId = Annotated[int, _ref(f"A part type {_IN_ENTITY} (GET /part_types)")]
StoreroomId = Annotated[int, _ref(f"A storeroom {_IN_ENTITY} (GET /storerooms)")]
MeasurementUnitId = Annotated[int, _ref(f"A measurement unit {_IN_ENTITY} (GET /measurement_units)")]
ProcedureTemplateId = Annotated[int, _ref(f"A procedure template {_IN_ENTITY} (GET /procedure_templates)")]
ProcedureItemId = Annotated[int, _ref("An item of this procedure (its `items[].id`)")]
WorkOrderId = Annotated[int, _ref(f"A work order {_IN_ENTITY} (GET /work_orders)")]
WorkOrderRequestId = Annotated[int, _ref(f"A work order request {_IN_ENTITY} (GET /work_order_requests)")]
PmScheduleId = Annotated[int, _ref(f"The PM schedule {_IN_ENTITY} that generated the work order (GET /pm_schedules)")]
StatusId = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_ID,
        strict=True,
        description="The work order status (GET /work_order_statuses): built-in 1 open, 2 in_progress, 3 on_hold, "
        "4 cancelled, 5 completed (the same in every entity), or a custom status of the entity (6 and up), "
        "which behaves like its base status",
        examples=[5],
    ),
]
BaseStatusId = Annotated[
    int,
    Field(
        ge=1,
        le=5,
        strict=True,
        description="The built-in status whose behaviour it has: 1 open, 2 in_progress, 3 on_hold, 4 cancelled, "
        "5 completed",
        json_schema_extra={"enum": [1, 2, 3, 4, 5]},
    ),
]

CategoryIds = Annotated[list[Id], _refs(f"Categories {_IN_ENTITY} (GET /categories)")]
AssetTypeIds = Annotated[list[Id], _refs(f"Asset types {_IN_ENTITY} (GET /asset_types)")]
AccountCodeIds = Annotated[list[Id], _refs(f"Account codes {_IN_ENTITY} (GET /account_codes)")]
TechnicianIds = Annotated[
    list[Id], _refs("Users who can be assigned work here: active, with a role in the entity, can_be_assigned_to_wo")
]
VendorIds = Annotated[list[Id], _refs(f"Vendors {_IN_ENTITY} (GET /vendors)")]
PartIds = Annotated[list[Id], _refs(f"Parts {_IN_ENTITY} (GET /parts)")]
AssetIds = Annotated[list[Id], _refs(f"Assets {_IN_ENTITY} (GET /assets)")]
LocationIds = Annotated[list[Id], _refs(f"Locations {_IN_ENTITY} (GET /locations)")]
ProcedureTemplateIds = Annotated[
    list[Id],
    _refs(
        f"Procedure templates {_IN_ENTITY} (GET /procedure_templates): each new one is copied into a procedure of "
        "the work order, one no longer listed is removed with its answers"
    ),
]

Priority = Annotated[Literal["none", "low", "medium", "high"], Field(description="none (default), low, medium, high")]
AssetStatus = Annotated[
    Literal["online", "offline"],
    Field(description="online (in service) or offline (down: an open downtime record)"),
]
AuthType = Annotated[Literal["api_key"], Field(description="How the user authenticates: always api_key")]
Role = Annotated[
    Literal["admin", "limited_admin", "technician", "requester"],
    Field(
        description="admin: everything in the entity; limited_admin: all but entities, users and API keys; "
        "technician: maintenance work, no configuration; requester: its own requests only"
    ),
]

# Money: 2 decimal places; quantities: 3. Stored as exact decimals, never floats.
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False)]
Quantity = Annotated[Decimal, Field(max_digits=14, decimal_places=3, allow_inf_nan=False)]

# Every date and date-time the API accepts (bodies, query parameters, list filters, procedure answers) has a year
# from 1900 to 2999 as written. Outside it there is nothing a maintenance record can mean, and near the calendar's
# edges (year 1 or 9999) turning a value into UTC or adding a duration leaves Python's calendar altogether.
MIN_YEAR = 1900
MAX_YEAR = 2999
DATE_RANGE_MESSAGE = f"must have a year from {MIN_YEAR} to {MAX_YEAR}"
_YEAR = "(19[0-9]{2}|2[0-9]{3})"
_DAY = "-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
# The range as the OpenAPI document declares it: JSON Schema has no minimum for dates, so a pattern does it.
DATE_PATTERN = f"^{_YEAR}{_DAY}$"
DATE_TIME_PATTERN = (
    f"^{_YEAR}{_DAY}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{{1,6}})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


def check_year(value: date) -> None:
    """The one range check (dates and date-times alike): ValueError with the documented message outside it."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(DATE_RANGE_MESSAGE)


def _date_in_range(value: date) -> date:
    check_year(value)
    return value


def _moment_in_range(value: datetime) -> datetime:
    """Checked as written, then in UTC (one without an offset is UTC already): safe to convert once in range."""
    check_year(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Date = Annotated[
    date,
    AfterValidator(_date_in_range),
    Field(description=f"YYYY-MM-DD, year {MIN_YEAR} to {MAX_YEAR}", json_schema_extra={"pattern": DATE_PATTERN}),
]
DateTime = Annotated[
    datetime,
    AfterValidator(_moment_in_range),
    Field(
        description=f"ISO-8601 with Z or an offset, year {MIN_YEAR} to {MAX_YEAR}; stored in UTC",
        json_schema_extra={"pattern": DATE_TIME_PATTERN},
    ),
]


def apply_update(
    obj: object, changes: BaseModel, wrapper: str, clearable: set[str], skip: frozenset[str] = frozenset()
) -> None:
    """Copy the fields a client sent onto `obj`. `null` clears a clearable field and is a 422 elsewhere."""
    sent = changes.model_dump(exclude_unset=True, exclude=set(skip))
    for name, value in sent.items():
        if value is None and name not in clearable:
            raise Unprocessable.field(f"{wrapper}.{name}", "cannot be null")
    for name, value in sent.items():
        setattr(obj, name, value)
