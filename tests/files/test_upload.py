"""Uploading images and documents to records, and what the records then show."""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from tests.files.support import (
    attachment_rows,
    heic_with_gps,
    image_bytes,
    pdf_bytes,
    photo_with_gps,
    stored_files,
    upload,
)
from tests.helpers import Api, Tenant, make_entity
from wrenchwork.files.storage import Storage

TOKEN = r"[A-Za-z0-9_-]{43}"


def test_an_image_answers_the_documented_shape_and_the_record_shows_it(
    api: Api, asset: int, session: Session, store: Storage
) -> None:
    response = upload(api, f"/assets/{asset}/attachments", image_bytes(2000, 1000), "pump.jpg", "image/jpeg")
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert list(data) == ["id", "url", "download_url", "size", "type", "name", "attachment_urls"]
    base = f"/api/v1/store/attachments/image/{data['id']}/upload/"
    assert re.fullmatch(re.escape(base) + TOKEN + r"\.jpg", data["url"])
    assert data["download_url"] == data["url"] + "?download=1"
    assert data["type"] == "image/jpeg" and data["name"] == "pump.jpg"
    for variant in ("small", "medium", "large"):
        assert re.fullmatch(re.escape(base) + variant + "-" + TOKEN + r"\.jpg", data["attachment_urls"][variant])
    tokens = {data["url"].rsplit("/", 1)[1].split(".")[0]} | {
        u.rsplit("/", 1)[1].split(".")[0].split("-", 1)[1] for u in data["attachment_urls"].values()
    }
    assert len(tokens) == 4, "every URL has its own token"

    detail = api.get(f"/assets/{asset}").json()["data"]
    assert detail["images"] == [data] and detail["documents"] == []
    item = next(a for a in api.get("/assets").json()["data"] if a["id"] == asset)
    assert item["image"] == {"small": data["attachment_urls"]["small"], "medium": data["attachment_urls"]["medium"]}

    (row,) = attachment_rows(session)
    assert (row.owner_type, row.owner_id, row.kind, row.content_type, row.expires_at) == (
        "assets",
        asset,
        "image",
        "image/jpeg",
        None,
    )
    assert row.size == data["size"]
    key = row.storage_key
    assert stored_files(store) == sorted(
        f"{key[:2]}/{key}/{name}.jpg" for name in ("original", "small", "medium", "large")
    )


def test_a_heic_photo_becomes_jpeg_without_its_metadata(api: Api, asset: int, session: Session) -> None:
    sent = heic_with_gps()
    assert Image.open(io.BytesIO(sent)).getexif()  # the fixture does carry EXIF
    response = upload(api, f"/assets/{asset}/attachments", sent, "IMG_0001.HEIC", "image/heic")
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["type"] == "image/jpeg" and data["name"] == "IMG_0001.HEIC" and data["url"].endswith(".jpg")
    sizes = {}
    for variant, link in {"original": data["url"], **data["attachment_urls"]}.items():
        served = _served_image(api, link)
        assert served.format == "JPEG" and not served.getexif(), link
        sizes[variant] = served.size
    assert sizes == {"original": (800, 400), "small": (150, 75), "medium": (600, 300), "large": (800, 400)}
    (row,) = attachment_rows(session)
    assert (row.content_type, row.extension) == ("image/jpeg", "jpg")


def test_variants_are_150_600_1600_wide_and_never_scaled_up(api: Api, asset: int) -> None:
    big = upload(api, f"/assets/{asset}/attachments", image_bytes(2000, 1000), "big.jpg").json()["data"]
    widths = {v: _served_image(api, big["attachment_urls"][v]).size for v in ("small", "medium", "large")}
    assert widths == {"small": (150, 75), "medium": (600, 300), "large": (1600, 800)}
    assert _served_image(api, big["url"]).size == (2000, 1000)
    small = upload(api, f"/assets/{asset}/attachments", image_bytes(400, 200, "PNG"), "s.png").json()["data"]
    assert small["type"] == "image/png" and small["url"].endswith(".png")
    sizes = {v: _served_image(api, small["attachment_urls"][v]).size for v in ("small", "medium", "large")}
    assert sizes == {"small": (150, 75), "medium": (400, 200), "large": (400, 200)}


