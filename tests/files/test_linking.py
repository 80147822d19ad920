"""Uploads made first (`POST /attachments`) and given to a record by an action: part ledger lines, answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tests.files.support import attachment_rows, image_bytes, pdf_bytes, upload
from tests.helpers import Api, Tenant, make_entity
from tests.procedures.support import attach, create_template


def test_an_unlinked_upload_expires_after_a_day(api: Api, session: Session) -> None:
    response = upload(api, "/attachments", image_bytes(), "later.jpg")
    assert response.status_code == 201, response.text
    (row,) = attachment_rows(session)
    assert row.owner_type is None and row.owner_id is None and row.expires_at is not None
    assert timedelta(hours=23) < row.expires_at - datetime.now(UTC) <= timedelta(days=1)
    assert api.client.get(response.json()["data"]["url"]).status_code == 200


def test_part_actions_take_uploaded_files_onto_their_ledger_line(api: Api, session: Session) -> None:
    part = api.post("/parts", json={"part": {"name": "Belt"}}).json()["data"]["id"]
    photo = upload(api, "/attachments", image_bytes(), "delivery.jpg").json()["data"]
    note = upload(api, "/attachments", pdf_bytes(), "delivery-note.pdf").json()["data"]
    body = {"quantity": 5, "cost": 2, "attachment_ids": [photo["id"], note["id"]]}
    assert api.patch(f"/parts/{part}/restock", json=body).status_code == 200
    ledger = api.get(f"/parts/{part}/transactions").json()["data"]
    line = next(t for t in ledger if t["type"] == "restock")
    assert line["images"] == [photo] and line["documents"] == [note]
    detail = api.get(f"/parts/{part}/transactions/{line['id']}").json()["data"]
    assert detail == line
    assert {(r.owner_type, r.owner_id, r.expires_at) for r in attachment_rows(session)} == {
        ("part_transactions", line["id"], None)
    }
    for action, extra in (("reconcile", {"quantity": -1, "note": "Broken"}), ("unit_cost", {"cost": 3}),
                          ("avg_unit_cost", {"cost": 3})):  # fmt: skip
        sent = upload(api, "/attachments", pdf_bytes(), f"{action}.pdf").json()["data"]
        answer = api.patch(f"/parts/{part}/{action}", json={**extra, "attachment_ids": [sent["id"]]})
        assert answer.status_code == 200, answer.text
        newest = api.get(f"/parts/{part}/transactions", params={"sort": "id desc"}).json()["data"][0]
        assert newest["documents"] == [sent], action


def test_only_unused_uploads_of_the_entity_are_taken(api: Api, session: Session, tenant: Tenant) -> None:
    part = api.post("/parts", json={"part": {"name": "Belt"}}).json()["data"]["id"]
    used = upload(api, "/attachments", pdf_bytes(), "a.pdf").json()["data"]["id"]
    assert (
        api.patch(f"/parts/{part}/restock", json={"quantity": 1, "cost": 1, "attachment_ids": [used]}).status_code
        == 200
    )
    other = api.as_entity(make_entity(session, tenant))
    foreign = upload(other, "/attachments", pdf_bytes(), "b.pdf").json()["data"]["id"]
    for ids in ([used], [foreign], [999999]):
        response = api.patch(f"/parts/{part}/restock", json={"quantity": 1, "cost": 1, "attachment_ids": ids})
        assert response.status_code == 422, ids
        assert response.json()["errors"] == {"attachment_ids": [f"unknown or already used attachment ids: {ids}"]}
    on_hand = api.get(f"/parts/{part}").json()["data"]["on_hand_qty"]
    assert on_hand == 1  # the refused restocks changed nothing


def test_signature_and_photo_answers_take_only_uploaded_images(api: Api, session: Session, tenant: Tenant) -> None:
    items = [{"name": "Signature", "item_type": "signature"}, {"name": "Photo", "item_type": "photo"}]
    template = create_template(api, "Sign-off", items)
    work_order_id, (procedure_id,) = attach(session, tenant, [template["id"]])
    path = f"/work_orders/{work_order_id}/procedures/{procedure_id}"
    item_ids = [i["id"] for i in api.get(path).json()["data"]["items"]]

    def answer(value: int) -> object:
        return api.patch(path, json={"procedure": {"answers": [{"item_id": item_ids[1], "value": value}]}})

    document = upload(api, "/attachments", pdf_bytes(), "x.pdf").json()["data"]["id"]
    refused = answer(document)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert refused.json()["errors"] == {  # type: ignore[attr-defined]
        "procedure.answers.0.value": ["must be the id of an image uploaded with POST /attachments"]
    }
    first = upload(api, "/attachments", image_bytes(), "1.jpg").json()["data"]["id"]
    assert answer(first).status_code == 200  # type: ignore[attr-defined]
    second = upload(api, "/attachments", image_bytes(), "2.jpg").json()["data"]["id"]
    assert answer(second).status_code == 200  # type: ignore[attr-defined]
    rows = {r.id: r for r in attachment_rows(session)}
    assert first not in rows, "the replaced photo is deleted"
    assert (rows[second].owner_type, rows[second].owner_id) == ("procedure_answers", item_ids[1])
    assert answer(first).status_code == 422  # type: ignore[attr-defined]
