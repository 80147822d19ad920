"""50 clients hammer one part over real HTTP, through two server processes sharing the test database.

Whatever the interleaving, the part ends with exactly the quantity the accepted requests add up to, the
ledger has one line per 2xx answer and still replays to the part, refused requests leave no trace, and no
request is answered with a 5xx (no "database is locked" reaches a client).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from bench import servers
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant
from tests.parts.support import assert_ledger_matches, create_part, ledger
from wrenchwork.config import Settings

CLIENTS = 50
REQUESTS_PER_CLIENT = 4


@pytest.fixture
def server_urls(settings: Settings, tmp_path: Path, tenant: Tenant) -> Iterator[list[str]]:
    """Two uvicorn processes on the test database (the tenant is committed before they start)."""
    env = {
        "WRENCHWORK_DATABASE_URL": settings.database_url,
        "WRENCHWORK_RATE_LIMIT": "0",
        "WRENCHWORK_LOG_LEVEL": "WARNING",
        "WRENCHWORK_DATA_DIR": str(tmp_path / "data"),
    }
    root = Path(__file__).resolve().parents[2]
    ports = [servers.free_port(), servers.free_port()]
    with (
        servers.serve(
            servers.uvicorn_argv("wrenchwork.app:create_app", ports[0], "--factory"), env,
            f"http://{servers.HOST}:{ports[0]}/healthz", tmp_path / "server0.log", root,
        ),
        servers.serve(
            servers.uvicorn_argv("wrenchwork.app:create_app", ports[1], "--factory"), env,
            f"http://{servers.HOST}:{ports[1]}/healthz", tmp_path / "server1.log", root,
        ),
    ):  # fmt: skip
        yield [f"http://{servers.HOST}:{port}/api/v1" for port in ports]


def test_fifty_clients_on_one_part(api: Api, session: Session, tenant: Tenant, server_urls: list[str]) -> None:
    part = create_part(api, on_hand_qty=20, unit_cost=5)
    headers = {"Authorization": f"Bearer {tenant.token}", "X-Entity-Id": str(tenant.entity_id)}
    start = threading.Barrier(CLIENTS)

    def client(n: int) -> list[tuple[int, Decimal]]:
        results = []
        with httpx.Client(base_url=server_urls[n % 2], headers=headers, timeout=60) as http:
            start.wait()
            for k in range(REQUESTS_PER_CLIENT):
                if (n + k) % 3 == 0:
                    quantity = Decimal("-7.5")  # some of these must be refused: stock cannot go below zero
                    body: dict[str, object] = {"quantity": -7.5, "note": f"count {n}.{k}"}
                    response = http.patch(f"/parts/{part['id']}/reconcile", json=body)
                else:
                    quantity = Decimal("1.25")
                    response = http.patch(f"/parts/{part['id']}/restock", json={"quantity": 1.25, "cost": 4 + n % 7})
                results.append((response.status_code, quantity))
        return results

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = [r for batch in pool.map(client, range(CLIENTS)) for r in batch]

    statuses = Counter(status for status, _ in outcomes)
    assert set(statuses) <= {200, 422}, statuses
    assert statuses[422] > 0 and statuses[200] > 0, statuses
    accepted = [quantity for status, quantity in outcomes if status == 200]
    stock = assert_ledger_matches(session, part["id"])
    assert stock.on_hand_qty == Decimal(20) + sum(accepted, Decimal(0))
    lines = ledger(session, part["id"])
    assert len(lines) == 1 + len(accepted)
    assert sorted(line.quantity for line in lines[1:]) == sorted(accepted)
    # Replaying step by step, stock never went below zero.
    running = Decimal(20)
    for line in lines[1:]:
        running += line.quantity
        assert running >= 0
