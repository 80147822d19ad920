"""Comments on work orders and requests: anyone who can see the record may read and add them; the author (or an
admin / limited admin) may delete one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.comments.listing import COMMENT_LIST
from wrenchwork.comments.repository import CommentRepository, WorkOrderLookup
from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import Forbidden, NotFound
from wrenchwork.core.listing import ListQuery
from wrenchwork.models import Comment
from wrenchwork.work_order_requests.service import visible_request

MODERATORS = ("admin", "limited_admin")


def _owner(session: Session, scope: Scope, kind: str, owner_id: int) -> Any:
    """The comment column for the record, after checking the caller can see that record (404 otherwise)."""
    if kind == "work_order":
        if not WorkOrderLookup(session, scope).exists(owner_id):
            raise NotFound.of("Work order")
        return Comment.work_order_id
    visible_request(session, scope, owner_id)
    return Comment.work_order_request_id


def present(repo: CommentRepository, comments: Sequence[Comment]) -> list[dict[str, Any]]:
    users = repo.user_refs(c.created_by_id for c in comments)
    return [
        {
            "id": c.id,
            "body": c.body,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "created_by": users.get(c.created_by_id),
        }
        for c in comments
    ]


def present_one(session: Session, scope: Scope, comment: Comment) -> dict[str, Any]:
    """A comment's event data: as listed, plus the work order or request it is on."""
    item = present(CommentRepository(session, scope), [comment])[0]
    return item | {"work_order_id": comment.work_order_id, "work_order_request_id": comment.work_order_request_id}


def list_comments(
    session: Session, scope: Scope, kind: str, owner_id: int, query: ListQuery
) -> tuple[list[dict[str, Any]], int]:
    column = _owner(session, scope, kind, owner_id)
    repo = CommentRepository(session, scope)
    rows, total = repo.page(COMMENT_LIST, query, repo.on(column, owner_id))
    return present(repo, [r[0] for r in rows]), total


def add_comment(session: Session, scope: Scope, kind: str, owner_id: int, body: str) -> dict[str, Any]:
    column = _owner(session, scope, kind, owner_id)
    repo = CommentRepository(session, scope)
    comment = repo.add(Comment(body=body, **{column.key: owner_id}))
    return present(repo, [comment])[0]


def delete_comment(session: Session, scope: Scope, kind: str, owner_id: int, comment_id: int) -> None:
    column = _owner(session, scope, kind, owner_id)
    repo = CommentRepository(session, scope)
    comment = repo.one(column, owner_id, comment_id)
    if comment is None:
        raise NotFound.of("Comment")
    if comment.created_by_id != scope.user_id and scope.role not in MODERATORS:
        raise Forbidden("Only the author or an admin may delete a comment")
    repo.delete(comment)
