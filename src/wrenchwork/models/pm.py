"""Preventive maintenance: schedules, the work order each one is a template of, and the occurrences it ran.

A schedule's template is not a work order: it reserves no stock and is never listed with the work orders. The
engine copies it into a real, preventive work order at each occurrence (DESIGN §8, §12).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin, Quantity, utcnow
from wrenchwork.models.catalog import link_table

PM_TYPES = ("one_time", "persistent", "floating")
# `completed`: a one-time schedule that has generated its work order; it generates nothing more.
PM_STATUSES = ("planned", "paused", "completed")
REPEAT_FREQUENCIES = ("hour", "day", "week", "month", "season", "year")


class PmSchedule(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "pm_schedules"
    __table_args__ = (
        Index("ix_pm_schedules_entity_created", "entity_id", "created_at", "id"),
        # The engine's scan: active schedules whose next occurrence has come, oldest first, across entities.
        Index("ix_pm_schedules_status_next_order", "status", "next_order_date"),
    )

    status: Mapped[str] = mapped_column(String(20), default="planned")
    type: Mapped[str] = mapped_column(String(20))
    # The first occurrence (and the time of day of every later one), stored in UTC, read in the entity's zone.
    start_date: Mapped[datetime] = mapped_column()
    # Hours from an occurrence (the order date) to its work order's due date.
    time_to_complete: Mapped[int] = mapped_column(Integer)
    repeat_frequency: Mapped[str] = mapped_column(String(10))
    # Every N units of `repeat_frequency` (a season is three months).
    repeat_interval: Mapped[int] = mapped_column(Integer, default=1)
    repeat_occurrence: Mapped[str] = mapped_column(String(20), default="custom")
    on_week_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    in_months: Mapped[list[int]] = mapped_column(JSON, default=list)
    on_month_day: Mapped[int | None] = mapped_column(Integer)
    # The occurrence the engine generates next; null when there is none (done, or a floating schedule waiting
    # for its open work order to be completed).
    next_order_date: Mapped[datetime | None] = mapped_column()


class PmTemplateWorkOrder(IdMixin, EntityScopedMixin, Base):
    """The work order a schedule copies at each occurrence (`template_work_order` in the API)."""

    __tablename__ = "pm_template_work_orders"
    __counted_by__: ClassVar[str | None] = None

    pm_schedule_id: Mapped[int] = mapped_column(ForeignKey("pm_schedules.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(20), default="none")
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    # `[{text, order, checked}]`, as on a work order.
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class PmTemplatePart(IdMixin, Base):
    """A part the template assigns; each generated work order reserves `quantity` of it."""

    __tablename__ = "pm_template_parts"
    __table_args__ = (UniqueConstraint("template_id", "part_id"),)

    template_id: Mapped[int] = mapped_column(ForeignKey("pm_template_work_orders.id", ondelete="CASCADE"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())


class PmScheduleRun(IdMixin, Base):
    """One occurrence of a schedule that has been generated. The unique key makes a second work order for the
    same occurrence impossible, whichever process (or retry after a crash) tries to make it."""

    __tablename__ = "pm_schedule_runs"
    __table_args__ = (UniqueConstraint("pm_schedule_id", "occurrence_at"),)

    pm_schedule_id: Mapped[int] = mapped_column(ForeignKey("pm_schedules.id", ondelete="CASCADE"))
    occurrence_at: Mapped[datetime] = mapped_column()
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


pm_template_categories = link_table(
    "pm_template_categories", ("pm_template_work_orders", "template_id"), ("categories", "category_id")
)
pm_template_account_codes = link_table(
    "pm_template_account_codes", ("pm_template_work_orders", "template_id"), ("account_codes", "account_code_id")
)
pm_template_technicians = link_table(
    "pm_template_technicians", ("pm_template_work_orders", "template_id"), ("users", "user_id")
)
pm_template_vendors = link_table(
    "pm_template_vendors", ("pm_template_work_orders", "template_id"), ("vendors", "vendor_id")
)
pm_schedule_procedure_templates = link_table(
    "pm_schedule_procedure_templates",
    ("pm_schedules", "pm_schedule_id"),
    ("procedure_templates", "procedure_template_id"),
)
