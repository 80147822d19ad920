"""QR codes of locations and assets: qr_code_attributes, uniqueness in the entity, lookup by filter, SVG/PNG."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import PNG_MAGIC, create_asset, create_location, db_get, db_scalars, error, ids, ok
from tests.helpers import Api, Tenant, make_entity, make_user
from wrenchwork.models import Asset, Location

CODE = "guVT5ngMeZ9xPBIk8db4dCGXVU"
GENERATED = re.compile(r"^[A-Za-z0-9]{26}$")


@dataclass(frozen=True)
class Kind:
    path: str
    wrapper: str
    model: type[Any]

    def create(self, api: Api, name: str, **fields: Any) -> dict[str, Any]:
        if self.wrapper == "asset":
            return create_asset(api, name, **fields)
        return create_location(api, name, **fields)

    def post(self, api: Api, name: str, qr: dict[str, Any]) -> Any:
        return api.post(self.path, json={self.wrapper: {"name": name, "qr_code_attributes": qr}})

    def update(self, api: Api, id_: int, qr: dict[str, Any]) -> Any:
        return api.patch(f"{self.path}/{id_}", json={self.wrapper: {"qr_code_attributes": qr}})


LOCATIONS = Kind("/locations", "location", Location)
ASSETS = Kind("/assets", "asset", Asset)
KINDS = [pytest.param(LOCATIONS, id="locations"), pytest.param(ASSETS, id="assets")]


def stored_code(session: Session, kind: Kind, id_: int) -> str | None:
    row = db_get(session, kind.model, id_)
    assert row is not None
    code: str | None = row.qr_code
    return code


@pytest.mark.parametrize("kind", KINDS)
def test_a_given_value_becomes_the_code(api: Api, session: Session, kind: Kind) -> None:
    data = ok(kind.post(api, "Thing", {"value": CODE}), 201)

    assert data["qr_code"] == CODE
    assert stored_code(session, kind, data["id"]) == CODE
    assert ok(api.get(f"{kind.path}/{data['id']}"))["qr_code"] == CODE
    assert api.get(kind.path).json()["data"][0]["qr_code"] == CODE


@pytest.mark.parametrize("kind", KINDS)
def test_generated_codes_are_unique_random_strings(api: Api, session: Session, kind: Kind) -> None:
    first = ok(kind.post(api, "One", {"generate_qr_code": True}), 201)
    second = ok(kind.post(api, "Two", {"generate_qr_code": True}), 201)

    assert GENERATED.match(first["qr_code"]) and GENERATED.match(second["qr_code"])
    assert first["qr_code"] != second["qr_code"]
    assert stored_code(session, kind, first["id"]) == first["qr_code"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_value_wins_over_generate_and_nothing_asked_means_no_code(api: Api, kind: Kind) -> None:
    both = ok(kind.post(api, "Both", {"value": CODE, "generate_qr_code": True}), 201)
    neither = ok(kind.post(api, "Neither", {"generate_qr_code": False}), 201)
    absent = kind.create(api, "Absent")

    assert both["qr_code"] == CODE
    assert neither["qr_code"] is None
    assert absent["qr_code"] is None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "qr",
    [
        pytest.param({"value": ""}, id="empty"),
        pytest.param({"value": "   "}, id="blank"),
        pytest.param({"value": "x" * 201}, id="too-long"),
        pytest.param({"value": 12345}, id="not-a-string"),
        pytest.param({"generate_qr_code": "please"}, id="generate-not-a-bool"),
        pytest.param({"colour": "red"}, id="unknown-key"),
    ],
)
def test_invalid_qr_attributes_are_422(api: Api, session: Session, kind: Kind, qr: dict[str, Any]) -> None:
    error(kind.post(api, "Thing", qr), 422)

    assert db_scalars(session, select(kind.model.id)) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(LOCATIONS, LOCATIONS, id="location-location"),
        pytest.param(ASSETS, ASSETS, id="asset-asset"),
        pytest.param(LOCATIONS, ASSETS, id="location-then-asset"),
        pytest.param(ASSETS, LOCATIONS, id="asset-then-location"),
    ],
)
def test_a_code_already_used_in_the_entity_is_409_but_another_entity_may_reuse_it(
    api: Api, session: Session, tenant: Tenant, first: Kind, second: Kind
) -> None:
    holder = ok(first.post(api, "Holder", {"value": CODE}), 201)
    other = second.create(api, "Other", qr_code_attributes={"value": "SOMETHING-ELSE"})

    error(second.post(api, "Clash", {"value": CODE}), 409)
    error(second.update(api, other["id"], {"value": CODE}), 409)

    assert stored_code(session, second, other["id"]) == "SOMETHING-ELSE"
    assert db_scalars(session, select(second.model.name).where(second.model.name == "Clash")) == []
    elsewhere = make_entity(session, tenant)
    reused = ok(second.post(api.as_entity(elsewhere), "Elsewhere", {"value": CODE}), 201)
    assert reused["qr_code"] == CODE
    assert stored_code(session, first, holder["id"]) == CODE


@pytest.mark.parametrize("kind", KINDS)
def test_update_sets_regenerates_keeps_and_destroys_the_code(api: Api, session: Session, kind: Kind) -> None:
    thing = kind.create(api, "Thing")

    assert ok(kind.update(api, thing["id"], {"value": CODE}))["qr_code"] == CODE
    assert ok(kind.update(api, thing["id"], {"value": CODE}))["qr_code"] == CODE  # its own code is no clash
    untouched = ok(api.patch(f"{kind.path}/{thing['id']}", json={kind.wrapper: {"name": "Renamed"}}))
    assert untouched["qr_code"] == CODE
    regenerated = ok(kind.update(api, thing["id"], {"generate_qr_code": True}))["qr_code"]
    assert GENERATED.match(regenerated) and regenerated != CODE
    assert stored_code(session, kind, thing["id"]) == regenerated

    destroyed = ok(kind.update(api, thing["id"], {"_destroy_qr_code": True}))

    assert destroyed["qr_code"] is None
    assert stored_code(session, kind, thing["id"]) is None
    error(api.get(f"{kind.path}/{thing['id']}/qr_code.svg"), 404)
    # A freed code can be used again.
    assert ok(kind.post(api, "Next", {"value": regenerated}), 201)["qr_code"] == regenerated


@pytest.mark.parametrize("kind", KINDS)
def test_filter_qr_code_eq_finds_the_record(api: Api, session: Session, tenant: Tenant, kind: Kind) -> None:
    target = ok(kind.post(api, "Target", {"value": CODE}), 201)
    kind.create(api, "Other", qr_code_attributes={"value": CODE + "X"})
    kind.create(api, "None")
    elsewhere = make_entity(session, tenant)
    ok(kind.post(api.as_entity(elsewhere), "Elsewhere", {"value": CODE}), 201)

    assert ids(api.get(kind.path, params={"filter[qr_code_eq]": CODE})) == [target["id"]]
    assert ids(api.get(kind.path, params={"filter[qr_code_eq]": "unknown"})) == []


@pytest.mark.parametrize("kind", KINDS)
def test_qr_images_render_the_code(api: Api, kind: Kind) -> None:
    thing = ok(kind.post(api, "Thing", {"value": CODE}), 201)
    another = ok(kind.post(api, "Another", {"value": "ANOTHER-CODE"}), 201)

    svg = api.get(f"{kind.path}/{thing['id']}/qr_code.svg")
    png = api.get(f"{kind.path}/{thing['id']}/qr_code.png")

    assert svg.status_code == 200, svg.text
    assert svg.headers["content-type"].split(";")[0] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert png.status_code == 200, png.text
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(PNG_MAGIC)
    assert api.get(f"{kind.path}/{another['id']}/qr_code.png").content != png.content
    assert api.get(f"{kind.path}/{another['id']}/qr_code.svg").content != svg.content


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("extension", ["svg", "png"])
def test_qr_images_are_404_without_a_code_or_a_record_here(
    api: Api, session: Session, tenant: Tenant, kind: Kind, extension: str
) -> None:
    bare = kind.create(api, "Bare")
    elsewhere = make_entity(session, tenant)
    theirs = ok(kind.post(api.as_entity(elsewhere), "Theirs", {"value": CODE}), 201)

    error(api.get(f"{kind.path}/{bare['id']}/qr_code.{extension}"), 404)
    error(api.get(f"{kind.path}/{theirs['id']}/qr_code.{extension}"), 404)
    error(api.get(f"{kind.path}/999999/qr_code.{extension}"), 404)


@pytest.mark.parametrize("kind", KINDS)
def test_any_role_can_fetch_the_image_but_only_managers_change_the_code(
    api: Api, session: Session, tenant: Tenant, kind: Kind
) -> None:
    thing = ok(kind.post(api, "Thing", {"value": CODE}), 201)
    _, token = make_user(session, tenant, role="technician")

    assert api.as_key(token).get(f"{kind.path}/{thing['id']}/qr_code.png").content.startswith(PNG_MAGIC)
    error(kind.update(api.as_key(token), thing["id"], {"_destroy_qr_code": True}), 403)
    assert stored_code(session, kind, thing["id"]) == CODE
