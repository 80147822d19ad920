"""Small per-entity lookup lists (categories, asset types, ...): one generic resource, declared per table.

Each lookup is `{id, name, created_at, updated_at}` with a unique name in its entity, managed by admins and
limited admins (extension endpoints). Deleting one that is still in use is a 409 naming what uses it.
(No postponed annotations here: the routes' parameter types are built at run time.)
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, StringConstraints, create_model
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from wrenchwork.core.auth import AnyScope, DbSession, ManagerScope, Scope
from wrenchwork.core.envelope import Envelope, ListEnvelope, base_meta, error_responses, no_content, ok
from wrenchwork.core.errors import Conflict, NotFound
from wrenchwork.core.list_api import list_openapi, list_params
from wrenchwork.core.listing import Field, Kind, ListQuery, ListSpec
from wrenchwork.core.repository import Repository
from wrenchwork.core.routing import api_router, update_route
from wrenchwork.core.schemas import IdPath, RecordId, apply_update

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


@dataclass(frozen=True)
class UsedBy:
    """A link table column that points at the lookup, and how to name it in a 409."""

    table: Table
    column: str
    label: str


@dataclass(frozen=True)
class Lookup:
    model: type[Any]
    path: str  # "/categories"
    wrapper: str  # "category"
    title: str  # "Category"
    used_by: tuple[UsedBy, ...] = ()
    # Optional short text columns beyond `name` (a measurement unit's `short_name`): shown after `name`,
    # accepted in the body, filterable and searched.
    extra: tuple[str, ...] = ()


class LookupItem(BaseModel):
    id: RecordId
    name: str
    created_at: datetime
    updated_at: datetime


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name


ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


def lookup_item(row: Any, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    item = {"id": row.id, "name": row.name}
    item |= {name: getattr(row, name) for name in extra}
    return item | {"created_at": row.created_at, "updated_at": row.updated_at}


def _spec(model: type[Any], extra: tuple[str, ...] = ()) -> ListSpec:
    return ListSpec(
        id_column=model.id,
        fields={
            "id": Field(model.id, Kind.INTEGER),
            "name": Field(model.name, Kind.STRING),
            **{name: Field(getattr(model, name), Kind.STRING) for name in extra},
            "created_at": Field(model.created_at, Kind.DATETIME),
            "updated_at": Field(model.updated_at, Kind.DATETIME),
        },
        sortable={"id": model.id, "name": model.name, "created_at": model.created_at},
        search=(model.name, *(getattr(model, name) for name in extra)),
        default_sort=(("name", "asc"),),
        counter=model.__tablename__,
    )


def _body_models(lookup: Lookup) -> tuple[type[BaseModel], type[BaseModel]]:
    """The create and update bodies' inner models. Without extra columns both are `{name}` (name required);
    with them, create needs `name` and update takes any subset."""
    if not lookup.extra:
        return LookupIn, LookupIn
    extras: dict[str, Any] = {name: (ShortText | None, None) for name in lookup.extra}
    config = ConfigDict(extra="forbid")
    stem = lookup.model.__name__
    create: type[BaseModel] = create_model(f"{stem}Create", __config__=config, name=(Name, ...), **extras)
    update: type[BaseModel] = create_model(f"{stem}Update", __config__=config, name=(Name | None, None), **extras)
    return create, update


class LookupService:
    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.spec = _spec(lookup.model, lookup.extra)
        self.repository = type(f"{lookup.model.__name__}Repository", (Repository,), {"model": lookup.model})

    def repo(self, session: Session, scope: Scope) -> Repository[Any]:
        repo: Repository[Any] = self.repository(session, scope)
        return repo

    def _get(self, repo: Repository[Any], id_: int) -> Any:
        row = repo.get(id_)
        if row is None:
            raise NotFound.of(self.lookup.title)
        return row

    def _check_name(self, repo: Repository[Any], name: str, except_id: int | None = None) -> None:
        model = self.lookup.model
        stmt = repo.scoped(select(model.id)).where(func.lower(model.name) == name.lower())
        if except_id is not None:
            stmt = stmt.where(model.id != except_id)
        if repo.session.scalar(stmt) is not None:
            raise Conflict(
                f"{self.lookup.title} '{name}' already exists", {f"{self.lookup.wrapper}.name": ["is already taken"]}
            )

    def list(self, session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
        repo = self.repo(session, scope)
        rows, total = repo.page(self.spec, query, repo.scoped())
        return [lookup_item(r[0], self.lookup.extra) for r in rows], total

    def get(self, session: Session, scope: Scope, id_: int) -> dict[str, Any]:
        return lookup_item(self._get(self.repo(session, scope), id_), self.lookup.extra)

    def create(self, session: Session, scope: Scope, data: BaseModel) -> dict[str, Any]:
        repo = self.repo(session, scope)
        fields = data.model_dump()
        self._check_name(repo, fields["name"])
        return lookup_item(repo.add(self.lookup.model(**fields)), self.lookup.extra)

    def update(self, session: Session, scope: Scope, id_: int, data: BaseModel) -> dict[str, Any]:
        repo = self.repo(session, scope)
        row = self._get(repo, id_)
        name = getattr(data, "name", None)
        if name is not None:
            self._check_name(repo, name, except_id=row.id)
        apply_update(row, data, self.lookup.wrapper, clearable=set(self.lookup.extra))
        return lookup_item(repo.touch(row), self.lookup.extra)

    def delete(self, session: Session, scope: Scope, id_: int) -> None:
        repo = self.repo(session, scope)
        row = self._get(repo, id_)
        uses = []
        for use in self.lookup.used_by:
            count = session.scalar(select(func.count()).where(use.table.c[use.column] == row.id)) or 0
            if count:
                uses.append(f"{count} {use.label}")
        if uses:
            raise Conflict(f"{self.lookup.title} is still used by {', '.join(uses)}")
        repo.delete(row)


def lookup_router(lookup: Lookup) -> APIRouter:
    service = LookupService(lookup)
    router = api_router(tags=["extension"])
    params = Annotated[ListQuery, Depends(list_params(service.spec))]
    create_in, update_in = _body_models(lookup)
    config = ConfigDict(extra="forbid")
    stem = lookup.model.__name__
    fields: dict[str, Any] = {lookup.wrapper: (create_in, ...)}
    body_model: Any = create_model(f"{stem}Body", __config__=config, **fields)
    update_model: Any = body_model
    item_model: Any = LookupItem
    if lookup.extra:
        shown: dict[str, Any] = {name: (str | None, ...) for name in lookup.extra}
        item_model = create_model(f"{stem}Item", __base__=LookupItem, **shown)
    if update_in is not create_in:
        update_fields: dict[str, Any] = {lookup.wrapper: (update_in, ...)}
        update_model = create_model(f"{stem}UpdateBody", __config__=config, **update_fields)
    one = f"{lookup.path}/{{id}}"

    @router.get(
        lookup.path,
        response_model=ListEnvelope[item_model],
        summary=f"List {lookup.title.lower()} entries",
        responses=error_responses(400, 401, 403, 422, 429),
        openapi_extra=list_openapi(service.spec),
        operation_id=f"list_{lookup.wrapper}",
    )
    async def list_rows(session: DbSession, scope: AnyScope, query: params) -> Response:
        data, total = service.list(session, scope, query)
        return ok(data, base_meta(scope.entity, scope.customer) | query.meta(total))

    @router.get(
        one,
        response_model=Envelope[item_model],
        summary=f"Get {lookup.title.lower()}",
        responses=error_responses(400, 401, 403, 404, 422, 429),
        operation_id=f"get_{lookup.wrapper}",
    )
    async def get_row(session: DbSession, scope: AnyScope, id: IdPath) -> Response:
        return ok(service.get(session, scope, id), base_meta(scope.entity, scope.customer))

    @router.post(
        lookup.path,
        status_code=201,
        response_model=Envelope[item_model],
        summary=f"Create {lookup.title.lower()}",
        operation_id=f"create_{lookup.wrapper}",
        responses=error_responses(400, 401, 403, 409, 413, 415, 422, 429),
    )
    async def create_row(session: DbSession, scope: ManagerScope, body: body_model) -> Response:
        data = service.create(session, scope, getattr(body, lookup.wrapper))
        return ok(data, base_meta(scope.entity, scope.customer), status_code=201)

    @update_route(
        router,
        one,
        response_model=Envelope[item_model],
        summary=f"Update {lookup.title.lower()}",
        operation_id=f"update_{lookup.wrapper}",
        responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
    )
    async def update_row(session: DbSession, scope: ManagerScope, id: IdPath, body: update_model) -> Response:
        data = service.update(session, scope, id, getattr(body, lookup.wrapper))
        return ok(data, base_meta(scope.entity, scope.customer))

    @router.delete(
        one,
        status_code=204,
        summary=f"Delete {lookup.title.lower()}",
        operation_id=f"delete_{lookup.wrapper}",
        responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def delete_row(session: DbSession, scope: ManagerScope, id: IdPath) -> Response:
        service.delete(session, scope, id)
        return no_content()

    return router
