"""§4 filter[<field>_<matcher>]: every matcher of every kind on real data (exact id sets), and every refusal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.contract.resources import ALL_MATCHERS, RESOURCES, Kind, Resource, Sample
from tests.contract.support import (
    MISSING_ID,
    Cases,
    all_ids,
    assert_422,
    assert_error,
    each_resource,
    filter_params,
    id_in,
    matches,
    ok_list,
)
from tests.helpers import Api, Tenant

Probe = str | list[str]
FLAGS: list[Probe] = ["true", "false"]

# ---- one data set per kind: the values the records of a matcher test hold ----------------------------------------

STRING_VALUES: tuple[Any, ...] = (
    "Pump Tech",
    "pump mechanic",
    "PUMP",
    "Electrician",
    "100% sure",
    "100x sure",
    "a_b",
    "axb",
    "back\\slash",
    "",
    "   ",
)
VALUES: dict[Kind, tuple[Any, ...]] = {
    Kind.STRING: STRING_VALUES,
    Kind.INTEGER: (0, 5, 10, 10, 20, -3),
    Kind.DECIMAL: (Decimal("0"), Decimal("12.5"), Decimal("40"), Decimal("99.99"), Decimal("100.01")),
    Kind.BOOLEAN: (True, False, True, False, True),
    Kind.DATE: (date(2024, 1, 1), date(2024, 6, 15), date(2025, 3, 1), date(2025, 3, 1)),
    Kind.DATETIME: (
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 6, 15, 12, 30, tzinfo=UTC),
        datetime(2025, 3, 1, 8, tzinfo=UTC),
        datetime(2025, 3, 1, 8, tzinfo=UTC),
    ),
}

# Pivot, extra spellings of `eq`, and the `in` list, for the ordered kinds.
ORDERED: dict[Kind, tuple[str, list[str], str, list[str]]] = {
    Kind.INTEGER: ("10", ["-3", "20"], "0,20", ["5", "-3"]),
    Kind.DECIMAL: ("40", ["12.50", "100.010"], "0,99.99", ["12.5", "100.01"]),
    Kind.DATE: ("2024-06-15", ["2025-03-01"], "2024-01-01,2025-03-01", ["2024-06-15"]),
    Kind.DATETIME: (
        "2024-06-15T12:30:00Z",
        ["2024-06-15T14:30:00+02:00", "2024-06-15T12:30:00", "2025-03-01T08:00:00.000Z"],
        "2024-01-01T00:00:00Z,2025-03-01T08:00:00Z",
        ["2024-06-15T12:30:00Z"],
    ),
}


# A to-many `*_id` (MEMBERSHIP): which of four linked records each record of the data set links to. The fourth is
# linked to no record at all (a probe for it must select nothing, or everything when negated).
LINK_SETS: tuple[tuple[int, ...], ...] = ((0,), (0, 1), (1, 2), (2,), (), (0, 1, 2))


def link_probes(matcher: str, targets: list[int]) -> list[Probe]:
    a, b, c, unlinked = (str(t) for t in targets)
    missing = str(MISSING_ID)
    table: dict[str, list[Probe]] = {
        "eq": [a, c, unlinked, missing],
        "not_eq": [a, unlinked],
        "in": [f"{a},{c}", [b], f"{unlinked},{missing}", f" {b} , {c} "],
        "not_in": [f"{a},{b}", [c], unlinked],
        "null": FLAGS,
        "not_null": FLAGS,
    }
    return table[matcher]


def values_for(resource: Resource, sample: Sample) -> tuple[Any, ...]:
    spec = resource.filterable[sample.field]
    if spec.kind == Kind.ENUM:
        base: tuple[Any, ...] = tuple(spec.choices[i % len(spec.choices)] for i in range(max(5, len(spec.choices))))
    else:
        base = VALUES[spec.kind]
    return (*base, None) if sample.nullable else base


def probes(kind: Kind, matcher: str, choices: tuple[str, ...] = ()) -> list[Probe]:
    if matcher in ("null", "not_null", "present", "blank", "true", "false"):
        return FLAGS
    if kind == Kind.STRING:
        return {
            "eq": ["Pump Tech", "pump tech", "", "nothing"],
            "not_eq": ["Pump Tech", ""],
            "cont": ["PUMP", "%", "_", "a_b", "\\", "100% s", "Sure"],
            "not_cont": ["pump", "%", "_"],
            "start": ["pump", "a_", "100%"],
            "end": ["TECH", "_b", "% SURE"],
            "in": ["Pump Tech,Electrician", ["PUMP", "axb"], "PUMP, axb"],
            "not_in": ["Pump Tech,Electrician", ["PUMP"]],
        }[matcher]
    if kind == Kind.BOOLEAN:
        return {"eq": ["true", "false", "1", "0"], "not_eq": ["true", "false"]}[matcher]
    if kind == Kind.ENUM:
        first, second = choices[0], choices[1]
        return {
            "eq": [second],
            "not_eq": [first],
            "in": [f"{first},{second}", [second]],
            "not_in": [first],
        }[matcher]
    pivot, spellings, in_csv, in_list = ORDERED[kind]
    return {
        "eq": [pivot, *spellings],
        "not_eq": [pivot],
        "lt": [pivot],
        "lteq": [pivot],
        "gt": [pivot],
        "gteq": [pivot],
        "in": [in_csv, in_list],
        "not_in": [in_csv, in_list],
    }[matcher]


def _sample_cases() -> Iterator[Any]:
    for resource in RESOURCES:
        for sample in resource.samples:
            yield pytest.param(resource, sample, id=f"{resource.name}-{sample.field}")


def _check(
    api: Api,
    resource: Resource,
    key: str,
    probe: Probe,
    restrict: list[tuple[str, str]],
    expected: set[int],
) -> None:
    params = filter_params(key, probe) + restrict
    body = ok_list(api, resource, [*params, ("per_page", "100")])
    got = {item["id"] for item in body["data"]}
    assert got == expected, f"got {sorted(got)}, expected {sorted(expected)}"
    assert body["meta"]["pagination"]["total"] == len(expected)
    echo = {k.removeprefix("filter[").removesuffix("]"): v for k, v in restrict}
    assert body["meta"]["filter"] == {key: probe, **echo}
    # With one row a page the total comes from a real count, not from the rows at hand.
    small = ok_list(api, resource, [*params, ("per_page", "1")])
    assert small["meta"]["pagination"]["total"] == len(expected), "per_page=1"
    assert {item["id"] for item in small["data"]} <= expected


def _make_records(
    session: Session, tenant: Tenant, resource: Resource, sample: Sample
) -> tuple[dict[int, Any], list[int]]:
    """({record id: the value its field holds}, linked records). For a MEMBERSHIP the value is the set of ids the
    record links to, out of four linked records made first; other kinds link nothing."""
    if resource.filterable[sample.field].kind != Kind.MEMBERSHIP:
        values = values_for(resource, sample)
        return {resource.create(session, tenant, **{sample.keyword: v}): v for v in values}, []
    assert sample.target is not None, f"{sample.field}: a membership sample needs the factory of its targets"
    targets = [sample.target(session, tenant) for _ in range(4)]
    links = [frozenset(targets[i] for i in chosen) for chosen in LINK_SETS]
    return {resource.create(session, tenant, **{sample.keyword: sorted(v)}): v for v in links}, targets


@pytest.mark.parametrize(("resource", "sample"), _sample_cases())
def test_every_matcher_on_real_data(
    api: Api, session: Session, tenant: Tenant, resource: Resource, sample: Sample
) -> None:
    """Records holding the kind's data set; every matcher of the kind, with several probes each, selects exactly
    the ids the oracle (docs/api.md semantics) says."""
    spec = resource.filterable[sample.field]
    records, targets = _make_records(session, tenant, resource, sample)
    session.commit()
    restrict = [id_in(records)]
    cases = Cases()
    name = sample.field.removesuffix("_id")
    refs = resource.shown_links.get(sample.field, lambda item: item[name])
    if targets and refs is not None:
        # The links the data set wrote are the ones the server shows (item["categories"] for categories_id, ...).
        with cases.case("links shown"):
            body = ok_list(api, resource, [*restrict, ("per_page", "100")])
            shown = {item["id"]: {ref["id"] for ref in refs(item)} for item in body["data"]}
            assert shown == records
    for matcher in spec.matchers:
        sizes = []
        for probe in link_probes(matcher, targets) if targets else probes(spec.kind, matcher, spec.choices):
            expected = {i for i, v in records.items() if matches(spec.kind, matcher, probe, v)}
            sizes.append(len(expected))
            with cases.case(f"filter[{sample.field}_{matcher}]={probe!r}"):
                _check(api, resource, f"{sample.field}_{matcher}", probe, restrict, expected)
        # The data set must let each matcher tell records apart (selecting all or nothing could not fail).
        with cases.case(f"{matcher}: data set"):
            trivial = matcher in ("null", "not_null") and not sample.nullable and not targets
            assert trivial or any(0 < n < len(records) for n in sizes), sizes
    cases.verify()


@each_resource()
def test_id_matchers_over_the_whole_scope(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    """`id` is an integer every record has: the oracle runs over every id of the scope, with no other filter."""
    for _ in range(5):
        resource.create(session, tenant)
    session.commit()
    ids = sorted(all_ids(api, resource))
    pivot, low, high = ids[len(ids) // 2], ids[0], ids[-1]
    candidates: dict[str, list[Probe]] = {
        "eq": [str(pivot), str(MISSING_ID)],
        "not_eq": [str(pivot)],
        "lt": [str(pivot), str(low)],
        "lteq": [str(pivot)],
        "gt": [str(pivot), str(high)],
        "gteq": [str(pivot)],
        "in": [f"{low},{high}", [str(low), str(pivot)], f"{pivot},{MISSING_ID}"],
        "not_in": [f"{low},{high}", [str(pivot)]],
        "null": FLAGS,
        "not_null": FLAGS,
    }
    assert set(candidates) == set(resource.filterable["id"].matchers)
    cases = Cases()
    for matcher, values in candidates.items():
        for probe in values:
            expected = {i for i in ids if matches(Kind.INTEGER, matcher, probe, i)}
            with cases.case(f"filter[id_{matcher}]={probe!r}"):
                _check(api, resource, f"id_{matcher}", probe, [], expected)
    cases.verify()


# ---- refusals -------------------------------------------------------------------------------------------------


def _smoke_value(resource: Resource, name: str, matcher: str) -> str:
    spec = resource.filterable[name]
    if matcher in ("null", "not_null", "present", "blank", "true", "false"):
        return "true"
    value = {
        Kind.STRING: "x",
        Kind.INTEGER: "1",
        Kind.DECIMAL: "1.5",
        Kind.BOOLEAN: "true",
        Kind.DATE: "2024-06-15",
        Kind.DATETIME: "2024-06-15T12:30:00Z",
        Kind.MEMBERSHIP: "1",
    }.get(spec.kind) or spec.choices[0]
    return f"{value},{value}" if matcher in ("in", "not_in") else value


def _client(api: Api, resource: Resource) -> Api:
    return api.as_entity(api.entity_id if resource.entity_header else None)


@each_resource()
def test_every_field_takes_exactly_its_matchers(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    """Each filterable field answers 200 for each matcher of its kind and 422 (naming it) for every other."""
    resource.create(session, tenant)
    session.commit()
    cases = Cases()
    for name, spec in resource.filterable.items():
        for matcher in ALL_MATCHERS:
            key = f"{name}_{matcher}"
            value = _smoke_value(resource, name, matcher)
            with cases.case(f"filter[{key}]={value}"):
                response = _client(api, resource).get(resource.list_path, params={f"filter[{key}]": value})
                if matcher in spec.matchers:
                    assert response.status_code == 200, response.text
                    meta = response.json()["meta"]
                    assert meta["filter"] == {key: value}
                    assert meta["pagination"]["total"] == len(response.json()["data"])
                else:
                    body = assert_422(response, f"filter[{key}]")
                    assert set(body["errors"]) == {f"filter[{key}]"}
    cases.verify()


MALFORMED: dict[Kind, list[str]] = {
    Kind.INTEGER: ["abc", "1.5", "", "1e3", "0x10", "--1", "1_0", "\u0661\u0662", "\uff11"],
    Kind.DECIMAL: ["abc", "NaN", "Infinity", "-inf", "1,5", "", "1.2.3", "1_0", "\u0661\u0662", "1e999999999"],
    Kind.DATE: ["2025-13-01", "2025-02-30", "abc", "", "15/06/2024", "2024-6-15", "2024-06-15T00:00:00", "0000-01-01"],
    Kind.DATETIME: ["abc", "2025-02-30T00:00:00Z", "", "2025-01-01T25:00:00Z", "yesterday"],
    Kind.BOOLEAN: ["maybe", "", "2", "truthy"],
    Kind.ENUM: ["nonmember", "", "*"],
    Kind.MEMBERSHIP: ["abc", "1.5", "", "1e3", "\u0661", "9" * 20],
}


@each_resource()
def test_malformed_value_is_422(api: Api, resource: Resource) -> None:
    """A value that is not of the field's kind is a 422 naming the parameter, alone or inside an `in` list."""
    client = _client(api, resource)
    cases = Cases()
    seen: set[Kind] = set()
    for name, spec in resource.filterable.items():
        if spec.kind in seen or spec.kind not in MALFORMED:
            continue
        seen.add(spec.kind)
        bad = MALFORMED[spec.kind] + ([spec.choices[0].upper()] if spec.kind == Kind.ENUM else [])
        ok = _smoke_value(resource, name, "eq")
        for value in bad:
            with cases.case(f"{name}={value!r}"):
                key = f"filter[{name}_eq]"
                assert_422(client.get(resource.list_path, params={key: value}), key)
                if "," not in value:
                    key = f"filter[{name}_in]"
                    assert_422(client.get(resource.list_path, params={key: f"{ok},{value}" if value else ","}), key)
                if value.strip() and "," not in value:
                    key = f"filter[{name}_not_in][]"
                    assert_422(client.get(resource.list_path, params=[(key, ok), (key, value)]), key)
        with cases.case(f"{name}_null=maybe"):
            assert_422(client.get(resource.list_path, params={f"filter[{name}_null]": "maybe"}), f"filter[{name}_null]")
    cases.verify()


