"""Export the whole graph to a backup document, and restore one."""

import logging
import time
from dataclasses import dataclass
from typing import Any

from app.db import Tx
from app.domain.backup import (
    DERIVED_LABELS,
    GraphContent,
    build_document,
    parse_document,
)
from app.domain.errors import CMDBError, ErrorCode
from app.services.bulk import batches
from app.services.runtime import Runtime
from app.services.schema import apply_schema

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestoreReport:
    """How much a restore wrote and how long it took."""

    nodes: int
    relationships: int
    seconds: float


def export_graph(runtime: Runtime) -> dict[str, Any]:
    """Read every node and relationship into a backup document."""
    started = time.perf_counter()

    def read(tx: Tx) -> tuple[list[dict], list[dict]]:
        derived = list(DERIVED_LABELS)
        return (
            tx.run("backup_nodes", derived=derived),
            tx.run("backup_relationships", derived=derived),
        )

    node_rows, relationship_rows = runtime.db.read_transaction(read)
    nodes = {row["element"]: (row["labels"], row["properties"]) for row in node_rows}
    relationships = [
        (row["source"], row["type"], row["target"], row["properties"])
        for row in relationship_rows
    ]
    document = build_document(runtime.catalogue.version, nodes, relationships)
    logger.info(
        "Exported %d nodes and %d relationships in %.2f s",
        len(nodes),
        len(relationships),
        time.perf_counter() - started,
    )
    return document


def restore_graph(runtime: Runtime, data: Any) -> RestoreReport:
    """Restore a backup document into an empty graph; refuse anything else."""
    started = time.perf_counter()
    catalogue = runtime.catalogue
    content = parse_document(
        data, catalogue.all_labels, catalogue.all_relationship_names
    )
    stored = runtime.db.read("backup_node_count", derived=list(DERIVED_LABELS))
    if stored[0]["nodes"]:
        raise CMDBError.single(
            "",
            ErrorCode.CONFLICT,
            f"the graph holds {stored[0]['nodes']} nodes; restore only into an "
            "empty graph",
        )
    apply_schema(runtime)
    elements = _write_nodes(runtime, content)
    _write_relationships(runtime, content, elements)
    report = RestoreReport(
        len(content.nodes),
        len(content.relationships),
        round(time.perf_counter() - started, 3),
    )
    logger.info(
        "Restored %d nodes and %d relationships in %.2f s",
        report.nodes,
        report.relationships,
        report.seconds,
    )
    return report


def _write_nodes(runtime: Runtime, content: GraphContent) -> dict[int, str]:
    rows = [
        {"position": position, "labels": labels, "properties": properties}
        for position, (labels, properties) in enumerate(content.nodes)
    ]
    elements: dict[int, str] = {}
    for batch in batches(rows, runtime.settings.batch_size):
        written = runtime.db.transaction(_writer("restore_nodes_batch", batch))
        elements.update({row["position"]: row["element"] for row in written})
    return elements


def _write_relationships(
    runtime: Runtime, content: GraphContent, elements: dict[int, str]
) -> None:
    rows = [
        {
            "source": elements[source],
            "type": rel_type,
            "target": elements[target],
            "properties": properties,
        }
        for source, rel_type, target, properties in content.relationships
    ]
    for batch in batches(rows, runtime.settings.batch_size):
        runtime.db.transaction(_writer("restore_relationships_batch", batch))


def _writer(statement: str, rows: list[dict]) -> Any:
    def work(tx: Tx) -> list[dict]:
        return tx.run(statement, rows=rows)

    return work
