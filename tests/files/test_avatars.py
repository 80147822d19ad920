"""A user's avatar: one image, replaced by the next upload, shown wherever the user is."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.files.support import attachment_rows, image_bytes, pdf_bytes, stored_files, upload
from tests.helpers import Api, Tenant, make_entity, make_user
from wrenchwork.files.storage import Storage


def test_an_avatar_is_one_image_replaced_on_upload(api: Api, tenant: Tenant, session: Session, store: Storage) -> None:
    user = tenant.admin_id
    first = upload(api, f"/users/{user}/attachments", image_bytes(), "me.jpg").json()["data"]
    assert api.get(f"/users/{user}").json()["data"]["avatar"] == first["attachment_urls"]["small"]
    second = upload(api, f"/users/{user}/attachments", image_bytes(300, 300, "PNG"), "me.png").json()["data"]
    assert api.get(f"/users/{user}").json()["data"]["avatar"] == second["attachment_urls"]["small"]
    assert [r.id for r in attachment_rows(session)] == [second["id"]]
    assert len(stored_files(store)) == 4
    assert api.client.get(first["url"]).status_code == 404
    listed = next(u for u in api.get("/users").json()["data"] if u["id"] == user)
    assert listed["avatar"] == second["attachment_urls"]["small"]


def test_an_avatar_must_be_an_image(api: Api, tenant: Tenant, session: Session) -> None:
    response = upload(api, f"/users/{tenant.admin_id}/attachments", pdf_bytes(), "cv.pdf")
    assert response.status_code == 422
    assert response.json()["errors"] == {"file": ["must be an image (JPEG, PNG, WebP or GIF)"]}
    assert attachment_rows(session) == []


def test_technicians_show_their_avatars(api: Api, tenant: Tenant, session: Session) -> None:
    tech, _ = make_user(session, tenant, role="technician")
    avatar = upload(api, f"/users/{tech}/attachments", image_bytes(), "t.jpg").json()["data"]["attachment_urls"]
    order = api.post("/work_orders", json={"work_order": {"title": "Check", "technicians_ids": [tech]}})
    assert order.status_code == 201, order.text
    detail = order.json()["data"]
    assert detail["technicians"][0]["avatar"] == avatar["small"]
    listed = api.get("/work_orders").json()["data"][0]
    assert listed["technicians"][0]["avatar"] == avatar["small"]
    asset = api.post("/assets", json={"asset": {"name": "Pump", "technicians_ids": [tech]}})
    assert asset.status_code == 201, asset.text
    assert asset.json()["data"]["technicians"][0]["avatar"] == avatar["small"]
    assert api.get("/assets").json()["data"][0]["technicians"][0]["avatar"] == avatar["small"]


def test_an_avatar_shows_and_goes_in_every_entity_of_the_user(api: Api, tenant: Tenant, session: Session) -> None:
    user = tenant.admin_id
    sent = upload(api, f"/users/{user}/attachments", image_bytes(), "me.jpg").json()["data"]
    other = api.as_entity(make_entity(session, tenant))  # the admin is admin there too
    assert other.get(f"/users/{user}").json()["data"]["avatar"] == sent["attachment_urls"]["small"]
    assert other.delete(f"/users/{user}/attachments/{sent['id']}").status_code == 204
    assert api.get(f"/users/{user}").json()["data"]["avatar"] is None
