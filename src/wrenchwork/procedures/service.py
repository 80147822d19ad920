"""Procedure templates (documented reads, extension writes) and the procedures work orders carry.

The work-order code calls `instantiate` / `replace_procedures` when `procedure_template_ids` is sent, and
`procedures_by_work_order` to show `procedures[]`; everything else here serves the procedure endpoints.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.model_base import utcnow
from wrenchwork.files.present import fill, shapes_by_id
from wrenchwork.files.service import link_answer
from wrenchwork.models import Procedure, ProcedureAnswer, ProcedureItem, ProcedureTemplate, WorkOrder
from wrenchwork.procedures.items import (
    ATTACHMENT_TYPES,
    checked_answer,
    checked_options,
    shown_options,
    shown_value,
)
from wrenchwork.procedures.listing import TEMPLATE_LIST
from wrenchwork.procedures.repository import ProcedureRepository, TemplateRepository, WorkOrderLookup
from wrenchwork.procedures.schemas import MAX_ITEMS, AnswersIn, ItemIn, TemplateCreate, TemplateUpdate

ITEMS = "procedure_template.items_attributes"


# ---- templates ------------------------------------------------------------------------------------------------


def present_templates(repo: TemplateRepository, templates: Sequence[Any], detail: bool) -> list[dict[str, Any]]:
    """Templates as documented (list item or detail); a fixed number of queries for any number of them."""
    ids = [t.id for t in templates]
    if detail:
        items = repo.items(ids)
        shown = [
            {
                "id": t.id,
                "name": t.name,
                "description": t.description,
                "items": [_template_item(i) for i in items.get(t.id, [])],
                "created_at": t.created_at,
                "updated_at": t.updated_at,
                "created_by_id": t.created_by_id,
                "updated_by_id": t.updated_by_id,
            }
            for t in templates
        ]
        fill(repo.session, repo.scope, "procedure_items", [item for t in shown for item in t["items"]])
        return shown
    counts = repo.work_order_counts(ids)
    schedules = repo.pm_schedule_counts(ids)
    users = repo.user_refs(u for t in templates for u in (t.created_by_id, t.updated_by_id))
    return [
        {
            "id": t.id,
            "name": t.name,
            "description": t.description,
            "assignment_count": {"work_orders": counts.get(t.id, 0), "pm_schedules": schedules.get(t.id, 0)},
            "created_at": t.created_at,
            "updated_at": t.updated_at,
            "created_by": users.get(t.created_by_id),
            "updated_by": users.get(t.updated_by_id),
        }
        for t in templates
    ]


def _template_item(item: ProcedureItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "index": item.index,
        "item_type": item.item_type,
        "options": shown_options(item.options),
        "images": [],
        "documents": [],
    }


def list_templates(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    repo = TemplateRepository(session, scope)
    rows, total = repo.page(TEMPLATE_LIST, query, repo.scoped())
    return present_templates(repo, [r[0] for r in rows], detail=False), total


def get_template(session: Session, scope: Scope, template_id: int) -> dict[str, Any]:
    repo = TemplateRepository(session, scope)
    return present_templates(repo, [_get_template(repo, template_id)], detail=True)[0]


def create_template(session: Session, scope: Scope, data: TemplateCreate) -> dict[str, Any]:
    repo = TemplateRepository(session, scope)
    template = repo.add(ProcedureTemplate(name=data.name, description=data.description))
    _save_items(repo, template, data.items_attributes or [])
    return present_templates(repo, [template], detail=True)[0]


def update_template(session: Session, scope: Scope, template_id: int, data: TemplateUpdate) -> dict[str, Any]:
    """Changes the template only: procedures already on work orders keep the items they were given."""
    repo = TemplateRepository(session, scope)
    template = _get_template(repo, template_id)
    sent = data.model_fields_set
    if "name" in sent:
        if data.name is None:
            raise Unprocessable.field("procedure_template.name", "cannot be null")
        template.name = data.name
    if "description" in sent:
        template.description = data.description
    if "items_attributes" in sent:
        if data.items_attributes is None:
            raise Unprocessable.field(ITEMS, "cannot be null (send [] to leave the items alone)")
        _save_items(repo, template, data.items_attributes)
    repo.touch(template)
    return present_templates(repo, [template], detail=True)[0]


def delete_template(session: Session, scope: Scope, template_id: int) -> None:
    """Work orders keep their copies; their `procedure_template_id` becomes null."""
    repo = TemplateRepository(session, scope)
    repo.delete(_get_template(repo, template_id))


def _get_template(repo: TemplateRepository, template_id: int) -> ProcedureTemplate:
    template = repo.get(template_id)
    if template is None:
        raise NotFound.of("Procedure template")
    return template


def _save_items(repo: TemplateRepository, template: ProcedureTemplate, changes: list[ItemIn]) -> None:
    """Rails-style nested items, then positions renumbered 1..n (a given `index` places the item there)."""
    existing = {item.id: item for item in repo.items([template.id]).get(template.id, [])}
    kept = dict(existing)
    placed: list[tuple[int, int, ProcedureItem]] = []
    appended: list[ProcedureItem] = []
    touched: set[int] = set()
    for n, change in enumerate(changes):
        path = f"{ITEMS}.{n}"
        if change.id is None:
            if change.destroy:
                raise Unprocessable.field(f"{path}._destroy", "needs the id of the item to remove")
            if change.name is None:
                raise Unprocessable.field(f"{path}.name", "is required")
            if change.item_type is None:
                raise Unprocessable.field(f"{path}.item_type", "is required")
            item = ProcedureItem(
                procedure_template_id=template.id,
                name=change.name,
                item_type=change.item_type,
                options=checked_options(change.item_type, change.options, path),
                index=0,
            )
            repo.session.add(item)
        else:
            found = kept.get(change.id)
            if found is None or change.id in touched:
                reason = "is given twice" if change.id in touched else "is not an item of this template"
                raise Unprocessable.field(f"{path}.id", reason)
            touched.add(change.id)
            if change.destroy:
                repo.session.delete(found)
                del kept[change.id]
                continue
            item = found
            for required in ("name", "item_type", "options", "index"):
                if required in change.model_fields_set and getattr(change, required) is None:
                    raise Unprocessable.field(f"{path}.{required}", "cannot be null")
            if change.name is not None:
                item.name = change.name
            if change.item_type is not None or change.options is not None:
                item_type = change.item_type or item.item_type
                options = change.options if change.options is not None else _raw_options(item, item_type)
                item.options = checked_options(item_type, options, path)
                item.item_type = item_type
        if change.index is not None:
            placed.append((change.index, n, item))
        elif change.id is None:
            appended.append(item)
    # Items without a new `index` keep their order (new ones last); each placed item then lands at its index.
    moved = {id(entry[2]) for entry in placed}
    order = [i for i in sorted(kept.values(), key=lambda i: (i.index, i.id)) if id(i) not in moved] + appended
    for index, _, item in sorted(placed, key=lambda e: (e[0], e[1])):
        order.insert(index - 1, item)
    if len(order) > MAX_ITEMS:
        raise Unprocessable.field(ITEMS, f"a template holds at most {MAX_ITEMS} items")
    for position, item in enumerate(order, start=1):
        item.index = position
    repo.session.flush()


def _raw_options(item: ProcedureItem, item_type: str) -> dict[str, Any]:
    """The stored options worth keeping when only the type changes (`required` carries over)."""
    return {"required": item.options.get("required", True)} if item_type != item.item_type else dict(item.options)


# ---- procedures on work orders ---------------------------------------------------------------------------------


def instantiate(
    session: Session,
    work_order: WorkOrder,
    template_ids: Iterable[int],
    path: str = "work_order.procedure_template_ids",
) -> list[Procedure]:
    """Attach one procedure per template to `work_order` (already flushed), copying the template's items.

    Ids must be templates of the work order's entity (422 naming `path` otherwise). A template listed twice is
    attached once. The caller's transaction is flushed, never committed.
    """
    wanted = list(dict.fromkeys(template_ids))
    if not wanted:
        return []
    templates = {
        t.id: t
        for t in session.scalars(
            select(ProcedureTemplate).where(
                ProcedureTemplate.entity_id == work_order.entity_id, ProcedureTemplate.id.in_(wanted)
            )
        )
    }
    unknown = [i for i in wanted if i not in templates]
    if unknown:
        raise Unprocessable.field(path, f"unknown ids {unknown}: must be procedure templates of this entity")
    items: dict[int, list[ProcedureItem]] = defaultdict(list)
    for item in session.scalars(
        select(ProcedureItem)
        .where(ProcedureItem.procedure_template_id.in_(wanted))
        .order_by(ProcedureItem.index, ProcedureItem.id)
    ):
        items[item.procedure_template_id].append(item)
    author = work_order.updated_by_id
    made = []
    for template_id in wanted:
        template = templates[template_id]
        procedure = Procedure(
            entity_id=work_order.entity_id,
            work_order_id=work_order.id,
            procedure_template_id=template.id,
            name=template.name,
            description=template.description,
            created_by_id=author,
            updated_by_id=author,
        )
        session.add(procedure)
        made.append((procedure, items[template_id]))
    session.flush()
    session.add_all(
        ProcedureAnswer(
            procedure_id=procedure.id,
            procedure_item_id=item.id,
            name=item.name,
            index=item.index,
            item_type=item.item_type,
            options=dict(item.options),
        )
        for procedure, template_items in made
        for item in template_items
    )
    session.flush()
    return [procedure for procedure, _ in made]


def replace_procedures(
    session: Session,
    work_order: WorkOrder,
    template_ids: Iterable[int],
    path: str = "work_order.procedure_template_ids",
) -> None:
    """Make the work order's procedures match `template_ids` (the `*_ids` convention: the list is the new set).

    Procedures whose template is still listed are kept with their answers; the others are removed; templates not
    yet attached are instantiated.
    """
    wanted = list(dict.fromkeys(template_ids))
    current = list(session.scalars(select(Procedure).where(Procedure.work_order_id == work_order.id)))
    attached = {p.procedure_template_id for p in current}
    for procedure in current:
        if procedure.procedure_template_id not in wanted:
            session.delete(procedure)
    session.flush()
    instantiate(session, work_order, [i for i in wanted if i not in attached], path)


def procedures_by_work_order(session: Session, work_order_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """`{work_order_id: [{id, name, procedure_template_id, completed_at}]}` in one query (ids already scoped)."""
    ids = list(work_order_ids)
    grouped: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return grouped
    rows = session.execute(
        select(
            Procedure.work_order_id,
            Procedure.id,
            Procedure.name,
            Procedure.procedure_template_id,
            Procedure.completed_at,
        )
        .where(Procedure.work_order_id.in_(ids))
        .order_by(Procedure.work_order_id, Procedure.id)
    )
    for work_order_id, procedure_id, name, template_id, completed_at in rows:
        grouped[work_order_id].append(
            {"id": procedure_id, "name": name, "procedure_template_id": template_id, "completed_at": completed_at}
        )
    return grouped


def get_procedure(session: Session, scope: Scope, work_order_id: int, procedure_id: int) -> dict[str, Any]:
    repo = ProcedureRepository(session, scope)
    return _present_procedure(repo, _get_procedure(repo, work_order_id, procedure_id))


def present_procedure(session: Session, scope: Scope, procedure: Any) -> dict[str, Any]:
    """A procedure's event data, as its `GET` shows it (`procedure` may be a stand-in that carries only its id)."""
    repo = ProcedureRepository(session, scope)
    row = procedure if isinstance(procedure, Procedure) else session.get(Procedure, procedure.id)
    if row is None:
        raise NotFound.of("Procedure")
    return _present_procedure(repo, row)


