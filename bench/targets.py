"""What the runner loads: the baseline endpoint and, per wrenchwork resource, a list of (name, path) targets.

A path may name the id of a generated row as `{<resource>}` (see `Context.sample_ids` in bench/generate.py),
e.g. `/api/v1/users/{users}`. A new resource adds one entry to `TARGETS`, and its generator to bench/generate.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PAGE = "per_page=50&page=3"


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    # A list answers `meta.pagination.total`, which the runner checks against the generated row count.
    is_list: bool = False
    # Writes: the method and JSON body each request sends. `{n}` in the path is replaced, per request, by a random
    # id from the `random_ids` range (two `sample_ids` keys: first and last id), so each request changes its own row.
    method: str = "GET"
    body: str | None = None
    random_ids: tuple[str, str] | None = None
    # The baseline request loaded right before this one, for its ratio (lists: the baseline list).
    baseline: Target | None = None

    def resolve(self, sample_ids: dict[str, int]) -> str:
        return self.path.format(**sample_ids, n="{n}")

    def resolve_body(self, sample_ids: dict[str, int]) -> str | None:
        """The body with `{<key>}` replaced by sample ids (plain replacement: JSON has braces of its own)."""
        if self.body is None:
            return None
        body = self.body
        for key, value in sample_ids.items():
            body = body.replace("{" + key + "}", str(value))
        return body

    def id_range(self, sample_ids: dict[str, int]) -> tuple[int, int] | None:
        return None if self.random_ids is None else (sample_ids[self.random_ids[0]], sample_ids[self.random_ids[1]])


BASELINE = Target("baseline work_orders list", f"/api/v1/work_orders?{PAGE}", is_list=True)
# The baseline's indexed search: FTS5 trigram matches driving the page (20 matches at 100k rows).
BASELINE_SEARCH = Target("baseline work_orders search", "/api/v1/work_orders?per_page=50&search=5000")
# The baseline's detail: one work order by id (its list item's shape, one statement).
BASELINE_DETAIL = Target("baseline work_orders detail", "/api/v1/work_orders/500")
# The baseline's durable create: one work order inserted and committed with synchronous=FULL. Writes are compared
# with it, not with a read.
BASELINE_CREATE = Target(
    "baseline work_orders create",
    "/api/v1/work_orders",
    method="POST",
    body='{"work_order": {"title": "Bench job", "description": "Created under load", "priority": "high"}}',
)

TARGETS: dict[str, list[Target]] = {
    "users": [
        Target("users list", f"/api/v1/users?{PAGE}", is_list=True),
        Target("users detail", "/api/v1/users/{users}", baseline=BASELINE_DETAIL),
    ],
    "locations": [
        Target("locations list", f"/api/v1/locations?{PAGE}", is_list=True),
        Target("locations detail", "/api/v1/locations/{locations}", baseline=BASELINE_DETAIL),
        # Writes last: they change the totals the list targets check.
        Target(
            "locations create",
            "/api/v1/locations",
            method="POST",
            body='{"location": {"name": "Bench room", "parent_id": {locations}}}',
        ),
    ],
    "assets": [
        Target("assets list", "/api/v1/assets?per_page=50", is_list=True),
        Target("assets list page 3", f"/api/v1/assets?{PAGE}", is_list=True),
        Target("assets detail", "/api/v1/assets/{assets}", baseline=BASELINE_DETAIL),
        # Searches: selective terms (a few matches: the index drives the page), a term 1 in 16 assets holds (its
        # matches still drive the page), and one every asset holds (the sort's index drives).
        Target("assets search selective", "/api/v1/assets?per_page=50&search=005000", baseline=BASELINE_SEARCH),
        Target(
            "assets name_cont selective",
            "/api/v1/assets?per_page=50&filter[name_cont]=%205000",
            baseline=BASELINE_SEARCH,
        ),
        Target("assets search 1 in 16", "/api/v1/assets?per_page=50&search=pump", baseline=BASELINE_SEARCH),
        Target("assets search every row", "/api/v1/assets?per_page=50&search=a-0", baseline=BASELINE_SEARCH),
        Target(
            "assets create",
            "/api/v1/assets",
            method="POST",
            # A name none of the searches above matches, so that a reused data set's searches match what they did.
            body='{"asset": {"name": "Bench motor", "location_id": {locations}, "manufacturer": "Grundfos", '
            '"purchase_cost": 1250.5}}',
        ),
    ],
    "work_orders": [
        Target("work_orders list", "/api/v1/work_orders?per_page=50", is_list=True),
        Target("work_orders list page 3", f"/api/v1/work_orders?{PAGE}", is_list=True),
        Target(
            "work_orders filtered",
            "/api/v1/work_orders?per_page=50&filter[status_id_in]=1,2&filter[technicians_id_eq]={work_order_technician}",
        ),
        Target("work_orders detail", "/api/v1/work_orders/{work_orders}", baseline=BASELINE_DETAIL),
        # Writes last: they change the totals the list targets check.
        Target(
            "work_orders create",
            "/api/v1/work_orders",
            method="POST",
            body='{"work_order": {"title": "Bench job", "priority": "high", "description": "Created under load", '
            '"technicians_ids": [{assignee}], "checklist": [{"text": "Inspect", "order": 1}]}}',
            baseline=BASELINE_CREATE,
        ),
        Target(
            "work_orders complete",
            "/api/v1/work_orders/{n}",
            method="PATCH",
            body='{"work_order": {"status_id": 5}}',
            random_ids=("work_orders_first", "work_orders_last"),
        ),
    ],
    "parts": [
        Target("parts list", "/api/v1/parts?per_page=50", is_list=True),
        Target("parts list page 3", f"/api/v1/parts?{PAGE}", is_list=True),
        Target("parts low stock", "/api/v1/parts?per_page=50&filter[low_stock_eq]=true"),
        Target("parts detail", "/api/v1/parts/{parts}", baseline=BASELINE_DETAIL),
        # The ledger part has exactly `rows` transactions.
        Target("part transactions", "/api/v1/parts/{ledger_part}/transactions?per_page=50", is_list=True),
        Target("part transactions page 3", f"/api/v1/parts/{{ledger_part}}/transactions?{PAGE}", is_list=True),
        # Restocks of 1 at 2.50: spread over 16 parts, then all on one part; bench/checks.py then compares
        # each part's stock with its ledger.
        Target(
            "parts restock 16 parts",
            "/api/v1/parts/{n}/restock",
            method="PATCH",
            body='{"quantity": 1, "cost": 2.5}',
            random_ids=("parts_first", "parts_spread_last"),
            baseline=BASELINE_CREATE,
        ),
        Target(
            "parts restock 1 part",
            "/api/v1/parts/{parts_hot}/restock",
            method="PATCH",
            body='{"quantity": 1, "cost": 2.5}',
            baseline=BASELINE_CREATE,
        ),
    ],
    "vendors": [
        Target("vendors list", "/api/v1/vendors?per_page=50", is_list=True),
        Target("vendors list page 3", f"/api/v1/vendors?{PAGE}", is_list=True),
        Target("vendors detail", "/api/v1/vendors/{vendors}", baseline=BASELINE_DETAIL),
    ],
    "work_order_requests": [
        Target("work_order_requests list", "/api/v1/work_order_requests?per_page=50", is_list=True),
        Target("work_order_requests list page 3", f"/api/v1/work_order_requests?{PAGE}", is_list=True),
        Target(
            "work_order_requests detail", "/api/v1/work_order_requests/{work_order_requests}", baseline=BASELINE_DETAIL
        ),
    ],
    "pm_schedules": [
        Target("pm_schedules list", "/api/v1/pm_schedules?per_page=50", is_list=True),
        Target("pm_schedules list page 3", f"/api/v1/pm_schedules?{PAGE}", is_list=True),
        Target(
            "pm_schedules filtered",
            "/api/v1/pm_schedules?per_page=50&filter[status_eq]=planned"
            "&filter[technicians_id_eq]={pm_schedule_technician}",
        ),
        Target("pm_schedules detail", "/api/v1/pm_schedules/{pm_schedules}", baseline=BASELINE_DETAIL),
        Target("pm_schedules forecast", "/api/v1/pm_schedules/{pm_schedules}/forecast"),
        # Writes last: they change the totals the list targets check.
        Target(
            "pm_schedules create",
            "/api/v1/pm_schedules",
            method="POST",
            body='{"pm_schedule": {"type": "persistent", "start_date": "2026-01-05T08:00:00Z", "time_to_complete": 2, '
            '"repeat_frequency": "week", "on_week_days": [1, 4], "template_work_order_attributes": {"title": '
            '"Bench PM", "technicians_ids": [{assignee}], "checklist": [{"text": "Inspect"}]}}}',
        ),
    ],
}

# What a resource's rows refer to, generated beside them (row count -> other resources' counts), so the
# benchmarked shapes carry real references: assets at locations, with technicians and vendors.
SUPPORT: dict[str, Callable[[int], dict[str, int]]] = {
    "assets": lambda rows: {"users": 300, "vendors": 200, "locations": max(10, rows // 100)},
    "parts": lambda rows: {"users": 300, "vendors": 200, "locations": 100, "assets": 2_000},
    "pm_schedules": lambda rows: {
        "users": 300,
        "vendors": 200,
        "locations": max(10, rows // 100),
        "assets": max(10, rows // 20),
        "work_orders": max(10, rows // 10),
    },
    "vendors": lambda rows: {"users": 300, "locations": 100, "assets": 2_000},
    "work_order_requests": lambda rows: {"users": 300, "locations": max(10, rows // 100), "assets": 2_000},
    "work_orders": lambda rows: {
        "users": 300,
        "vendors": 200,
        "locations": max(10, rows // 100),
        "assets": max(10, rows // 20),
    },
}
