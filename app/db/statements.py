"""Cypher statements, read from ``queries/`` one file each.

Values always travel as parameters. Labels, relationship types and property
names cannot be parameters in schema statements, so those statements carry
``{{label}}``-style slots that ``render`` fills only with names from an
allow-list, quoted as identifiers.

The store also tells which statements change the graph of CIs and their
relationships, for the graph revision log (see ``GraphChange``).
"""

import re
from enum import Enum
from functools import lru_cache
from pathlib import Path

SLOT = re.compile(r"\{\{(\w+)\}\}")
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
HISTORY_WRITE = re.compile(r"\b(?:MERGE|CREATE)\s*\(\w*:HistoryEntry\b")
# Statements that change CIs or their relationships without recording history:
# clearing the graph and restoring a backup into it.
UNRECORDED_GRAPH_WRITES = frozenset(
    {"graph_clear", "restore_nodes_batch", "restore_relationships_batch"}
)


class GraphChange(Enum):
    """What running a statement does to the CIs and their relationships.

    Every write to a CI or relationship records a history entry in the same
    statement, so a statement that creates history entries changes the CIs
    those entries name. The few that change the graph without history make
    the whole graph count as changed.
    """

    NONE = "none"
    NAMED = "named"
    WHOLE = "whole"


class UnknownStatementError(LookupError):
    """No ``.cypher`` file has that name."""


class StatementStore:
    """Reads statements by name from a directory of ``.cypher`` files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._graph_changes: dict[str, GraphChange] = {}

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

    def graph_change(self, name: str) -> GraphChange:
        """Tell how statement ``name`` changes the graph; cached per name."""
        change = self._graph_changes.get(name)
        if change is None:
            change = classify(name, _read(self.directory / f"{name}.cypher"))
            self._graph_changes[name] = change
        return change

    def names(self) -> list[str]:
        """List every statement name."""
        return sorted(path.stem for path in self.directory.glob("*.cypher"))


def classify(name: str, text: str) -> GraphChange:
    """Tell how the statement ``name`` with this text changes the graph."""
    if name in UNRECORDED_GRAPH_WRITES:
        return GraphChange.WHOLE
    code = "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("//")
    )
    return GraphChange.NAMED if HISTORY_WRITE.search(code) else GraphChange.NONE


@lru_cache(maxsize=256)
def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnknownStatementError(f"no statement file {path}") from None
