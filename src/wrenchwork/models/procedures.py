"""Procedures: reusable checklists (templates) and the copies a work order carries with their answers.

A work order's procedure is a copy of the template's items taken when it is attached, so editing or deleting
the template later never changes what was asked (or answered) on past work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, EntityScopedMixin, IdMixin

ITEM_TYPES = (
    "text",
    "number",
    "checkbox",
    "yes_no",
    "multiple_choice",
    "meter_reading",
    "date",
    "signature",
    "photo",
)


class ProcedureTemplate(IdMixin, EntityScopedMixin, Base):
    __tablename__ = "procedure_templates"
    __table_args__ = (Index("ix_procedure_templates_entity_name", "entity_id", "name", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class ProcedureItem(IdMixin, Base):
    """One question of a template. `options` holds the type's settings (choices, unit, min/max, required)."""

    __tablename__ = "procedure_items"
    __table_args__ = (Index("ix_procedure_items_template_index", "procedure_template_id", "index"),)

    procedure_template_id: Mapped[int] = mapped_column(ForeignKey("procedure_templates.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    index: Mapped[int] = mapped_column(Integer)
    item_type: Mapped[str] = mapped_column(String(30))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Procedure(IdMixin, EntityScopedMixin, Base):
    """A template instantiated on one work order; `completed_at` is set once every required item is answered."""

    __tablename__ = "procedures"

    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    procedure_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure_templates.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column()


class ProcedureAnswer(IdMixin, Base):
    """One copied item of a work order's procedure and, once given, its answer (`value` null: unanswered)."""

    __tablename__ = "procedure_answers"
    __table_args__ = (Index("ix_procedure_answers_procedure_index", "procedure_id", "index"),)

    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    # The template item it was copied from; kept only as a reference, the copy is authoritative.
    procedure_item_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_items.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(300))
    index: Mapped[int] = mapped_column(Integer)
    item_type: Mapped[str] = mapped_column(String(30))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    value: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    answered_at: Mapped[datetime | None] = mapped_column()
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
