"""Path and query parameters on every operation: an id that is not a plain integer from 1 to 2147483647 is 422
naming the parameter; a list refuses whatever it does not know (docs/api.md "Lists"), and so does every other
operation that takes query parameters."""

from __future__ import annotations

import httpx
import pytest

from tests.contract.operations.catalog import WITH_IDS, WITH_QUERY, Operation, each, minimal_body, minimal_query
from tests.contract.operations.world import World, request
from tests.contract.support import Cases, assert_error

# Not plain digits, or beyond 32 bits; the last is an Arabic-Indic digit one (Python's int() reads it).
BAD_IDS = ("abc", "0", "-1", "1.5", "1e3", "%00", "2147483648", str(2**63), "\u0661")


@each(WITH_IDS)
def test_malformed_ids_are_422(world: World, op: Operation) -> None:
    cases = Cases()
    home = world.home
    with world.unchanged(op.key):
        for param in op.path_params:
            for bad in BAD_IDS:
                with cases.case(f"{param}={bad}"):
                    ids: dict[str, int | str] = {**home.ids(op), param: bad}
                    response = request(world.client, op, ids, token=home.tenant.token, entity_id=home.entity_id,
                                       body=minimal_body(op), query=minimal_query(op))  # fmt: skip
                    body = assert_error(response, 422)
                    assert param in body["errors"], body
    cases.verify()


LISTS = tuple(op for op in WITH_QUERY if op.is_list)
OTHERS = tuple(op for op in WITH_QUERY if not op.is_list)

# Query parameters a list must refuse (each alone), as (parameter, value): every one is named in `errors`.
BAD_LIST_QUERIES = (
    ("unknown_param", "1"),
    ("filter[no_such_field_eq]", "1"),
    ("filter[id_no_such_matcher]", "1"),
    ("filter[id_eq]", "abc"),
    ("filter", "1"),
    ("sort", "no_such_field"),
    ("sort", "id sideways"),
    ("page", "0"),
    ("page", "-1"),
    ("per_page", "0"),
    ("per_page", "101"),
    ("per_page", "x"),
)


def _get(world: World, op: Operation, params: list[tuple[str, str]]) -> httpx.Response:
    home = world.home
    headers = {"Authorization": f"Bearer {home.tenant.token}"}
    if op.scoped:
        headers["X-Entity-Id"] = str(home.entity_id)
    query = [*minimal_query(op).items(), *params]
    return world.client.get("/api/v1" + op.url(home.ids(op)), params=query, headers=headers)


@each(LISTS)
def test_lists_refuse_what_they_do_not_know(world: World, op: Operation) -> None:
    cases = Cases()
    ok = _get(world, op, [])
    assert ok.status_code == 200, ok.text
    for params in (*([query] for query in BAD_LIST_QUERIES), [("page", "1"), ("page", "2")]):
        with cases.case(f"{params}"):
            body = assert_error(_get(world, op, params), 422)
            assert params[0][0] in body["errors"], body
    cases.verify()


# Known gaps, each left to the change that owns the operation: remove the entry once it is fixed.
KNOWN_GAPS: dict[str, str] = {}


def _marked(op: Operation) -> object:
    gap = KNOWN_GAPS.get(op.key)
    return pytest.param(op, marks=[pytest.mark.xfail(strict=True, reason=gap)] if gap else [], id=op.key)


@pytest.mark.parametrize("op", [_marked(op) for op in OTHERS])
def test_other_operations_refuse_unknown_query_parameters(world: World, op: Operation) -> None:
    body = assert_error(_get(world, op, [("unknown_param", "1")]), 422)
    assert "unknown_param" in body["errors"], body
