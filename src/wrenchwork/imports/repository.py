"""All the SQL of imports: finding the records a row names or updates, and claiming queued import jobs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.model_base import utcnow
from wrenchwork.core.repository import Repository
from wrenchwork.models import Asset, Customer, Entity, ImportJob, User, UserRole, VendorContact
from wrenchwork.users.repository import UserRepository


class ImportRepository(Repository[ImportJob]):
    model = ImportJob

    def first_id(self, model: type[Any], *conditions: Any) -> int | None:
        """The oldest record of `model` in the entity matching every condition."""
        stmt = self.in_entity_of(model, select(model.id).where(*conditions).order_by(model.id).limit(1))
        found: int | None = self.session.scalar(stmt)
        return found

    def ids_by(self, model: type[Any], column: Any, values: Iterable[str]) -> dict[str, int]:
        """`{value: id}` of the records whose `column` is one of `values` (the oldest one when several are)."""
        wanted = list(set(values))
        if not wanted:
            return {}
        stmt = self.in_entity_of(model, select(column, model.id).where(column.in_(wanted)).order_by(model.id.desc()))
        return {value: id_ for value, id_ in self.session.execute(stmt)}

    def user_id_by_email(self, email: str) -> int | None:
        found: int | None = self.session.scalar(UserRepository(self.session, self.scope).in_entity(User.id).where(
            User.email == email.lower()
        ))  # fmt: skip
        return found

    def role_entities(self, user_id: int) -> list[tuple[int, str]]:
        rows = self.session.execute(select(UserRole.entity_id, UserRole.role).where(UserRole.user_id == user_id))
        return [(entity_id, role) for entity_id, role in rows]

    def contact_id(self, vendor_id: int, name: str) -> int | None:
        found: int | None = self.session.scalar(
            select(VendorContact.id)
            .where(VendorContact.vendor_id == vendor_id, VendorContact.name == name)
            .order_by(VendorContact.id)
            .limit(1)
        )
        return found

    # ---- the bulk asset path (imports/bulk_assets.py) --------------------------------------------------------

    def refresh_statistics(self, model: type[Any]) -> None:
        """PostgreSQL's planner statistics of `model`'s table brought up to date inside the import's transaction
        (ANALYZE counts the rows the transaction itself inserted; autovacuum sees them only after the commit). A
        table that grew from nothing to many thousand rows in one transaction is otherwise planned as if it still
        held a handful: the asset service's check of a batch's asset codes then reads every asset of the entity
        instead of probing the unique index. SQLite's planner needs no statistics for these statements."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text(f"ANALYZE {model.__table__.name}"))

    def all_by(self, model: type[Any], key: Any) -> dict[Any, int]:
        """`{key: id}` for every record of `model` in the entity (the oldest one where several share a key)."""
        stmt = self.in_entity_of(model, select(key, model.id).where(key.is_not(None)).order_by(model.id.desc()))
        return {value: id_ for value, id_ in self.session.execute(stmt)}

    def asset_names(self) -> dict[tuple[str, int | None], int]:
        """`{(name, parent id): id}` of the entity's assets (the oldest where several share both)."""
        stmt = self.in_entity_of(Asset, select(Asset.name, Asset.parent_id, Asset.id).order_by(Asset.id.desc()))
        return {(name, parent): id_ for name, parent, id_ in self.session.execute(stmt)}

    def job(self, job_id: int) -> ImportJob | None:
        return self.get(job_id)


def next_job_id(session: Session) -> int | None:
    """The oldest import waiting to run: queued, or left `running` by a process that died (its transaction,
    and so everything it wrote, was rolled back). On PostgreSQL an import being run is row-locked by its runner
    (`claim`) and skipped here; on SQLite the runner holds the database's write lock, so no other process gets
    here until it has committed."""
    stmt = (
        select(ImportJob.id)
        .where(or_(ImportJob.status == "queued", ImportJob.status == "running"))
        .order_by(ImportJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    found: int | None = session.scalar(stmt)
    return found


def any_waiting(session: Session) -> bool:
    stmt = select(ImportJob.id).where(or_(ImportJob.status == "queued", ImportJob.status == "running")).limit(1)
    return session.scalar(stmt) is not None


def claim(session: Session, job_id: int) -> ImportJob | None:
    """The job locked for this transaction, if it still waits to run (another runner may have finished it)."""
    stmt = (
        select(ImportJob)
        .where(ImportJob.id == job_id, or_(ImportJob.status == "queued", ImportJob.status == "running"))
        .with_for_update(skip_locked=True)
    )
    job: ImportJob | None = session.scalar(stmt)
    return job


def mark_running(session: Session, job_id: int) -> None:
    job = session.get(ImportJob, job_id)
    if job is not None and job.status in ("queued", "running"):
        job.status = "running"
        job.started_at = utcnow()
        job.attempts += 1


def job_scope(session: Session, job: ImportJob) -> Scope:
    """The scope of the admin who posted the import, in its entity: the import runs as that user."""
    user = session.get(User, job.created_by_id) if job.created_by_id is not None else None
    entity = session.get(Entity, job.entity_id)
    if user is None or entity is None:
        raise LookupError(f"import {job.id}: its user or entity is gone")
    customer = session.get(Customer, entity.customer_id)
    role = session.scalar(select(UserRole.role).where(UserRole.user_id == user.id, UserRole.entity_id == entity.id))
    if customer is None or role != "admin":
        raise LookupError(f"import {job.id}: its user is no longer an admin of the entity")
    return Scope.of(user, customer, entity, role)
