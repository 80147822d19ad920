"""§5 sort: every sortable field both ways, multi-key, ties broken by id (paging never repeats or skips), refusals."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.contract.resources import RESOURCES, Resource
from tests.contract.support import Cases, assert_422, each_resource, get_list, id_in, ok_list
from tests.helpers import Api, Tenant

Item = Mapping[str, Any]


def _create_rows(session: Session, tenant: Tenant, resource: Resource) -> list[int]:
    ids = [resource.create(session, tenant, **row) for row in resource.sort_rows]
    session.commit()
    return ids


def _value(resource: Resource, item: Item, name: str) -> Any:
    getter = resource.sort_value.get(name)
    return getter(item) if getter is not None else item[name]


def expected_orders(resource: Resource, items: Sequence[Item], terms: Sequence[tuple[str, str]]) -> list[list[int]]:
    """The id order the terms define, ties broken by id in the direction of the last term.

    Where NULLs go is not specified, so both placements are returned (NULLs lowest, or NULLs highest); the server
    must produce one of them.
    """
    orders = []
    for nulls_low in (True, False):
        ordered = sorted(items, key=lambda it: it["id"], reverse=terms[-1][1] == "desc")
        for name, direction in reversed(terms):

            def key(item: Item, name: str = name, nulls_low: bool = nulls_low) -> tuple[int, Any]:
                value = _value(resource, item, name)
                if value is None:
                    return (0 if nulls_low else 2, 0)
                return (1, value)

            ordered = sorted(ordered, key=key, reverse=direction == "desc")
        orders.append([it["id"] for it in ordered])
    return orders


def _walk(api: Api, resource: Resource, params: list[tuple[str, str]]) -> list[int]:
    """Every id, one page of one row at a time."""
    seen: list[int] = []
    page = 1
    while True:
        body = ok_list(api, resource, [*params, ("per_page", "1"), ("page", str(page))])
        if not body["data"]:
            assert page == body["meta"]["pagination"]["total"] + 1
            return seen
        seen += [item["id"] for item in body["data"]]
        page += 1


def _sort_cases() -> Iterator[Any]:
    for resource in RESOURCES:
        for name in resource.sortable:
            yield pytest.param(resource, name, id=f"{resource.name}-{name}")


@pytest.mark.parametrize(("resource", "name"), _sort_cases())
def test_sort_by_each_field(api: Api, session: Session, tenant: Tenant, resource: Resource, name: str) -> None:
    ids = _create_rows(session, tenant, resource)
    restrict = [id_in(ids)]
    results: dict[str, list[int]] = {}
    for direction in ("asc", "desc"):
        body = ok_list(api, resource, [*restrict, ("sort", f"{name} {direction}"), ("per_page", "100")])
        assert body["meta"]["sort"] == [f"{name} {direction}"]
        items = body["data"]
        got = [item["id"] for item in items]
        assert sorted(got) == sorted(ids)
        values = [_value(resource, item, name) for item in items]
        # The rows must make this sort observable: 2+ values, and an order other than plain id order.
        assert len({v for v in values if v is not None}) >= 2, f"sort_rows give {name} too few distinct values"
        assert name == "id" or got not in (sorted(ids), sorted(ids, reverse=True)), f"{name}: id order"
        assert got in expected_orders(resource, items, [(name, direction)]), f"{name} {direction}: {values}"
        # Paging one row at a time gives the same order: every id exactly once.
        assert _walk(api, resource, [*restrict, ("sort", f"{name} {direction}")]) == got
        results[direction] = got
    # With ties broken by id in the sort's own direction, descending is exactly ascending reversed.
    assert results["desc"] == results["asc"][::-1]


@each_resource()
def test_multi_key_sort(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    ids = _create_rows(session, tenant, resource)
    terms = [tuple(term.split()) for term in resource.multi_sort.split(",")]
    body = ok_list(api, resource, [id_in(ids), ("sort", resource.multi_sort), ("per_page", "100")])
    assert body["meta"]["sort"] == [" ".join(t) for t in terms]
    got = [item["id"] for item in body["data"]]
    assert got in expected_orders(resource, body["data"], terms)  # type: ignore[arg-type]
    # The second key matters: sorting by the first alone orders the ties differently.
    first_only = ok_list(api, resource, [id_in(ids), ("sort", " ".join(terms[0])), ("per_page", "100")])
    assert [item["id"] for item in first_only["data"]] != got
    assert _walk(api, resource, [id_in(ids), ("sort", resource.multi_sort)]) == got


@each_resource()
def test_paging_the_whole_list_never_repeats_or_skips(
    api: Api, session: Session, tenant: Tenant, resource: Resource
) -> None:
    """Default sort over many equal values: page by page, every id of the scope shows up exactly once."""
    rows = [{k: v for k, v in row.items() if k not in resource.unique_attrs} for row in resource.sort_rows]
    for row in rows * 4 + [rows[0]] * 4:
        resource.create(session, tenant, **row)
    session.commit()
    full = ok_list(api, resource, [("per_page", "100")])
    everything = [item["id"] for item in full["data"]]
    assert (
        len(everything) == full["meta"]["pagination"]["total"] == resource.real_total(session, tenant, tenant.entity_id)
    )
    walked = _walk(api, resource, [])
    assert walked == everything
    assert len(set(walked)) == len(walked)
    for per_page in ("3", "7"):
        pages: list[int] = []
        page = 1
        while True:
            body = ok_list(api, resource, [("per_page", per_page), ("page", str(page))])
            if not body["data"]:
                break
            pages += [item["id"] for item in body["data"]]
            page += 1
        assert pages == everything, per_page


@each_resource()
def test_default_sort(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    ids = _create_rows(session, tenant, resource)
    body = ok_list(api, resource, [id_in(ids)])
    assert body["meta"]["sort"] == list(resource.default_sort)
    explicit = ok_list(api, resource, [id_in(ids), ("sort", ",".join(resource.default_sort))])
    assert [item["id"] for item in body["data"]] == [item["id"] for item in explicit["data"]]
    terms = [tuple(t.split()) for t in resource.default_sort]
    assert [item["id"] for item in body["data"]] in expected_orders(resource, body["data"], terms)  # type: ignore[arg-type]


@each_resource()
def test_direction_defaults_to_asc(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    ids = _create_rows(session, tenant, resource)
    name = next(n for n in resource.sortable if n != "id")
    bare = ok_list(api, resource, [id_in(ids), ("sort", name)])
    assert bare["meta"]["sort"] == [f"{name} asc"]
    asc = ok_list(api, resource, [id_in(ids), ("sort", f"{name} asc")])
    assert [i["id"] for i in bare["data"]] == [i["id"] for i in asc["data"]]


def _bad_sorts(resource: Resource) -> list[str]:
    field = resource.sortable[1]
    unsortable = next((n for n in resource.filterable if n not in resource.sortable), None)
    bad = [
        "nosuchfield asc",
        "nosuchfield",
        f"{field} sideways",
        f"{field} asc,{field} desc",
        f"{field},{field}",
        f"{field} asc,",
        f",{field} asc",
        f"{field} asc extra",
        f"{field} asc;drop table users",
        f"{field.upper()} asc",
        f"{field}  asc  desc",
        "id asc,nosuchfield desc",
    ]
    if unsortable is not None:
        bad.append(f"{unsortable} asc")
    return bad


@each_resource()
def test_bad_sort_is_422(api: Api, resource: Resource) -> None:
    cases = Cases()
    for value in _bad_sorts(resource):
        with cases.case(repr(value)):
            body = assert_422(get_list(api, resource, [("sort", value)]), "sort")
            assert set(body["errors"]) == {"sort"}
    cases.verify()


@each_resource()
def test_sort_given_twice_is_422(api: Api, resource: Resource) -> None:
    assert_422(get_list(api, resource, [("sort", "id asc"), ("sort", "id desc")]), "sort")
