"""Incident latency at scale, beside bare impact analysis of the same starts.

In the demo estate, opens an incident on a storage array and times it until
every link is stored; then opens a second incident on a host, which also
recomputes the first, and times both. Each figure is printed beside the bare
``analyse_impact`` of the same starts, measured in the same run.
"""

import random

from app.demo import generate_estate
from app.domain.records import WriteContext
from app.services import bulk, incidents
from app.services.impact import StartSpec, analyse_impact
from app.services.runtime import Runtime
from bench.common import console, open_runtime, print_table, timed

CONTEXT = WriteContext("bench", "bench")


def run(vms: int, seed: int, reload: bool = False) -> None:
    """Measure opening and recomputing incidents over an estate of ``vms`` VMs."""
    runtime = open_runtime()
    try:
        _ensure_estate(runtime, vms, seed, reload)
        runtime.db.auto_commit("incident_delete_all")
        array, host = _pick(runtime, "StorageArray", seed), _pick(runtime, "Host", seed)
        rows = _measure(runtime, array, host)
        runtime.db.auto_commit("incident_delete_all")
    finally:
        runtime.close()
    print_table(
        f"Incidents, estate of {vms:,} VMs (seconds; ratio to bare analyse_impact)",
        ["operation", "links", "incident", "bare analyse_impact", "ratio"],
        rows,
    )


def _ensure_estate(runtime: Runtime, vms: int, seed: int, reload: bool) -> None:
    """Load the demo estate unless the graph already holds one of this size."""
    document = generate_estate(vms=vms, seed=seed)
    stored = runtime.db.read("ci_count")[0]["count"]
    if stored == len(document["cis"]) and not reload:
        console.print(f"Reusing the stored estate of {stored:,} CIs")
        return
    runtime.db.auto_commit("graph_clear")
    seconds, report = timed(lambda: bulk.load_document(runtime, document, CONTEXT))
    console.print(f"Loaded {report.cis_created:,} CIs in {seconds:.0f} s")


def _pick(runtime: Runtime, type_name: str, seed: int) -> str:
    rows = runtime.db.read(
        "ci_list",
        type=type_name,
        status="active",
        name=None,
        attributes={},
        after=None,
        limit=100_000,
    )
    return random.Random(seed).choice([row["ci"]["id"] for row in rows])


def _bare(runtime: Runtime, *starts: str) -> float:
    seconds, _ = timed(lambda: analyse_impact(runtime, [StartSpec(id=starts[0])]))
    for start in starts[1:]:
        more, _ = timed(lambda s=start: analyse_impact(runtime, [StartSpec(id=s)]))
        seconds += more
    return seconds


def _open(runtime: Runtime, title: str, ci_id: str) -> tuple[float, dict]:
    draft = incidents.IncidentDraft(title=title, starts=[StartSpec(id=ci_id)])
    return timed(lambda: incidents.open_incident(runtime, draft, CONTEXT))


def _links(runtime: Runtime, incident_id: str) -> int:
    return sum(row["count"] for row in incidents.link_counts(runtime, incident_id))


def _row(label: str, links: int, seconds: float, bare: float) -> list[str]:
    return [
        label,
        f"{links:,}",
        f"{seconds:.3f}",
        f"{bare:.3f}",
        f"{seconds / bare:.2f}",
    ]


def _measure(runtime: Runtime, array: str, host: str) -> list[list[str]]:
    bare_array = _bare(runtime, array)
    seconds, first = _open(runtime, "Storage array failed", array)
    rows = [
        _row(
            "open on a storage array", _links(runtime, first["id"]), seconds, bare_array
        )
    ]

    bare_both = _bare(runtime, host, array)
    seconds, second = _open(runtime, "Host failed", host)
    links = _links(runtime, first["id"]) + _links(runtime, second["id"])
    rows.append(_row("open on a host, recompute both", links, seconds, bare_both))

    bare_array = _bare(runtime, array)
    seconds, _ = timed(lambda: incidents.recompute_links(runtime, first["id"], CONTEXT))
    rows.append(
        _row(
            "recompute the array's, unchanged",
            _links(runtime, first["id"]),
            seconds,
            bare_array,
        )
    )
    return rows
