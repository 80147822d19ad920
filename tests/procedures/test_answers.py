"""A work order's procedures: copies of template items, answers checked per item type, completion."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.catalog.support import TIMESTAMP, db_get, db_rows, error, ok
from tests.helpers import Api, Tenant, make_entity, make_user
from tests.procedures.support import attach, create_template, make_work_order
from wrenchwork.models import Procedure, ProcedureAnswer
from wrenchwork.procedures.service import procedures_by_work_order, replace_procedures

DETAIL_KEYS = {
    "id", "name", "description", "procedure_template_id", "work_order_id", "completed_at", "items", "created_at",
    "updated_at",
}  # fmt: skip
ITEM_KEYS = {"id", "name", "index", "item_type", "options", "value", "answered_at", "answered_by"}
EVERY_TYPE = [
    {"name": "Remarks", "item_type": "text"},
    {"name": "Pressure", "item_type": "number", "options": {"min": 0, "max": 10}},
    {"name": "Guard fitted", "item_type": "checkbox"},
    {"name": "Horn works", "item_type": "yes_no"},
    {"name": "Condition", "item_type": "multiple_choice", "options": {"choices": ["Good", "Fair", "Poor"]}},
    {"name": "Hour meter", "item_type": "meter_reading", "options": {"unit": "h"}},
    {"name": "Next service", "item_type": "date"},
    {"name": "Operator signature", "item_type": "signature"},
    {"name": "Photo of forks", "item_type": "photo", "options": {"required": False}},
]
GOOD = ["All fine", 7.25, False, "yes", "Fair", "1234.5", "2025-08-01", 17, 18]
SHOWN = ["All fine", 7.25, False, "yes", "Fair", 1234.5, "2025-08-01", 17, 18]


@pytest.fixture
def setup(api: Api, session: Session, tenant: Tenant) -> tuple[str, list[int]]:
    """A work order carrying a procedure with every item type; returns (its path, the item ids in order)."""
    template = create_template(api, "Forklift pre-shift", EVERY_TYPE)
    work_order_id, (procedure_id,) = attach(session, tenant, [template["id"]])
    path = f"/work_orders/{work_order_id}/procedures/{procedure_id}"
    return path, [i["id"] for i in ok(api.get(path))["items"]]


def uploaded_image(api: Api) -> dict[str, Any]:
    """An image uploaded with POST /attachments, as signature and photo answers take them (by its id)."""
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(png, "PNG")
    response = api.post("/attachments", files={"file": ("sign.png", png.getvalue(), "image/png")})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def answer(api: Api, path: str, *pairs: tuple[int, Any]) -> Any:
    return api.patch(path, json={"procedure": {"answers": [{"item_id": i, "value": v} for i, v in pairs]}})


def test_the_procedure_is_a_copy_of_the_template(api: Api, session: Session, tenant: Tenant) -> None:
    template = create_template(api, "Forklift pre-shift", EVERY_TYPE)
    work_order_id, (procedure_id,) = attach(session, tenant, [template["id"]])

    data = ok(api.get(f"/work_orders/{work_order_id}/procedures/{procedure_id}"))

    assert set(data) == DETAIL_KEYS
    assert (data["name"], data["procedure_template_id"], data["work_order_id"]) == (
        "Forklift pre-shift",
        template["id"],
        work_order_id,
    )
    assert data["completed_at"] is None
    assert [set(i) for i in data["items"]] == [ITEM_KEYS] * len(EVERY_TYPE)
    assert [(i["name"], i["index"], i["item_type"], i["options"]) for i in data["items"]] == [
        (t["name"], t["index"], t["item_type"], t["options"]) for t in template["items"]
    ]
    assert all(i["value"] is None and i["answered_at"] is None and i["answered_by"] is None for i in data["items"])

    # Changing the template later leaves the copy alone.
    api.patch(
        f"/procedure_templates/{template['id']}",
        json={
            "procedure_template": {
                "name": "Renamed",
                "items_attributes": [{"id": template["items"][0]["id"], "_destroy": True}],
            }
        },
    )
    again = ok(api.get(f"/work_orders/{work_order_id}/procedures/{procedure_id}"))
    assert again["name"] == "Forklift pre-shift" and len(again["items"]) == len(EVERY_TYPE)


def test_answering_every_required_item_completes_the_procedure(
    api: Api, session: Session, tenant: Tenant, setup: tuple[str, list[int]]
) -> None:
    path, items = setup
    # Signature and photo answers are the ids of images uploaded beforehand, shown as the images themselves.
    signature, photo = (uploaded_image(api) for _ in range(2))
    good, shown = [*GOOD[:-2], signature["id"], photo["id"]], [*SHOWN[:-2], signature, photo]
    partial = ok(answer(api, path, *zip(items[:-2], good[:-2], strict=True)))
    assert partial["completed_at"] is None
    assert [i["value"] for i in partial["items"]] == [*shown[:-2], None, None]
    assert partial["items"][0]["answered_by"] == {"id": tenant.admin_id, "name": "Ada", "surname": "Admin"}
    assert TIMESTAMP.match(partial["items"][0]["answered_at"])

    done = ok(answer(api, path, (items[-2], good[-2])))  # the photo is optional

    assert TIMESTAMP.match(done["completed_at"])
    assert [i["value"] for i in done["items"]] == [*shown[:-1], None]
    stored = db_rows(session, select(ProcedureAnswer.value).order_by(ProcedureAnswer.index))
    assert [r[0] for r in stored] == [
        "All fine",
        "7.25",
        False,
        "yes",
        "Fair",
        "1234.5",
        "2025-08-01",
        signature["id"],
        None,
    ]

    # An optional answer later does not move completed_at; clearing a required one reopens the procedure.
    later = ok(answer(api, path, (items[-1], good[-1])))
    assert later["completed_at"] == done["completed_at"]
    reopened = ok(answer(api, path, (items[2], None)))
    assert reopened["completed_at"] is None
    assert reopened["items"][2]["value"] is None and reopened["items"][2]["answered_by"] is None


def test_a_false_checkbox_counts_as_answered(api: Api, session: Session, tenant: Tenant) -> None:
    template = create_template(api, "One box", [{"name": "Guard fitted", "item_type": "checkbox"}])
    work_order_id, (procedure_id,) = attach(session, tenant, [template["id"]])
    path = f"/work_orders/{work_order_id}/procedures/{procedure_id}"
    item = ok(api.get(path))["items"][0]["id"]

    assert ok(answer(api, path, (item, False)))["completed_at"] is not None


def test_without_required_items_the_first_answer_completes(api: Api, session: Session, tenant: Tenant) -> None:
    template = create_template(
        api, "Optional", [{"name": "Notes", "item_type": "text", "options": {"required": False}}]
    )
    work_order_id, (procedure_id,) = attach(session, tenant, [template["id"]])
    path = f"/work_orders/{work_order_id}/procedures/{procedure_id}"
    item = ok(api.get(path))["items"][0]["id"]

    assert ok(api.get(path))["completed_at"] is None
    assert ok(answer(api, path, (item, "Looked fine")))["completed_at"] is not None


@pytest.mark.parametrize(
    ("position", "value", "message"),
    [
        (0, "", "non-empty text"),
        (0, 12, "non-empty text"),
        pytest.param(0, "x" * 5001, "at most 5000", id="long-text"),
        (1, "ten", "must be a number"),
        (1, 11, "at most 10"),
        (1, -1, "at least 0"),
        (1, 1.2345, "decimal places"),
        (1, True, "must be a number"),
        (1, "NaN", "finite"),
        (2, "true", "true or false"),
        (2, 1, "true or false"),
        (3, "maybe", "'yes' or 'no'"),
        (3, True, "'yes' or 'no'"),
        (4, "Excellent", "one of the choices: Good, Fair, Poor"),
        (4, ["Good"], "one of the choices"),
        (5, {"value": 1}, "must be a number"),
        (5, "1e400", "out of range"),
        (6, "2025-02-30", "YYYY-MM-DD"),
        (6, "01/08/2025", "YYYY-MM-DD"),
        (7, "signature.png", "attachment"),
        (7, 0, "attachment"),
        (8, 2**31, "attachment"),
    ],
)
def test_a_wrong_answer_is_422_and_nothing_is_recorded(
    api: Api, session: Session, setup: tuple[str, list[int]], position: int, value: Any, message: str
) -> None:
    path, items = setup
    other = 1 if position == 0 else 0
    response = error(answer(api, path, (items[other], GOOD[other]), (items[position], value)), 422)

    assert list(response["errors"]) == ["procedure.answers.1.value"]
    assert message in response["errors"]["procedure.answers.1.value"][0]
    assert [r[0] for r in db_rows(session, select(ProcedureAnswer.value))] == [None] * len(EVERY_TYPE)


def test_items_must_belong_to_the_procedure_and_be_answered_once(
    api: Api, session: Session, tenant: Tenant, setup: tuple[str, list[int]]
) -> None:
    path, items = setup
    template = create_template(api, "Other", [{"name": "Q", "item_type": "text"}])
    work_order_id, (procedure_id,) = attach(session, tenant, [template["id"]])
    foreign = ok(api.get(f"/work_orders/{work_order_id}/procedures/{procedure_id}"))["items"][0]["id"]

    response = error(answer(api, path, (foreign, "x")), 422)
    assert response["errors"] == {"procedure.answers.0.item_id": ["is not an item of this procedure"]}
    response = error(answer(api, path, (items[0], "a"), (items[0], "b")), 422)
    assert response["errors"] == {"procedure.answers.1.item_id": ["is answered twice"]}
    error(api.patch(path, json={"procedure": {"answers": []}}), 422)
    error(api.patch(path, json={"procedure": {"answers": [{"item_id": items[0]}]}}), 422)
    error(api.patch(path, json={"answers": [{"item_id": items[0], "value": "x"}]}), 422)


def test_procedures_are_found_only_through_their_work_order_and_entity(
    api: Api, session: Session, tenant: Tenant, setup: tuple[str, list[int]]
) -> None:
    path, _ = setup
    procedure_id = path.split("/")[-1]
    other_work_order = make_work_order(session, tenant)
    session.commit()

    missing = error(api.get(f"/work_orders/{other_work_order.id}/procedures/{procedure_id}"), 404)
    assert missing["message"] == "Procedure not found"
    assert error(api.get(f"/work_orders/999999/procedures/{procedure_id}"), 404)["message"] == "Work order not found"

    elsewhere = make_entity(session, tenant)
    assert error(api.as_entity(elsewhere).get(path), 404)["message"] == "Work order not found"
    error(api.as_entity(elsewhere).patch(path, json={"procedure": {"answers": [{"item_id": 1, "value": "x"}]}}), 404)


def test_roles(api: Api, session: Session, tenant: Tenant, setup: tuple[str, list[int]]) -> None:
    path, items = setup
    _, technician = make_user(session, tenant, "technician")
    _, requester = make_user(session, tenant, "requester")

    ok(answer(api.as_key(technician), path, (items[0], "Checked")))
    error(api.as_key(requester).get(path), 403)
    error(answer(api.as_key(requester), path, (items[0], "Checked")), 403)


def test_instantiate_and_replace_for_the_work_order_code(api: Api, session: Session, tenant: Tenant) -> None:
    hvac = create_template(api, "HVAC monthly")
    forklift = create_template(api, "Forklift", [{"name": "Horn works", "item_type": "yes_no"}])
    roof = create_template(api, "Roof", [{"name": "Gutters clear", "item_type": "checkbox"}])
    work_order_id, (hvac_id, forklift_id) = attach(session, tenant, [hvac["id"], forklift["id"], hvac["id"]])
    horn = ok(api.get(f"/work_orders/{work_order_id}/procedures/{forklift_id}"))["items"][0]["id"]
    ok(answer(api, f"/work_orders/{work_order_id}/procedures/{forklift_id}", (horn, "yes")))
    work_order = make_work_order(session, tenant)
    session.commit()

    shown = procedures_by_work_order(session, [work_order_id, work_order.id])
    assert [(p["id"], p["name"], p["procedure_template_id"]) for p in shown[work_order_id]] == [
        (hvac_id, "HVAC monthly", hvac["id"]),
        (forklift_id, "Forklift", forklift["id"]),
    ]
    assert shown[work_order_id][1]["completed_at"] is not None and shown[work_order.id] == []

    anchor = db_get(session, type(work_order), work_order_id)
    assert anchor is not None
    replace_procedures(session, anchor, [forklift["id"], roof["id"]])
    session.commit()
    kept = db_rows(
        session,
        select(Procedure.id, Procedure.procedure_template_id)
        .where(Procedure.work_order_id == work_order_id)
        .order_by(Procedure.id),
    )
    assert kept[0][0] == forklift_id
    assert [r[1] for r in kept] == [forklift["id"], roof["id"]]
    procedure = db_get(session, Procedure, forklift_id)
    assert procedure is not None and procedure.completed_at is not None  # its answers are kept


def test_instantiate_refuses_templates_of_another_entity(api: Api, session: Session, tenant: Tenant) -> None:
    other = make_entity(session, tenant)
    foreign = create_template(api.as_entity(other), "Elsewhere")
    with pytest.raises(Exception, match="must be procedure templates of this entity"):
        attach(session, tenant, [foreign["id"]])
