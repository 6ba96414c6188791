"""Bulk-load throughput: ``cmdb load`` against the same statements sent raw.

The application path parses and validates the document, reads what exists,
plans the differences and writes them in batches. The baseline sends the very
same batch statements with rows prepared beforehand, straight through the
driver, so the ratio is the application's overhead.
"""

from app.demo import generate_estate
from app.domain.bulk import parse_document
from app.domain.records import WriteContext
from app.services import bulk
from bench.common import console, open_runtime, print_table, timed

STATEMENTS = (
    ("ci_create_batch", "ci_creates"),
    ("relationship_create_batch", "relationship_creates"),
)


def run(vms: int, seed: int) -> None:
    """Generate an estate, load it both ways on an empty graph, print figures."""
    runtime = open_runtime()
    document = generate_estate(vms=vms, seed=seed)
    entities = len(document["cis"]) + len(document["relationships"])
    console.print(
        f"Estate: {len(document['cis']):,} CIs, "
        f"{len(document['relationships']):,} relationships (vms={vms}, seed={seed})"
    )

    runtime.db.auto_commit("graph_clear")
    plan = bulk.plan_load(
        runtime, parse_document(runtime.catalogue, document), _context()
    )
    raw_seconds, _ = timed(lambda: _send_raw(runtime, plan))

    runtime.db.auto_commit("graph_clear")
    app_seconds, report = timed(
        lambda: bulk.load_document(runtime, document, _context())
    )
    noop_seconds, noop = timed(
        lambda: bulk.load_document(runtime, document, _context())
    )
    runtime.close()

    raw_rate, app_rate = entities / raw_seconds, entities / app_seconds
    ratio = app_rate / raw_rate
    rows = [
        ["raw driver, same statements", raw_seconds, f"{raw_rate:,.0f}", "1.00"],
        ["cmdb load", app_seconds, f"{app_rate:,.0f}", f"{ratio:.2f}"],
        ["cmdb load again (no-op)", noop_seconds, "-", "-"],
    ]
    print_table(
        "Bulk load into an empty graph",
        ["path", "seconds", "entities/s", "ratio to raw"],
        [[name, f"{seconds:.1f}", *rest] for name, seconds, *rest in rows],
    )
    console.print(
        f"cmdb load wrote {report.cis_created:,} CIs and "
        f"{report.relationships_created:,} relationships; the second load wrote "
        f"{noop.cis_created + noop.cis_updated + noop.relationships_created}"
    )


def _context() -> WriteContext:
    return WriteContext(actor="bench", source="bench")


def _send_raw(runtime, plan) -> None:
    size = runtime.settings.batch_size
    driver, database = runtime.db.driver, runtime.db.database
    for statement, attribute in STATEMENTS:
        text = runtime.db.statements.get(statement)
        rows = getattr(plan, attribute)
        for start in range(0, len(rows), size):
            driver.execute_query(
                text, rows=rows[start : start + size], database_=database
            )
