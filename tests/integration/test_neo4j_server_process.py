"""The provisioned Neo4j server, started and stopped for real."""

from collections.abc import Iterator

import pytest

from app.neo4j_server import process
from app.settings import Settings

pytestmark = pytest.mark.neo4j


def make_process_test_settings() -> Settings:
    """Return settings for an instance of its own, on ports no other test uses."""
    return Settings(
        neo4j_uri=None,
        neo4j_instance="process-test",
        neo4j_bolt_port=27687,
        neo4j_http_port=27474,
        neo4j_heap="512m",
        neo4j_pagecache="128m",
    )


@pytest.fixture
def process_test_settings() -> Iterator[Settings]:
    """Return the instance settings, and stop that instance whatever happens."""
    if Settings().neo4j_uri:
        pytest.skip("NEO4J_URI names an external server: nothing is provisioned")
    settings = make_process_test_settings()
    yield settings
    process.stop(settings)


def test_server_starts_reports_its_version_and_stops(
    process_test_settings: Settings,
) -> None:
    settings = process_test_settings

    started = process.start(settings)
    started_again = process.start(settings)
    running = process.status(settings)
    stopped = process.stop(settings)
    after_stop = process.status(settings)

    assert started.running
    assert started_again.pid == started.pid
    assert running.running
    assert running.version.startswith("5.26.")
    assert running.bolt_port == 27687
    assert running.uri == "neo4j://127.0.0.1:27687"
    assert stopped is True
    assert after_stop.running is False
    assert after_stop.pid is None
