"""User shapes. List and detail are the same documented object."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from wrenchwork.core.schemas import (
    AuthType,
    CreatedById,
    EntityId,
    Money,
    RecordId,
    Role,
    UpdatedById,
    UserRoleId,
)

UserStatus = Annotated[
    Literal["active", "inactive"], Field(description="active (default); inactive users' keys answer 401")
]
Language = Annotated[
    Literal["en", "es", "fr", "de", "pt", "it", "nl", "pl"],
    Field(description="The user's language, an ISO 639-1 code (default en)"),
]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
# E-mail addresses are compared and stored in lower case: one person, one user.
Email = Annotated[EmailStr, AfterValidator(str.lower)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class PermissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity_id: EntityId
    role: Role


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    surname: Text100 = ""
    email: Email
    language: Language = "en"
    phone_number: Annotated[str, StringConstraints(max_length=40)] | None = None
    job_title: Text100 | None = None
    status: UserStatus = "active"
    can_be_assigned_to_wo: bool = True
    regular_rate: Money = Decimal("0")
    overtime_rate1: Money = Decimal("0")
    overtime_rate2: Money = Decimal("0")
    # Defaults to the technician role in the entity of the request.
    permissions: list[PermissionIn] | None = Field(default=None, min_length=1, max_length=500)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    surname: Text100 | None = None
    email: Email | None = None
    language: Language | None = None
    phone_number: Annotated[str, StringConstraints(max_length=40)] | None = None
    job_title: Text100 | None = None
    status: UserStatus | None = None
    can_be_assigned_to_wo: bool | None = None
    regular_rate: Money | None = None
    overtime_rate1: Money | None = None
    overtime_rate2: Money | None = None
    # Replaces the user's roles in the entities the caller administers; other entities are left alone.
    permissions: list[PermissionIn] | None = Field(default=None, max_length=500)


class UserCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: UserCreate


class UserUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: UserUpdate


class Permission(BaseModel):
    entity: str
    entity_id: EntityId
    role: Role
    user_role_id: UserRoleId


class Activity(BaseModel):
    last_login: datetime | None
    login_count: int


class InvitationDetails(BaseModel):
    sent_at: datetime | None
    due_at: datetime | None
    accepted_at: datetime | None


class UserItem(BaseModel):
    id: RecordId
    name: str
    surname: str
    full_name: str
    language: Language
    email: str
    unconfirmed_email: str | None
    phone_number: str | None
    job_title: str | None
    status: UserStatus
    can_be_assigned_to_wo: bool
    auth_type: AuthType
    avatar: str | None
    regular_rate: float
    overtime_rate1: float
    overtime_rate2: float
    permissions: list[Permission]
    activity: Activity
    tenant: str
    invitation_details: InvitationDetails
    created_at: datetime
    updated_at: datetime
    created_by_id: CreatedById | None
    updated_by_id: UpdatedById | None


class UserCreated(UserItem):
    invitation_url: str = Field(description="The invitation link that sets the user's password; shown only here")
