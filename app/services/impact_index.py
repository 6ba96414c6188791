"""The whole estate's dependency graph kept in memory, for fast impact answers.

The index reads every CI and every relationship that carries impact or
ownership once, into a ``CompactGraph``, and notes the graph revision it
read (see ``app.db.revisions``). Before each question it asks Neo4j for the
newest revision, one small read. When writes have happened since, it reads
again only the CIs they touched, with all their relationships, and takes
them in; when too much changed, or the log no longer reaches back, it reads
everything again in the background while questions are answered from Neo4j
directly. An answer from the index is therefore never older than the
question.
"""

import gc
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from app.catalogue import Dependent
from app.impact import CompactGraph
from app.services.bulk import batches

if TYPE_CHECKING:
    from app.services.runtime import Runtime

logger = logging.getLogger(__name__)

OWNER_TYPES = ("OWNED_BY",)
# What reports tell about customers and owners, kept with the CIs that have it.
DETAIL_FIELDS = ("sla_tier", "contact_email", "support_level", "email", "on_call")
# The columns impact_all_nodes and impact_index_cis return for a CI, in order.
NODE_FIELDS = ("id", "type", "key", "name", "status", "redundancy", *DETAIL_FIELDS)
# More CIs touched since the index was read than this: read it all again.
MAX_CAUGHT_UP_CIS = 20_000
# CIs taken in since the last full read beyond which the index is read again,
# so that the laid-out neighbour arrays, not the overlay, do most of the work.
MAX_CHANGED_CIS = 100_000


