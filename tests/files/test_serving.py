"""The store URLs: no API key, the token is the credential, safe headers, ranges and revalidation."""

from __future__ import annotations

from typing import Any

from tests.files.support import image_bytes, pdf_bytes, upload
from tests.helpers import Api


def _image(api: Api, asset: int) -> dict[str, Any]:
    data: dict[str, Any] = upload(api, f"/assets/{asset}/attachments", image_bytes(), "pump photo.jpg").json()["data"]
    return data


def test_an_image_is_served_inline_without_a_key(api: Api, asset: int) -> None:
    data = _image(api, asset)
    response = api.client.get(data["url"])  # no Authorization, no X-Entity-Id
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == "inline; filename*=utf-8''pump%20photo.jpg"
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.headers["accept-ranges"] == "bytes"
    assert int(response.headers["content-length"]) == data["size"] == len(response.content)
    assert response.headers["etag"]


def test_download_url_and_documents_are_attachments(api: Api, asset: int) -> None:
    image = _image(api, asset)
    assert api.client.get(image["download_url"]).headers["content-disposition"].startswith("attachment;")
    doc = upload(api, f"/assets/{asset}/attachments", pdf_bytes(), "Manual (EN).pdf").json()["data"]
    served = api.client.get(doc["url"])
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("attachment;")
    text = upload(api, f"/assets/{asset}/attachments", b"hello", "n.txt").json()["data"]
    assert api.client.get(text["url"]).headers["content-type"] == "text/plain; charset=utf-8"


def test_ranges_and_revalidation(api: Api, asset: int) -> None:
    data = _image(api, asset)
    whole = api.client.get(data["url"]).content
    part = api.client.get(data["url"], headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == whole[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(whole)}"
    etag = api.client.get(data["url"]).headers["etag"]
    again = api.client.get(data["url"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    head = api.client.head(data["url"])
    assert head.status_code == 200 and head.content == b""


def test_a_wrong_token_kind_extension_or_variant_is_404(api: Api, asset: int) -> None:
    data = _image(api, asset)
    url, small = data["url"], data["attachment_urls"]["small"]
    token = url.rsplit("/", 1)[1].removesuffix(".jpg")
    small_token = small.rsplit("/", 1)[1].removesuffix(".jpg").removeprefix("small-")
    base = url.rsplit("/", 1)[0]
    wrong = [
        f"{base}/{token[:-1]}x.jpg" if token[-1] != "x" else f"{base}/{token[:-1]}y.jpg",
        f"{base}/{token}.png",
        f"{base}/{token}",
        url.replace("/image/", "/document/"),
        f"{base}/medium-{small_token}.jpg",  # a variant's token under another variant's name
        f"{base}/small-{token}.jpg",  # the file's token as a variant's
        f"{base}/{small_token}.jpg",
        url.replace(f"/image/{data['id']}/", f"/image/{data['id'] + 1}/"),
        url.replace(f"/image/{data['id']}/", "/image/99999999999/"),
        url.replace(f"/image/{data['id']}/", "/image/abc/"),
    ]
    for link in wrong:
        response = api.client.get(link)
        assert response.status_code == 404, link
        assert response.json() == {"status": "error", "message": "Attachment not found"}


def test_odd_ids_are_404_not_errors(api: Api, asset: int) -> None:
    data = _image(api, asset)
    for odd in ("\u00b2", "\u0661", "0x1", "-1", "1.0", ""):
        link = data["url"].replace(f"/image/{data['id']}/", f"/image/{odd}/")
        assert api.client.get(link).status_code == 404, odd


def test_a_range_past_the_end_is_416(api: Api, asset: int) -> None:
    data = _image(api, asset)
    response = api.client.get(data["url"], headers={"Range": f"bytes={data['size'] + 10}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{data['size']}"
