"""Which CIs a writing transaction changed, for the graph revision log.

Every transaction that changes CIs or their relationships records one graph
revision naming the CIs it touched, so that a copy of the graph kept in
memory can tell whether it is current and what to read again. The ids come
from the history entries the transaction's statements write: each names its
CI in ``ci_id`` and, for a relationship, the far end in ``other_id``.

Pure: nothing here talks to Neo4j.
"""

from collections.abc import Iterable, Mapping
from typing import Any

# A transaction that touches more CIs than this records the whole graph as
# changed instead of a list that big; a reader then reads everything again.
MAX_NAMED_CIS = 10_000
# How many revisions the log keeps; older ones are deleted as new ones come.
REVISIONS_KEPT = 10_000


def history_entries(params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the history entries a statement's parameters carry.

    They travel as ``history`` (one entry) or as ``rows[*].history``.

    >>> history_entries({"history": {"ci_id": "a"}, "rows": [{"history": None}]})
    [{'ci_id': 'a'}]
    """
    entries = [params["history"]] if params.get("history") else []
    for row in params.get("rows") or ():
        if isinstance(row, Mapping) and row.get("history"):
            entries.append(row["history"])
    return entries


def touched_ci_ids(entries: Iterable[Mapping[str, Any]]) -> set[str] | None:
    """Return the ids of the CIs the history entries name.

    None when an entry names no CI: what it changed is unknown, so the
    caller must count the whole graph as changed.

    >>> sorted(touched_ci_ids([{"ci_id": "a", "other_id": "b"}, {"ci_id": "c"}]))
    ['a', 'b', 'c']
    """
    ids: set[str] = set()
    for entry in entries:
        if entry.get("ci_id") is None:
            return None
        ids.add(entry["ci_id"])
        if entry.get("other_id") is not None:
            ids.add(entry["other_id"])
    return ids


class GraphChanges:
    """The CIs one transaction attempt changed, gathered statement by statement.

    A retried transaction function starts again with a new instance, so an
    attempt that rolled back counts nothing.
    """

    def __init__(self, limit: int = MAX_NAMED_CIS) -> None:
        self.limit = limit
        self.ci_ids: set[str] = set()
        self.whole_graph = False

    @property
    def touched(self) -> bool:
        """Tell whether anything was changed, so a revision must be recorded."""
        return self.whole_graph or bool(self.ci_ids)

    def add_statement(self, params: Mapping[str, Any]) -> None:
        """Count the CIs named by the history entries in a statement's params."""
        if self.whole_graph:
            return
        ids = touched_ci_ids(history_entries(params))
        if ids is None:
            self.add_whole_graph()
            return
        self.ci_ids |= ids
        if len(self.ci_ids) > self.limit:
            self.add_whole_graph()

    def add_whole_graph(self) -> None:
        """Count the whole graph as changed; the named CIs are then dropped."""
        self.whole_graph = True
        self.ci_ids = set()

    def revision(self) -> dict[str, Any]:
        """Return the ``cis`` and ``all`` parameters of the revision to record."""
        if self.whole_graph:
            return {"cis": None, "all": True}
        return {"cis": sorted(self.ci_ids), "all": False}