class _SharedLock:
    """Many readers or one writer; a waiting writer holds new readers back."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._condition:
            while self._writing or self._waiting_writers:
                self._condition.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                self._condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._condition:
            self._waiting_writers += 1
            while self._writing or self._readers:
                self._condition.wait()
            self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._condition:
                self._writing = False
                self._condition.notify_all()


class ImpactIndex:
    """A current in-memory copy of the dependency graph, or None while reading."""

    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self._graph: CompactGraph | None = None
        self._revision = -1
        self._lock = _SharedLock()
        self._building: threading.Thread | None = None
        self._build_lock = threading.Lock()
        self._ready = threading.Event()
        # How many times the whole graph was read, for tests and operators.
        self.reads = 0
        types = runtime.catalogue.relationships
        self._types = [
            name
            for name, rel in types.items()
            if rel.dependent is not Dependent.NONE or name in OWNER_TYPES
        ]

    @property
    def revision(self) -> int:
        """Return the graph revision the index holds, -1 before the first read."""
        return self._revision

    @property
    def ready(self) -> bool:
        """Whether the index holds a graph to answer from."""
        return self._graph is not None

    def start(self) -> None:
        """Begin reading the whole graph in the background."""
        self._rebuild_later()

    def wait_ready(self, timeout_s: float) -> bool:
        """Wait until a read of the whole graph has finished; tell whether it has."""
        return self._ready.wait(timeout_s)

    @contextmanager
    def current(self, head: int | None = None) -> Iterator[CompactGraph | None]:
        """Yield the graph as of the newest revision, or None when it is not ready.

        ``head`` is the newest revision when the caller has just read it
        (``read_down_elsewhere`` does, with the context); otherwise it is read
        here. The graph does not change while the caller holds it.
        """
        if self._graph is None:
            self._rebuild_later()
            yield None
            return
        if head is None:
            # One round trip per question (shared with the context when asked
            # with it), so that an answer is never older than its question,
            # whichever process wrote last.
            head = self._newest_revision()
        if head != self._revision:
            with self._lock.writing():
                if self._graph is not None and head != self._revision:
                    self._catch_up(head)
        with self._lock.reading():
            graph = self._graph
            if graph is None:
                self._rebuild_later()
            yield graph

    def build(self) -> None:
        """Read the whole graph now and hold it; wait for nothing else."""
        started = time.perf_counter()
        graph, revision = self._read_all()
        with self._lock.writing():
            self._graph, self._revision = graph, revision
            self.reads += 1
        gc.freeze()
        self._ready.set()
        logger.info(
            "Impact index read: %d CIs, %d relationships at revision %d in %.1f s",
            len(graph),
            len(graph.edge_source),
            revision,
            time.perf_counter() - started,
        )

    def _rebuild_later(self) -> None:
        with self._build_lock:
            if self._building is not None and self._building.is_alive():
                return
            self._building = threading.Thread(
                target=self._build_quietly, name="impact-index", daemon=True
            )
            self._building.start()

    def _build_quietly(self) -> None:
        try:
            self.build()
        except Exception:
            logger.exception("Impact index could not be read; answering from Neo4j")

    def _read_all(self) -> tuple[CompactGraph, int]:
        """Read every CI and relationship; return the graph and its revision.

        The revision is read first: whatever is written while the rest is
        read belongs to a later revision, and the first question after takes
        it in. A relationship whose CI came after the CIs were read is left
        for that catch-up too.
        """
        db = self.runtime.db
        revision = self._newest_revision()
        graph = CompactGraph(self.runtime.catalogue)
        for row in db.stream_values("impact_all_nodes"):
            _add_node(graph, row)
        known = graph.index
        for source, target, type_name, group in db.stream_values(
            "impact_all_edges", types=self._types
        ):
            if source in known and target in known:
                graph.add_edge(source, target, type_name, group)
        graph.freeze()
        return graph, revision

    def _newest_revision(self) -> int:
        return self.runtime.db.read_values("graph_revision_head")[0]["revision"]

    def _catch_up(self, head: int) -> None:
        """Take in the revisions after the one held; drop the graph when unable."""
        started = time.perf_counter()
        if head < self._revision:
            return self._drop(f"the graph went back to revision {head}")
        rows = self.runtime.db.read_values("graph_revision_since", after=self._revision)
        touched: set[str] = set()
        expected = self._revision + 1
        for row in rows:
            if row["revision"] != expected or row["all"]:
                return self._drop(f"revision {expected} is not in the log")
            touched.update(row["cis"] or ())
            expected += 1
        if expected <= head:
            return self._drop(f"the log stops before revision {head}")
        graph = self._graph
        if len(touched) > MAX_CAUGHT_UP_CIS or graph.changed > MAX_CHANGED_CIS:
            return self._drop(f"{len(touched)} CIs changed")
        try:
            self._take_in(graph, sorted(touched))
        except (KeyError, ValueError) as error:
            return self._drop(str(error))
        self._revision = expected - 1
        logger.info(
            "Impact index caught up to revision %d: %d CIs read again in %.3f s",
            self._revision,
            len(touched),
            time.perf_counter() - started,
        )
        return None

    def _take_in(self, graph: CompactGraph, ids: list[str]) -> None:
        """Read the touched CIs again, with every relationship at either end."""
        rows = []
        for batch in batches(ids, self.runtime.settings.batch_size):
            rows += self.runtime.db.read_values(
                "impact_index_cis", ids=list(batch), types=self._types
            )
        found = {row["id"] for row in rows}
        gone = [ci for ci in ids if ci not in found and ci in graph.index]
        if gone:
            raise KeyError(f"CIs deleted: {', '.join(gone[:5])}")
        for row in rows:
            _add_node(graph, [row[field] for field in NODE_FIELDS])
        for row in rows:
            graph.replace_neighbourhood(
                graph.index[row["id"]],
                [tuple(relationship) for relationship in row["relationships"]],
            )

    def _drop(self, why: str) -> None:
        """Stop answering from the index and read it again in the background."""
        logger.info("Impact index is read again (%s); answering from Neo4j", why)
        self._graph, self._revision = None, -1
        self._ready.clear()
        self._rebuild_later()


def _add_node(graph: CompactGraph, values: Sequence[Any]) -> None:
    """Add or update a CI from its NODE_FIELDS, in that order.

    Its DETAIL_FIELDS are kept as a tuple, when it has any.
    """
    ci_id, type_name, key, name, status, redundancy = values[:6]
    details = tuple(values[6:])
    graph.add_node(
        ci_id,
        type_name,
        key,
        name,
        status,
        redundancy or (),
        details if any(value is not None for value in details) else None,
    )


def details_of(graph: CompactGraph, ci: int) -> dict[str, Any]:
    """Return the detail fields the index keeps for a CI, by name."""
    found = graph.details.get(ci)
    return {} if found is None else dict(zip(DETAIL_FIELDS, found, strict=True))


_pauses = 0
_pauses_lock = threading.Lock()


@contextmanager
def collection_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector off while a large answer is made.

    An evaluation makes hundreds of thousands of small objects and frees them
    all at the end; collecting meanwhile only scans them again and again. The
    collector runs again when the last paused answer is done.
    """
    global _pauses
    with _pauses_lock:
        _pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if not _pauses:
                gc.enable()
