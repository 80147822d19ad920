"""Cross-entity and cross-customer access, on every operation of the document.

A record of another entity or another customer answers exactly like a missing one (404, the same body) and the
request changes nothing; an X-Entity-Id on which the caller holds no role is 403 (docs/api.md "Errors").
"""

from __future__ import annotations

from httpx import Response

from tests.contract.operations.catalog import OPERATIONS, WITH_IDS, Operation, each, minimal_body, minimal_query
from tests.contract.operations.world import Side, World, request
from tests.contract.support import Cases, assert_error

SCOPED = tuple(op for op in OPERATIONS if op.scoped)
# An entity is reached through the caller's role in it, whatever X-Entity-Id says: the record the access test uses
# is one on which the caller holds no role at all, so there is no entity it could be reached from.
REACHED_BY_ROLE = {"/entities/{id}"}
REACHABLE = tuple(op for op in WITH_IDS if op.prefix(op.path_params[0]) not in REACHED_BY_ROLE)


def _call(world: World, op: Operation, caller: Side, ids: dict[str, int], entity_id: int | None = None) -> Response:
    return request(
        world.client,
        op,
        ids,
        token=caller.tenant.token,
        entity_id=entity_id or caller.entity_id,
        body=minimal_body(op),
        query=minimal_query(op),
    )


def _assert_like_missing(op: Operation, foreign: Response, missing: Response) -> None:
    assert missing.status_code == 404, (
        f"with missing ids {op.key} answers {missing.status_code} {missing.text}, not 404: if its body is refused, "
        "give a valid one in tests/contract/operations/catalog.py BODIES"
    )
    assert_error(missing, 404)
    assert foreign.status_code == 404, f"{foreign.status_code} {foreign.text} (with missing ids: 404 {missing.text})"
    assert foreign.json() == missing.json()


@each(WITH_IDS)
def test_records_of_other_entities_and_customers_look_missing(world: World, op: Operation) -> None:
    cases = Cases()
    home = world.home
    with world.unchanged(op.key):
        for caller in (world.sibling, world.stranger):
            with cases.case(f"{caller.name} calls {home.name}'s record"):
                foreign = _call(world, op, caller, home.ids(op))
                missing = _call(world, op, caller, home.ids(op, missing=op.path_params))
                _assert_like_missing(op, foreign, missing)
    # A nested record reached through a parent of the caller's own (`/work_orders/<mine>/costs/<theirs>`): from
    # another entity, another customer, and within the entity through another parent.
    if len(op.path_params) > 1:
        parent, *nested = op.path_params
        other_parent = world.fresh(op)[parent]
        with world.unchanged(op.key):
            for caller in (world.sibling, world.stranger, world.home):
                with cases.case(f"{caller.name}'s own {parent}, {home.name}'s {', '.join(nested)}"):
                    own = caller.ids(op, missing=tuple(nested))
                    if caller is home:
                        own[parent] = other_parent
                    foreign = _call(world, op, caller, home.ids(op) | {parent: own[parent]})
                    missing = _call(world, op, caller, own)
                    _assert_like_missing(op, foreign, missing)
    cases.verify()


@each(REACHABLE)
def test_own_records_are_reachable(world: World, op: Operation) -> None:
    """The control of the test above: in the record's own entity the same call finds the record (on fresh
    records, since it may change or delete them): it is not answered like a missing one."""
    home = world.home
    response = _call(world, op, home, world.fresh(op))
    missing = _call(world, op, home, home.ids(op, missing=op.path_params))
    assert (response.status_code, response.content) != (missing.status_code, missing.content), response.text
    if op.method == "GET":
        assert response.status_code == 200, response.text


@each(SCOPED)
def test_entity_without_a_role_is_403(world: World, op: Operation) -> None:
    """X-Entity-Id of another customer's entity, or of one of the customer's on which the caller has no role."""
    cases = Cases()
    home = world.home
    with world.unchanged(op.key):
        for label, entity in (("other customer's", world.stranger.entity_id), ("roleless", world.roleless_entity)):
            with cases.case(label):
                response = _call(world, op, home, home.ids(op), entity_id=entity)
                assert_error(response, 403, f"You do not have permission on entity {entity}")
    cases.verify()
