"""Property: after any sequence of stock actions, the part equals a replay of its ledger and a model of it.

Each example drives a fresh part through the HTTP API with a random mix of restocks, reconciles (some of them
driving stock below zero, which must be refused without a trace), unit-cost and average-cost updates, and
checks after every step: the cached columns equal the ledger's replay, the answer equals the database, and
on-hand stock equals the sum of the accepted quantity changes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.catalog.support import ok
from tests.helpers import Api
from tests.parts.support import assert_ledger_matches, create_part, ledger

QUANTITY = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("500"), places=3)
SIGNED = st.decimals(min_value=Decimal("-300"), max_value=Decimal("300"), places=3).filter(lambda q: q != 0)
COST = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999.99"), places=2)

ACTION = st.one_of(
    st.tuples(st.just("restock"), QUANTITY, COST),
    st.tuples(st.just("reconcile"), SIGNED, st.none()),
    st.tuples(st.just("unit_cost"), st.none(), COST),
    st.tuples(st.just("avg_unit_cost"), st.none(), COST),
)
CENT = Decimal("0.01")


def _number(value: Decimal) -> Any:
    """As a client would send it: a JSON number."""
    return int(value) if value == value.to_integral_value() else float(value)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=3),
    unit=COST,
    actions=st.lists(ACTION, min_size=1, max_size=12),
)
def test_part_always_equals_its_ledger(
    api: Api, session: Session, start: Decimal, unit: Decimal, actions: list[tuple[str, Any, Any]]
) -> None:
    part = create_part(api, "Prop", on_hand_qty=_number(start), unit_cost=_number(unit))
    path = f"/parts/{part['id']}"
    on_hand, avg, unit_cost = start, unit, unit
    accepted = 1
    for kind, quantity, cost in actions:
        body: dict[str, Any] = {}
        if quantity is not None:
            body["quantity"] = _number(quantity)
        if cost is not None:
            body["cost"] = _number(cost)
        if kind == "reconcile":
            body["note"] = "cycle count"
        response = api.patch(f"{path}/{kind}", json=body)
        if kind == "reconcile" and on_hand + quantity < 0:
            assert response.status_code == 422, response.text
        else:
            assert response.status_code == 200, response.text
            accepted += 1
            if kind == "restock":
                weighted = (on_hand * avg + quantity * cost) / (on_hand + quantity) if on_hand > 0 else cost
                avg = weighted.quantize(CENT, rounding=ROUND_HALF_UP)
                on_hand += quantity
            elif kind == "reconcile":
                on_hand += quantity
            elif kind == "unit_cost":
                unit_cost = cost
            else:
                avg = cost
        stock = assert_ledger_matches(session, part["id"])
        assert (stock.on_hand_qty, stock.unit_cost, stock.avg_unit_cost) == (on_hand, unit_cost, avg)
        shown = ok(api.get(path))
        assert (shown["on_hand_qty"], shown["unit_cost"], shown["avg_unit_cost"]) == (
            _number(on_hand), _number(unit_cost), _number(avg)
        )  # fmt: skip
        assert len(ledger(session, part["id"])) == accepted
