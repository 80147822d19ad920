"""Column headers -> fields, tolerant of case, spaces, underscores, punctuation and common synonyms."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_NOT_WORD = re.compile(r"[^0-9a-z#]+")


def normalize(header: str) -> str:
    """`Serial #`, `serial_number`, ` SERIAL-Number ` -> comparable keys (`serial #`, `serial number`)."""
    return " ".join(_NOT_WORD.sub(" ", header.lower().replace("_", " ")).split())


@dataclass
class ColumnMap:
    fields: dict[int, str]  # column index -> field
    headers: dict[str, str]  # field -> the file's header (for error reports)
    unmatched: list[str]


def match(headers: Sequence[str], synonyms: Mapping[str, Sequence[str]]) -> ColumnMap:
    """Each field matches its own name or one of its synonyms; a field's first column wins, later duplicates and
    unknown headers are reported as unmatched."""
    lookup: dict[str, str] = {}
    for field, names in synonyms.items():
        for name in (field, *names):
            lookup.setdefault(normalize(name), field)
    fields: dict[int, str] = {}
    by_field: dict[str, str] = {}
    unmatched: list[str] = []
    for index, header in enumerate(headers):
        found = lookup.get(normalize(header))
        if found is None or found in by_field:
            if header:
                unmatched.append(header)
            continue
        fields[index] = found
        by_field[found] = header
    return ColumnMap(fields, by_field, unmatched)
