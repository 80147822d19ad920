"""Authentication on every operation: each kind of bad key is 401 `Invalid API key` (the same answer for all), before
anything else about the request is looked at, and changes nothing."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable

from tests.contract.operations.catalog import KEYED, Operation, each, minimal_body, minimal_query
from tests.contract.operations.world import World, request
from tests.contract.support import INVALID_KEY, Cases

Headers = list[tuple[bytes, bytes]]


def _bearer(token: str | bytes) -> Headers:
    raw = token if isinstance(token, bytes) else token.encode()
    return [(b"authorization", b"Bearer " + raw)]


def _unknown() -> str:
    return "ww_" + secrets.token_urlsafe(32)


# The kinds of bad key, as raw headers (some are not even valid text). Each gets the very same 401.
BAD_KEYS: dict[str, Callable[[World], Headers]] = {
    "no Authorization": lambda w: [],
    "Bearer alone": lambda w: [(b"authorization", b"Bearer")],
    "Bearer and a space": lambda w: [(b"authorization", b"Bearer ")],
    "empty header": lambda w: [(b"authorization", b"")],
    "Basic scheme": lambda w: [(b"authorization", b"Basic " + base64.b64encode(f"{w.home.tenant.token}:".encode()))],
    "Token scheme": lambda w: [(b"authorization", f"Token {w.home.tenant.token}".encode())],
    "no scheme": lambda w: [(b"authorization", w.home.tenant.token.encode())],
    "two spaces": lambda w: _bearer(" " + w.home.tenant.token),
    "tab separator": lambda w: [(b"authorization", f"Bearer\t{w.home.tenant.token}".encode())],
    "trailing word": lambda w: _bearer(w.home.tenant.token + " x"),
    "one character more": lambda w: _bearer(w.home.tenant.token + "A"),
    "truncated": lambda w: _bearer(w.home.tenant.token[:-1]),
    "upper case": lambda w: _bearer(w.home.tenant.token.upper()),
    "quoted": lambda w: _bearer(f'"{w.home.tenant.token}"'),
    "unknown": lambda w: _bearer(_unknown()),
    "very long": lambda w: _bearer("ww_" + "a" * 20_000),
    "NUL byte": lambda w: _bearer(w.home.tenant.token.encode() + b"\x00"),
    "non-ASCII": lambda w: _bearer("ww_" + "é" * 43),
    "Latin-1 byte": lambda w: _bearer(b"ww_\xff" + b"a" * 42),
    "revoked key": lambda w: _bearer(w.revoked_token),
    "user deactivated": lambda w: _bearer(w.inactive_token),
    "key in the query string only": lambda w: [],  # sent as ?api_key= below
    "key in X-Api-Key only": lambda w: [(b"x-api-key", w.home.tenant.token.encode())],
    "two Authorization headers": lambda w: [*_bearer(w.home.tenant.token), *_bearer(_unknown())],
}


# Checked on every operation; the others (the same code path) on one operation of each method below.
EVERYWHERE = ("no Authorization", "Bearer alone", "Basic scheme", "unknown", "NUL byte", "revoked key",
              "user deactivated", "two Authorization headers")  # fmt: skip
ONE_PER_METHOD = tuple({op.method: op for op in reversed(KEYED)}.values())


def _check_bad_keys(world: World, op: Operation, kinds: tuple[str, ...]) -> None:
    """Every request names missing records and sends `{}` as its body: with a good key it gets past authentication
    to a 404 or 422 (the control), with a bad one it must not get that far."""
    cases = Cases()
    ids = world.home.ids(op, missing=op.path_params)
    body, query = (None if op.body_schema is None else {}), minimal_query(op)
    with world.unchanged(op.key):
        good = request(world.client, op, ids, token=world.home.tenant.token, entity_id=world.home.entity_id,
                       body=body, query=query)  # fmt: skip
        assert good.status_code != 401, good.text
        for kind in kinds:
            with cases.case(kind):
                headers = BAD_KEYS[kind](world)
                if op.scoped:
                    headers.append((b"x-entity-id", str(world.home.entity_id).encode()))
                params = query | ({"api_key": world.home.tenant.token} if "query string" in kind else {})
                response = world.client.request(
                    op.method, "/api/v1" + op.url(ids), headers=headers, params=params, json=body
                )
                assert response.status_code == 401, response.text
                assert response.json() == INVALID_KEY
    cases.verify()


@each(KEYED)
def test_bad_keys_are_401(world: World, op: Operation) -> None:
    _check_bad_keys(world, op, EVERYWHERE)


@each(ONE_PER_METHOD)
def test_every_kind_of_bad_key_is_401(world: World, op: Operation) -> None:
    _check_bad_keys(world, op, tuple(BAD_KEYS))


@each(KEYED)
def test_bad_key_comes_before_everything_but_the_body_syntax(world: World, op: Operation) -> None:
    """Without a valid key nothing about the entity, the records or the body's fields is revealed: a bad
    X-Entity-Id, a record of another customer, a body of the wrong shape are all the same 401. (Only a body the
    server cannot read at all is refused before the key is looked at: docs/api.md "Errors".)"""
    cases = Cases()
    requests = {
        "no X-Entity-Id": {"entity_id": None},
        "X-Entity-Id not a number": {"entity_id": "abc"},
        "X-Entity-Id of another customer": {"entity_id": world.stranger.entity_id},
        "records of another customer": {"ids": world.stranger.ids(op)},
        "body of the wrong shape": {"body": ["not", "an", "object"]},
    }
    with world.unchanged(op.key):
        for label, changes in requests.items():
            if ("body" in changes and op.body_schema is None) or ("ids" in changes and not op.path_params):
                continue
            with cases.case(label):
                response = request(
                    world.client,
                    op,
                    changes.get("ids", world.home.ids(op, missing=op.path_params)),
                    token=_unknown(),
                    entity_id=changes.get("entity_id", world.home.entity_id),
                    body=changes.get("body", minimal_body(op)),
                    query=minimal_query(op),
                )
                assert response.status_code == 401, response.text
                assert response.json() == INVALID_KEY
        if op.body_schema is not None:
            with cases.case("body not readable as JSON"):
                response = request(world.client, op, world.home.ids(op, missing=op.path_params), token=_unknown(),
                                   entity_id=world.home.entity_id, raw=b'{"a": ', query=minimal_query(op))  # fmt: skip
                assert response.status_code == 400, response.text
                assert response.json() == {"status": "error", "message": "Request body is not valid JSON"}
    cases.verify()
