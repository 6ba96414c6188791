"""Blast-radius latency at scale, beside the raw Cypher bound and networkx.

Builds (or reuses) the demo estate at the chosen size, serves the API in its
own process, and for random hosts, datastores, storage arrays and sites
measures:

- the whole answer through GraphQL over HTTP (the service's own work), and
  the served process's CPU time per question;
- one raw Cypher reachability query returning the same CI ids, with no
  redundancy logic (the bare lower bound);
- the same evaluation in memory with networkx over the whole graph.

Last, the cheapest requests (``/healthz``, ``{ __typename }``) are timed the
same way, to tell the service's own work from what HTTP and GraphQL cost.
"""

import random
import signal
import statistics
import time
from pathlib import Path

import httpx
import neo4j

from app.catalogue import Dependent
from app.demo import generate_estate
from app.domain.records import WriteContext
from app.impact import ImpactGraph, ImpactNode, Mode
from app.impact.reference import reference_impact
from app.services import bulk
from app.services.runtime import Runtime
from app.services.tokens import create_token
from bench.common import (
    active_ids,
    console,
    open_runtime,
    print_table,
    serve_api,
    timed,
)

LOAD_SLICE = 50_000
# The naive networkx evaluation builds a graph of the whole estate for every
# question: at a million CIs it is measured on this many starts of each type.
REFERENCE_SAMPLES = 2
# The served process answers whole blast radii, however large or slow.
UNCAPPED = {"CMDB_MAX_IMPACT_AFFECTED": "10000000", "CMDB_REQUEST_TIMEOUT_S": "600"}
SAMPLES = {"Host": 100, "Datastore": 100, "StorageArray": 5, "Site": 2}
# The bare reachability query over a storage array's radius runs for minutes.
RAW_TIMEOUT_S = 300.0
# Over a whole site it runs for more than a quarter of an hour, and the server
# neither honours its time limit nor stops it when terminated, so it is not run.
RAW_NOT_RUN = {"Site"}
# The cheapest requests, timed to show what HTTP and GraphQL cost by themselves.
FLOOR_SAMPLES = 200
QUERY = """
query($id: ID!) {
  impact(input: {starts: [{id: $id}]}) {
    totalAffected limitHit seconds
    counts { type state count }
    affected(first: 100) { items { id state reason { relationshipType } } }
    customers(first: 100) { items { customer { key state } slaTier } }
    owners { key supportLevel }
  }
}
"""


