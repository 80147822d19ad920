"""The documented attachment URLs, `/api/v1/store/attachments/{image|document}/{id}/upload/[variant-]{token}.{ext}`,
built in Python (details) and in SQL (list items rendered by the database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from wrenchwork.core.json_sql import sqlite_keeps_json
from wrenchwork.core.presenters import NO_THUMBNAIL
from wrenchwork.core.routing import API_PREFIX

STORE = f"{API_PREFIX}/store/attachments"
VARIANTS = ("small", "medium", "large")
DOWNLOAD = "?download=1"


def url(row: Any, variant: str | None = None) -> str:
    token = row.token if variant is None else getattr(row, f"{variant}_token")
    prefix = "" if variant is None else f"{variant}-"
    return f"{STORE}/{row.kind}/{row.id}/upload/{prefix}{token}.{row.extension}"


def shape(row: Any) -> dict[str, Any]:
    """The documented image or document object."""
    link = url(row)
    item: dict[str, Any] = {
        "id": row.id,
        "url": link,
        "download_url": link + DOWNLOAD,
        "size": row.size,
        "type": row.content_type,
        "name": row.name,
    }
    if row.kind == "image":
        item["attachment_urls"] = {variant: url(row, variant) for variant in VARIANTS}
    return item


def thumbnail(row: Any | None) -> dict[str, Any]:
    """A list item's `image`: the first image's small and medium URLs, or nulls."""
    if row is None:
        return dict(NO_THUMBNAIL)
    return {"small": url(row, "small"), "medium": url(row, "medium")}


class first_image_url(ColumnElement[str]):
    """SQL: the URL of a variant of the first (or, `newest`, the last) image of a record; null when it has none.

    `owner_id` is a column of the outer query. Rendered as SQL text rather than a correlated select: inside the
    list items' JSON constructs (core/json_sql.py) the outer tables are not known to SQLAlchemy's correlation,
    which would otherwise add them to the subquery's FROM."""

    inherit_cache = True
    type = String()
    _traverse_internals = [
        ("owner_type", InternalTraversal.dp_string),
        ("variant", InternalTraversal.dp_string),
        ("newest", InternalTraversal.dp_boolean),
        ("owner_id", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, owner_type: str, owner_id: Any, variant: str, newest: bool = False) -> None:
        if not owner_type.replace("_", "").isalpha() or variant not in VARIANTS:
            raise ValueError(f"unsafe owner type or variant {owner_type!r} {variant!r}")
        self.owner_type = owner_type
        self.owner_id = owner_id
        self.variant = variant
        self.newest = newest

    @property
    def _from_objects(self) -> list[Any]:
        return []


@compiles(first_image_url)
def _first_image_url(element: first_image_url, compiler: SQLCompiler, **kw: Any) -> str:
    owner = compiler.process(element.owner_id, **kw)
    a = f"att_{element.variant}"
    order = "DESC" if element.newest else "ASC"
    return (
        f"(SELECT '{STORE}/image/' || CAST({a}.id AS VARCHAR) || '/upload/{element.variant}-' || "
        f"{a}.{element.variant}_token || '.' || {a}.extension FROM attachments AS {a} "
        f"WHERE {a}.owner_type = '{element.owner_type}' AND {a}.owner_id = {owner} AND {a}.kind = 'image' "
        f"ORDER BY {a}.id {order} LIMIT 1)"
    )


class json_files(ColumnElement[str]):
    """SQL: a record's images or documents as the JSON array a detail shows (`shape` above), oldest first; for
    list items the database renders (the part ledger). Rendered as SQL text for the reason `first_image_url`
    gives."""

    inherit_cache = True
    type = String()
    _traverse_internals = [
        ("owner_type", InternalTraversal.dp_string),
        ("kind", InternalTraversal.dp_string),
        ("owner_id", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, owner_type: str, owner_id: Any, kind: str) -> None:
        if not owner_type.replace("_", "").isalpha() or kind not in ("image", "document"):
            raise ValueError(f"unsafe owner type or kind {owner_type!r} {kind!r}")
        self.owner_type = owner_type
        self.owner_id = owner_id
        self.kind = kind

    @property
    def _from_objects(self) -> list[Any]:
        return []


def _file_url(a: str, kind: str, variant: str | None) -> str:
    token = f"{a}.token" if variant is None else f"'{variant}-' || {a}.{variant}_token"
    return f"'{STORE}/{kind}/' || CAST({a}.id AS VARCHAR) || '/upload/' || {token} || '.' || {a}.extension"


@compiles(json_files)
def _json_files(element: json_files, compiler: SQLCompiler, **kw: Any) -> str:
    owner = compiler.process(element.owner_id, **kw)
    postgres = compiler.dialect.name == "postgresql"
    build = "json_build_object" if postgres else "json_object"
    a = f"files_{element.kind}"
    link = _file_url(a, element.kind, None)
    pairs = [
        f"'id', {a}.id",
        f"'url', {link}",
        f"'download_url', {link} || '{DOWNLOAD}'",
        f"'size', {a}.size",
        f"'type', {a}.content_type",
        f"'name', {a}.name",
    ]
    if element.kind == "image":
        urls = ", ".join(f"'{v}', {_file_url(a, 'image', v)}" for v in VARIANTS)
        pairs.append(f"'attachment_urls', {build}({urls})")
    item = f"{build}({', '.join(pairs)})"
    where = f"{a}.owner_type = '{element.owner_type}' AND {a}.owner_id = {owner} AND {a}.kind = '{element.kind}'"
    if postgres:
        return f"(SELECT coalesce(json_agg({item} ORDER BY {a}.id), '[]'::json) FROM attachments AS {a} WHERE {where})"
    # Aggregated over an ordered subquery: SQLite before 3.44 has no ORDER BY inside an aggregate.
    inner = f"(SELECT * FROM attachments AS {a} WHERE {where} ORDER BY {a}.id) AS {a}"
    text = f"(SELECT json_group_array({item}) FROM {inner})"
    return text if sqlite_keeps_json() else f"json({text})"
