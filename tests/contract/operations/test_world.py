"""The data set itself: a record behind every path parameter of the document, in every place."""

from __future__ import annotations

import pytest

from tests.contract.operations.catalog import record_prefixes
from tests.contract.operations.world import World


@pytest.mark.parametrize("prefix", record_prefixes())
def test_every_path_parameter_has_a_record(world: World, prefix: str) -> None:
    for side in (world.home, world.sibling, world.stranger):
        assert prefix in side.records, f"{side.name}: no record for {prefix}: {side.unmade.get(prefix)}"
    assert len({side.records[prefix] for side in (world.home, world.sibling, world.stranger)}) == 3
