"""Apply the catalogue to the graph: constraints, indexes and its version."""

import hashlib
import json
import logging
import time
from dataclasses import dataclass

from app.catalogue import Catalogue
from app.services.runtime import Runtime

logger = logging.getLogger(__name__)

FIXED_STATEMENTS = (
    "schema_ci_id_unique",
    "schema_ci_type_key_unique",
    "schema_ci_status_index",
    "schema_ci_name_index",
    "schema_history_id_unique",
    "schema_history_ci_index",
    "schema_history_other_index",
    "schema_history_at_index",
    "schema_history_request_index",
    "schema_change_request_id_unique",
    "schema_change_request_window_index",
    "schema_blackout_period_id_unique",
    "schema_unauthorised_change_id_unique",
    "schema_unauthorised_change_entry_unique",
    "schema_api_token_id_unique",
    "schema_api_token_hash_unique",
    "schema_incident_id_unique",
    "schema_incident_status_index",
    "schema_incident_created_index",
    "schema_incident_activity_id_unique",
    "schema_incident_activity_incident_index",
    "schema_ticket_id_unique",
    "schema_ticket_system_key_unique",
    "schema_ticket_activity_id_unique",
    "schema_ticket_activity_ticket_index",
    "schema_graph_revision_unique",
    "schema_graph_revision_head_id_unique",
)


@dataclass(frozen=True)
class SchemaReport:
    """What ``apply_schema`` ran."""

    version: int
    digest: str
    statements: int
    seconds: float


def catalogue_digest(catalogue: Catalogue) -> str:
    """Return a digest that changes whenever the catalogue's meaning does."""
    document = {
        "types": {n: t.model_dump(mode="json") for n, t in catalogue.types.items()},
        "relationships": {
            n: r.model_dump(mode="json") for n, r in catalogue.relationships.items()
        },
    }
    text = json.dumps(document, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def apply_schema(runtime: Runtime) -> SchemaReport:
    """Create the constraints and indexes the catalogue implies; idempotent."""
    started = time.perf_counter()
    db, catalogue = runtime.db, runtime.catalogue
    for name in FIXED_STATEMENTS:
        db.write(name)
    count = len(FIXED_STATEMENTS)
    for label, ci_type in sorted(catalogue.types.items()):
        text = db.statements.render(
            "schema_type_key_unique", catalogue.labels, label=label
        )
        db.run_text(text, name=f"{label.lower()}_key_unique")
        count += 1
        for prop, spec in sorted(ci_type.properties.items()):
            if spec.indexed:
                allowed = catalogue.labels | frozenset(ci_type.properties)
                text = db.statements.render(
                    "schema_type_property_index", allowed, label=label, property=prop
                )
                db.run_text(text, name=f"{label.lower()}_{prop}")
                count += 1
    digest = catalogue_digest(catalogue)
    db.write("schema_record_version", version=catalogue.version, digest=digest)
    seconds = time.perf_counter() - started
    logger.info(
        "Applied catalogue version %s (%s): %d statements in %.2f s",
        catalogue.version,
        digest,
        count + 1,
        seconds,
    )
    return SchemaReport(catalogue.version, digest, count + 1, seconds)


def applied_version(runtime: Runtime) -> dict | None:
    """Return the catalogue version recorded in the graph, or None."""
    rows = runtime.db.read("schema_applied_version")
    return rows[0] if rows else None


def schema_is_current(runtime: Runtime) -> bool:
    """Tell whether the graph follows the loaded catalogue."""
    applied = applied_version(runtime)
    return bool(applied) and applied["digest"] == catalogue_digest(runtime.catalogue)
