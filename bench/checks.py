"""After a resource's load: what the figures cannot show. A write load that lost an update, or left a part's
stock different from its ledger, fails the run instead of being reported."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from typing import Any


def _get(base_url: str, headers: dict[str, str], path: str) -> Any:
    request = urllib.request.Request(base_url + path, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read(), parse_float=Decimal)


def parts_restocks(base_url: str, headers: dict[str, str], sample_ids: dict[str, int]) -> str:
    """The restock loads start from empty parts and add 1 per request: each part must hold exactly as many
    items as its ledger has restock lines. Requests that wrk left unanswered when its load ended may still be
    committing while the check reads (the part, then its ledger), so a part is read again a moment later before
    a difference counts; one that stays is a lost update or a stray ledger line."""
    first, hot = sample_ids["parts_first"], sample_ids["parts_hot"]
    lines = 0
    for part_id in range(first, hot + 1):
        for attempt in range(4):
            part = _get(base_url, headers, f"/api/v1/parts/{part_id}")["data"]
            path = f"/api/v1/parts/{part_id}/transactions?filter[type_eq]=restock&per_page=1"
            restocks = _get(base_url, headers, path)["meta"]["pagination"]["total"]
            if Decimal(part["on_hand_qty"]) == restocks:
                break
            if attempt == 3:
                raise RuntimeError(f"part {part_id}: on_hand_qty {part['on_hand_qty']} but {restocks} restocks of 1")
            time.sleep(0.5)
        lines += restocks
    return f"restocked parts {first}-{hot}: {lines} restock lines, every on_hand_qty equal to its ledger"


CHECKS: dict[str, Callable[[str, dict[str, str], dict[str, int]], str]] = {"parts": parts_restocks}
