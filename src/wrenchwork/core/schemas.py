"""Shared annotated types for request bodies and path parameters."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, Field

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
