from __future__ import annotations

from sqlalchemy import select

from wrenchwork.api_keys.listing import API_KEY_LIST
from wrenchwork.core.auth import Scope
from wrenchwork.core.listing import AnySelect, ListQuery
from wrenchwork.core.repository import Repository
from wrenchwork.models import ApiKey, UserRole


class ApiKeyRepository(Repository[ApiKey]):
    """Keys belong to the customer; an entity's admins see the keys of the entity's users."""

    model = ApiKey
    scope_column = "customer_id"
    scope: Scope

    def in_entity(self) -> AnySelect:
        members = select(UserRole.user_id).where(UserRole.entity_id == self.scope.entity_id)
        return self.scoped().where(ApiKey.user_id.in_(members))

    def list_in_entity(self, query: ListQuery) -> tuple[list[ApiKey], int]:
        rows, total = self.page(API_KEY_LIST, query, self.in_entity())
        return [row[0] for row in rows], total

    def get_in_entity(self, key_id: int) -> ApiKey | None:
        found: ApiKey | None = self.session.scalars(self.in_entity().where(ApiKey.id == key_id)).first()
        return found
