"""Shared annotated types for request bodies and path parameters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

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
