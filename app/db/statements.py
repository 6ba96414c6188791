"""Cypher statements, read from ``queries/`` one file each.

Values always travel as parameters. Labels, relationship types and property
names cannot be parameters in schema statements, so those statements carry
``{{label}}``-style slots that ``render`` fills only with names from an
allow-list, quoted as identifiers.
"""

import re
from functools import lru_cache
from pathlib import Path

SLOT = re.compile(r"\{\{(\w+)\}\}")
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class UnknownStatementError(LookupError):
    """No ``.cypher`` file has that name."""


class StatementStore:
    """Reads statements by name from a directory of ``.cypher`` files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get(self, name: str) -> str:
        """Return the text of statement ``name``, which takes no slots."""
        text = _read(self.directory / f"{name}.cypher")
        if SLOT.search(text):
            raise ValueError(f"statement {name!r} has slots; use render()")
        return text

    def render(self, name: str, allowed: frozenset[str], **names: str) -> str:
        """Fill the statement's slots with names that ``allowed`` contains."""
        for slot, value in names.items():
            if value not in allowed or not IDENTIFIER.match(value):
                raise ValueError(f"{slot} {value!r} is not in the catalogue")
        text = _read(self.directory / f"{name}.cypher")
        return SLOT.sub(lambda match: f"`{names[match.group(1)]}`", text)

    def names(self) -> list[str]:
        """List every statement name."""
        return sorted(path.stem for path in self.directory.glob("*.cypher"))


@lru_cache(maxsize=256)
def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnknownStatementError(f"no statement file {path}") from None
