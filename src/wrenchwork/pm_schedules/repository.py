"""All SQL of PM schedules: the list item rendered by the database, and the detail's reads."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import String, delete, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from wrenchwork.core.json_sql import (
    Detail,
    json_author,
    json_bool,
    json_item,
    json_list,
    json_moment,
    json_moment_ms,
    json_object,
    json_ref,
    json_refs,
    json_stored,
    rounded_product,
)
from wrenchwork.core.listing import AnySelect
from wrenchwork.core.repository import Link, Repository
from wrenchwork.files.present import fill_avatars
from wrenchwork.files.urls import first_image_url, json_files
from wrenchwork.models import (
    AccountCode,
    Asset,
    Category,
    Location,
    Part,
    PmSchedule,
    PmTemplatePart,
    PmTemplateWorkOrder,
    ProcedureTemplate,
    User,
    Vendor,
    WorkOrder,
    pm_schedule_procedure_templates,
    pm_template_account_codes,
    pm_template_categories,
    pm_template_technicians,
    pm_template_vendors,
)
from wrenchwork.pm_schedules.progress import HAS_UNCOMPLETED, LAST_ACTIVE, PROGRESSION, LastWorkOrder
from wrenchwork.vendors.repository import json_vendors_with_contact
from wrenchwork.work_orders.repository import json_part_assignments

Template = PmTemplateWorkOrder
TEMPLATE_LINKS = (
    Link("categories", pm_template_categories, "template_id", "category_id", Category),
    Link("account_codes", pm_template_account_codes, "template_id", "account_code_id", AccountCode),
    Link("technicians", pm_template_technicians, "template_id", "user_id", User, ("surname",)),
    Link("vendors", pm_template_vendors, "template_id", "vendor_id", Vendor),
)
Creator = aliased(User, name="creator")
Editor = aliased(User, name="editor")
TemplateCreator = aliased(User, name="template_creator")
TemplateEditor = aliased(User, name="template_editor")


class json_due_date(FunctionElement[Any]):
    """An order date plus a whole number of hours, as a PM date (`2026-07-18T16:00:00.000Z`): a due date."""

    name = "json_due_date"
    type = String()
    inherit_cache = True


@compiles(json_due_date, "sqlite")
def _due_date_sqlite(element: json_due_date, compiler: SQLCompiler, **kw: Any) -> str:
    moment, hours = (compiler.process(clause, **kw) for clause in element.clauses)
    # One strftime() (%f: seconds with milliseconds), where adding and then formatting would parse the value twice.
    return f"strftime('%Y-%m-%dT%H:%M:%fZ', {moment}, ({hours}) || ' hours')"


@compiles(json_due_date, "postgresql")
def _due_date_pg(element: json_due_date, compiler: SQLCompiler, **kw: Any) -> str:
    moment, hours = (compiler.process(clause, **kw) for clause in element.clauses)
    return f'to_char({moment} + make_interval(hours => {hours}), \'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"\')'


def _joined(stmt: AnySelect) -> AnySelect:
    return (
        stmt.select_from(PmSchedule)
        .outerjoin(Template, Template.pm_schedule_id == PmSchedule.id)
        .outerjoin(Asset, Asset.id == Template.asset_id)
        .outerjoin(Location, Location.id == Template.location_id)
        .outerjoin(Creator, Creator.id == PmSchedule.created_by_id)
        .outerjoin(Editor, Editor.id == PmSchedule.updated_by_id)
        .outerjoin(TemplateCreator, TemplateCreator.id == Template.created_by_id)
        .outerjoin(TemplateEditor, TemplateEditor.id == Template.updated_by_id)
        .outerjoin(LastWorkOrder, LastWorkOrder.id == LAST_ACTIVE)
    )


def _linked(field: str, link: Any, value: str, target: Any, *extra: tuple[str, Any]) -> Any:
    return json_refs(f"pm_schedules.template.{field}", link, "template_id", value, target, Template.id, *extra)


# The documented list item's template (pm_schedules/schemas.py `TemplateListOut`).
_TEMPLATE_PAIRS = (
    ("id", Template.id), ("title", Template.title), ("description", Template.description),
    ("priority", Template.priority),
    ("asset", json_ref(Template.asset_id, ("id", Template.asset_id), ("name", Asset.name), ("status", Asset.status))),
    ("categories", _linked("categories", pm_template_categories, "category_id", Category)),
    ("account_codes", _linked("account_codes", pm_template_account_codes, "account_code_id", AccountCode)),
    ("technicians", _linked("technicians", pm_template_technicians, "user_id", User, ("surname", User.surname),
                            ("avatar", first_image_url("users", User.id, "small", newest=True)))),
    ("vendors", _linked("vendors", pm_template_vendors, "vendor_id", Vendor)),
    ("location", json_ref(Template.location_id, ("id", Template.location_id), ("name", Location.name),
                          ("path", Location.path))),
    ("created_at", json_moment(Template.created_at)),
    ("updated_at", json_moment(Template.updated_at)),
    ("created_by", json_author(TemplateCreator, Template.created_by_id)),
    ("updated_by", json_author(TemplateEditor, Template.updated_by_id)),
)  # fmt: skip
TEMPLATE_ITEM = json_ref(Template.id, *_TEMPLATE_PAIRS)
NEXT_DUE = json_due_date(PmSchedule.next_order_date, PmSchedule.time_to_complete)
# The documented list item (pm_schedules/schemas.py `PmScheduleListItem`), rendered by the database.
LIST_ITEM_PAIRS = (
    ("id", PmSchedule.id), ("status", PmSchedule.status), ("type", PmSchedule.type),
    ("start_date", json_moment_ms(PmSchedule.start_date)), ("time_to_complete", PmSchedule.time_to_complete),
    ("next_order_date", json_moment_ms(PmSchedule.next_order_date)), ("next_due_date", NEXT_DUE),
    ("repeat_frequency", PmSchedule.repeat_frequency), ("repeat_occurrence", PmSchedule.repeat_occurrence),
    ("on_week_days", json_stored(PmSchedule.on_week_days)), ("in_months", json_stored(PmSchedule.in_months)),
    ("on_month_day", PmSchedule.on_month_day),
    ("template_work_order", TEMPLATE_ITEM),
    ("has_uncompleted_wo", json_bool(HAS_UNCOMPLETED)),
    ("progression", PROGRESSION),
    ("created_at", json_moment(PmSchedule.created_at)),
    ("updated_at", json_moment(PmSchedule.updated_at)),
    ("created_by", json_author(Creator, PmSchedule.created_by_id)),
    ("updated_by", json_author(Editor, PmSchedule.updated_by_id)),
)  # fmt: skip
LIST_ITEM = json_object(*LIST_ITEM_PAIRS)
LIST_PAGE = _joined(select(json_item("pm_schedules.list_item", LIST_ITEM).label("item")))

# ---- the detail (pm_schedules/schemas.py `PmScheduleDetail`), rendered by the database for one or many ----

_SHOWN = dict(_TEMPLATE_PAIRS)
_TEMPLATE_COST = rounded_product(PmTemplatePart.quantity, Part.avg_unit_cost, 2)  # at today's average cost
_TEMPLATE_DETAIL = json_ref(
    Template.id,
    ("id", Template.id), ("title", Template.title), ("description", Template.description),
    ("priority", Template.priority), ("checklist", json_stored(Template.checklist)), ("asset", _SHOWN["asset"]),
    ("categories", _SHOWN["categories"]), ("account_codes", _SHOWN["account_codes"]),
    ("technicians", _SHOWN["technicians"]),
    ("vendors", json_vendors_with_contact(pm_template_vendors, "template_id", Template)),
    ("location", _SHOWN["location"]),
    ("part_assignments", json_part_assignments(PmTemplatePart, PmTemplatePart.template_id, Template,
                                               _TEMPLATE_COST)),
    ("images", json_files("pm_schedules", PmSchedule.id, "image")),
    ("documents", json_files("pm_schedules", PmSchedule.id, "document")),
    ("created_at", _SHOWN["created_at"]), ("updated_at", _SHOWN["updated_at"]),
    ("created_by", _SHOWN["created_by"]), ("updated_by", _SHOWN["updated_by"]),
)  # fmt: skip
_LINK = pm_schedule_procedure_templates
_PROCEDURE_TEMPLATES = json_list(
    json_object(("id", ProcedureTemplate.id), ("name", ProcedureTemplate.name)),
    _LINK.c.pm_schedule_id == PmSchedule.id, order_by=[ProcedureTemplate.id], outer=PmSchedule,
    source=_LINK.join(ProcedureTemplate, ProcedureTemplate.id == _LINK.c.procedure_template_id),
)  # fmt: skip
_ITEM = dict(LIST_ITEM_PAIRS)
DETAIL = Detail("pm_schedules.detail", json_object(
    *(pair for pair in LIST_ITEM_PAIRS[:12]),  # id ... on_month_day, as the list item shows them
    ("procedure_templates", _PROCEDURE_TEMPLATES),
    ("template_work_order", _TEMPLATE_DETAIL),
    ("has_work_orders", json_bool(LastWorkOrder.id.is_not(None))),
    ("has_uncompleted_wo", _ITEM["has_uncompleted_wo"]),
    ("progression", _ITEM["progression"]),
    ("last_active_work_order_id", LastWorkOrder.id), ("last_active_work_order_title", LastWorkOrder.title),
    ("created_at", _ITEM["created_at"]), ("updated_at", _ITEM["updated_at"]),
    ("created_by_id", PmSchedule.created_by_id), ("updated_by_id", PmSchedule.updated_by_id),
), _joined)  # fmt: skip


class TemplateRepository(Repository[PmTemplateWorkOrder]):
    """Schedules' templates: entity-owned rows of their own (created and touched with the caller's name)."""

    model = PmTemplateWorkOrder


class PmScheduleRepository(Repository[PmSchedule]):
    model = PmSchedule

    def intervals(self, schedule_ids: list[int]) -> dict[int, int]:
        if not schedule_ids:
            return {}
        stmt = self.scoped(select(PmSchedule.id, PmSchedule.repeat_interval)).where(PmSchedule.id.in_(schedule_ids))
        return {id_: interval for id_, interval in self.session.execute(stmt)}

    def template_of(self, schedule_id: int) -> PmTemplateWorkOrder | None:
        found: PmTemplateWorkOrder | None = self.session.scalars(
            select(Template).where(Template.pm_schedule_id == schedule_id)
        ).first()
        return found

    def template_refs(self, template_id: int) -> dict[str, list[dict[str, Any]]]:
        """The template's categories, account codes, technicians and vendors, in one query."""
        refs = {field: found[template_id] for field, found in self.refs_through(TEMPLATE_LINKS, [template_id]).items()}
        for person in refs["technicians"]:
            person["avatar"] = None
        fill_avatars(self.session, refs["technicians"])
        return refs

    def linked_ids_of(self, template_id: int) -> dict[str, list[int]]:
        return {link.field: [ref["id"] for ref in refs] for link, refs in
                zip(TEMPLATE_LINKS, self.template_refs(template_id).values(), strict=True)}  # fmt: skip

    def set_parts(self, template_id: int, parts: Sequence[tuple[int, Decimal]]) -> None:
        self.session.execute(delete(PmTemplatePart).where(PmTemplatePart.template_id == template_id))
        for part_id, quantity in parts:
            self.session.add(PmTemplatePart(template_id=template_id, part_id=part_id, quantity=quantity))
        self.session.flush()

    def work_order_count(self, schedule_id: int) -> int:
        stmt = select(func.count()).select_from(WorkOrder).where(WorkOrder.pm_schedule_id == schedule_id)
        return self.session.scalar(stmt) or 0
