"""The server's idea of "now" for schedules and other time-driven work, in one place.

Tests move this clock instead of sleeping (DESIGN §12): `set_now(moment)` fixes it for the process until
`set_now(None)`. Row timestamps (`created_at`, `updated_at`) keep using the real time.
"""

from __future__ import annotations

from datetime import UTC, datetime

_fixed: datetime | None = None


def now() -> datetime:
    """The current moment as an aware UTC datetime (the fixed one while a test has set it)."""
    return _fixed if _fixed is not None else datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Fix the clock at `moment` (aware), or let it run again with None."""
    global _fixed
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the clock takes an aware datetime")
    _fixed = None if moment is None else moment.astimezone(UTC)
