"""Users with their role in the import's entity; matched by e-mail address."""

from __future__ import annotations

from typing import Any

from wrenchwork.entities.repository import EntityRepository
from wrenchwork.imports.resources.base import Importer, Outcome
from wrenchwork.users import service
from wrenchwork.users.schemas import UserCreate, UserUpdate


class UserImporter(Importer):
    resource = "users"
    wrapper = "user"
    synonyms = {
        "name": ("first name", "given name", "firstname"),
        "surname": ("last name", "family name", "lastname"),
        "email": ("e mail", "email address", "mail"),
        "phone_number": ("phone", "mobile", "telephone"),
        "job_title": ("title", "position"),
        "role": ("permission", "access", "user role"),
        "language": ("lang",),
        "status": ("user status",),
        "can_be_assigned_to_wo": ("assignable", "can be assigned"),
        "regular_rate": ("rate", "hourly rate"),
        "overtime_rate1": ("overtime rate", "overtime rate 1"),
        "overtime_rate2": ("overtime rate 2", "double time rate"),
    }
    plain = (
        "name", "surname", "email", "phone_number", "job_title", "language", "status", "can_be_assigned_to_wo",
        "regular_rate", "overtime_rate1", "overtime_rate2",
    )  # fmt: skip
    sources = {"permissions": "role"}
    required = ("name", "email")

    def column_of(self, path: str) -> str:
        return "role" if "permissions" in path.split(".") else super().column_of(path)

    def apply(self, values: dict[str, str]) -> Outcome:
        body: dict[str, Any] = self.body(values)
        role = values.get("role", "").strip().lower().replace(" ", "_") or None
        existing = self.repo.user_id_by_email(values["email"]) if values.get("email") else None
        if existing is not None:
            if role is not None:
                # The user's roles elsewhere stay: the update names them as they are and changes this entity's.
                held = dict(self.repo.role_entities(existing))
                mine = EntityRepository(self.session, self.scope).caller_roles(list(held))
                held = {e: r for e, r in held.items() if mine.get(e) == "admin"}
                held[self.scope.entity_id] = role
                body["permissions"] = [{"entity_id": e, "role": r} for e, r in held.items()]
            service.update_user(self.session, self.scope, existing, self.validated(UserUpdate, body, []))
            return "updated"
        if role is not None:
            body["permissions"] = [{"entity_id": self.scope.entity_id, "role": role}]
        service.create_user(self.session, self.scope, self.validated(UserCreate, body, []))
        return "created"