def test_exif_orientation_is_applied_and_metadata_stripped(api: Api, asset: int) -> None:
    sent = photo_with_gps()
    assert Image.open(io.BytesIO(sent)).getexif()  # the fixture does carry EXIF
    data = upload(api, f"/assets/{asset}/attachments", sent, "gps.jpg").json()["data"]
    for link in (data["url"], *data["attachment_urls"].values()):
        served = _served_image(api, link)
        assert not served.getexif(), link
        assert "exif" not in served.info and "icc_profile" not in served.info
    assert _served_image(api, data["url"]).size == (100, 300)  # turned upright (orientation 6)


def test_documents_pdf_text_and_csv(api: Api, asset: int, session: Session) -> None:
    pdf = upload(api, f"/assets/{asset}/attachments", pdf_bytes(), "manual.pdf", "application/pdf")
    assert pdf.status_code == 201, pdf.text
    data = pdf.json()["data"]
    assert list(data) == ["id", "url", "download_url", "size", "type", "name"]
    assert data["type"] == "application/pdf" and data["url"].startswith(
        f"/api/v1/store/attachments/document/{data['id']}/"
    )
    text = upload(api, f"/assets/{asset}/attachments", b"Torque: 45 Nm\n", "notes.txt", "text/plain")
    assert text.json()["data"]["type"] == "text/plain", text.text
    csv = upload(api, f"/assets/{asset}/attachments", b"part,qty\nfilter,2\n", "stock.csv")
    assert csv.json()["data"]["type"] == "text/csv", csv.text
    detail = api.get(f"/assets/{asset}").json()["data"]
    assert [d["name"] for d in detail["documents"]] == ["manual.pdf", "notes.txt", "stock.csv"]
    assert detail["images"] == []
    assert [r.kind for r in attachment_rows(session)] == ["document"] * 3


def test_the_name_field_names_the_file(api: Api, asset: int) -> None:
    response = upload(api, f"/assets/{asset}/attachments", pdf_bytes(), "scan0001.pdf", name="../Boiler manual.pdf")
    assert response.json()["data"]["name"] == "Boiler manual.pdf"


def test_every_record_kind_takes_files(api: Api, session: Session, tenant: Tenant) -> None:
    made = {
        "locations": api.post("/locations", json={"location": {"name": "Plant"}}),
        "parts": api.post("/parts", json={"part": {"name": "Filter"}}),
        "vendors": api.post("/vendors", json={"vendor": {"name": "Acme"}}),
        "work_orders": api.post("/work_orders", json={"work_order": {"title": "Fix"}}),
        "work_order_requests": api.post("/work_order_requests", json={"work_order_request": {"title": "Leak"}}),
    }
    for collection, created in made.items():
        assert created.status_code == 201, created.text
        record = created.json()["data"]["id"]
        sent = upload(api, f"/{collection}/{record}/attachments", image_bytes(), "a.jpg").json()["data"]
        doc = upload(api, f"/{collection}/{record}/attachments", pdf_bytes(), "b.pdf").json()["data"]
        detail = api.get(f"/{collection}/{record}").json()["data"]
        assert (detail["images"], detail["documents"]) == ([sent], [doc]), collection
    locations = api.get("/locations").json()["data"]
    assert locations[0]["image"]["small"] is not None
    parts = api.get("/parts").json()["data"]
    assert parts[0]["image"]["medium"] is not None
    vendors = api.get("/vendors").json()["data"]
    assert vendors[0]["image"]["small"] is not None


def test_deleting_a_file_kills_its_urls_and_bytes(api: Api, asset: int, session: Session, store: Storage) -> None:
    data = upload(api, f"/assets/{asset}/attachments", image_bytes(), "a.jpg").json()["data"]
    assert api.client.get(data["attachment_urls"]["small"]).status_code == 200
    assert api.delete(f"/assets/{asset}/attachments/{data['id']}").status_code == 204
    for link in (data["url"], *data["attachment_urls"].values()):
        gone = api.client.get(link)
        assert gone.status_code == 404 and gone.json() == {"status": "error", "message": "Attachment not found"}
    assert attachment_rows(session) == [] and stored_files(store) == []
    assert api.get(f"/assets/{asset}").json()["data"]["images"] == []
    again = api.delete(f"/assets/{asset}/attachments/{data['id']}")
    assert again.status_code == 404 and again.json() == {"status": "error", "message": "Attachment not found"}


