"""The Neo4j server every test that needs one shares.

The ``neo4j_settings`` fixture chooses, in this order: the server NEO4J_URI
names; a ``neo4j:5.26-community`` container when a Docker engine answers; else
the project's own provisioned server, run as instance ``test``.
"""

import logging
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from app.neo4j_server import Neo4jServerError, process
from app.settings import Settings

logger = logging.getLogger(__name__)

NEO4J_IMAGE = "neo4j:5.26-community"
DOCKER_TIMEOUT_S = 5.0


def make_test_instance_settings() -> Settings:
    """Return settings for the provisioned server instance the tests share."""
    return Settings(
        neo4j_uri=None,
        neo4j_instance="test",
        neo4j_bolt_port=17687,
        neo4j_http_port=17474,
        neo4j_heap="2g",
        neo4j_pagecache="1g",
    )


def docker_answers() -> bool:
    """Tell whether a Docker engine answers within a few seconds."""
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        result = subprocess.run(
            [docker, "info"], capture_output=True, timeout=DOCKER_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Settings]:
    """Yield settings whose ``bolt_uri`` and credentials reach a real server."""
    configured = Settings()
    if configured.neo4j_uri:
        logger.info("Testing against the server at %s", configured.neo4j_uri)
        yield configured
    elif docker_answers():
        yield from _container_settings(configured)
    else:
        yield from _provisioned_settings()


def _container_settings(configured: Settings) -> Iterator[Settings]:
    """Run Neo4j in a container for the session and yield settings for it."""
    try:
        from testcontainers.community.neo4j import Neo4jContainer
    except ImportError:  # older testcontainers releases
        from testcontainers.neo4j import Neo4jContainer

    password = configured.neo4j_password
    container = Neo4jContainer(
        NEO4J_IMAGE, password=password.get_secret_value(), username="neo4j"
    )
    with container as server:
        yield Settings(
            neo4j_uri=server.get_connection_url(),
            neo4j_user="neo4j",
            neo4j_password=password,
        )


def _provisioned_settings() -> Iterator[Settings]:
    """Start the provisioned test instance unless it runs; stop it if we did."""
    settings = make_test_instance_settings()
    already_running = process.status(settings).running
    try:
        process.start(settings)
    except Neo4jServerError as error:
        pytest.fail(f"Could not start the Neo4j test server: {error}", pytrace=False)

    yield settings
    if not already_running:
        process.stop(settings)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a real server with ``neo4j``."""
    for item in items:
        if "neo4j_settings" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)
