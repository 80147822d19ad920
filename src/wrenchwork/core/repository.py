"""The one repository base. Scoping to the caller's entity (or customer) happens here and nowhere else."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast

from orjson import Fragment
from sqlalchemy import (
    BigInteger,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.base import ExecutableOption
from sqlalchemy.sql.selectable import Join, Subquery

from wrenchwork.core import driver, text_index
from wrenchwork.core.auth import Principal, Scope
from wrenchwork.core.counters import count_column, read_count
from wrenchwork.core.json_sql import Detail, in_batch, json_item
from wrenchwork.core.listing import (
    TEXT_MATCHERS,
    AnyRow,
    AnySelect,
    LinkJoin,
    ListQuery,
    ListSpec,
    apply_list_query,
    count_statement,
    filter_params,
    filter_shape,
    joined_link,
    link_joins,
    order_by,
    where_clauses,
)
from wrenchwork.core.model_base import Base

M = TypeVar("M", bound=Base)
# In `session.info`: {entity_id: Scope} of the callers whose repositories the session has served, for work done at
# commit on their behalf (the event outbox presents records and names the actor with them: events/outbox.py).
CALLERS = "wrenchwork.callers"


@dataclass(frozen=True)
class Link:
    """A to-many reference list through a link table, shown as `[{id, name, *extra}]` (an asset's vendors)."""

    field: str
    table: Table
    owner: str  # the link table's column that points at the owner row, e.g. "asset_id"
    value: str  # the column that points at the referenced row, e.g. "vendor_id"
    target: type[Any]  # the referenced model; it has `id` and `name`
    extra: tuple[str, ...] = ()


@functools.cache
def _refs_statement(links: tuple[Link, ...]) -> Any:
    """Built once per set of links: one UNION ALL, so any number of reference lists costs one round trip."""
    width = max(len(link.extra) for link in links)
    parts = []
    for index, link in enumerate(links):
        target = link.target.__table__
        extra = [target.c[name] for name in link.extra]
        extra += [null()] * (width - len(extra))
        parts.append(
            select(
                literal(index).label("link"),
                link.table.c[link.owner].label("owner_id"),
                target.c.id.label("id"),
                target.c.name.label("name"),
                *(column.label(f"extra_{n}") for n, column in enumerate(extra)),
            )
            .join(target, target.c.id == link.table.c[link.value])
            .where(link.table.c[link.owner].in_(bindparam("owner_ids", expanding=True)))
        )
    return union_all(*parts).order_by("link", "owner_id", "id")


# Prebuilt list statements by (kind, spec, base statement, sort): see Repository.json_page and the part ledger.
# Bounded, as sorts and filter shapes are chosen by clients; specs and base statements are module-level and live
# as long as the process.
_PREBUILT: dict[tuple[Any, int, int, tuple[tuple[str, str], ...]], Any] = {}
_MAX_PREBUILT = 1024
S = TypeVar("S")


def prebuilt(kind: Any, spec: ListSpec, base: AnySelect, query: ListQuery, build: Callable[[], S]) -> S:
    """One statement object per list, sort and kind, so SQLAlchemy's cache key (memoized on the object) is not
    recomputed over the whole item expression and its joins on every request. Every value that differs between
    requests of one kind is a bound parameter."""
    key = (kind, id(spec), id(base), tuple(query.sort))
    stmt: S | None = _PREBUILT.get(key)
    if stmt is None:
        stmt = build()
        if len(_PREBUILT) < _MAX_PREBUILT:
            _PREBUILT[key] = stmt
            for part in stmt if isinstance(stmt, tuple) else (stmt,):
                driver.keep(part)  # held here for good, so the driver's path may take it (core/driver.py)
    return stmt


def _ids_of(
    spec: ListSpec,
    base: AnySelect,
    *columns: Any,
    where: Sequence[Any],
    order: Sequence[Any] = (),
    joins: Sequence[LinkJoin] = (),
) -> AnySelect:
    """`columns` (the id first) of the rows that match `where` and `joins` (listing.link_joins), in `order`: over
    the list's own table alone when those read nothing else, as the list specs' fields do. `base` joins the tables
    its items show; the joins change nothing here (each is to at most one row), yet SQLite keeps some of them in
    the plan, e.g. a scan of a small lookup table for every matching row once its statistics say it is small."""
    table = spec.id_column.table
    if all(source is table for clause in (*where, *order) for source in clause._from_objects):
        stmt = select(*columns).select_from(table)
    else:
        stmt = base.with_only_columns(*columns)
    for join in joins:
        stmt = stmt.join(join.link, join.on)
    return stmt.where(*where).order_by(*order)


def _rebased(joined: Any, table: Any, page: Any, on: Any) -> Any:
    """The join tree `joined` (the list's table, then its joins) with `page` joined in front of `table`."""
    if not isinstance(joined, Join):
        if not joined.is_derived_from(table):
            raise TypeError(f"a list statement must read from its table and joins, not {joined!r}")
        return page.join(joined, on)
    left = _rebased(joined.left, table, page, on)
    return left.join(joined.right, joined.onclause, isouter=joined.isouter, full=joined.full)


def from_page(spec: ListSpec, base: AnySelect, page: AnySelect) -> AnySelect:
    """`base`'s columns for the rows whose ids `page` selects, read from the page outwards: the page, a derived
    table, comes first in the FROM, and the list's table and each of `base`'s joins are reached from it by key.

    Written as `id IN (page)`, PostgreSQL joined every row of the table with every joined table first (a hash
    semi-join of the whole table: 376 ms for 50 work orders among 100k) and kept the page's rows last; SQLite
    ran the subquery first. As the first item of the FROM, both planners start from its rows (tests/perf)."""
    table = spec.id_column.table
    derived = page.subquery("list_page")
    (joined,) = base.with_only_columns(spec.id_column).get_final_froms()  # the joins, not the custom items
    rebased = _rebased(joined, table, derived, spec.id_column == derived.c[0])
    stmt = select(*base.selected_columns).select_from(rebased)
    return stmt if base.whereclause is None else stmt.where(base.whereclause)


def _items_page(
    spec: ListSpec, base: AnySelect, scope: Any, query: ListQuery, limit: Any, offset: Any, page_first: bool
) -> AnySelect:
    """The page's items in two steps within one statement: first the page's ids (order, limit and offset over the
    bare rows), then the items of just those ids. Rendering is the expensive part, and a database renders every
    row it sorts or skips: a later page would otherwise render every row before it.

    `page_first` (PostgreSQL): the page as a derived table that drives the joins (`from_page`). SQLite runs
    `id IN (page)` from the page already, and the derived table cost it a fifth more on page 3 (docs/performance.md)."""
    order = order_by(spec, query)
    ids = _ids_of(spec, base, spec.id_column, where=[scope, *where_clauses(spec, query)], order=order)
    ids = ids.limit(limit).offset(offset)
    page = from_page(spec, base, ids) if page_first else base.where(spec.id_column.in_(ids))
    return page.order_by(*order)


# PostgreSQL: the first pages' statements carry their LIMIT and OFFSET as numbers (see `_unfiltered_page`).
LITERAL_PAGES = 5


def _unfiltered_page(
    repo: Repository[Any], spec: ListSpec, base: AnySelect, query: ListQuery, dialect: str
) -> AnySelect:
    """The unfiltered page's statement. On PostgreSQL, pages 1 to `LITERAL_PAGES` (what clients ask for most)
    write their LIMIT and OFFSET as numbers, one statement per page size and page.

    The driver prepares a statement it runs again (psycopg, on its fifth execution), and PostgreSQL then reuses a
    generic plan, made without the values, once it is not dearer than the plans made for each execution's values.
    With a bound LIMIT the generic plan cannot know the page is 50 rows (it assumes a tenth of the table, and joins
    that many), so it never is: every page was planned again, 1.2-1.6 ms of a work order page whose execution
    takes 3 (docs/performance.md). With the page's numbers written in, the generic plan is the page's own, and
    after the driver's first executions each page is run without planning. Later pages keep bound values (and a
    plan per execution) rather than one statement for each."""
    literal = dialect == "postgresql" and query.page <= LITERAL_PAGES
    offset_value = (query.page - 1) * query.per_page

    def build() -> AnySelect:
        scope = getattr(repo.model, repo.scope_column) == bindparam("list_scope")
        limit: Any
        offset: Any
        if literal:
            limit, offset = literal_column(str(int(query.per_page))), literal_column(str(int(offset_value)))
        else:
            limit, offset = bindparam("list_limit", type_=BigInteger), bindparam("list_offset", type_=BigInteger)
        stmt = _items_page(spec, base, scope, query, limit, offset, page_first=dialect == "postgresql")
        if spec.counter is not None:
            stmt = stmt.add_columns(count_column(spec.counter, bindparam("list_counter_scope")).label("listed_total"))
        return stmt

    kind = ("page", dialect, query.per_page, query.page) if literal else ("page", dialect)
    return prebuilt(kind, spec, base, query, build)


_DETAILS: dict[tuple[int, bool], Any] = {}


def _detail_statement(repo: Repository[Any], detail: Detail, one: bool) -> AnySelect:
    """The statement of `Repository.json_details`, built once per detail: for one record (`one`, what a
    `GET /{resource}/{id}` asks) `id = :detail_id`, else a batch of ids bound as one value.

    Two statements, as PostgreSQL plans the batch's on every execution: a prepared statement keeps a generic plan
    only when it is about as cheap as the plans made for each execution's values, and a generic plan takes a bound
    array for ten ids where a detail's has one. The single id's generic plan is the one its values would get, so
    after the driver's first executions (psycopg prepares a statement on its fifth) it is reused: 1-2 ms of
    planning saved per detail (docs/performance.md)."""
    stmt: AnySelect | None = _DETAILS.get((id(detail), one))
    if stmt is None:
        scope = getattr(repo.model, repo.scope_column) == bindparam("detail_scope")
        stmt = detail.joined(select(repo.model.id, json_item(detail.key, detail.item)))
        ids = repo.model.id == bindparam("detail_id") if one else in_batch(repo.model.id, "detail_ids")
        stmt = stmt.where(scope, ids)
        _DETAILS[(id(detail), one)] = driver.keep(stmt)
    return stmt


def _filtered_statements(
    repo: Repository[Any], spec: ListSpec, base: AnySelect, query: ListQuery
) -> tuple[AnySelect, AnySelect, bool]:
    """A filtered page's ids (with `matched`, the number of matches, when a link drives the search) and its
    count, built once per list, sort and filter shape: the filter values, scope, limit and offset are bound."""

    dialect = repo.session.get_bind().dialect.name

    def build() -> tuple[AnySelect, AnySelect, bool]:
        joins, rest = link_joins(spec, query)
        scope = getattr(repo.model, repo.scope_column) == bindparam("list_scope")
        where, order = [scope, *where_clauses(spec, rest)], order_by(spec, query)
        # Every match is visited anyway when a link or a text index drives the page: count them on the way.
        driven = bool(joins) or bool(rest.text_matches) or rest.text_ids is not None
        if driven and dialect == "postgresql":
            page = _matched_then_sorted(spec, base, where, order, joins)
        else:
            matched = [func.count().over().label("matched")] if driven else []
            page = _ids_of(spec, base, spec.id_column, *matched, where=where, order=order, joins=joins)
        limit, offset = bindparam("list_limit", type_=BigInteger), bindparam("list_offset", type_=BigInteger)
        count = _ids_of(spec, base, func.count(), where=where, joins=joins)
        return page.limit(limit).offset(offset), count, driven

    return prebuilt(("filtered", filter_shape(query), dialect), spec, base, query, build)


def _text_drives(spec: ListSpec, query: ListQuery) -> bool:
    """A `search` or a text matcher that a trigram index can serve (not `_not_cont`), and no link filter, whose
    rows drive the page instead (`_matched_then_sorted`): a technician's few hundred links, each looked up, cost
    less than a term's thousands of matches, each tested for the link."""
    texts = bool(query.search) or any(c.matcher in ("cont", "start", "end") for c in query.conditions)
    return texts and all(joined_link(spec, c) is None for c in query.conditions)


def _capped_text_page(repo: Repository[Any], spec: ListSpec, base: AnySelect, query: ListQuery) -> AnySelect:
    """PostgreSQL: a text-searched page's ids from the term's first `list_cap` matches, sorted, with their number.

    Left to itself under a LIMIT, the planner walks the sort's index testing each row whenever it expects a page's
    worth of matches early in the order: right for matches spread evenly, and for a term most rows hold; but the
    6,250 pumps among 100,000 generated assets lie together near the end of the name order, and `search=pump` tested
    most of the table, 68-102 ms, where its matches sorted take 9. Capped (the matches read in no order, from the
    trigram indexes or the table, stop at the cap), the statement costs a broad term a cap's worth of rows before
    the plain statements take over (`Repository._filtered_json_page`); as SQLite's index does (core/text_index.py),
    a term drives the page when it has no more than `drive_limit` matches."""

    def build() -> AnySelect:
        scope = getattr(repo.model, repo.scope_column) == bindparam("list_scope")
        where, order = [scope, *where_clauses(spec, query)], order_by(spec, query)
        page = _matched_then_sorted(spec, base, where, order, (), cap=bindparam("list_cap", type_=BigInteger))
        limit, offset = bindparam("list_limit", type_=BigInteger), bindparam("list_offset", type_=BigInteger)
        return page.limit(limit).offset(offset)

    return prebuilt(("capped text", filter_shape(query)), spec, base, query, build)


def _matched_then_sorted(
    spec: ListSpec,
    base: AnySelect,
    where: Sequence[Any],
    order: Sequence[Any],
    joins: Sequence[LinkJoin],
    cap: Any = None,
) -> AnySelect:
    """PostgreSQL: the matches with their number (`count(*) OVER ()`) in a derived table, sorted outside it.

    With the count and the order in one SELECT under a LIMIT, PostgreSQL 15 costs the window as if the LIMIT
    stopped it early and walks the order's index over the whole entity, testing every row for the link (a
    technician's 592 open work orders by due date: 52,729 rows visited, 187-202 ms). Counted apart from the
    order, the planner starts from the link's rows and sorts the few matches.

    A link filter's rows drive, each looking its listed row up by key (a LATERAL subquery), as SQLite's planner
    does by itself. Joined plainly, PostgreSQL hash-joined them with every row the other filters let through,
    costed as if those were read from the index alone: a technician's 475 links against 51,257 open work orders,
    29,352 of them read from the table (written since the last vacuum), 8-14 ms; looked up by key, 0.7-1.6."""
    keys = [term.element.label(f"list_key_{n}") for n, term in enumerate(order)]
    count = func.count().over().label("matched")
    if joins:
        first = joins[0]
        row = _ids_of(spec, base, spec.id_column, *keys, where=where, joins=joins[1:])
        # LIMIT 1 (a link names one row) keeps the planner from flattening the subquery into a plain join.
        looked_up = row.where(first.listed == first.owner).limit(literal_column("1")).lateral("list_row")
        matches = select(*looked_up.c, count).select_from(first.link).join(looked_up, true()).where(first.value)
    elif cap is None:
        matches = _ids_of(spec, base, spec.id_column, *keys, count, where=where)
    else:  # the first `cap` matches, in no order, then counted (see `_capped_text_page`)
        capped = _ids_of(spec, base, spec.id_column, *keys, where=where).limit(cap).subquery("list_capped")
        matches = select(*capped.c, count)
    derived = matches.subquery("list_matches")
    outer = [
        derived.c[key.name].desc() if term.modifier is operators.desc_op else derived.c[key.name].asc()
        for term, key in zip(order, keys, strict=True)
    ]
    return select(derived.c[spec.id_column.name], derived.c.matched).order_by(*outer)


def _matching_items(repo: Repository[Any], spec: ListSpec, base: AnySelect, query: ListQuery) -> AnySelect:
    """The items of every match, in the page's order: for a first page that the few ids a text index gave
    (`ListQuery.text_ids`) fill at most, so the page and its total are one statement."""

    def build() -> AnySelect:
        scope = getattr(repo.model, repo.scope_column) == bindparam("list_scope")
        return base.where(scope, *where_clauses(spec, query)).order_by(*order_by(spec, query))

    return prebuilt(("matching items", filter_shape(query)), spec, base, query, build)


def _items_of(spec: ListSpec, base: AnySelect, query: ListQuery) -> AnySelect:
    """The items of the ids bound to `page_ids`, in the page's order (a filtered page's second statement): one
    batch parameter, so the statement is the same for any page and runs on the driver's path."""

    def build() -> AnySelect:
        return base.where(in_batch(spec.id_column, "page_ids")).order_by(*order_by(spec, query))

    return prebuilt("items", spec, base, query, build)


_IDS_IN_ENTITY: dict[type[Any], AnySelect] = {}


def _ids_in_entity(model: type[Any]) -> AnySelect:
    """Built once per model (every reference a request sends is checked with one): the ids among `ids` of the
    model's rows in `entity_id`."""
    stmt = _IDS_IN_ENTITY.get(model)
    if stmt is None:
        stmt = select(model.id).where(model.entity_id == bindparam("entity_id"), in_batch(model.id, "ids"))
        stmt = _IDS_IN_ENTITY[model] = driver.keep(stmt)
    return stmt


_LINK_INSERTS: dict[str, Any] = {}


def _link_insert(link: Table, owner: str, value: str) -> Any:
    """Built once per link table (a work order's technicians, an asset's vendors): the INSERT of its rows' two
    columns, kept (core/driver.py)."""
    key = f"{link.name}.{owner}.{value}"
    stmt = _LINK_INSERTS.get(key)
    if stmt is None:
        values: dict[str, Any] = {owner: bindparam(owner), value: bindparam(value)}
        stmt = _LINK_INSERTS[key] = driver.keep(insert(link).values(values))
    return stmt


# Set in `session.info` by a listener that presents records in the middle of a flush (the event outbox presents a
# record about to be deleted in `before_flush`): a detail is then read without flushing first.
IN_FLUSH = "wrenchwork.in_flush"


class Repository(Generic[M]):
    model: ClassVar[type[Any]]
    # "entity_id" for entity-owned rows; "customer_id" for rows that belong to the whole tenant.
    scope_column: ClassVar[str] = "entity_id"

    def __init__(self, session: Session, scope: Scope | Principal) -> None:
        self.session = session
        self.scope = scope
        if isinstance(scope, Scope):
            callers = session.info.get(CALLERS)
            if callers is None:
                callers = session.info[CALLERS] = {}
            callers[scope.entity_id] = scope

    @property
    def scope_id(self) -> int:
        if self.scope_column == "customer_id":
            return self.scope.customer.id
        if not isinstance(self.scope, Scope):
            raise TypeError(f"{type(self).__name__} needs an entity scope")
        return self.scope.entity_id

    @property
    def counter_scope_id(self) -> int:
        """The value that keys this list's row counter; the scope itself unless a subclass says otherwise."""
        return self.scope_id

    @property
    def user_id(self) -> int:
        return self.scope.user.id if isinstance(self.scope, Principal) else self.scope.user_id

    def scoped(self, stmt: AnySelect | None = None) -> AnySelect:
        """`stmt` (default: the whole model) restricted to the caller's entity or customer."""
        base = stmt if stmt is not None else select(self.model)
        column = getattr(self.model, self.scope_column)
        return base.where(column == self.scope_id)

    def scoped_source(self, source: Subquery) -> AnySelect:
        """Every row of a derived row source (e.g. built-in rows unioned with stored ones) in the caller's scope:
        `source` must have a column named like the model's scope column."""
        return select(source).where(source.c[self.scope_column] == self.scope_id)

    def get(self, id_: int, *options: ExecutableOption) -> M | None:
        stmt = self.scoped().where(self.model.id == id_)
        if options:
            stmt = stmt.options(*options)
        result: M | None = self.session.scalars(stmt).first()
        return result

    def add(self, obj: M) -> M:
        setattr(obj, self.scope_column, self.scope_id)
        if hasattr(obj, "created_by_id"):
            author = self.user_id or None  # 0: a visitor without an account (core/auth.py visitor_scope)
            setattr(obj, "created_by_id", author)  # noqa: B010 - not every model is audited
            setattr(obj, "updated_by_id", author)  # noqa: B010
        self.session.add(obj)
        self.session.flush()
        return obj

    def touch(self, obj: M) -> M:
        """Record the caller as the last editor; the timestamp follows from the update."""
        if hasattr(obj, "updated_by_id"):
            setattr(obj, "updated_by_id", self.user_id or None)  # noqa: B010
        self.session.flush()
        return obj

    def delete(self, obj: M) -> None:
        self.session.delete(obj)
        self.session.flush()

    def still_referenced(self, record_id: int, by: Mapping[tuple[str, str], Any]) -> str | None:
        """What still points at a record, in words (`2 child locations and 1 PM schedule`), or None: one
        statement counting each referencing column of `by`, keyed by the referrer's (singular, plural) name."""
        counts = self.session.execute(
            select(*(select(func.count()).where(column == record_id).scalar_subquery() for column in by.values()))
        ).one()
        found = [f"{n} {one if n == 1 else many}" for (one, many), n in zip(by, counts, strict=True) if n]
        return " and ".join(found) or None

    def ids_in_scope(self, model: type[Any], ids: Iterable[int]) -> set[int]:
        """Which of `ids` are rows of `model` in the caller's entity."""
        wanted = list(set(ids))
        if not wanted:
            return set()
        if not isinstance(self.scope, Scope):
            raise TypeError("needs an entity scope")
        return self.kept_ids(_ids_in_entity(model), {"entity_id": self.scope.entity_id, "ids": wanted})

    def kept_ids(self, stmt: AnySelect, params: Mapping[str, Any]) -> set[int]:
        """The ids a kept statement (core/driver.py) of one id column selects with `params`, pending changes
        flushed first as the session would. Through SQLAlchemy's ORM execution, a create's reference checks cost a
        tenth of the interpreter time it holds under load."""
        self.session.flush()
        return {row[0] for row in driver.rows(self.session.connection(), stmt, params)}

    def in_entity_of(self, model: type[Any], stmt: AnySelect) -> AnySelect:
        """`stmt` over another entity-owned `model`, restricted to the caller's entity."""
        if not isinstance(self.scope, Scope):
            raise TypeError("needs an entity scope")
        return stmt.where(model.entity_id == self.scope.entity_id)

    def linked_ids(self, link: Table, owner: str, owner_id: int, value: str) -> list[int]:
        rows = self.session.scalars(select(link.c[value]).where(link.c[owner] == owner_id).order_by(link.c[value]))
        return list(rows)

    def set_links(
        self, link: Table, owner: str, owner_id: int, value: str, ids: Iterable[int], replace: bool = True
    ) -> set[int]:
        """Replace the whole set of `owner_id`'s links in `link` with `ids` (`replace=False`: a new owner, which
        has none yet). The `value` ids linked or unlinked: empty when the set is unchanged (the owner's event names
        the field when it changed; the records at the other end whose detail shows the link have theirs too)."""
        wanted = sorted(set(ids))
        before: list[int] = []
        if replace:
            before = self.linked_ids(link, owner, owner_id, value)
            if before == wanted:
                return set()
            self.session.execute(delete(link).where(link.c[owner] == owner_id))
        rows = [{owner: owner_id, value: v} for v in wanted]
        if rows:
            self.session.flush()
            driver.execute(self.session.connection(), _link_insert(link, owner, value), rows)
        return set(before) ^ set(wanted)

    def linked_refs(
        self, link: Table, owner: str, value: str, target: type[Any], owner_ids: Iterable[int], *extra: str
    ) -> dict[int, list[dict[str, Any]]]:
        """`{owner_id: [{id, name, *extra}, ...]}` through a link table, in one query, ordered by id."""
        refs = self.refs_through((Link("refs", link, owner, value, target, extra),), owner_ids)
        return refs["refs"]

    def refs_through(
        self, links: Sequence[Link], owner_ids: Iterable[int]
    ) -> dict[str, dict[int, list[dict[str, Any]]]]:
        """Several reference lists of the same rows (an asset's technicians, types, vendors) in one query:
        `{link.field: {owner_id: [{id, name, *extra}, ...]}}`, each list ordered by id (as in list items)."""
        ids = list(owner_ids)
        grouped: dict[str, dict[int, list[dict[str, Any]]]] = {link.field: {i: [] for i in ids} for link in links}
        if not ids:
            return grouped
        columns = [("id", "name", *link.extra) for link in links]
        for row in self.session.connection().execute(_refs_statement(tuple(links)), {"owner_ids": ids}):
            link_index = row[0]
            names = columns[link_index]
            grouped[links[link_index].field][row[1]].append(dict(zip(names, row[2:], strict=False)))
        return grouped

    def user_refs(self, user_ids: Iterable[int | None], *extra: str) -> dict[int | None, dict[str, Any]]:
        """`{id: {id, name, surname, *extra}}` for `created_by`-style references, in one query."""
        from wrenchwork.models import User

        ids = {i for i in user_ids if i is not None}
        if not ids:
            return {}
        columns = ["id", "name", "surname", *extra]
        rows = self.session.execute(select(*(getattr(User, c) for c in columns)).where(User.id.in_(ids)))
        return {row[0]: dict(zip(columns, row, strict=True)) for row in rows}

    def indexed(self, spec: ListSpec, query: ListQuery) -> ListQuery:
        """The query with the candidate rows its selective text terms name (core/text_index.py), if any.
        Pending changes are flushed first, so the index holds them."""
        if query.is_unfiltered:
            return query
        self.session.flush()

        def rows() -> int | None:
            return read_count(self.session, spec.counter, self.counter_scope_id) if spec.counter else None

        return text_index.narrowed(self.session.connection(), spec, query, rows)

    def page(self, spec: ListSpec, query: ListQuery, stmt: AnySelect) -> tuple[Sequence[AnyRow], int]:
        """One page of `stmt` (already scoped) and the exact total; a constant number of queries."""
        query = self.indexed(spec, query)
        rows = self.session.execute(apply_list_query(spec, stmt, query)).all()
        return rows, self._total(spec, query, stmt, len(rows))

    def rows_page(
        self, spec: ListSpec, query: ListQuery, stmt: AnySelect, params: Mapping[str, Any] | None = None
    ) -> tuple[Sequence[AnyRow], int]:
        """`page` for a statement that selects columns, not mapped objects: it runs on the connection, which
        skips the ORM's per-row loading step (a fifth of a 50-row list's time). `params` fills the statement's
        own bind parameters. Pending changes are flushed first, as the session would.

        An unfiltered page reads its total from the row counter in the same query (`listed_total`)."""
        self.session.flush()
        query = self.indexed(spec, query)
        counted = query.is_unfiltered and spec.counter is not None
        paged = apply_list_query(spec, stmt, query)
        if counted:
            total_column = count_column(cast(str, spec.counter), self.counter_scope_id).label("listed_total")
            paged = paged.add_columns(total_column)
        rows = self.session.connection().execute(paged, params).all()
        if counted and rows:
            return rows, rows[0].listed_total or 0
        return rows, self._total(spec, query, stmt, len(rows), params)

    def json_details(
        self, detail: Detail, ids: Iterable[int], params: Mapping[str, Any] | None = None, batch: bool = False
    ) -> dict[int, str]:
        """`{id: detail as JSON text}` of those of `ids` that are records in the caller's scope, rendered by the
        database: `detail` is module-level (core/json_sql.py `Detail`). One statement for any number of ids,
        built once per detail; `params` fills the item's own bind parameters. `batch`: the statement for many
        even for one id (a list page's items: the same statement whatever the page's size)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        if not self.session.info.get(IN_FLUSH):  # the statement reads the database, not the session
            self.session.flush()
        one = len(wanted) == 1 and not batch
        stmt = _detail_statement(self, detail, one)
        keys: dict[str, Any] = {"detail_id": wanted[0]} if one else {"detail_ids": wanted}
        bound = dict(params or {}) | {"detail_scope": self.scope_id} | keys
        rows = driver.rows(self.session.connection(), stmt, bound)
        return {row[0]: row[1] for row in rows}

    def json_page(
        self, spec: ListSpec, query: ListQuery, base: AnySelect, params: Mapping[str, Any] | None = None
    ) -> tuple[list[Fragment], int]:
        """A page of list items rendered by the database (core/json_sql.py): `base` selects one `item` column
        over the repository's model and is not yet scoped. `params` fills its own bind parameters.

        The page's ids are chosen before any item is rendered. Every statement is built once (`prebuilt`): the
        unfiltered page per sort order, a filtered page's per sort and filter shape, with the entity, filter
        values, page size and offset as bound parameters. Each request then reuses one statement (and the cache
        key SQLAlchemy memoizes on it) instead of building and hashing a new one."""
        offset = (query.page - 1) * query.per_page
        self.session.flush()
        if not query.is_unfiltered:
            return self._filtered_json_page(spec, self.indexed(spec, query), base, offset, params)
        dialect = self.session.get_bind().dialect.name
        bound = {"list_scope": self.scope_id, "list_counter_scope": self.counter_scope_id,
                 "list_limit": query.per_page, "list_offset": offset}  # fmt: skip
        stmt = _unfiltered_page(self, spec, base, query, dialect)
        rows = driver.rows(self.session.connection(), stmt, bound | dict(params or {}))
        if rows and spec.counter is not None:
            total = rows[0][-1] or 0  # listed_total
        else:
            total = self._total(spec, query, self.scoped(base), len(rows), params)
        return [Fragment(row[0]) for row in rows], total

    def _filtered_json_page(
        self, spec: ListSpec, query: ListQuery, base: AnySelect, offset: int, params: Mapping[str, Any] | None
    ) -> tuple[list[Fragment], int]:
        """A filtered page: the page's ids and the number of matches, then the items of those ids.

        When a text index gave few enough ids to fill at most the first page, one statement reads their items,
        and their number is the total. When a link drives the search (`technicians_id_eq`) or a text index does
        (core/text_index.py), every match is visited anyway, so one statement pages and counts them
        (`count(*) OVER ()`). Otherwise the page is read in the order's index and stops after one page, and the
        total is counted by a statement of its own, index-only where an index covers the filters: with
        `count(*) OVER ()` every match would be fetched and sorted (47 ms instead of 4 for the open work orders
        among 100k)."""
        connection = self.session.connection()
        bound = dict(params or {}) | filter_params(query) | {"list_scope": self.scope_id}
        ids = query.text_ids
        if ids is not None and query.page == 1 and len(ids) <= query.per_page and query.counted:
            items = driver.rows(connection, _matching_items(self, spec, base, query), bound)
            return [Fragment(row[0]) for row in items], len(items)
        page, count, counted = _filtered_statements(self, spec, base, query)
        # A text term's plan depends on the term (which indexes can serve it, how many rows match): planned for
        # each request's term, never a generic plan (core/driver.py `rows`).
        prepare = not (query.search or any(c.matcher in TEXT_MATCHERS for c in query.conditions))
        limits = {"list_limit": query.per_page, "list_offset": offset}
        found: Sequence[Sequence[Any]] | None = None
        if connection.dialect.name == "postgresql" and _text_drives(spec, query):
            cap = text_index.drive_limit(None)
            capped = _capped_text_page(self, spec, base, query)
            sorted_matches = driver.rows(connection, capped, bound | limits | {"list_cap": cap + 1}, False)
            # Every match sorted (their number beside each) is the page and its total; more matches than drive
            # the page, or none on a later page, are left to the plain statements.
            if (sorted_matches and sorted_matches[0][1] <= cap) or (not sorted_matches and query.page == 1):
                found, counted = sorted_matches, True
        if found is None:
            found = driver.rows(connection, page, bound | limits, prepare)
        if found and counted:
            total = found[0][1]  # matched
        elif query.page == 1 and len(found) < query.per_page:
            total = len(found)  # the whole filtered set fits on the first page
        elif not query.counted:
            total = 0  # an export's window (ListQuery.counted)
        else:
            total = driver.rows(connection, count, bound, prepare)[0][0]
        if not found:
            return [], total
        page_ids = {"page_ids": [row[0] for row in found]}
        items = driver.rows(connection, _items_of(spec, base, query), dict(params or {}) | page_ids)
        return [Fragment(row[0]) for row in items], total

    def _total(
        self, spec: ListSpec, query: ListQuery, stmt: AnySelect, fetched: int, params: Mapping[str, Any] | None = None
    ) -> int:
        if not query.counted:
            return 0  # an export's window: counting every window would read the whole list each time
        if query.is_unfiltered and spec.counter is not None:
            return read_count(self.session, spec.counter, self.counter_scope_id)
        if query.page == 1 and fetched < query.per_page:
            return fetched  # the whole filtered set fits on the first page
        return self.session.scalar(count_statement(spec, stmt, query), params) or 0
