"""Soak: concurrent HTTP clients mixing reads, impact and writes, for a while.

Serves the API in its own process on a loopback address, gives it an admin
token, and runs ``clients`` threads for ``seconds``, each looping over a mix
of reads (a CI by id, a page of hosts), blast radii of hosts and writes
(renaming a rack, with history). Then runs the same reads as raw Cypher
through the driver, with the same number of threads, as the baseline.
"""

import random
import signal
import statistics
import threading
import time
from collections import defaultdict

import httpx
from rich.console import Console
from rich.table import Table

from app.catalogue import Dependent
from app.demo import generate_estate
from app.domain.records import WriteContext
from app.services import bulk
from app.services.runtime import Runtime
from app.services.tokens import create_token
from bench.common import active_ids, console, open_runtime, serve_api

HOST = "127.0.0.1"
BASELINE_MAX_S = 30.0
READ_CI = "query($id: ID!) { ci(id: $id) { id key name status version } }"
READ_PAGE = '{ cis(type: "Host", first: 20) { items { id key name } nextCursor } }'
IMPACT = """
query($id: ID!) {
  impact(input: {starts: [{id: $id}]}) {
    totalAffected limitHit counts { type state count }
    affected(first: 50) { items { id state } }
  }
}
"""
RENAME = """
mutation($id: ID!, $name: String!) { updateCi(id: $id, input: {name: $name}) { id } }
"""
# Of every ten operations: five reads, three blast radii, two writes.
MIX = ["read_ci", "read_page"] * 2 + ["read_ci"] + ["impact"] * 3 + ["write"] * 2
READS = [kind for kind in MIX if kind != "write"]
WIDE = Console(width=140)


