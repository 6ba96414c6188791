"""Load documents of CIs and relationships in batches, recording history."""

import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from app.db import Tx
from app.domain.bulk import (
    LoadPlan,
    ParsedDocument,
    missing_references,
    parse_document,
    plan_cis,
    plan_relationships,
)
from app.domain.errors import CMDBError, ErrorCode
from app.domain.records import WriteContext
from app.domain.references import CIRef
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadReport:
    """What a load created, updated and left alone, and how long it took."""

    cis_created: int
    cis_updated: int
    cis_unchanged: int
    relationships_created: int
    relationships_updated: int
    relationships_unchanged: int
    seconds: float
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the report as a plain mapping."""
        return asdict(self)


def read_document(path: Path) -> Any:
    """Read a load document from a YAML or JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CMDBError.single(
            str(path), ErrorCode.INVALID_DOCUMENT, error.strerror or str(error)
        ) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise CMDBError.single(
            str(path), ErrorCode.INVALID_DOCUMENT, f"not valid: {error}"
        ) from None


def load_document(
    runtime: Runtime, data: Any, context: WriteContext, *, dry_run: bool = False
) -> LoadReport:
    """Validate a whole document, then write what differs from the graph.

    Any invalid entry rejects the document before anything is written.
    """
    started = time.perf_counter()
    document = parse_document(runtime.catalogue, data)
    plan = plan_load(runtime, document, context)
    if not dry_run:
        write_plan(runtime, plan)
    report = LoadReport(
        cis_created=len(plan.ci_creates),
        cis_updated=len(plan.ci_updates),
        cis_unchanged=plan.cis_unchanged,
        relationships_created=len(plan.relationship_creates),
        relationships_updated=len(plan.relationship_updates),
        relationships_unchanged=plan.relationships_unchanged,
        seconds=round(time.perf_counter() - started, 3),
        dry_run=dry_run,
    )
    logger.info(
        "Loaded document%s: %d CIs created, %d updated, %d unchanged; "
        "%d relationships created, %d updated, %d unchanged; %.2f s",
        " (dry run)" if dry_run else "",
        report.cis_created,
        report.cis_updated,
        report.cis_unchanged,
        report.relationships_created,
        report.relationships_updated,
        report.relationships_unchanged,
        report.seconds,
    )
    return report


def plan_load(
    runtime: Runtime, document: ParsedDocument, context: WriteContext
) -> LoadPlan:
    """Compare a valid document with the graph and plan the writes."""
    existing = fetch_cis(runtime, document.refs())
    problems = missing_references(document, existing)
    if problems:
        raise CMDBError(problems)

    plan = LoadPlan()
    ids = plan_cis(document, existing, context, plan)
    cis = {props["id"]: props for props in existing.values()}
    cis.update({row["properties"]["id"]: row["properties"] for row in plan.ci_creates})
    stored_ids = {props["id"] for props in existing.values()}
    candidates = [
        {"source": ids[rel.source], "type": rel.type, "target": ids[rel.target]}
        for rel in document.relationships
        if ids[rel.source] in stored_ids and ids[rel.target] in stored_ids
    ]
    stored_rels = fetch_relationships(runtime, candidates)
    plan_relationships(document, ids, stored_rels, cis, context, plan)
    return plan


def fetch_cis(runtime: Runtime, refs: set[CIRef]) -> dict[CIRef, dict[str, Any]]:
    """Return the stored properties of every CI among ``refs`` that exists."""
    found: dict[CIRef, dict[str, Any]] = {}
    rows = [{"type": ref.type, "key": ref.key} for ref in refs]
    for batch in batches(rows, runtime.settings.batch_size):
        for row in runtime.db.read("ci_get_many_by_key", refs=batch):
            ci = row["ci"]
            found[CIRef(ci["type"], ci["key"])] = ci
    return found


def fetch_relationships(
    runtime: Runtime, candidates: list[dict[str, str]]
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Return the stored properties of the candidate relationships that exist.

    Reads every outgoing relationship of the candidates' sources at once,
    which is cheaper than looking each candidate up.
    """
    wanted = {(c["source"], c["type"], c["target"]) for c in candidates}
    sources = sorted({c["source"] for c in candidates})
    found = {}
    for batch in batches(sources, runtime.settings.batch_size):
        for row in runtime.db.read("relationships_from", ids=list(batch)):
            key = (row["source"], row["type"], row["target"])
            if key in wanted:
                found[key] = row["properties"]
    return found


def write_plan(runtime: Runtime, plan: LoadPlan) -> None:
    """Write a plan in batches, one transaction each; every batch is idempotent."""
    steps = (
        ("ci_create_batch", plan.ci_creates),
        ("ci_patch_batch", plan.ci_updates),
        ("relationship_create_batch", plan.relationship_creates),
        ("relationship_patch_batch", plan.relationship_updates),
    )
    for statement, rows in steps:
        for batch in batches(rows, runtime.settings.batch_size):
            runtime.db.transaction(_writer(statement, batch))
            logger.debug("%s: wrote %d rows", statement, len(batch))


def _writer(statement: str, rows: list[dict]) -> Any:
    def work(tx: Tx) -> None:
        tx.run(statement, rows=rows)

    return work


def batches(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Yield consecutive slices of at most ``size`` rows."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