def run(
    vms: int,
    seed: int,
    port: int = 8765,
    reload: bool = False,
    types: list[str] | None = None,
) -> None:
    """Measure blast radii over an estate of about ``3.3 * vms`` CIs.

    ``types`` picks which start types of ``SAMPLES`` to measure, all by default.
    """
    unknown = sorted(set(types or ()) - SAMPLES.keys())
    if unknown:
        raise SystemExit(f"--starts: unknown types {unknown}; use {list(SAMPLES)}")
    runtime = open_runtime()
    ensure_estate(runtime, vms, seed, reload)
    starts = _sample_starts(runtime, seed, types or list(SAMPLES))
    secret = create_token(runtime, "impact-benchmark", ["admin"]).secret
    server = serve_api(port, **UNCAPPED)
    try:
        seconds = _wait_for_index(port)
        console.print(
            f"Impact index read in {seconds:.0f} s; service at "
            f"{_rss_mib(server.pid):,.0f} MiB"
        )
        rows = []
        graph = _whole_graph(runtime)
        for n, (type_name, ids) in enumerate(starts.items()):
            rows.append(
                _measure(
                    runtime, server.pid, port, secret, graph, type_name, ids, n == 0
                )
            )
            console.print("  ".join(rows[-1]))
        floor = _request_floor(server.pid, port, secret)
        memory = _peak_rss_mib(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        runtime.close()
    print_table(
        f"Blast radius, estate of {vms:,} VMs (p50 / p95 ms; ratio to raw p50)",
        [
            "start",
            "affected p50",
            "GraphQL",
            "service CPU**",
            "raw Cypher",
            "networkx*",
            "GraphQL/raw",
        ],
        rows,
    )
    console.print(f"* networkx on the first {REFERENCE_SAMPLES} starts of each type")
    console.print("** the served process's CPU time per question, mean ms")
    console.print(floor)
    console.print(f"Service process peak memory: {memory:,.0f} MiB")


def ensure_estate(runtime: Runtime, vms: int, seed: int, reload: bool) -> None:
    """Load the demo estate of this size unless the graph already holds it.

    A million CIs are loaded in slices, CIs first, so that no single plan
    has to hold the whole estate and its history entries in memory.
    """
    stored = runtime.db.read("ci_count")[0]["count"]
    document = generate_estate(vms=vms, seed=seed)
    if stored == len(document["cis"]) and not reload:
        console.print(f"Reusing the stored estate of {stored:,} CIs")
        return
    runtime.db.auto_commit("graph_clear")
    context = WriteContext("bench", "bench")
    started, created = time.perf_counter(), [0, 0]
    for part, size in (("cis", LOAD_SLICE), ("relationships", 2 * LOAD_SLICE)):
        entries = document[part]
        for start in range(0, len(entries), size):
            piece = {
                "version": document.get("version", 1),
                "cis": [],
                "relationships": [],
            }
            piece[part] = entries[start : start + size]
            report = bulk.load_document(runtime, piece, context)
            created[0] += report.cis_created
            created[1] += report.relationships_created
    console.print(
        f"Loaded {created[0]:,} CIs and {created[1]:,} relationships in "
        f"{time.perf_counter() - started:.0f} s"
    )


def _sample_starts(
    runtime: Runtime, seed: int, types: list[str]
) -> dict[str, list[str]]:
    starts = {}
    for type_name in types:
        rng = random.Random(f"{seed}:{type_name}")
        count = SAMPLES[type_name]
        ids = active_ids(runtime, type_name, limit=100_000)
        starts[type_name] = rng.sample(ids, min(count, len(ids)))
    return starts


def _measure(
    runtime: Runtime,
    pid: int,
    port: int,
    secret: str,
    graph: ImpactGraph,
    type_name: str,
    ids: list[str],
    warm_up: bool,
) -> list[str]:
    client = _client(port, secret)
    types = {
        "source_dependent": list(runtime.catalogue.impact_types(Dependent.SOURCE)),
        "target_dependent": list(runtime.catalogue.impact_types(Dependent.TARGET)),
    }
    service, raw, memory, sizes = [], [], [], []
    if warm_up:
        client.post("/graphql", json={"query": QUERY, "variables": {"id": ids[0]}})
        if type_name not in RAW_NOT_RUN:
            _raw_seconds(runtime, ids[0], types)
    cpu = 0.0
    for ci_id in ids:
        before = _cpu_seconds(pid)
        seconds, response = timed(
            lambda ci_id=ci_id: client.post(
                "/graphql", json={"query": QUERY, "variables": {"id": ci_id}}
            )
        )
        cpu += _cpu_seconds(pid) - before
        service.append(seconds)
        sizes.append(response.json()["data"]["impact"]["totalAffected"])
        if type_name not in RAW_NOT_RUN:
            raw.append(_raw_seconds(runtime, ci_id, types))
    for ci_id in ids[:REFERENCE_SAMPLES]:
        seconds, _ = timed(
            lambda ci_id=ci_id: reference_impact(
                runtime.catalogue, graph, [ci_id], Mode.FAILURE
            )
        )
        memory.append(seconds)
    return [
        f"{type_name} x{len(ids)}",
        f"{statistics.median(sizes):,.0f}",
        _p50_p95(service),
        f"{cpu / len(ids) * 1000:,.1f}",
        _p50_p95(raw),
        _p50_p95(memory),
        _ratio(service, raw),
    ]


def _client(port: int, secret: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=600,
    )


def _request_floor(pid: int, port: int, secret: str) -> str:
    """Time the cheapest requests, to tell the service's work from HTTP's.

    ``/healthz`` passes the guards only; ``{ __typename }`` also goes through
    GraphQL with the token.
    """
    client = _client(port, secret)
    asks = {
        "/healthz": lambda: client.get("/healthz"),
        "{ __typename }": lambda: client.post(
            "/graphql", json={"query": "{ __typename }"}
        ),
    }
    figures = []
    for name, ask in asks.items():
        ask()
        cpu, walls = _cpu_seconds(pid), []
        for _ in range(FLOOR_SAMPLES):
            walls.append(timed(ask)[0])
        cpu = (_cpu_seconds(pid) - cpu) / FLOOR_SAMPLES
        figures.append(
            f"{name} p50 {statistics.median(walls) * 1000:.1f} ms, "
            f"service CPU {cpu * 1000:.1f} ms"
        )
    return f"Request floor, {FLOOR_SAMPLES} each: " + "; ".join(figures)


def _raw_seconds(runtime: Runtime, ci_id: str, types: dict) -> float | None:
    """Time the bare reachability query; None when it outlasts RAW_TIMEOUT_S."""
    query = neo4j.Query(
        runtime.db.statements.get("impact_reachable_raw"), timeout=RAW_TIMEOUT_S
    )
    try:
        seconds, _ = timed(
            lambda: runtime.db.driver.execute_query(
                query, id=ci_id, **types, routing_=neo4j.RoutingControl.READ
            )
        )
    except neo4j.exceptions.ClientError as error:
        if "TransactionTimedOut" not in (error.code or ""):
            raise
        return None
    return seconds


def _ratio(service: list[float], raw: list[float | None]) -> str:
    if not raw:
        return "-"
    if None in raw:
        return f"raw > {RAW_TIMEOUT_S:.0f} s"
    return f"{statistics.median(service) / statistics.median(raw):.2f}"


def _p50_p95(samples: list[float | None]) -> str:
    if not samples:
        return "not run"
    if None in samples:
        return f"timed out (> {RAW_TIMEOUT_S:.0f} s)"
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.0f} / {p95 * 1000:.0f}"


def _whole_graph(runtime: Runtime) -> ImpactGraph:
    """Read every CI and impact relationship into memory."""
    nodes = [
        ImpactNode(
            row["id"],
            row["type"],
            row["key"],
            row["name"],
            row["status"],
            tuple(row["redundancy"] or ()),
        )
        for row in runtime.db.read_values("impact_all_nodes")
    ]
    types = [
        name for name, rel in runtime.catalogue.relationships.items() if rel.impacts
    ]
    edges = runtime.db.read_values("impact_all_edges", types=types)
    return ImpactGraph.from_rows(nodes, edges)


def _wait_for_index(port: int, timeout_s: float = 1800) -> float:
    """Wait until the served process answers from its impact index."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        body = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10).json()
        if body.get("impact_index") == "ready":
            return time.perf_counter() - started
        time.sleep(1)
    raise RuntimeError(f"the impact index was not read within {timeout_s:.0f} s")


def _cpu_seconds(pid: int) -> float:
    """Return the CPU time the threads of a process have used so far.

    The scheduler's counts are in nanoseconds; a thread that ended meanwhile
    is left out, which the served process's pooled threads seldom do.
    """
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1e9


def _peak_rss_mib(pid: int) -> float:
    return _status_mib(pid, "VmHWM:")


def _rss_mib(pid: int) -> float:
    return _status_mib(pid, "VmRSS:")


def _status_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")
