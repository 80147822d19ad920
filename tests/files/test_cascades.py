"""Records the database deletes with their parent take their files with them, after the commit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.files.support import attachment_rows, image_bytes, pdf_bytes, stored_files, upload
from tests.helpers import Api, Tenant
from tests.procedures.support import attach, create_template
from wrenchwork.files.storage import Storage


def test_deleting_a_parent_deletes_its_childrens_files(
    api: Api, session: Session, tenant: Tenant, asset: int, store: Storage
) -> None:
    kept = upload(api, f"/assets/{asset}/attachments", pdf_bytes(), "kept.pdf").json()["data"]
    # A photo answer of a work order's procedure (answers go with the work order).
    template = create_template(api, "Check", [{"name": "Photo", "item_type": "photo"}])
    work_order_id, (procedure_id,) = attach(session, tenant, [template["id"]])
    path = f"/work_orders/{work_order_id}/procedures/{procedure_id}"
    (item,) = api.get(path).json()["data"]["items"]
    photo = upload(api, "/attachments", image_bytes(), "p.jpg").json()["data"]
    body = {"procedure": {"answers": [{"item_id": item["id"], "value": photo["id"]}]}}
    assert api.patch(path, json=body).status_code == 200
    # A document on a part's ledger line (lines go with the part).
    part = api.post("/parts", json={"part": {"name": "Belt"}}).json()["data"]["id"]
    note = upload(api, "/attachments", pdf_bytes(), "note.pdf").json()["data"]
    restock = {"quantity": 1, "cost": 1, "attachment_ids": [note["id"]]}
    assert api.patch(f"/parts/{part}/restock", json=restock).status_code == 200
    # A file on a procedure template's item (items go with the template).
    template_item = template["items"][0]["id"]
    manual = upload(
        api, f"/procedure_templates/{template['id']}/items/{template_item}/attachments", pdf_bytes(), "m.pdf"
    ).json()["data"]
    assert len(attachment_rows(session)) == 4

    for gone in (f"/work_orders/{work_order_id}", f"/parts/{part}", f"/procedure_templates/{template['id']}"):
        response = api.delete(gone)
        assert response.status_code in (200, 204), (gone, response.text)
    assert [r.id for r in attachment_rows(session)] == [kept["id"]]
    assert len(stored_files(store)) == 1
    for data in (photo, note, manual):
        assert api.client.get(data["url"]).status_code == 404
