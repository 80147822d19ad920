"""Parent/child hierarchies (locations, assets): parent checks, root ids, materialized paths, child flags."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import literal, select

from wrenchwork.core.errors import Unprocessable
from wrenchwork.core.repository import Repository

PATH_SEPARATOR = " > "


def checked_parent(repo: Repository[Any], node_id: int | None, parent_id: int | None, field: str) -> Any | None:
    """The parent row, after checking it is in this entity and does not make a cycle (422 otherwise)."""
    if parent_id is None:
        return None
    if node_id is not None and parent_id == node_id:
        raise Unprocessable.field(field, "cannot be the record itself")
    parent = repo.get(parent_id)
    if parent is None:
        raise Unprocessable.field(field, "is not a record of this entity")
    if node_id is not None and node_id in ancestor_ids(repo, parent):
        raise Unprocessable.field(field, "would make the record its own ancestor")
    return parent


def ancestor_ids(repo: Repository[Any], node: Any) -> list[int]:
    model = repo.model
    ids: list[int] = []
    parent_id = node.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = repo.session.scalar(select(model.parent_id).where(model.id == parent_id))
    return ids


def subtree(repo: Repository[Any], node_id: int) -> list[Any]:
    """Every descendant of `node_id`, parents before children."""
    model = repo.model
    tree = select(model.id, literal(1).label("depth")).where(model.parent_id == node_id).cte(recursive=True)
    tree = tree.union_all(select(model.id, tree.c.depth + 1).where(model.parent_id == tree.c.id))
    rows = repo.session.execute(
        select(model).join(tree, tree.c.id == model.id).order_by(tree.c.depth, model.id)
    ).scalars()
    return list(rows)


def place(repo: Repository[Any], node: Any, parent: Any | None, with_path: bool) -> None:
    """Sets the node's root (and path) from its parent, then carries the change down its whole subtree."""
    node.root_id = parent.root_id if parent is not None else node.id
    if with_path:
        node.path = (parent.path + PATH_SEPARATOR if parent is not None else "") + node.name
    by_id = {node.id: node}
    for child in subtree(repo, node.id):
        above = by_id[child.parent_id]
        child.root_id = node.root_id
        if with_path:
            child.path = above.path + PATH_SEPARATOR + child.name
        by_id[child.id] = child
    repo.session.flush()


def with_children(repo: Repository[Any], ids: Iterable[int]) -> set[int]:
    """Which of `ids` have at least one child."""
    model = repo.model
    wanted = list(ids)
    if not wanted:
        return set()
    return set(repo.session.scalars(select(model.parent_id).where(model.parent_id.in_(wanted)).distinct()))