class Samples:
    """Latencies and errors per operation, shared by the client threads."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def add(self, operation: str, seconds: float, failed: bool) -> None:
        """Record one operation."""
        with self.lock:
            self.latency[operation].append(seconds)
            if failed:
                self.errors[operation] += 1


def run(seconds: float, clients: int, vms: int, seed: int, port: int = 8766) -> None:
    """Soak the served API and print its figures beside the raw Cypher baseline."""
    runtime = open_runtime()
    try:
        _ensure_estate(runtime, vms, seed)
        targets = _targets(runtime)
        secret = create_token(runtime, "soak-benchmark", ["admin"]).secret
        server = serve_api(port, HOST)
        try:
            api = _api_operation(port, secret, targets)
            service = _soak(seconds, clients, api, MIX)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
        baseline_s = min(seconds, BASELINE_MAX_S)
        raw = _raw_operation(runtime, targets)
        baseline = _soak(baseline_s, clients, raw, READS)
    finally:
        runtime.close()
    _print(seconds, baseline_s, clients, service, baseline)


def _ensure_estate(runtime: Runtime, vms: int, seed: int) -> None:
    document = generate_estate(vms=vms, seed=seed)
    stored = runtime.db.read("ci_count")[0]["count"]
    if stored == len(document["cis"]):
        console.print(f"Reusing the stored estate of {stored:,} CIs")
        return
    runtime.db.auto_commit("graph_clear")
    bulk.load_document(runtime, document, WriteContext("bench", "bench"))
    console.print(f"Loaded an estate of {len(document['cis']):,} CIs")


def _targets(runtime: Runtime) -> dict[str, list[str]]:
    targets = {}
    for type_name in ("Host", "Rack"):
        targets[type_name] = active_ids(runtime, type_name, limit=10_000)
    return targets


def _api_operation(port: int, secret: str, targets: dict[str, list[str]]):
    """Return (client factory, operation) for GraphQL over HTTP."""

    def client() -> httpx.Client:
        return httpx.Client(
            base_url=f"http://{HOST}:{port}",
            headers={"Authorization": f"Bearer {secret}"},
            timeout=60,
        )

    def operation(rng: random.Random, kind: str, http: httpx.Client) -> bool:
        if kind == "read_ci":
            body = {"query": READ_CI, "variables": {"id": rng.choice(targets["Host"])}}
        elif kind == "read_page":
            body = {"query": READ_PAGE}
        elif kind == "impact":
            body = {"query": IMPACT, "variables": {"id": rng.choice(targets["Host"])}}
        else:
            rack = rng.choice(targets["Rack"])
            name = f"rack {rng.randrange(10**9)}"
            body = {"query": RENAME, "variables": {"id": rack, "name": name}}
        response = http.post("/graphql", json=body)
        return response.status_code == 200 and "errors" not in response.json()

    return client, operation


def _raw_operation(runtime: Runtime, targets: dict[str, list[str]]):
    """Return (client factory, operation) for the same reads as raw Cypher."""
    catalogue = runtime.catalogue
    impact_types = {
        "source_dependent": list(catalogue.impact_types(Dependent.SOURCE)),
        "target_dependent": list(catalogue.impact_types(Dependent.TARGET)),
    }
    page = {"type": "Host", "status": None, "name": None, "attributes": {}}

    def operation(rng: random.Random, kind: str, _client: object) -> bool:
        if kind == "read_ci":
            runtime.db.read("ci_get_by_id", id=rng.choice(targets["Host"]))
        elif kind == "read_page":
            runtime.db.read("ci_list", **page, after=None, limit=21)
        else:
            host = rng.choice(targets["Host"])
            runtime.db.read("impact_reachable_raw", id=host, **impact_types)
        return True

    return (lambda: None), operation


def _soak(
    seconds: float, clients: int, factory_and_operation, mix: list[str]
) -> Samples:
    make_client, operation = factory_and_operation
    samples = Samples()
    deadline = time.monotonic() + seconds

    def loop(index: int) -> None:
        rng = random.Random(index)
        client = make_client()
        while time.monotonic() < deadline:
            kind = rng.choice(mix)
            started = time.perf_counter()
            try:
                ok = operation(rng, kind, client)
            except Exception:  # every failure counts as an error
                ok = False
            samples.add(kind, time.perf_counter() - started, not ok)

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _print(
    seconds: float,
    baseline_s: float,
    clients: int,
    service: Samples,
    baseline: Samples,
) -> None:
    rows = []
    for kind in ("read_ci", "read_page", "impact", "write"):
        api = service.latency.get(kind, [])
        raw = baseline.latency.get(kind, [])
        if not api:
            continue
        api_p50, api_p99 = _percentile(api, 0.5), _percentile(api, 0.99)
        row = [
            kind,
            f"{len(api):,}",
            str(service.errors.get(kind, 0)),
            f"{len(api) / seconds:,.1f}",
            f"{api_p50 * 1000:.1f} / {api_p99 * 1000:.1f}",
        ]
        if raw:
            raw_p50, raw_p99 = _percentile(raw, 0.5), _percentile(raw, 0.99)
            row += [
                f"{len(raw) / baseline_s:,.1f}",
                f"{raw_p50 * 1000:.1f} / {raw_p99 * 1000:.1f}",
                f"{api_p50 / raw_p50:.1f}",
            ]
        else:
            row += ["-", "-", "-"]
        rows.append(row)
    total = sum(len(v) for v in service.latency.values())
    errors = sum(service.errors.values())
    table = Table(
        title=f"Soak: {clients} clients, {seconds:.0f} s API, {baseline_s:.0f} s raw "
        "Cypher baseline (ms p50 / p99; ratio of p50s)"
    )
    columns = ["operation", "requests", "errors", "API/s", "API ms"]
    for column in [*columns, "raw/s", "raw ms", "API/raw p50"]:
        table.add_column(column, justify="left" if column == "operation" else "right")
    for row in rows:
        table.add_row(*row)
    WIDE.print(table)
    WIDE.print(
        f"Total: {total:,} requests, {errors} errors, {total / seconds:,.1f} req/s; "
        f"all latencies {statistics.median(_all(service)) * 1000:.1f} ms p50"
    )


def _all(samples: Samples) -> list[float]:
    return [value for values in samples.latency.values() for value in values]
