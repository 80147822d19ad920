"""One declarative base for SQLite and PostgreSQL: named constraints, UTC datetimes, exact decimals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, MetaData, Numeric, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A client's date-time in UTC; one without an offset is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every backend, always handed back as an aware UTC datetime."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal with a fixed number of places on every backend.

    PostgreSQL stores NUMERIC. SQLite has no exact decimal type (it would keep a float), so there the value is
    stored as a whole number of the smallest unit (cents for money, thousandths for quantities): stored values,
    comparisons and SUM() stay exact.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int = 2, precision: int = 14) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.scale = scale
        self.precision = precision
        self._unit = Decimal(1).scaleb(-scale)

    def __repr__(self) -> str:  # how migrations spell the type
        return f"ExactDecimal(scale={self.scale}, precision={self.precision})"

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = Decimal(value).quantize(self._unit, rounding=ROUND_HALF_UP)
        return int(exact.scaleb(self.scale)) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale)
        return Decimal(value).quantize(self._unit)


def Money() -> ExactDecimal:
    return ExactDecimal(scale=2)


def Quantity() -> ExactDecimal:
    return ExactDecimal(scale=3)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}

    # Name of the column whose value keys this table's row counter (see core/counters.py), or None.
    __counted_by__: ClassVar[str | None] = None


class IdMixin:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditMixin(TimestampMixin):
    """Who created and last changed the row; set by the repository base from the request's user."""

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class EntityScopedMixin(AuditMixin):
    """A row that belongs to exactly one entity. Repositories scope every query on `entity_id`."""

    __counted_by__: ClassVar[str | None] = "entity_id"

    @declared_attr
    def entity_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