def test_deleting_the_record_deletes_its_files(api: Api, asset: int, session: Session, store: Storage) -> None:
    data = upload(api, f"/assets/{asset}/attachments", image_bytes(), "a.jpg").json()["data"]
    assert api.delete(f"/assets/{asset}").status_code == 204
    assert attachment_rows(session) == [] and stored_files(store) == []
    assert api.client.get(data["url"]).status_code == 404


def test_files_of_another_entity_are_not_found(
    api: Api, asset: int, session: Session, tenant: Tenant, store: Storage
) -> None:
    data = upload(api, f"/assets/{asset}/attachments", image_bytes(), "a.jpg").json()["data"]
    other = api.as_entity(make_entity(session, tenant))
    missing = other.delete(f"/assets/{asset}/attachments/{data['id']}")
    assert missing.status_code == 404 and missing.json() == {"status": "error", "message": "Asset not found"}
    sent = upload(other, f"/assets/{asset}/attachments", image_bytes(), "b.jpg")
    assert sent.status_code == 404 and sent.json() == {"status": "error", "message": "Asset not found"}
    assert len(attachment_rows(session)) == 1 and len(stored_files(store)) == 4
    # The token alone still serves it: that is what a URL is for.
    assert api.client.get(data["url"]).status_code == 200


def test_storage_use_is_shown_to_admins(api: Api, asset: int, session: Session, tenant: Tenant) -> None:
    upload(api, f"/assets/{asset}/attachments", image_bytes(), "a.jpg")
    upload(api, f"/assets/{asset}/attachments", pdf_bytes(), "b.pdf")
    usage = api.get("/attachments/usage").json()["data"]
    total = sum(r.stored_bytes for r in attachment_rows(session))
    assert usage == {"files": 2, "images": 1, "documents": 1, "bytes": total}


def _served_image(api: Api, link: str) -> Image.Image:
    response = api.client.get(link)
    assert response.status_code == 200, link
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


def test_procedure_template_items_take_files(api: Api, session: Session, tenant: Tenant) -> None:
    body = {"procedure_template": {"name": "Lockout", "items_attributes": [{"name": "Isolate", "item_type": "text"}]}}
    template = api.post("/procedure_templates", json=body).json()["data"]
    item = template["items"][0]["id"]
    path = f"/procedure_templates/{template['id']}/items/{item}/attachments"
    sent = upload(api, path, image_bytes(), "valve.jpg").json()["data"]
    doc = upload(api, path, pdf_bytes(), "sheet.pdf").json()["data"]
    shown = api.get(f"/procedure_templates/{template['id']}").json()["data"]["items"][0]
    assert (shown["images"], shown["documents"]) == ([sent], [doc])
    other = api.post("/procedure_templates", json={"procedure_template": {"name": "Other"}}).json()["data"]
    wrong = upload(api, f"/procedure_templates/{other['id']}/items/{item}/attachments", image_bytes(), "x.jpg")
    assert (wrong.status_code, wrong.json()) == (404, {"status": "error", "message": "Procedure item not found"})
    assert api.delete(f"{path}/{doc['id']}").status_code == 204
    assert api.get(f"/procedure_templates/{template['id']}").json()["data"]["items"][0]["documents"] == []


def test_a_deleted_files_bytes_stay_when_the_delete_does_not_commit(
    api: Api, asset: int, session: Session, store: Storage, engine: Engine
) -> None:
    """The bytes go once the row's deletion is on disk (files/lifecycle.py): on SQLite after the commit the delete
    shares with other writes (core/group_commit.py), not when its own part of it ends."""
    data = upload(api, f"/assets/{asset}/attachments", image_bytes(), "a.jpg").json()["data"]
    kept = stored_files(store)

    def failing_commit(_conn: Any) -> None:
        raise OSError("disk full")

    event.listen(engine, "commit", failing_commit)
    try:
        refused = api.delete(f"/assets/{asset}/attachments/{data['id']}")
    finally:
        event.remove(engine, "commit", failing_commit)
    assert refused.status_code == 500
    assert stored_files(store) == kept
    assert api.client.get(data["attachment_urls"]["small"]).status_code == 200
    assert len(attachment_rows(session)) == 1
