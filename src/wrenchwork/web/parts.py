"""Parts: search, stock, where each is used; restock and reconcile for the roles the API allows them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query, Request
from starlette.responses import Response

from wrenchwork.core.auth import ROLES, TECHNICIAN_ROLES
from wrenchwork.core.listing import parse_list_query
from wrenchwork.core.schemas import MAX_ID
from wrenchwork.parts import service, transactions
from wrenchwork.parts.listing import PART_LIST, TRANSACTION_LIST
from wrenchwork.parts.schemas import Reconcile, Restock
from wrenchwork.web.listing import searched_page
from wrenchwork.web.my_work import items
from wrenchwork.web.routing import back_to, go, validated, web_router
from wrenchwork.web.sessions import CurrentViewer, note
from wrenchwork.web.templates import render

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Amount = Annotated[str, Form(max_length=40)]
LEDGER = 10


@router.get("/parts")
async def part_list(
    request: Request,
    viewer: CurrentViewer,
    search: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    scope = viewer.require(ROLES)
    context = searched_page(request.state.session, scope, PART_LIST, service.list_parts, search, page)
    return render(request, "parts.html", {**context, "title": "Parts", "parts": context["found"]})


@router.get("/parts/{id}")
async def part_page(request: Request, viewer: CurrentViewer, id: Id) -> Response:
    scope = viewer.require(ROLES)
    session = request.state.session
    part = service.get_part(session, scope, id)
    may_stock = viewer.may(TECHNICIAN_ROLES)
    ledger, used = None, None
    if may_stock:  # the ledger is the API's technicians' (GET /parts/{id}/transactions)
        page, _, used = transactions.list_transactions(
            session, scope, id, parse_list_query(TRANSACTION_LIST, [("per_page", str(LEDGER))])
        )
        ledger = items(page)
    context = {
        "title": part["name"],
        "part": part,
        "ledger": ledger,
        "total_used": used,
        "may_stock": may_stock,
        "tz": scope.entity.timezone,
    }
    return render(request, "part.html", context)


@router.post("/parts/{id}/restock")
async def restock(
    request: Request, viewer: CurrentViewer, id: Id, quantity: Amount, cost: Amount, note_text: Amount = ""
) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, f"/parts/{id}")
    body = validated(Restock, {"quantity": quantity.strip(), "cost": cost.strip(), "note": note_text.strip() or None})
    done = service.restock(request.state.session, scope, id, body)
    note(request, f"Restocked: {done['on_hand_qty']} on hand")
    return go(f"/parts/{id}")


@router.post("/parts/{id}/reconcile")
async def reconcile(
    request: Request,
    viewer: CurrentViewer,
    id: Id,
    quantity: Amount,
    note_text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    scope = viewer.require(TECHNICIAN_ROLES)
    back_to(request, f"/parts/{id}")
    body = validated(Reconcile, {"quantity": quantity.strip(), "note": note_text})
    done = service.reconcile(request.state.session, scope, id, body)
    note(request, f"Reconciled: {done['on_hand_qty']} on hand")
    return go(f"/parts/{id}")
