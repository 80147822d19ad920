"""Role checks on every operation: the roles ROLE_TABLE declares get past the permission check, the others get
403 `Your role (<role>) does not allow this action`.

Every call names missing records and sends an empty object as its body, so that nothing changes: an allowed role
gets past the check to its 404 or 422, and the check must come first for a refused one to get its 403.
"""

from __future__ import annotations

from tests.contract.operations.catalog import KEYED, OPERATIONS, ROLE_TABLE, Operation, each, minimal_query, roles_for
from tests.contract.operations.world import World, request
from tests.contract.resources import ROLES
from tests.contract.support import Cases, assert_error


def test_every_operation_is_in_the_role_table() -> None:
    """A new operation fails here until ROLE_TABLE says who may call it; a row of a removed one fails too."""
    served = {op.documented_key for op in KEYED}
    assert sorted(served - set(ROLE_TABLE)) == [], "operations missing from ROLE_TABLE"
    assert sorted(set(ROLE_TABLE) - served) == [], "ROLE_TABLE rows of operations the server does not have"


def test_every_api_operation_needs_a_key() -> None:
    """Only /healthz and /readyz (outside /api/v1) answer without one."""
    assert sorted(op.key for op in OPERATIONS if not op.keyed) == []


@each(KEYED)
def test_role_matrix(world: World, op: Operation) -> None:
    allowed = roles_for(op)
    cases = Cases()
    ids = world.home.ids(op, missing=op.path_params)
    with world.unchanged(op.key):
        for role in ROLES:
            with cases.case(role):
                response = request(
                    world.client,
                    op,
                    ids,
                    token=world.role_tokens[role],
                    entity_id=world.home.entity_id,
                    body=None if op.body_schema is None else {},
                    query=minimal_query(op),
                )
                if role in allowed:
                    assert response.status_code != 403, f"{role} may call {op.key}: {response.text}"
                else:
                    assert_error(response, 403, f"Your role ({role}) does not allow this action")
    cases.verify()
