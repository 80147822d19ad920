"""What every importer shares: the row's plain fields, references by name, and errors by field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.handlers import field_errors
from wrenchwork.core.tree import PATH_SEPARATOR
from wrenchwork.imports.repository import ImportRepository
from wrenchwork.models import Location

Outcome = Literal["created", "updated"]
LIST_SEPARATORS = (";", ",")


class RowProblems(Exception):
    """Every problem found in one row, as (field path, message): the paths of the API's request body."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f} {m}" for f, m in problems))


class Importer:
    resource: ClassVar[str]
    # The wrapper key of the API's request body ("asset"): service errors name fields as `asset.<field>`.
    wrapper: ClassVar[str]
    # field -> other headers that mean it (compared after core normalisation: imports/columns.py)
    synonyms: ClassVar[Mapping[str, Sequence[str]]]
    # body fields that are copied from the row as they are
    plain: ClassVar[tuple[str, ...]]
    # body field -> the column it was resolved from (`location_id` from `location`)
    sources: ClassVar[Mapping[str, str]] = {}
    required: ClassVar[tuple[str, ...]] = ("name",)

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope
        self.repo = ImportRepository(session, scope)

    def apply(self, values: dict[str, str]) -> Outcome:
        raise NotImplementedError

    def column_of(self, path: str) -> str:
        """The column field an error path of the API points at (`asset.location_id` -> `location`)."""
        parts = path.split(".")
        if parts[0] == self.wrapper and len(parts) > 1:
            parts = parts[1:]
        return self.sources.get(parts[0], parts[0])

    def body(self, values: Mapping[str, str]) -> dict[str, Any]:
        """The plain fields the row fills; an empty cell leaves the field out (on update: unchanged)."""
        return {name: values[name] for name in self.plain if values.get(name)}

    @staticmethod
    def validated(schema: type[BaseModel], body: dict[str, Any], problems: list[tuple[str, str]]) -> Any:
        """`schema` (the API's own request model) over `body`; its errors join the row's other problems."""
        try:
            data = schema.model_validate(body)
        except ValidationError as exc:
            for field, messages in field_errors(exc.errors()).items():
                problems.extend((field, message) for message in messages)
            raise RowProblems(problems) from exc
        if problems:
            raise RowProblems(problems)
        return data

    def named_ids(
        self, model: type[Any], text: str, field: str, what: str, problems: list[tuple[str, str]]
    ) -> list[int]:
        """`Pump; Motor` -> the ids of the records of `model` with those names, each unknown name a problem."""
        names = split_list(text)
        found = self.repo.ids_by(model, model.name, names)
        unknown = [n for n in names if n not in found]
        if unknown:
            problems.append((field, f"names no {what} of this entity: {', '.join(unknown)}"))
        return [found[n] for n in names if n in found]

    def location_id(self, text: str, field: str, problems: list[tuple[str, str]]) -> int | None:
        """The location whose whole path is `text` (`Building A > Floor 2`)."""
        found = self.repo.first_id(Location, Location.path == tree_path(text))
        if found is None:
            problems.append((field, f"names no location of this entity: {tree_path(text)}"))
        return found


def split_list(text: str) -> list[str]:
    for separator in LIST_SEPARATORS:
        if separator in text:
            return list(dict.fromkeys(p.strip() for p in text.split(separator) if p.strip()))
    return [text.strip()] if text.strip() else []


def tree_path(text: str) -> str:
    """`Building A>Floor 2` or `Building A > Floor 2` -> the stored form of a tree path (core/tree.py)."""
    return PATH_SEPARATOR.join(p.strip() for p in text.split(">") if p.strip())
