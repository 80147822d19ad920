"""A searchable, paginated page of a resource's list (assets, parts): the API's own list, sorted by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.listing import ListQuery, ListSpec, parse_list_query
from wrenchwork.web.my_work import items

PER_PAGE = 20
Lister = Callable[[Session, Scope, ListQuery], tuple[list[Any], int]]


def searched_page(
    session: Session, scope: Scope, spec: ListSpec, lister: Lister, search: str, page: int
) -> dict[str, Any]:
    """The template context of one page: `found` (the list items), `search`, `page`, `pages` and `pager_query`
    (the search, URL-encoded, for the pager's links)."""
    params = [("page", str(page)), ("per_page", str(PER_PAGE)), ("sort", "name asc")]
    term = search.strip()
    if term:
        params.append(("search", term))
    found, total = lister(session, scope, parse_list_query(spec, params))
    return {
        "found": items(found),
        "search": search,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "pager_query": urlencode({"search": term}) + "&" if term else "",
    }