def record_answers(
    session: Session, scope: Scope, work_order_id: int, procedure_id: int, data: AnswersIn
) -> dict[str, Any]:
    """Check every answer against its item's type first, then store them all; `null` clears an answer.

    The procedure is complete (`completed_at` set) once every required item has an answer (a procedure with no
    required item: once any item has one); clearing a required answer makes it incomplete again.
    """
    repo = ProcedureRepository(session, scope)
    procedure = _get_procedure(repo, work_order_id, procedure_id)
    answers = {a.id: a for a in repo.answers(procedure.id)}
    checked: list[tuple[ProcedureAnswer, Any]] = []
    seen: set[int] = set()
    for n, answer in enumerate(data.answers):
        path = f"procedure.answers.{n}"
        item = answers.get(answer.item_id)
        if item is None:
            raise Unprocessable.field(f"{path}.item_id", "is not an item of this procedure")
        if answer.item_id in seen:
            raise Unprocessable.field(f"{path}.item_id", "is answered twice")
        seen.add(answer.item_id)
        value = (
            None
            if answer.value is None
            else checked_answer(item.item_type, item.options, answer.value, path + ".value")
        )
        checked.append((item, value))
    for n, (item, value) in enumerate(checked):
        if item.item_type in ATTACHMENT_TYPES:
            path = f"procedure.answers.{n}.value"
            link_answer(session, scope, item.id, value, item.value, path)
    now = utcnow()
    for item, value in checked:
        item.value = value
        item.answered_at = None if value is None else now
        item.answered_by_id = None if value is None else scope.user_id
    complete = _is_complete(answers.values())
    if complete and procedure.completed_at is None:
        procedure.completed_at = now
    elif not complete:
        procedure.completed_at = None
    repo.touch(procedure)
    return _present_procedure(repo, procedure)


