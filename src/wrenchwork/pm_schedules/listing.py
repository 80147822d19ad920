"""The PM schedule list: the schedule's columns, its template work order's columns and links.

The template's fields (`title`, `asset_id`, `technicians_id`, ...) are named as on a work order; the list's base
statement joins the template (one per schedule), so its columns filter, sort and search like the schedule's own,
and its links are matched through (schedule, value) pairs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from wrenchwork.core.listing import Field, Kind, ListSpec, Membership
from wrenchwork.models import (
    PmSchedule,
    PmTemplatePart,
    PmTemplateWorkOrder,
    pm_schedule_procedure_templates,
    pm_template_account_codes,
    pm_template_categories,
    pm_template_technicians,
    pm_template_vendors,
)
from wrenchwork.models.pm import PM_STATUSES, PM_TYPES, REPEAT_FREQUENCIES
from wrenchwork.models.work_orders import PRIORITIES

Template = PmTemplateWorkOrder


def _template_link(link: Any, value: str) -> Membership:
    """A to-many `*_id` of the template, matched against the listed schedule: the link rows joined to their
    template give (schedule, value) pairs."""
    pairs = (
        select(Template.pm_schedule_id.label("pm_schedule_id"), link.c[value].label("value"))
        .join_from(Template, link, link.c.template_id == Template.id)
        .subquery(f"{link.name}_by_schedule")
    )
    return Membership(PmSchedule.id, pairs.c.pm_schedule_id, pairs.c.value, semi_join=True)


PM_SCHEDULE_LIST = ListSpec(
    id_column=PmSchedule.id,
    fields={
        "id": Field(PmSchedule.id, Kind.INTEGER),
        "status": Field(PmSchedule.status, Kind.ENUM, PM_STATUSES),
        "type": Field(PmSchedule.type, Kind.ENUM, PM_TYPES),
        "start_date": Field(PmSchedule.start_date, Kind.DATETIME),
        "time_to_complete": Field(PmSchedule.time_to_complete, Kind.INTEGER),
        "repeat_frequency": Field(PmSchedule.repeat_frequency, Kind.ENUM, REPEAT_FREQUENCIES),
        "repeat_interval": Field(PmSchedule.repeat_interval, Kind.INTEGER),
        "repeat_occurrence": Field(PmSchedule.repeat_occurrence, Kind.STRING),
        "on_month_day": Field(PmSchedule.on_month_day, Kind.INTEGER),
        "next_order_date": Field(PmSchedule.next_order_date, Kind.DATETIME),
        "created_at": Field(PmSchedule.created_at, Kind.DATETIME),
        "updated_at": Field(PmSchedule.updated_at, Kind.DATETIME),
        "created_by_id": Field(PmSchedule.created_by_id, Kind.INTEGER),
        "updated_by_id": Field(PmSchedule.updated_by_id, Kind.INTEGER),
        "title": Field(Template.title, Kind.STRING),
        "description": Field(Template.description, Kind.STRING),
        "priority": Field(Template.priority, Kind.ENUM, PRIORITIES),
        "asset_id": Field(Template.asset_id, Kind.INTEGER),
        "location_id": Field(Template.location_id, Kind.INTEGER),
        "technicians_id": _template_link(pm_template_technicians, "user_id"),
        "categories_id": _template_link(pm_template_categories, "category_id"),
        "account_codes_id": _template_link(pm_template_account_codes, "account_code_id"),
        "vendors_id": _template_link(pm_template_vendors, "vendor_id"),
        "parts_id": _template_link(PmTemplatePart.__table__, "part_id"),
        "procedure_templates_id": Membership(
            PmSchedule.id,
            pm_schedule_procedure_templates.c.pm_schedule_id,
            pm_schedule_procedure_templates.c.procedure_template_id,
            semi_join=True,
        ),
    },
    sortable={
        "id": PmSchedule.id,
        "status": PmSchedule.status,
        "type": PmSchedule.type,
        "start_date": PmSchedule.start_date,
        "next_order_date": PmSchedule.next_order_date,
        "time_to_complete": PmSchedule.time_to_complete,
        "title": Template.title,
        "created_at": PmSchedule.created_at,
        "updated_at": PmSchedule.updated_at,
    },
    search=(Template.title, Template.description),
    default_sort=(("created_at", "desc"),),
    counter="pm_schedules",
)
