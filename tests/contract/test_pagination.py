"""§6 page/per_page, unknown parameters, and search."""

from __future__ import annotations

import math

import pytest
from sqlalchemy.orm import Session

from tests.contract.resources import Resource
from tests.contract.support import Cases, all_ids, assert_422, each_resource, get_list, id_in, ok_list
from tests.helpers import Api, Tenant


def _fill(session: Session, tenant: Tenant, resource: Resource, n: int) -> list[int]:
    ids = [resource.create(session, tenant) for _ in range(n)]
    session.commit()
    return ids


@each_resource()
def test_per_page_default_and_maximum(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    _fill(session, tenant, resource, 101)
    total = resource.real_total(session, tenant, tenant.entity_id)
    assert 100 < total <= 200  # more than the biggest page, two pages of 100
    default = ok_list(api, resource)
    assert len(default["data"]) == 50
    assert default["meta"]["pagination"] == {
        "total": total,
        "page": 1,
        "per_page": 50,
        "total_pages": math.ceil(total / 50),
    }
    biggest = ok_list(api, resource, [("per_page", "100")])
    assert len(biggest["data"]) == 100
    assert biggest["meta"]["pagination"]["total_pages"] == 2
    last = ok_list(api, resource, [("per_page", "100"), ("page", "2")])
    assert len(last["data"]) == total - 100
    assert not {i["id"] for i in last["data"]} & {i["id"] for i in biggest["data"]}


@each_resource()
def test_total_pages_is_ceil(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    ids = _fill(session, tenant, resource, 9)
    cases = Cases()
    for params in ([], [id_in(ids)]):
        total = len(all_ids(api, resource, params))
        for per_page in (1, 2, 3, 4, 7, 9, 10, 11):
            pages = math.ceil(total / per_page)
            seen = []
            with cases.case(f"{params} per_page={per_page}"):
                for page in range(1, pages + 2):
                    body = ok_list(api, resource, [*params, ("per_page", str(per_page)), ("page", str(page))])
                    meta = body["meta"]["pagination"]
                    assert meta == {"total": total, "page": page, "per_page": per_page, "total_pages": pages}
                    expected = 0 if page > pages else min(per_page, total - (page - 1) * per_page)
                    assert len(body["data"]) == expected, page
                    seen += [i["id"] for i in body["data"]]
                assert len(seen) == len(set(seen)) == total
    cases.verify()


@each_resource()
def test_page_far_beyond_the_last(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    _fill(session, tenant, resource, 3)
    total = resource.real_total(session, tenant, tenant.entity_id)
    for page in ("2", "1000", "2147483647"):
        body = ok_list(api, resource, [("page", page)])
        assert body["data"] == []
        assert body["meta"]["pagination"] == {"total": total, "page": int(page), "per_page": 50, "total_pages": 1}
    beyond = str(total + 2)  # some scopes start with rows of their own (a new entity's measurement units)
    filtered = ok_list(api, resource, [("page", beyond), ("per_page", "1"), ("filter[id_gt]", "0")])
    assert filtered["data"] == [] and filtered["meta"]["pagination"]["total"] == total


@each_resource()
def test_astronomical_page_is_not_a_server_error(api: Api, resource: Resource) -> None:
    response = get_list(api, resource, [("page", "99999999999999999999")])
    if response.status_code == 422:
        assert_422(response, "page")
    else:
        assert response.status_code == 200 and response.json()["data"] == []


BAD_PAGING = [
    ("per_page", "0"),
    ("per_page", "101"),
    ("per_page", "abc"),
    ("per_page", ""),
    ("per_page", "-1"),
    ("per_page", "1.5"),
    ("per_page", "1e2"),
    ("per_page", "\u0665"),
    ("per_page", "99999999999999999999"),
    ("page", "0"),
    ("page", "-1"),
    ("page", "abc"),
    ("page", ""),
    ("page", "1.0"),
    ("page", " "),
    ("page", "1_0"),
]


@each_resource()
def test_bad_page_or_per_page_is_422(api: Api, resource: Resource) -> None:
    cases = Cases()
    for name, value in BAD_PAGING:
        with cases.case(f"{name}={value!r}"):
            body = assert_422(get_list(api, resource, [(name, value)]), name)
            assert set(body["errors"]) == {name}
    for name in ("page", "per_page", "search"):
        with cases.case(f"{name} twice"):
            assert_422(get_list(api, resource, [(name, "1"), (name, "2")]), name)
    cases.verify()


UNKNOWN_PARAMETERS = ["foo", "Page", "PER_PAGE", "perpage", "q", "limit", "offset", "order", "filters[id_eq]", "page[]"]


@each_resource()
def test_unknown_query_parameter_is_422(api: Api, resource: Resource) -> None:
    cases = Cases()
    for name in UNKNOWN_PARAMETERS:
        with cases.case(name):
            body = assert_422(get_list(api, resource, [(name, "1")]), name)
            assert set(body["errors"]) == {name}
    cases.verify()


# ---- search ---------------------------------------------------------------------------------------------------

TOKEN = "QxZvq"


def _search_cases() -> list[object]:
    from tests.contract.resources import RESOURCES

    return [pytest.param(r, f, id=f"{r.name}-{f}") for r in RESOURCES for f in r.search]


@pytest.mark.parametrize(("resource", "field"), _search_cases())
def test_search_finds_each_search_field(
    api: Api, session: Session, tenant: Tenant, resource: Resource, field: str
) -> None:
    attr = resource.search_attrs.get(field, field)
    target = resource.create(session, tenant, **{attr: f"pre{TOKEN}post"})
    for _ in range(3):
        resource.create(session, tenant)
    session.commit()
    for query in (TOKEN.lower(), TOKEN.upper(), f"E{TOKEN}P", TOKEN):
        body = ok_list(api, resource, [("search", query)])
        assert [item["id"] for item in body["data"]] == [target], query
        assert body["meta"]["search"] == query
        assert body["meta"]["pagination"]["total"] == 1
    # With one row a page the total is counted, not taken from the page.
    small = ok_list(api, resource, [("search", TOKEN.lower()), ("per_page", "1"), ("page", "2")])
    assert small["data"] == [] and small["meta"]["pagination"]["total"] == 1


@each_resource()
def test_search_ignores_other_fields(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    if resource.unsearched is None:
        pytest.skip(f"{resource.name} has no unsearched text field")
    resource.create(session, tenant, **{resource.unsearched: TOKEN.lower()})
    session.commit()
    body = ok_list(api, resource, [("search", TOKEN.lower())])
    assert body["data"] == [] and body["meta"]["pagination"]["total"] == 0


@each_resource()
def test_search_wildcards_are_literal(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    attr = resource.search_attrs.get(resource.search[0], resource.search[0])
    # Letters, not digits, around the wildcards: other fields of a made row carry counters (user100@...).
    values = {"percent": "rate qz% ok", "plain": "rate qzx ok", "under": "a_b", "nounder": "axb", "bs": "c\\d"}
    ids = {key: resource.create(session, tenant, **{attr: value}) for key, value in values.items()}
    session.commit()
    for query, expected in (("z%", {"percent"}), ("%", {"percent"}), ("a_b", {"under"}), ("\\", {"bs"}),
                            ("qz", {"percent", "plain"}), ("zx", {"plain"})):  # fmt: skip
        body = ok_list(api, resource, [("search", query), id_in(ids.values())])
        assert {item["id"] for item in body["data"]} == {ids[k] for k in expected}, query


@each_resource()
def test_search_combines_with_filters(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    attr = resource.search_attrs.get(resource.search[0], resource.search[0])
    a = resource.create(session, tenant, **{attr: f"one {TOKEN}"})
    b = resource.create(session, tenant, **{attr: f"two {TOKEN}"})
    session.commit()
    body = ok_list(api, resource, [("search", TOKEN), ("filter[id_not_eq]", str(a))])
    assert [item["id"] for item in body["data"]] == [b]
    assert body["meta"]["search"] == TOKEN and body["meta"]["filter"] == {"id_not_eq": str(a)}


@each_resource()
def test_empty_search_is_no_search(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    _fill(session, tenant, resource, 2)
    everything = ok_list(api, resource)
    body = ok_list(api, resource, [("search", "")])
    assert body["meta"]["search"] is None
    assert [i["id"] for i in body["data"]] == [i["id"] for i in everything["data"]]
    assert body["meta"]["pagination"] == everything["meta"]["pagination"]


@each_resource()
def test_search_is_case_insensitive_beyond_ascii(
    api: Api, session: Session, tenant: Tenant, resource: Resource
) -> None:
    attr = resource.search_attrs.get(resource.search[0], resource.search[0])
    target = resource.create(session, tenant, **{attr: "ÉCOLE Müller"})
    session.commit()
    # ASCII terms are matched by the database's own LIKE, the others through a Unicode lower(): same answers.
    for query, found in (("école", [target]), ("MÜLLER", [target]), ("École müller", [target]), ("cole", [target]),
                         ("LLER", [target]), ("Cole M", [target]), ("ecole", []), ("muller", [])):  # fmt: skip
        body = ok_list(api, resource, [("search", query)])
        assert [item["id"] for item in body["data"]] == found, query
    name = resource.search[0]
    for value, found in (("école", [target]), ("COLE", [target]), ("ecole", [])):
        body = ok_list(api, resource, [(f"filter[{name}_cont]", value)])
        assert [item["id"] for item in body["data"]] == found, value
