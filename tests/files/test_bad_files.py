"""What is refused, with which answer, and that nothing of it is stored."""

from __future__ import annotations

import io

import pytest
from sqlalchemy.orm import Session

from tests.files.support import (
    attachment_rows,
    decompression_bomb,
    heic_with_gps,
    image_bytes,
    pdf_bytes,
    stored_files,
    upload,
    zip_bomb,
)
from tests.helpers import Api
from wrenchwork.files import sniff
from wrenchwork.files.storage import Storage

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def _error(message: str, field: str | None = None, problem: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"status": "error", "message": message}
    if field is not None:
        body["errors"] = {field: [problem]}
    return body


CASES = {
    "empty": (b"", "empty.jpg", None, 422, _error("file is empty", "file", "is empty")),
    "zip": (zip_bomb(), "bomb.zip", None, 415, _error("Files of type application/zip are not accepted")),
    "zip named docx": (zip_bomb(), "report.docx", None, 415, _error("Files of type application/zip are not accepted")),
    "html named jpg": (HTML, "cat.jpg", "image/jpeg", 415, _error("HTML, XML and SVG files are not accepted")),
    "svg": (SVG, "logo.svg", "image/svg+xml", 415, _error("HTML, XML and SVG files are not accepted")),
    "svg as png": (SVG, "logo.png", "image/png", 415, _error("HTML, XML and SVG files are not accepted")),
    "html first, png after": (
        HTML + image_bytes(10, 10, "PNG"), "x.png", None, 415, _error("The file's type is not recognised"),
    ),
    "png declared jpeg": (
        image_bytes(10, 10, "PNG"), "a.jpg", "image/jpeg", 422,
        _error("file is declared as image/jpeg but its content is image/png", "file",
               "is declared as image/jpeg but its content is image/png"),
    ),
    "pdf named png": (
        pdf_bytes(), "scan.png", None, 422,
        _error("file is named like image/png but its content is application/pdf", "file",
               "is named like image/png but its content is application/pdf"),
    ),
    "text named jpg": (
        b"just words", "photo.jpg", None, 422,
        _error("file is named like image/jpeg but its content is text/plain", "file",
               "is named like image/jpeg but its content is text/plain"),
    ),
    "truncated jpeg": (
        image_bytes(400, 400)[:600], "cut.jpg", "image/jpeg", 422,
        _error("file is not a readable image (damaged or truncated)", "file",
               "is not a readable image (damaged or truncated)"),
    ),
    "decompression bomb": (
        decompression_bomb(), "huge.png", "image/png", 422,
        _error("file has too many pixels (at most 89478485)", "file",
               "has too many pixels (at most 89478485)"),
    ),
    "binary junk": (bytes(range(256)) * 4, "data.bin", None, 415, _error("The file's type is not recognised")),
    "executable": (b"MZ" + b"\0" * 200, "setup.exe", None, 415,
                   _error("Files of type application/x-msdownload are not accepted")),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_refused_and_nothing_stored(api: Api, asset: int, session: Session, store: Storage, case: str) -> None:
    content, name, declared, status, body = CASES[case]
    response = upload(api, f"/assets/{asset}/attachments", content, name, declared)
    assert (response.status_code, response.json()) == (status, body)
    assert attachment_rows(session) == []
    assert stored_files(store) == []


def test_over_the_size_limit_is_413(api: Api, asset: int, session: Session, store: Storage, small_limit: int) -> None:
    content = pdf_bytes() + b"%" + b"x" * small_limit
    response = upload(api, f"/assets/{asset}/attachments", content, "big.pdf")
    assert response.status_code == 413
    assert response.json() == {"status": "error", "message": f"File is too large (at most {small_limit} bytes)"}
    assert attachment_rows(session) == [] and stored_files(store) == []
    # Far over it (past the multipart allowance too): refused from the declared length, before it is read.
    huge = upload(api, f"/assets/{asset}/attachments", b"x" * (small_limit + 100_000), "huge.pdf")
    assert huge.status_code == 413 and huge.json() == {"status": "error", "message": "Request body is too large"}
    assert attachment_rows(session) == [] and stored_files(store) == []


def test_a_polyglot_image_loses_its_second_meaning(api: Api, asset: int) -> None:
    """A valid JPEG with an HTML page (and a zip) appended: accepted as the image it is, served re-encoded."""
    content = image_bytes(300, 200) + HTML + zip_bomb()[:400]
    response = upload(api, f"/assets/{asset}/attachments", content, "poly.jpg", "image/jpeg")
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    for link in (data["url"], *data["attachment_urls"].values()):
        served = api.client.get(link).content
        assert b"<script" not in served and b"<html" not in served.lower() and b"PK\x03\x04" not in served
    assert data["size"] < len(content)


def test_the_request_must_be_multipart_with_a_file(api: Api, asset: int, session: Session) -> None:
    as_json = api.post(f"/assets/{asset}/attachments", json={"file": "x"})
    assert (as_json.status_code, as_json.json()) == (
        415,
        {"status": "error", "message": "Content-Type must be multipart/form-data"},
    )
    no_file = api.post(f"/assets/{asset}/attachments", files={"name": (None, "x")})
    assert (no_file.status_code, no_file.json()) == (422, _error("file is required", "file", "is required"))
    not_a_file = api.post(f"/assets/{asset}/attachments", files={"file": (None, "text")})
    assert (not_a_file.status_code, not_a_file.json()) == (
        422,
        _error("file must be a file part", "file", "must be a file part"),
    )
    extra = api.post(f"/assets/{asset}/attachments", files={"file": ("a.pdf", pdf_bytes()), "owner": (None, "7")})
    assert extra.status_code == 422
    assert extra.json()["errors"] == {"owner": ["is not a known part (send `file` and optionally `name`)"]}
    two = api.post(
        f"/assets/{asset}/attachments", files=[("file", ("a.pdf", pdf_bytes())), ("file", ("b.pdf", pdf_bytes()))]
    )
    assert two.status_code == 400 and two.json()["status"] == "error"
    assert attachment_rows(session) == []


def test_a_missing_record_is_404_before_the_body_is_read(api: Api) -> None:
    response = upload(api, "/assets/999999/attachments", io.BytesIO(b"").getvalue(), "a.jpg")
    assert (response.status_code, response.json()) == (404, {"status": "error", "message": "Asset not found"})


def test_an_upload_in_an_atomic_batch_is_415_and_the_batch_rolls_back(api: Api, asset: int) -> None:
    ops = [
        {"method": "POST", "url": "/api/v1/locations", "params": {"location": {"name": "Made in the batch"}}},
        {"method": "POST", "url": f"/api/v1/assets/{asset}/attachments", "params": {"file": "x"}},
    ]
    response = api.post("/batch", json={"ops": ops, "sequential": True, "atomic": True})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results[1] == {
        "status": 415,
        "body": {"status": "error", "message": "Content-Type must be multipart/form-data"},
    }
    assert [loc["name"] for loc in api.get("/locations").json()["data"]] == []


def test_heic_is_415_without_pillow_heif(
    api: Api, asset: int, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sniff, "HEIF_READABLE", False)
    response = upload(api, f"/assets/{asset}/attachments", heic_with_gps(), "IMG.heic")
    assert response.status_code == 415
    assert response.json()["message"] == "HEIC images are not supported; send JPEG, PNG, WebP or GIF"
    assert attachment_rows(session) == []
