"""Concurrent writers: stale versions conflict, the same key is stored once."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.domain.errors import CMDBError
from app.domain.records import WriteContext
from app.services import bulk
from app.services import cis as ci_service

pytestmark = pytest.mark.neo4j

WRITERS = 8
UPDATE = """
mutation($id: ID!, $name: String!, $version: Int) {
  updateCi(id: $id, input: {name: $name}, expectedVersion: $version) { version }
}
"""


def make_site(runtime, key="AMS1") -> dict:
    return ci_service.create_ci(
        runtime, {"type": "Site", "key": key}, WriteContext("tester", "test")
    )


def outcome(work) -> str:
    """Run ``work`` and name its result: ok, or the error code."""
    try:
        work()
    except CMDBError as error:
        return str(error.code)
    return "ok"


def together(count: int, work) -> Counter:
    """Run ``work(index)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)

    def run(index: int) -> str:
        barrier.wait()
        return outcome(lambda: work(index))

    with ThreadPoolExecutor(count) as pool:
        return Counter(pool.map(run, range(count)))


def test_a_stale_expected_version_is_a_conflict(graphql, runtime):
    site = make_site(runtime)
    graphql(UPDATE, id=site["id"], name="first", version=1)

    result = graphql(UPDATE, id=site["id"], name="second", version=1)

    assert result["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert ci_service.get_ci(runtime, site["id"])["name"] == "first"


def test_of_concurrent_writers_at_one_version_exactly_one_wins(runtime):
    site = make_site(runtime)

    def write(index: int) -> None:
        ci_service.update_ci(
            runtime,
            site["id"],
            {"name": f"writer {index}"},
            WriteContext(f"writer-{index}", "test"),
            expected_version=1,
        )

    outcomes = together(WRITERS, write)

    assert outcomes == Counter({"ok": 1, "CONFLICT": WRITERS - 1})
    assert ci_service.get_ci(runtime, site["id"])["version"] == 2


def test_concurrent_writers_without_versions_all_land_in_history(runtime):
    site = make_site(runtime)

    def write(index: int) -> None:
        ci_service.update_ci(
            runtime,
            site["id"],
            {"attributes": {"city": f"city {index}"}},
            WriteContext(f"writer-{index}", "test"),
        )

    outcomes = together(WRITERS, write)

    history = ci_service.ci_history(runtime, site["id"], first=50).items
    assert outcomes == Counter({"ok": WRITERS})
    assert ci_service.get_ci(runtime, site["id"])["version"] == WRITERS + 1
    assert len(history) == WRITERS + 1


def test_concurrent_creates_of_one_key_store_one_ci(runtime):
    outcomes = together(WRITERS, lambda index: make_site(runtime, "SAME"))

    count = runtime.db.driver.execute_query(
        "MATCH (n:CI {type: $type, key: $key}) RETURN count(n) AS n",
        {"type": "Site", "key": "SAME"},
    ).records[0]["n"]
    assert outcomes["ok"] == 1
    assert set(outcomes) <= {"ok", "DUPLICATE_KEY", "CONFLICT"}
    assert count == 1


def test_concurrent_loads_of_one_document_leave_no_duplicates(runtime):
    document = {
        "cis": [{"type": "Site", "key": f"S{i}"} for i in range(50)]
        + [{"type": "Rack", "key": f"R{i}", "name": f"R{i}"} for i in range(50)],
        "relationships": [
            {
                "from": {"type": "Rack", "key": f"R{i}"},
                "type": "LOCATED_IN",
                "to": {"type": "Site", "key": f"S{i}"},
            }
            for i in range(50)
        ],
    }

    def load(index: int) -> None:
        bulk.load_document(runtime, document, WriteContext(f"loader-{index}", "test"))

    outcomes = together(4, load)
    bulk.load_document(runtime, document, WriteContext("final", "test"))

    counts = runtime.db.driver.execute_query(
        "MATCH (n:CI) WITH n.type AS type, n.key AS key, count(*) AS copies "
        "RETURN count(*) AS keys, max(copies) AS most"
    ).records[0]
    relationships = runtime.db.driver.execute_query(
        "MATCH (:Rack)-[r:LOCATED_IN]->(:Site) RETURN count(r) AS n"
    ).records[0]["n"]
    assert outcomes["ok"] >= 1
    assert (counts["keys"], counts["most"]) == (100, 1)
    assert relationships == 50
