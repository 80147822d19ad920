"""Event type patterns, as the feed's `types` and a webhook's `event_types` take them: an exact type
(`part.low_stock`), every event of a resource (`work_order.*`), or every event (`*`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import false, or_

PATTERN = re.compile(r"^(\*|[a-z_]+\.(\*|[a-z_]+))$")


def invalid(patterns: Iterable[str]) -> list[str]:
    return [p for p in patterns if not PATTERN.match(p)]


def matches(patterns: Iterable[str], event_type: str) -> bool:
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def where(column: Any, patterns: list[str]) -> Any:
    """The SQL condition for `column` (an event type) matching any of `patterns`; None: no condition."""
    if not patterns or "*" in patterns:
        return None
    exact = [p for p in patterns if not p.endswith(".*")]
    prefixes = [p[:-1] for p in patterns if p.endswith(".*")]
    terms = [column.in_(exact)] if exact else []
    terms += [column.startswith(prefix, autoescape=True) for prefix in prefixes]
    return or_(*terms) if terms else false()