OTHER_DATE_FORMS = ["20240615", "2024-W24-6", "2024W246", "2024-W24"]


@each_resource(*(r for r in RESOURCES if any(f.kind == Kind.DATE for f in r.filterable.values())))
def test_date_takes_only_the_documented_form(api: Api, resource: Resource) -> None:
    client = _client(api, resource)
    cases = Cases()
    for name in (n for n, f in resource.filterable.items() if f.kind == Kind.DATE):
        for value in OTHER_DATE_FORMS:
            for matcher in ("eq", "lt", "in"):
                key = f"filter[{name}_{matcher}]"
                with cases.case(f"{key}={value}"):
                    assert_422(client.get(resource.list_path, params={key: value}), key)
    cases.verify()


BAD_KEYS = [
    "filter[nosuchfield_eq]",
    "filter[{s}_foo]",
    "filter[{s}]",
    "filter[{s}_]",
    "filter[_eq]",
    "filter[]",
    "filter",
    "filter[{S}_eq]",
    "filter[{s}_eq]x",
    "filter[{s}_eq][0]",
    "filter[{s}_cont][]",
    "filter[{s}_null]",
    "filter[{s}_present]",
]


@each_resource()
def test_unknown_filter_or_bad_flag_is_422(api: Api, resource: Resource) -> None:
    string_field = next(n for n, f in resource.filterable.items() if f.kind == Kind.STRING)
    cases = Cases()
    for param in BAD_KEYS:
        key = param.format(s=string_field, S=string_field.upper())
        value = "maybe" if key.endswith(("_null]", "_present]")) else "x"
        with cases.case(f"{key}={value}"):
            body = assert_422(_client(api, resource).get(resource.list_path, params={key: value}), key)
            assert set(body["errors"]) == {key}
    cases.verify()


