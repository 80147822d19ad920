"""The async client: the same resources with `await`, lists as async iterators, errors and batches."""

from __future__ import annotations

import asyncio

import pytest

from tests.client.conftest import QUICK
from tests.helpers import Tenant
from wrenchwork.client import AsyncClient, NotFound, Unprocessable, models


def test_the_async_client(server_url: str, tenant: Tenant) -> None:
    async def scenario() -> None:
        async with AsyncClient(server_url, tenant.token, tenant.entity_id, retry=QUICK) as client:
            async with client.batch() as batch:
                for n in range(12):
                    batch.post("/parts", {"part": {"name": f"Part {n:02d}", "on_hand_qty": n}})
            assert {result.status for result in batch.results} == {201}

            names = [part.name async for part in client.parts.list(sort="name", per_page=5)]
            assert names == [f"Part {n:02d}" for n in range(12)]
            first = await client.parts.get(batch.results[0].data["id"])
            assert isinstance(first, models.PartDetail)
            restocked = await client.parts.restock(first.id, "2.5", "3.00")
            assert restocked.on_hand_qty == 2.5
            page = await client.parts.page(3, per_page=5)
            assert (page.total, len(page.data)) == (12, 2)

            with pytest.raises(Unprocessable) as invalid:
                await client.parts.create(name="")
            assert "part.name" in invalid.value.errors
            await client.parts.delete(first.id)
            with pytest.raises(NotFound):
                await client.parts.get(first.id)

    asyncio.run(scenario())
