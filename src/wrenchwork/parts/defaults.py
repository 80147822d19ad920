"""What a new entity starts with for inventory: the usual measurement units, so parts can be counted at once."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from wrenchwork.core.counters import add_to_count
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import MeasurementUnit

DEFAULT_UNITS = (
    ("Item", "itm"),
    ("Box", "box"),
    ("Pack", "pk"),
    ("Pair", "pr"),
    ("Set", "set"),
    ("Litre", "l"),
    ("Gallon", "gal"),
    ("Metre", "m"),
    ("Foot", "ft"),
    ("Kilogram", "kg"),
    ("Pound", "lb"),
)


def add_default_units(session: Session, entity_id: int, user_id: int | None) -> None:
    """Give a freshly created entity the default measurement units (one statement, counter kept exact)."""
    now = utcnow()
    rows = [
        {"entity_id": entity_id, "name": name, "short_name": short, "created_at": now, "updated_at": now,
         "created_by_id": user_id, "updated_by_id": user_id}
        for name, short in DEFAULT_UNITS
    ]  # fmt: skip
    session.execute(insert(MeasurementUnit), rows)
    add_to_count(session, "measurement_units", entity_id, len(rows))
