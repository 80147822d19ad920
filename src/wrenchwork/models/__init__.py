"""Every table, imported in one place so Alembic and the mappers see the whole schema."""

from wrenchwork.core.counters import RowCount
from wrenchwork.core.model_base import Base
from wrenchwork.models.tenancy import ApiKey, Customer, Entity, User, UserRole

__all__ = ["ApiKey", "Base", "Customer", "Entity", "RowCount", "User", "UserRole"]
