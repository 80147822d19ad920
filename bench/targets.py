"""What the runner loads: the baseline endpoint and, per wrenchwork resource, a list of (name, path) targets.

A path may name the id of a generated row as `{<resource>}` (see `Context.sample_ids` in bench/generate.py),
e.g. `/api/v1/users/{users}`. A new resource adds one entry to `TARGETS`, and its generator to bench/generate.py.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE = "per_page=50&page=3"


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    # A list answers `meta.pagination.total`, which the runner checks against the generated row count.
    is_list: bool = False

    def resolve(self, sample_ids: dict[str, int]) -> str:
        return self.path.format(**sample_ids)


BASELINE = Target("baseline work_orders list", f"/api/v1/work_orders?{PAGE}", is_list=True)

TARGETS: dict[str, list[Target]] = {
    "users": [
        Target("users list", f"/api/v1/users?{PAGE}", is_list=True),
        Target("users detail", "/api/v1/users/{users}"),
    ],
}