def _is_complete(items: Iterable[ProcedureAnswer]) -> bool:
    items = list(items)
    required = [i for i in items if i.options.get("required", True)]
    if required:
        return all(i.value is not None for i in required)
    return any(i.value is not None for i in items)


def _get_procedure(repo: ProcedureRepository, work_order_id: int, procedure_id: int) -> Procedure:
    if WorkOrderLookup(repo.session, repo.scope).get(work_order_id) is None:
        raise NotFound.of("Work order")
    procedure = repo.of_work_order(work_order_id, procedure_id)
    if procedure is None:
        raise NotFound.of("Procedure")
    return procedure


def _present_procedure(repo: ProcedureRepository, procedure: Procedure) -> dict[str, Any]:
    answers = repo.answers(procedure.id)
    users = repo.user_refs(a.answered_by_id for a in answers)
    with_files = [a.id for a in answers if a.item_type in ATTACHMENT_TYPES and a.value is not None]
    files = shapes_by_id(repo.session, repo.scope, "procedure_answers", with_files)
    return {
        "id": procedure.id,
        "name": procedure.name,
        "description": procedure.description,
        "procedure_template_id": procedure.procedure_template_id,
        "work_order_id": procedure.work_order_id,
        "completed_at": procedure.completed_at,
        "items": [
            {
                "id": a.id,
                "name": a.name,
                "index": a.index,
                "item_type": a.item_type,
                "options": shown_options(a.options),
                "value": files.get(a.value or 0) if a.id in with_files else shown_value(a.item_type, a.value),
                "answered_at": a.answered_at,
                "answered_by": users.get(a.answered_by_id),
            }
            for a in answers
        ],
        "created_at": procedure.created_at,
        "updated_at": procedure.updated_at,
    }
