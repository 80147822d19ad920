"""A searchable, paginated page of a resource's list (assets, parts, requests, users, ...): the API's own list
with the filters a person would type into its query string."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.listing import ListQuery, ListSpec, parse_list_query
from wrenchwork.web.my_work import items

PER_PAGE = 20
Lister = Callable[[Session, Scope, ListQuery], tuple[list[Any], int]]


def searched_page(
    session: Session,
    scope: Scope,
    spec: ListSpec,
    lister: Lister,
    search: str,
    page: int,
    sort: str = "name asc",
    filters: Sequence[tuple[str, str, str]] = (),
) -> dict[str, Any]:
    """The template context of one page: `found` (the list items), `search`, `page`, `pages`, `total` and
    `pager_query` (the search and the filters' form values, URL-encoded, for the pager's links).

    `filters` are (form field, API filter key, value) of the filters chosen on the page; empty values are left
    out."""
    params = [("page", str(page)), ("per_page", str(PER_PAGE)), ("sort", sort)]
    kept = []
    term = search.strip()
    if term:
        params.append(("search", term))
        kept.append(("search", term))
    for field, key, value in filters:
        if value:
            params.append((key, value))
            kept.append((field, value))
    found, total = lister(session, scope, parse_list_query(spec, params))
    return {
        "found": items(found),
        "search": search,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "total": total,
        "pager_query": urlencode(kept) + "&" if kept else "",
    }


def with_total(lister: Callable[[Session, Scope, ListQuery], tuple[list[Any], dict[str, Any]]]) -> Lister:
    """A list service that answers the API's meta (users, API keys) as one that answers the total."""

    def listed(session: Session, scope: Scope, query: ListQuery) -> tuple[list[Any], int]:
        data, meta = lister(session, scope, query)
        return data, int(meta["pagination"]["total"])

    return listed