@each_resource()
def test_in_without_values_or_given_twice_is_422(api: Api, resource: Resource) -> None:
    client = _client(api, resource)
    cases = Cases()
    for value in ("", ",", " , ", ",,"):
        with cases.case(f"id_in={value!r}"):
            assert_422(client.get(resource.list_path, params={"filter[id_in]": value}), "filter[id_in]")
    for key in ("filter[id_eq]", "filter[id_in]", "filter[id_null]"):
        with cases.case(f"{key} twice"):
            assert_422(client.get(resource.list_path, params=[(key, "1"), (key, "2")]), key)
    cases.verify()


@each_resource()
def test_same_filter_in_both_spellings_is_422(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    a, b = resource.create(session, tenant), resource.create(session, tenant)
    session.commit()
    params = [("filter[id_in]", str(a)), ("filter[id_in][]", str(b))]
    body = assert_error(_client(api, resource).get(resource.list_path, params=params), 422)
    assert {"filter[id_in]", "filter[id_in][]"} & set(body["errors"])


@each_resource()
def test_every_problem_is_named(api: Api, resource: Resource) -> None:
    """Several bad parameters at once: `errors` names each of them."""
    params = [("filter[id_eq]", "x"), ("filter[nosuch_eq]", "1"), ("per_page", "0"), ("sort", "nosuch"), ("foo", "1")]
    body = assert_422(_client(api, resource).get(resource.list_path, params=params), *(k for k, _ in params))
    assert set(body["errors"]) == {k for k, _ in params}


@each_resource()
def test_filters_combine_with_and(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    a, b, c = (resource.create(session, tenant) for _ in range(3))
    session.commit()
    body = ok_list(api, resource, [("filter[id_in]", f"{a},{b}"), ("filter[id_not_eq]", str(a))])
    assert [item["id"] for item in body["data"]] == [b]
    assert c not in [item["id"] for item in body["data"]]
