"""What each procedure item type accepts: its `options` when a template is written, its answer when recorded.

Both checks raise `Unprocessable` naming the field path, so a bad template or answer changes nothing.
Numbers (number, meter_reading) are exact decimals kept as strings in the JSON column and shown as numbers.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from wrenchwork.core.errors import Unprocessable
from wrenchwork.core.schemas import MAX_ID, check_year
from wrenchwork.models.procedures import ITEM_TYPES

MAX_CHOICES = 50
MAX_CHOICE_LENGTH = 200
MAX_TEXT_ANSWER = 5000
MAX_UNIT_LENGTH = 40
NUMBER_PLACES = 3
NUMBER_DIGITS = 14
YES_NO = ("yes", "no")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
NUMERIC_TYPES = ("number", "meter_reading")
ATTACHMENT_TYPES = ("signature", "photo")
# Option keys each type takes besides `required`.
OPTION_KEYS: dict[str, tuple[str, ...]] = {
    "text": (),
    "number": ("min", "max"),
    "checkbox": (),
    "yes_no": (),
    "multiple_choice": ("choices",),
    "meter_reading": ("unit", "min", "max"),
    "date": (),
    "signature": (),
    "photo": (),
}


def checked_options(item_type: str, raw: dict[str, Any] | None, path: str) -> dict[str, Any]:
    """The options to store for an item of `item_type`: checked, with `required` defaulting to true."""
    if item_type not in ITEM_TYPES:
        raise Unprocessable.field(f"{path}.item_type", f"must be one of: {', '.join(ITEM_TYPES)}")
    given = dict(raw or {})
    allowed = (*OPTION_KEYS[item_type], "required")
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise Unprocessable.field(
            f"{path}.options.{unknown[0]}", f"is not an option of a {item_type} item (allowed: {', '.join(allowed)})"
        )
    options: dict[str, Any] = {}
    if item_type == "multiple_choice":
        options["choices"] = _choices(given.get("choices"), f"{path}.options.choices")
    if item_type == "meter_reading":
        unit = given.get("unit")
        if not isinstance(unit, str) or not unit.strip() or len(unit.strip()) > MAX_UNIT_LENGTH:
            raise Unprocessable.field(
                f"{path}.options.unit", f"is required: a text of 1 to {MAX_UNIT_LENGTH} characters"
            )
        options["unit"] = unit.strip()
    if item_type in NUMERIC_TYPES:
        low = _bound(given.get("min"), f"{path}.options.min")
        high = _bound(given.get("max"), f"{path}.options.max")
        if low is not None and high is not None and Decimal(low) > Decimal(high):
            raise Unprocessable.field(f"{path}.options.max", "must not be less than min")
        options |= {k: v for k, v in (("min", low), ("max", high)) if v is not None}
    required = given.get("required", True)
    if not isinstance(required, bool):
        raise Unprocessable.field(f"{path}.options.required", "must be true or false")
    options["required"] = required
    return options


def _choices(raw: Any, path: str) -> list[str]:
    if not isinstance(raw, list) or not raw:
        raise Unprocessable.field(path, "is required: a list of at least one choice")
    if len(raw) > MAX_CHOICES:
        raise Unprocessable.field(path, f"may hold at most {MAX_CHOICES} choices")
    choices: list[str] = []
    for choice in raw:
        if not isinstance(choice, str) or not choice.strip() or len(choice.strip()) > MAX_CHOICE_LENGTH:
            raise Unprocessable.field(path, f"each choice must be a text of 1 to {MAX_CHOICE_LENGTH} characters")
        if choice.strip() in choices:
            raise Unprocessable.field(path, f"lists {choice.strip()!r} twice")
        choices.append(choice.strip())
    return choices


def _bound(raw: Any, path: str) -> str | None:
    if raw is None:
        return None
    return str(_number(raw, path))


def _number(raw: Any, path: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise Unprocessable.field(path, "must be a number")
    try:
        # A float goes through its shortest text form, so 12.5 stays 12.5 (never 12.4999...).
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise Unprocessable.field(path, "must be a number") from None
    if not number.is_finite():
        raise Unprocessable.field(path, "must be a finite number")
    if number.as_tuple().exponent < -NUMBER_PLACES:  # type: ignore[operator]
        raise Unprocessable.field(path, f"may have at most {NUMBER_PLACES} decimal places")
    if number != 0 and number.adjusted() >= NUMBER_DIGITS - NUMBER_PLACES:
        raise Unprocessable.field(path, "is out of range")
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


def checked_answer(item_type: str, options: dict[str, Any], raw: Any, path: str) -> Any:
    """The value to store for an answer to an item (`raw` is never None here: None clears an answer)."""
    if item_type == "text":
        if not isinstance(raw, str) or not raw.strip():
            raise Unprocessable.field(path, "must be a non-empty text (send null to clear the answer)")
        if len(raw) > MAX_TEXT_ANSWER:
            raise Unprocessable.field(path, f"may be at most {MAX_TEXT_ANSWER} characters")
        return raw.strip()
    if item_type in NUMERIC_TYPES:
        number = _number(raw, path)
        if "min" in options and number < Decimal(options["min"]):
            raise Unprocessable.field(path, f"must be at least {options['min']}")
        if "max" in options and number > Decimal(options["max"]):
            raise Unprocessable.field(path, f"must be at most {options['max']}")
        return str(number)
    if item_type == "checkbox":
        if not isinstance(raw, bool):
            raise Unprocessable.field(path, "must be true or false")
        return raw
    if item_type == "yes_no":
        if raw not in YES_NO:
            raise Unprocessable.field(path, "must be 'yes' or 'no'")
        return raw
    if item_type == "multiple_choice":
        if not isinstance(raw, str) or raw not in options.get("choices", []):
            raise Unprocessable.field(path, f"must be one of the choices: {', '.join(options.get('choices', []))}")
        return raw
    if item_type == "date":
        try:
            if not isinstance(raw, str) or not _DATE.match(raw):
                raise ValueError
            day = date.fromisoformat(raw)
        except ValueError:
            raise Unprocessable.field(path, "must be a date (YYYY-MM-DD)") from None
        try:
            check_year(day)
        except ValueError as exc:
            raise Unprocessable.field(path, str(exc)) from None
        return day.isoformat()
    if item_type in ATTACHMENT_TYPES:
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_ID:
            raise Unprocessable.field(path, "must be the id of an uploaded attachment")
        return raw
    raise AssertionError(item_type)  # pragma: no cover


def shown_value(item_type: str, value: Any) -> Any:
    """An answer as the API shows it: numbers as JSON numbers, everything else as stored."""
    if value is not None and item_type in NUMERIC_TYPES:
        return Decimal(value)
    return value


def shown_options(options: dict[str, Any]) -> dict[str, Any]:
    """Options as the API shows them: numeric bounds as JSON numbers."""
    return {k: Decimal(v) if k in ("min", "max") else v for k, v in options.items()}
