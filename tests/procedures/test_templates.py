"""Procedure templates: the documented list item and detail, and the extension create/update/delete."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import LIST_META, TIMESTAMP, db_get, db_rows, db_scalars, error, ids, ok
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.procedures.support import HVAC_ITEMS, attach, create_template
from wrenchwork.models import Procedure, ProcedureAnswer, ProcedureItem, ProcedureTemplate

LIST_KEYS = {"id", "name", "description", "assignment_count", "created_at", "updated_at", "created_by", "updated_by"}
DETAIL_KEYS = {"id", "name", "description", "items", "created_at", "updated_at", "created_by_id", "updated_by_id"}
ITEM_KEYS = {"id", "name", "index", "item_type", "options", "images", "documents"}


def items_of(session: Session, template_id: int) -> list[tuple[str, int, str]]:
    rows = db_rows(
        session,
        select(ProcedureItem.name, ProcedureItem.index, ProcedureItem.item_type)
        .where(ProcedureItem.procedure_template_id == template_id)
        .order_by(ProcedureItem.index),
    )
    return [tuple(r) for r in rows]


def test_create_answers_the_documented_detail(api: Api, tenant: Tenant) -> None:
    data = create_template(api)

    assert set(data) == DETAIL_KEYS
    assert data["name"] == "HVAC monthly" and data["description"] == "Monthly check"
    assert data["created_by_id"] == tenant.admin_id and data["updated_by_id"] == tenant.admin_id
    assert TIMESTAMP.match(data["created_at"]) and TIMESTAMP.match(data["updated_at"])
    assert [set(i) for i in data["items"]] == [ITEM_KEYS] * 5
    assert [(i["name"], i["index"], i["item_type"], i["options"]) for i in data["items"]] == [
        ("Inspection Type", 1, "multiple_choice", {"choices": ["Routine", "Emergency"], "required": True}),
        ("Supply air temperature", 2, "meter_reading", {"unit": "°F", "min": 30, "max": 120, "required": True}),
        ("Filter replaced", 3, "checkbox", {"required": True}),
        ("Belt tension OK", 4, "yes_no", {"required": True}),
        ("Notes", 5, "text", {"required": False}),
    ]
    assert all(i["images"] == [] and i["documents"] == [] for i in data["items"])
    assert ok(api.get(f"/procedure_templates/{data['id']}")) == data


def test_every_item_type_is_accepted(api: Api) -> None:
    items = [
        {"name": "Remarks", "item_type": "text"},
        {"name": "Pressure", "item_type": "number", "options": {"min": "0.5", "max": 10.25}},
        {"name": "Guard fitted", "item_type": "checkbox"},
        {"name": "Horn works", "item_type": "yes_no"},
        {"name": "Condition", "item_type": "multiple_choice", "options": {"choices": ["Good", "Fair", "Poor"]}},
        {"name": "Hour meter", "item_type": "meter_reading", "options": {"unit": "h"}},
        {"name": "Next service", "item_type": "date"},
        {"name": "Operator signature", "item_type": "signature"},
        {"name": "Photo of forks", "item_type": "photo", "options": {"required": False}},
    ]
    data = create_template(api, "Every type", items)

    assert [(i["item_type"], i["options"]) for i in data["items"]] == [
        ("text", {"required": True}),
        ("number", {"min": 0.5, "max": 10.25, "required": True}),
        ("checkbox", {"required": True}),
        ("yes_no", {"required": True}),
        ("multiple_choice", {"choices": ["Good", "Fair", "Poor"], "required": True}),
        ("meter_reading", {"unit": "h", "required": True}),
        ("date", {"required": True}),
        ("signature", {"required": True}),
        ("photo", {"required": False}),
    ]


@pytest.mark.parametrize(
    ("item", "path", "message"),
    [
        ({"name": "Q", "item_type": "essay"}, "item_type", "must be one of"),
        ({"name": "Q", "item_type": "multiple_choice"}, "options.choices", "is required"),
        ({"name": "Q", "item_type": "multiple_choice", "options": {"choices": []}}, "options.choices", "is required"),
        (
            {"name": "Q", "item_type": "multiple_choice", "options": {"choices": ["A", "A "]}},
            "options.choices",
            "twice",
        ),
        ({"name": "Q", "item_type": "multiple_choice", "options": {"choices": ["A", 3]}}, "options.choices", "each"),
        ({"name": "Q", "item_type": "meter_reading"}, "options.unit", "is required"),
        ({"name": "Q", "item_type": "meter_reading", "options": {"unit": " "}}, "options.unit", "is required"),
        ({"name": "Q", "item_type": "number", "options": {"min": 5, "max": 1}}, "options.max", "less than min"),
        ({"name": "Q", "item_type": "number", "options": {"min": "abc"}}, "options.min", "must be a number"),
        ({"name": "Q", "item_type": "number", "options": {"min": 0.0001}}, "options.min", "decimal places"),
        ({"name": "Q", "item_type": "text", "options": {"choices": ["A"]}}, "options.choices", "not an option"),
        ({"name": "Q", "item_type": "checkbox", "options": {"required": "yes"}}, "options.required", "true or false"),
        ({"item_type": "text"}, "name", "is required"),
        ({"name": "Q"}, "item_type", "is required"),
        ({"name": "Q", "item_type": "text", "_destroy": True}, "_destroy", "needs the id"),
    ],
)
def test_bad_items_are_422_and_nothing_is_created(
    api: Api, session: Session, item: dict[str, Any], path: str, message: str
) -> None:
    good = {"name": "Fine", "item_type": "text"}
    body = {"procedure_template": {"name": "Broken", "items_attributes": [good, item]}}

    response = error(api.post("/procedure_templates", json=body), 422)

    key = f"procedure_template.items_attributes.1.{path}"
    assert list(response["errors"]) == [key]
    assert message in response["errors"][key][0]
    assert db_scalars(session, select(func.count()).select_from(ProcedureTemplate)) == [0]
    assert db_scalars(session, select(func.count()).select_from(ProcedureItem)) == [0]


@pytest.mark.parametrize(
    "body",
    [
        {"procedure_template": {"description": "no name"}},
        {"procedure_template": {"name": " "}},
        {"procedure_template": {"name": "X", "colour": "red"}},
        {"procedure_template": {"name": "X", "items_attributes": [{"name": "Q", "item_type": "text", "extra": 1}]}},
        {"name": "unwrapped"},
    ],
)
def test_malformed_bodies_are_422(api: Api, body: dict[str, Any]) -> None:
    error(api.post("/procedure_templates", json=body), 422)


def test_list_shows_assignment_counts_and_authors(api: Api, session: Session, tenant: Tenant) -> None:
    hvac = create_template(api, "HVAC monthly")
    forklift = create_template(api, "Forklift pre-shift", [{"name": "Horn works", "item_type": "yes_no"}])
    attach(session, tenant, [hvac["id"]])
    attach(session, tenant, [hvac["id"], forklift["id"]])
    attach(session, tenant, [hvac["id"]])

    response = api.get("/procedure_templates")

    body = response.json()
    assert response.status_code == 200 and set(body["meta"]) == LIST_META
    assert body["meta"]["sort"] == ["name asc"] and body["meta"]["pagination"]["total"] == 2
    first, second = body["data"]
    assert set(first) == LIST_KEYS
    assert (first["name"], first["assignment_count"]) == ("Forklift pre-shift", {"work_orders": 1, "pm_schedules": 0})
    assert (second["name"], second["assignment_count"]) == ("HVAC monthly", {"work_orders": 3, "pm_schedules": 0})
    admin = {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}
    assert first["created_by"] == admin and first["updated_by"] == admin


def test_list_searches_name_and_description(api: Api) -> None:
    create_template(api, "Forklift pre-shift", [])
    roof = ok(
        api.post("/procedure_templates", json={"procedure_template": {"name": "Roof", "description": "Gutters"}}), 201
    )

    assert ids(api.get("/procedure_templates", params={"search": "gutter"})) == [roof["id"]]
    assert ids(api.get("/procedure_templates", params={"filter[name_cont]": "roo"})) == [roof["id"]]


def test_update_renames_reorders_changes_adds_and_removes_items(api: Api, session: Session) -> None:
    data = create_template(api)
    by_name = {i["name"]: i["id"] for i in data["items"]}
    changes = [
        {"id": by_name["Notes"], "index": 1},
        {"id": by_name["Filter replaced"], "_destroy": True},
        {"id": by_name["Belt tension OK"], "name": "Belt condition", "item_type": "multiple_choice",
         "options": {"choices": ["Good", "Worn"]}},
        {"name": "Technician signature", "item_type": "signature"},
        {"name": "Run hours", "item_type": "meter_reading", "options": {"unit": "h"}, "index": 2},
    ]  # fmt: skip

    updated = ok(
        api.patch(
            f"/procedure_templates/{data['id']}",
            json={"procedure_template": {"name": "HVAC quarterly", "items_attributes": changes}},
        )
    )

    assert updated["name"] == "HVAC quarterly" and updated["description"] == "Monthly check"
    assert [(i["name"], i["index"]) for i in updated["items"]] == [
        ("Notes", 1),
        ("Run hours", 2),
        ("Inspection Type", 3),
        ("Supply air temperature", 4),
        ("Belt condition", 5),
        ("Technician signature", 6),
    ]
    belt = updated["items"][4]
    assert (belt["id"], belt["item_type"], belt["options"]) == (
        by_name["Belt tension OK"],
        "multiple_choice",
        {"choices": ["Good", "Worn"], "required": True},
    )
    assert items_of(session, data["id"])[0] == ("Notes", 1, "text")
    assert len(items_of(session, data["id"])) == 6


def test_changing_only_the_type_keeps_required_and_checks_the_new_options(api: Api) -> None:
    data = create_template(api)
    notes = data["items"][4]

    response = error(
        api.patch(
            f"/procedure_templates/{data['id']}",
            json={"procedure_template": {"items_attributes": [{"id": notes["id"], "item_type": "multiple_choice"}]}},
        ),
        422,
    )
    assert list(response["errors"]) == ["procedure_template.items_attributes.0.options.choices"]

    changed = ok(
        api.patch(
            f"/procedure_templates/{data['id']}",
            json={"procedure_template": {"items_attributes": [{"id": notes["id"], "item_type": "date"}]}},
        )
    )
    assert changed["items"][4]["item_type"] == "date" and changed["items"][4]["options"] == {"required": False}


def test_update_rejects_items_of_another_template_and_changes_nothing(api: Api, session: Session) -> None:
    mine = create_template(api, "Mine")
    other = create_template(api, "Other")
    foreign = other["items"][0]["id"]
    body = {"procedure_template": {"name": "Renamed", "items_attributes": [{"id": foreign, "name": "Stolen"}]}}

    response = error(api.patch(f"/procedure_templates/{mine['id']}", json=body), 422)

    assert response["errors"] == {"procedure_template.items_attributes.0.id": ["is not an item of this template"]}
    assert ok(api.get(f"/procedure_templates/{mine['id']}")) == mine
    assert ok(api.get(f"/procedure_templates/{other['id']}")) == other
    template = db_get(session, ProcedureTemplate, mine["id"])
    assert template is not None and template.name == "Mine"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"name": None}, "procedure_template.name", "cannot be null"),
        ({"items_attributes": None}, "procedure_template.items_attributes", "cannot be null"),
    ],
)
def test_update_refuses_nulls_for_required_fields(api: Api, change: dict[str, Any], path: str, message: str) -> None:
    data = create_template(api)
    response = error(api.patch(f"/procedure_templates/{data['id']}", json={"procedure_template": change}), 422)
    assert message in response["errors"][path][0]


def test_update_refuses_an_item_given_twice(api: Api) -> None:
    data = create_template(api)
    item = data["items"][0]["id"]
    body = {"procedure_template": {"items_attributes": [{"id": item, "name": "A"}, {"id": item, "_destroy": True}]}}
    response = error(api.patch(f"/procedure_templates/{data['id']}", json=body), 422)
    assert response["errors"] == {"procedure_template.items_attributes.1.id": ["is given twice"]}


def test_description_can_be_cleared_and_put_is_accepted(api: Api) -> None:
    data = create_template(api)
    updated = ok(api.put(f"/procedure_templates/{data['id']}", json={"procedure_template": {"description": None}}))
    assert updated["description"] is None and updated["items"] == data["items"]


def test_delete_keeps_the_copies_on_work_orders(api: Api, session: Session, tenant: Tenant) -> None:
    data = create_template(api)
    work_order_id, (procedure_id,) = attach(session, tenant, [data["id"]])

    assert api.delete(f"/procedure_templates/{data['id']}").status_code == 204

    error(api.get(f"/procedure_templates/{data['id']}"), 404)
    assert db_scalars(session, select(func.count()).select_from(ProcedureItem)) == [0]
    procedure = db_get(session, Procedure, procedure_id)
    assert procedure is not None and procedure.procedure_template_id is None and procedure.name == "HVAC monthly"
    assert db_scalars(session, select(func.count()).select_from(ProcedureAnswer)) == [len(HVAC_ITEMS)]
    shown = ok(api.get(f"/work_orders/{work_order_id}/procedures/{procedure_id}"))
    assert shown["procedure_template_id"] is None and len(shown["items"]) == len(HVAC_ITEMS)


def test_templates_of_another_entity_look_missing(api: Api, session: Session, tenant: Tenant) -> None:
    other = make_entity(session, tenant)
    elsewhere = create_template(api.as_entity(other), "Elsewhere")

    assert error(api.get(f"/procedure_templates/{elsewhere['id']}"), 404)["message"] == "Procedure template not found"
    error(api.patch(f"/procedure_templates/{elsewhere['id']}", json={"procedure_template": {"name": "X"}}), 404)
    error(api.delete(f"/procedure_templates/{elsewhere['id']}"), 404)
    assert ids(api.get("/procedure_templates")) == []
    template = db_get(session, ProcedureTemplate, elsewhere["id"])
    assert template is not None and template.name == "Elsewhere"


def test_roles(api: Api, session: Session, tenant: Tenant) -> None:
    data = create_template(api)
    _, technician = make_user(session, tenant, "technician")
    _, limited = make_user(session, tenant, "limited_admin")
    _, requester = make_user(session, tenant, "requester")
    body = {"procedure_template": {"name": "Technician's"}}

    assert ids(api.as_key(technician).get("/procedure_templates")) == [data["id"]]
    ok(api.as_key(technician).get(f"/procedure_templates/{data['id']}"))
    error(api.as_key(technician).post("/procedure_templates", json=body), 403)
    error(api.as_key(technician).delete(f"/procedure_templates/{data['id']}"), 403)
    error(api.as_key(requester).get("/procedure_templates"), 403)
    error(api.as_key(requester).get(f"/procedure_templates/{data['id']}"), 403)
    ok(api.as_key(limited).post("/procedure_templates", json=body), 201)
