from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select

from wrenchwork.core.repository import Repository
from wrenchwork.models import (
    Procedure,
    ProcedureAnswer,
    ProcedureItem,
    ProcedureTemplate,
    WorkOrder,
    pm_schedule_procedure_templates,
)


class TemplateRepository(Repository[ProcedureTemplate]):
    model = ProcedureTemplate

    def items(self, template_ids: Iterable[int]) -> dict[int, list[ProcedureItem]]:
        """Each template's items in order: one query for any number of templates."""
        ids = list(template_ids)
        grouped: dict[int, list[ProcedureItem]] = defaultdict(list)
        if ids:
            rows = self.session.scalars(
                select(ProcedureItem)
                .where(ProcedureItem.procedure_template_id.in_(ids))
                .order_by(ProcedureItem.procedure_template_id, ProcedureItem.index, ProcedureItem.id)
            )
            for item in rows:
                grouped[item.procedure_template_id].append(item)
        return grouped

    def work_order_counts(self, template_ids: Sequence[int]) -> dict[int, int]:
        """How many work orders carry a procedure made from each template."""
        if not template_ids:
            return {}
        rows = self.session.execute(
            select(Procedure.procedure_template_id, func.count(func.distinct(Procedure.work_order_id)))
            .where(Procedure.procedure_template_id.in_(list(template_ids)))
            .group_by(Procedure.procedure_template_id)
        )
        return {template_id: count for template_id, count in rows if template_id is not None}

    def pm_schedule_counts(self, template_ids: Sequence[int]) -> dict[int, int]:
        """How many PM schedules carry each template (their work orders get a procedure made from it)."""
        if not template_ids:
            return {}
        link = pm_schedule_procedure_templates
        rows = self.session.execute(
            select(link.c.procedure_template_id, func.count())
            .where(link.c.procedure_template_id.in_(list(template_ids)))
            .group_by(link.c.procedure_template_id)
        )
        return {template_id: count for template_id, count in rows}


class WorkOrderLookup(Repository[WorkOrder]):
    """Work orders as the procedure endpoints need them: only found within the caller's entity."""

    model = WorkOrder


class ProcedureRepository(Repository[Procedure]):
    model = Procedure

    def of_work_order(self, work_order_id: int, procedure_id: int) -> Procedure | None:
        stmt = self.scoped().where(Procedure.id == procedure_id, Procedure.work_order_id == work_order_id)
        found: Procedure | None = self.session.scalars(stmt).first()
        return found

    def answers(self, procedure_id: int) -> list[ProcedureAnswer]:
        stmt = (
            select(ProcedureAnswer)
            .where(ProcedureAnswer.procedure_id == procedure_id)
            .order_by(ProcedureAnswer.index, ProcedureAnswer.id)
        )
        return list(self.session.scalars(stmt))
