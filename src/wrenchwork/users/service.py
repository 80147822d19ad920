"""Users of the customer and their one role per entity."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.details import OneDetail
from wrenchwork.core.envelope import base_meta
from wrenchwork.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.schemas import apply_update
from wrenchwork.entities.repository import EntityRepository
from wrenchwork.models import User, UserRole
from wrenchwork.users import invitations
from wrenchwork.users.repository import UserRepository
from wrenchwork.users.schemas import PermissionIn, UserCreate, UserUpdate


def list_users(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    repo = UserRepository(session, scope)
    users, total = repo.list_in_entity(query)
    shown = repo.details((u.id for u in users), batch=True)
    data = [orjson.loads(shown[u.id]) for u in users]
    return data, base_meta(scope.entity, scope.customer) | query.meta(total)


def user_details(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, str]:
    """`{id: the documented user as JSON text}` of those of `ids` the caller may read, rendered by the database in
    one statement (users/repository.py `DETAIL`)."""
    return UserRepository(session, scope).details(ids)


# One user (the API's answer as the database rendered it), or as a dict (writes and web pages).
_ONE = OneDetail(user_details, "User")
get_user = _ONE.fragment
read_user = _ONE.read


def present(repo: UserRepository, user: User) -> dict[str, Any]:
    """The user a write created or changed, as the API shows it (even one that has just left this entity)."""
    shown: dict[str, Any] = orjson.loads(repo.details([user.id], members_only=False)[user.id])
    return shown


def create_user(
    session: Session, scope: Scope, data: UserCreate, invite: tuple[str, float] | None = None
) -> dict[str, Any]:
    """The new user; with `invite` (the server's public address, hours valid) also an invitation link, shown
    once as `invitation_url` (users/invitations.py)."""
    repo = UserRepository(session, scope)
    if repo.email_taken(data.email):
        raise Conflict("A user with this email already exists", {"user.email": ["is already taken"]})
    permissions = data.permissions or [PermissionIn(entity_id=scope.entity_id, role="technician")]
    _check_grantable(session, scope, permissions)
    user = repo.add(User(**data.model_dump(exclude={"permissions"})))
    for permission in _unique(permissions):
        session.add(UserRole(user_id=user.id, entity_id=permission.entity_id, role=permission.role))
    session.flush()
    if invite is None:
        return present(repo, user)
    base, hours = invite
    token = invitations.issue(session, user, invitations.INVITATION, hours)
    return present(repo, user) | {"invitation_url": base + invitations.link_path(token)}


def update_user(session: Session, scope: Scope, user_id: int, data: UserUpdate) -> dict[str, Any]:
    repo = UserRepository(session, scope)
    user = repo.get_in_entity(user_id)
    if user is None:
        raise NotFound.of("User")
    if data.model_fields_set - {"permissions"}:
        require_authority_over(session, scope, user.id)
    if data.email is not None and repo.email_taken(data.email, user.id):
        raise Conflict("A user with this email already exists", {"user.email": ["is already taken"]})
    if user.id == scope.user_id and data.status == "inactive":
        raise Unprocessable.field("user.status", "cannot deactivate your own user")
    apply_update(user, data, "user", clearable={"phone_number", "job_title"}, skip=frozenset({"permissions"}))
    if data.permissions is not None:
        _replace_permissions(session, scope, repo, user, data.permissions)
    repo.touch(user)
    return present(repo, user)


def resend_invitation(session: Session, scope: Scope, user_id: int, invite: tuple[str, float]) -> dict[str, Any]:
    """A new invitation link for a user who has not accepted one (the older link stops working), shown once as
    `invitation_url`. The caller needs authority over the user, as for changing the user (409 once accepted or
    while the user is inactive: that link could not be used)."""
    repo = UserRepository(session, scope)
    user = repo.get_in_entity(user_id)
    if user is None:
        raise NotFound.of("User")
    require_authority_over(session, scope, user.id)
    if user.invitation_accepted_at is not None:
        raise Conflict('This user has accepted their invitation already; they can use "Forgot password"')
    if user.status != "active":
        raise Conflict("This user is inactive; activate them before inviting them again")
    base, hours = invite
    token = invitations.issue(session, user, invitations.INVITATION, hours)
    return present(repo, user) | {"invitation_url": base + invitations.link_path(token)}


def require_authority_over(session: Session, scope: Scope, user_id: int) -> None:
    """Changing who a user is (profile, status, API keys) reaches every entity the user works in, so the caller
    must be admin in all of them: an admin of one site cannot act for a user who also works at another."""
    held = [r.entity_id for r in UserRepository(session, scope).roles_of(user_id)]
    roles = EntityRepository(session, scope).caller_roles(held)
    if any(roles.get(entity_id) != "admin" for entity_id in held):
        raise Forbidden("This user also holds roles in entities you do not administer")


def _unique(permissions: list[PermissionIn]) -> list[PermissionIn]:
    by_entity = {p.entity_id: p for p in permissions}
    return list(by_entity.values())


def _check_grantable(session: Session, scope: Scope, permissions: list[PermissionIn]) -> None:
    """Every entity must be the customer's, and the caller must be admin there."""
    entities = EntityRepository(session, scope)
    wanted = [p.entity_id for p in permissions]
    if len(set(wanted)) != len(wanted):
        raise Unprocessable.field("user.permissions", "names an entity more than once")
    known = entities.existing_ids(wanted)
    for index, permission in enumerate(permissions):
        if permission.entity_id not in known:
            raise Unprocessable.field(f"user.permissions.{index}.entity_id", "is not an entity of this customer")
    roles = entities.caller_roles(wanted)
    refused = sorted(e for e in wanted if roles.get(e) != "admin")
    if refused:
        raise Forbidden(f"Only an admin of entity {refused[0]} may grant roles in it")


def _replace_permissions(
    session: Session, scope: Scope, repo: UserRepository, user: User, permissions: list[PermissionIn]
) -> None:
    _check_grantable(session, scope, permissions)
    administered = {
        e
        for e, role in EntityRepository(session, scope)
        .caller_roles([r.entity_id for r in repo.roles_of(user.id)] + [p.entity_id for p in permissions])
        .items()
        if role == "admin"
    }
    wanted = {p.entity_id: p.role for p in permissions}
    if user.id == scope.user_id and any(wanted.get(entity_id) != "admin" for entity_id in administered):
        raise Unprocessable.field("user.permissions", "cannot remove your own admin role")
    for role in repo.roles_of(user.id):
        if role.entity_id not in administered:
            continue
        if role.entity_id in wanted:
            role.role = wanted.pop(role.entity_id)
        else:
            session.delete(role)
    for entity_id, role_name in wanted.items():
        session.add(UserRole(user_id=user.id, entity_id=entity_id, role=role_name))
    session.flush()
