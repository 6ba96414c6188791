"""Incident latency at scale, beside bare impact analysis of the same starts.

In the demo estate, opens an incident on a storage array and times it until
every link is stored; then opens a second incident on a host, which also
recomputes the first, and times both. Each figure is printed beside the bare
``analyse_impact`` of the same starts, measured in the same run.
"""

import random
import statistics

from app.domain.records import WriteContext
from app.services import incidents
from app.services.impact import StartSpec, analyse_impact
from app.services.runtime import Runtime
from bench.common import active_ids, open_runtime, print_table, timed
from bench.impact import ensure_estate

CONTEXT = WriteContext("bench", "bench")
OPERATIONS = (
    "open on a storage array",
    "open on a host, recompute both",
    "recompute the array's, unchanged",
)


def run(vms: int, seed: int, reload: bool = False, repeats: int = 3) -> None:
    """Measure opening and recomputing incidents over an estate of ``vms`` VMs.

    Each figure is the median of ``repeats`` runs, beside the median of the
    bare analyses measured in the same runs.
    """
    runtime = open_runtime()
    try:
        ensure_estate(runtime, vms, seed, reload)
        array, host = _pick(runtime, "StorageArray", seed), _pick(runtime, "Host", seed)
        rows = _measure(runtime, array, host, repeats)
        runtime.db.auto_commit("incident_delete_all")
    finally:
        runtime.close()
    print_table(
        f"Incidents, estate of {vms:,} VMs (median seconds of {repeats} runs; "
        "ratio to bare analyse_impact)",
        ["operation", "links", "incident", "bare analyse_impact", "ratio"],
        rows,
    )


def _pick(runtime: Runtime, type_name: str, seed: int) -> str:
    ids = active_ids(runtime, type_name, limit=100_000)
    return random.Random(seed).choice(ids)


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


def _row(label: str, samples: list[tuple[int, float, float]]) -> list[str]:
    links = samples[0][0]
    seconds = statistics.median(sample[1] for sample in samples)
    bare = statistics.median(sample[2] for sample in samples)
    return [
        label,
        f"{links:,}",
        f"{seconds:.3f}",
        f"{bare:.3f}",
        f"{seconds / bare:.2f}",
    ]


def _measure_once(
    runtime: Runtime, array: str, host: str
) -> list[tuple[int, float, float]]:
    """Return (links, seconds, bare seconds) for each operation, once."""
    runtime.db.auto_commit("incident_delete_all")
    bare = _bare(runtime, array)
    seconds, first = _open(runtime, "Storage array failed", array)
    samples = [(_links(runtime, first["id"]), seconds, bare)]

    bare = _bare(runtime, host, array)
    seconds, second = _open(runtime, "Host failed", host)
    links = _links(runtime, first["id"]) + _links(runtime, second["id"])
    samples.append((links, seconds, bare))

    bare = _bare(runtime, array)
    seconds, _ = timed(lambda: incidents.recompute_links(runtime, first["id"], CONTEXT))
    samples.append((_links(runtime, first["id"]), seconds, bare))
    return samples


def _measure(runtime: Runtime, array: str, host: str, repeats: int) -> list[list[str]]:
    runs = [_measure_once(runtime, array, host) for _ in range(repeats)]
    return [
        _row(label, [run[index] for run in runs])
        for index, label in enumerate(OPERATIONS)
    ]
