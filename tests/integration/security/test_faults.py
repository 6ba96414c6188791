"""Neo4j restarted under load, and killed in the middle of a bulk load.

These tests run their own throwaway server (instance ``faults``), started,
restarted, killed and stopped here; never the server the other tests share.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from app.demo import generate_estate
from app.domain.records import WriteContext
from app.neo4j_server import process
from app.services import bulk
from app.services.runtime import Runtime
from app.services.schema import apply_schema
from app.services.tokens import create_token
from app.settings import REPOSITORY_ROOT, Settings

pytestmark = pytest.mark.faults

CLIENTS = 4
RETRY_S = 2.0
READ = '{ cis(type: "Host", first: 20) { items { id name } } }'
WRITE = 'mutation($key: String!) { createCi(input: {type: "Site", key: $key}) { id } }'
SERVER_ENV = {
    "CMDB_NEO4J_INSTANCE": "faults",
    "CMDB_NEO4J_BOLT_PORT": "27690",
    "CMDB_NEO4J_HTTP_PORT": "27477",
    "CMDB_NEO4J_MAX_RETRY_TIME_S": str(RETRY_S),
    "CMDB_LOG_LEVEL": "WARNING",
}


def make_fault_settings() -> Settings:
    """Settings of the throwaway server these tests may restart and kill."""
    return Settings(
        neo4j_uri=None,
        neo4j_instance="faults",
        neo4j_bolt_port=27690,
        neo4j_http_port=27477,
        neo4j_heap="512m",
        neo4j_pagecache="128m",
        neo4j_max_retry_time_s=RETRY_S,
    )


@pytest.fixture(scope="module")
def fault_settings():
    settings = make_fault_settings()
    process.start(settings)
    yield settings
    process.stop(settings)


@pytest.fixture
def fault_runtime(fault_settings):
    runtime = Runtime.open(fault_settings)
    apply_schema(runtime)
    runtime.db.auto_commit("graph_clear")
    yield runtime
    runtime.close()


def environment() -> dict[str, str]:
    """The environment of a child process that talks to the throwaway server."""
    unset = ("NEO4J_URI", "CMDB_NEO4J_URI")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    return {**env, **SERVER_ENV}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=environment(), cwd=REPOSITORY_ROOT)
    for _ in range(150):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the API server did not start")


def outcome(response: httpx.Response) -> str:
    """Name a response: ok, or its status and error code."""
    body = response.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    if response.status_code == 200 and not errors:
        return "ok"
    code = (errors or [{}])[0].get("extensions", {}).get("code")
    return f"{response.status_code} {code}"


class Load:
    """Clients that read and write until told to stop, counting outcomes."""

    def __init__(self, port: int, secret: str) -> None:
        self.base = f"http://127.0.0.1:{port}/graphql"
        self.headers = {"Authorization": f"Bearer {secret}"}
        self.stopping = threading.Event()
        self.outcomes: Counter = Counter()
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self.run, args=(n,)) for n in range(CLIENTS)
        ]

    def run(self, client: int) -> None:
        with httpx.Client(headers=self.headers, timeout=60) as http:
            for step in range(1_000_000):
                if self.stopping.is_set():
                    return
                body = {"query": READ}
                if step % 3 == 0:
                    key = f"load-{client}-{step}"
                    body = {"query": WRITE, "variables": {"key": key}}
                try:
                    result = outcome(http.post(self.base, json=body))
                except httpx.HTTPError as error:
                    result = f"transport {type(error).__name__}"
                with self.lock:
                    self.outcomes[result] += 1

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()


def test_restart_under_load_fails_fast_and_recovers(fault_settings, fault_runtime):
    bulk.load_document(
        fault_runtime, generate_estate(vms=10, seed=1), WriteContext("t", "test")
    )
    secret = create_token(fault_runtime, "load", ["admin"]).secret
    port = free_port()
    server = serve(port)
    try:
        with Load(port, secret) as load:
            time.sleep(2)
            process.stop(fault_settings)
            time.sleep(2)
            process.start(fault_settings)
            time.sleep(3)
        after = recovered(port, secret)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)

    print("outcomes under restart:", dict(load.outcomes))
    assert set(load.outcomes) <= {"ok", "503 UNAVAILABLE"}, load.outcomes
    assert load.outcomes["ok"] > 0
    assert load.outcomes["503 UNAVAILABLE"] > 0
    assert after == "ok"


def recovered(port: int, secret: str) -> str:
    """Return the outcome of a read once the service answers again."""
    headers = {"Authorization": f"Bearer {secret}"}
    result = "never tried"
    for _ in range(30):
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": READ},
            headers=headers,
            timeout=30,
        )
        result = outcome(response)
        if result == "ok":
            return result
        time.sleep(1)
    return result


def snapshot(runtime: Runtime) -> dict:
    """Describe a graph without ids and times, which differ between runs."""
    records, _, _ = runtime.db.driver.execute_query(
        "MATCH (n:CI) RETURN n {.*, id: null, created_at: null, updated_at: null} AS n"
    )
    cis = sorted(json.dumps(r["n"], sort_keys=True, default=str) for r in records)
    records, _, _ = runtime.db.driver.execute_query(
        "MATCH (a:CI)-[r]->(b:CI) RETURN a.type + ':' + a.key AS a, type(r) AS t, "
        "b.type + ':' + b.key AS b, r {.*, created_at: null} AS p"
    )
    rels = sorted(
        json.dumps([r["a"], r["t"], r["b"], r["p"]], sort_keys=True) for r in records
    )
    records, _, _ = runtime.db.driver.execute_query(
        "MATCH (h:HistoryEntry) RETURN h.ci_type + ':' + h.ci_key AS ci, "
        "h.action AS action, h.other_id IS NULL AS about_ci, count(*) AS n"
    )
    history = sorted((r["ci"], r["action"], r["about_ci"], r["n"]) for r in records)
    return {"cis": cis, "relationships": rels, "history": history}


def ci_count(runtime: Runtime) -> int:
    try:
        return runtime.db.read("ci_count")[0]["count"]
    except Exception:
        return -1


def test_a_bulk_load_killed_midway_converges_when_run_again(
    fault_settings, fault_runtime, tmp_path: Path
):
    document = generate_estate(vms=300, seed=5)
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(document))
    bulk.load_document(fault_runtime, document, WriteContext("t", "test"))
    clean = snapshot(fault_runtime)
    fault_runtime.db.auto_commit("graph_clear")

    env = {**environment(), "CMDB_BATCH_SIZE": "100"}
    loader = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "load", str(path)],
        env=env,
        cwd=REPOSITORY_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while ci_count(fault_runtime) < 200 and loader.poll() is None:
        time.sleep(0.05)
    os.kill(process.status(fault_settings).pid, signal.SIGKILL)
    loader.wait(timeout=120)
    process.start(fault_settings)
    partial = ci_count(fault_runtime)

    bulk.load_document(fault_runtime, document, WriteContext("t", "test"))

    assert loader.returncode != 0
    assert 0 < partial < len(document["cis"])
    assert snapshot(fault_runtime) == clean
