"""Request bodies on every operation that takes one: mass assignment and malformed input.

- A field the server owns (ids, the entity and customer, timestamps, authors, anything computed in the answer) is
  not part of any body: sending it, inside or beside the wrapper, is 422 naming it (docs/api.md: a field that is not
  part of the resource is never silently dropped), and nothing changes.
- A body the server cannot use (not JSON, not an object, the wrong wrapper, wrong types, huge or NUL-holding
  strings, absurd numbers, deep nesting) is a 4xx error envelope, never a 500, and nothing changes.

Every call targets the home side's real records, so a body that got through would show as a change.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.contract.operations.catalog import WITH_BODY, Operation, each, minimal_body, minimal_query, resolve, types_of
from tests.contract.operations.world import World, request
from tests.contract.support import Cases, assert_error

# Never in a body: the server sets them.
SERVER_OWNED = ("id", "entity_id", "customer_id", "created_at", "updated_at", "created_by_id", "updated_by_id",
                "created_by", "updated_by")  # fmt: skip


def _send(world: World, op: Operation, body: Any = None, raw: bytes | None = None) -> httpx.Response:
    home = world.home
    return request(world.client, op, home.ids(op), token=home.tenant.token, entity_id=home.entity_id,
                   body=body, raw=raw, query=minimal_query(op))  # fmt: skip


def _wrapped(op: Operation, fields: dict[str, Any]) -> dict[str, Any]:
    """The minimal body with `fields` added inside the wrapper (or to the flat body)."""
    body = minimal_body(op)
    assert isinstance(body, dict), body
    if op.wrapper is None:
        return body | fields
    return body | {op.wrapper: body[op.wrapper] | fields}


def _path(op: Operation, field: str) -> str:
    return f"{op.wrapper}.{field}" if op.wrapper else field


def _named(errors: dict[str, list[str]], path: str) -> bool:
    """`errors` names the field (a union's branches add a suffix: `part.min_qty.decimal`)."""
    return any(key == path or key.startswith(path + ".") for key in errors)


def _refused(response: httpx.Response, *paths: str) -> None:
    body = assert_error(response, 422)
    unnamed = [path for path in paths if not _named(body["errors"], path)]
    assert not unnamed, f"not named: {unnamed} in {sorted(body['errors'])}"


# ---- mass assignment --------------------------------------------------------------------------------------------


@each(WITH_BODY)
def test_no_body_accepts_a_server_owned_field(op: Operation) -> None:
    """The document itself: no body declares a field the server owns."""
    assert not set(op.fields) & set(SERVER_OWNED), sorted(set(op.fields) & set(SERVER_OWNED))


@each(WITH_BODY)
def test_server_owned_and_computed_fields_are_refused(world: World, op: Operation) -> None:
    # What the answer shows but the body does not take: the fields the server owns or computes.
    owned = sorted((set(SERVER_OWNED) | op.response_fields) - set(op.fields))
    stranger = world.stranger
    # Values worth stealing: another customer's entity, people and record.
    values: dict[str, Any] = {
        "id": next(iter(stranger.ids(op).values()), 1),
        "entity_id": stranger.entity_id,
        "customer_id": stranger.tenant.customer_id,
        "created_by_id": stranger.tenant.admin_id,
        "updated_by_id": stranger.tenant.admin_id,
        "created_by": {"id": stranger.tenant.admin_id},
        "updated_by": {"id": stranger.tenant.admin_id},
        "created_at": "2001-02-03T04:05:06Z",
        "updated_at": "2001-02-03T04:05:06Z",
    }
    sent = {name: values.get(name, 1) for name in owned}
    cases = Cases()
    with world.unchanged(op.key):
        with cases.case("inside the body"):
            response = _send(world, op, _wrapped(op, sent))
            errors = assert_error(response, 422)["errors"]
            # A field the schema takes only to refuse it in the service (`on_hand_qty` in a part update, with a
            # message naming the action to use) is named once the rest of the body is valid: alone.
            for name in [name for name in owned if not _named(errors, _path(op, name))]:
                _refused(_send(world, op, _wrapped(op, {name: sent[name]})), _path(op, name))
        if op.wrapper is not None:
            with cases.case("beside the wrapper"):
                body = minimal_body(op) | {name: values[name] for name in SERVER_OWNED}
                _refused(_send(world, op, body), *SERVER_OWNED)
    cases.verify()


# ---- malformed input --------------------------------------------------------------------------------------------

NOT_JSON = {"status": "error", "message": "Request body is not valid JSON"}


def _wrong_type(schema: dict[str, Any]) -> Any:
    """A value of a JSON type the field does not admit (none of the lax conversions reads it either)."""
    admitted = types_of(schema)
    return [[1]] if "object" in admitted else {"wrong": [1]}


def _typed_fields(op: Operation, *kinds: str) -> list[str]:
    return [name for name, schema in op.fields.items() if types_of(schema) & set(kinds)]


def _max_length(op: Operation, field: str) -> int:
    schema = resolve(op.fields[field])
    return max([b.get("maxLength", 0) for b in schema.get("anyOf", [schema])])


def _with_raw(op: Operation, field: str, value: bytes) -> bytes:
    """The minimal body as JSON text, with `field` holding `value` written as is (what json.dumps cannot write)."""
    marker = "__raw_value__"
    return json.dumps(_wrapped(op, {field: marker})).encode().replace(f'"{marker}"'.encode(), value)


@each(WITH_BODY)
def test_malformed_bodies_are_4xx(world: World, op: Operation) -> None:
    cases = Cases()
    required = op.spec.get("requestBody", {}).get("required", False)
    with world.unchanged(op.key):
        for raw in (b'{"a": ', b"\xff\xfe{}", b'{"a": 1}}'):
            with cases.case(f"not JSON {raw[:12]!r}"):
                response = _send(world, op, raw=raw)
                assert response.status_code == 400, response.text
                assert response.json() == NOT_JSON
        with cases.case("nested 5000 deep"):
            response = _send(world, op, raw=b"[" * 5000 + b"]" * 5000)
            assert response.status_code == 422, response.text
            assert "more than 32 levels deep" in response.json()["message"]
        for value in ([], [minimal_body(op)], 5, "text", *([None] if required else [])):
            with cases.case(f"not an object: {value!r}"):
                assert_error(_send(world, op, raw=json.dumps(value).encode()), 422)
        if op.wrapper is not None:
            for body in ({"wrong": minimal_body(op)[op.wrapper]}, {op.wrapper: "x"}, {op.wrapper: []}, {op.wrapper: 5}):
                with cases.case(f"wrong wrapper {body!r}"[:60]):
                    _refused(_send(world, op, body), op.wrapper)
        fields = {name: _wrong_type(schema) for name, schema in op.fields.items() if types_of(schema)}
        if fields:
            with cases.case("wrong types"):
                _refused(_send(world, op, _wrapped(op, fields)), *(_path(op, name) for name in fields))
        texts = _typed_fields(op, "string")
        if texts:
            with cases.case("huge strings"):
                # Longer than any of them may be (and all of them together still within the 1 MiB body limit).
                length = max(10_000, *(_max_length(op, name) + 1 for name in texts))
                huge = {name: "x" * length for name in texts}
                _refused(_send(world, op, _wrapped(op, huge)), *(_path(op, name) for name in texts))
            with cases.case("NUL in a string"):
                assert_error(_send(world, op, _wrapped(op, {texts[0]: "a\x00b"})), 422)
        numbers = _typed_fields(op, "integer", "number")
        if numbers:
            for label, value in (("2**64", 2**64), ("-(2**64)", -(2**64)), ("1e308", 1e308)):
                with cases.case(f"number {label}"):
                    big = {name: value for name in numbers}
                    _refused(_send(world, op, _wrapped(op, big)), *(_path(op, name) for name in numbers))
            for raw_number in (b"NaN", b"-Infinity", b"1e999999"):
                with cases.case(f"number {raw_number!r}"):
                    response = _send(world, op, raw=_with_raw(op, numbers[0], raw_number))
                    assert response.status_code in (400, 422), response.text
                    assert_error(response, response.status_code)
        for depth in (64, 900, 5000):
            name = next(iter(op.fields), None)
            if name is None:
                break
            with cases.case(f"nested {depth} deep"):
                response = _send(world, op, raw=_with_raw(op, name, b"[" * depth + b"1" + b"]" * depth))
                assert response.status_code in (400, 422), response.text
                assert_error(response, response.status_code)
    cases.verify()
