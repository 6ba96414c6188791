"""The provisioned Neo4j server, without running one."""

import os
import stat
from pathlib import Path

import pytest

from app.neo4j_server import process, provision
from app.neo4j_server.process import ExternalServerError
from app.neo4j_server.provision import Distribution, PrerequisiteMissing
from app.settings import Settings


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Return settings whose cache is inside the test's temporary folder."""
    values: dict[str, object] = {
        "neo4j_uri": None,
        "java_home": None,
        "cache_dir": tmp_path / "cache",
        "neo4j_instance": "unit",
        "neo4j_bolt_port": 27001,
        "neo4j_http_port": 27002,
        "neo4j_heap": "1g",
        "neo4j_pagecache": "256m",
        "neo4j_transaction_timeout_s": 30.0,
    }
    return Settings(**(values | overrides))


def make_distribution(cache_dir: Path, version: str, complete: bool = True) -> Path:
    """Create a fake distribution folder holding only its server jar."""
    home = cache_dir / "neo4j" / version
    (home / "lib").mkdir(parents=True)
    (home / "lib" / f"neo4j-{version}.jar").touch()
    (home / "lib" / f"neo4j-kernel-{version}.jar").touch()
    if complete:
        (home / provision.COMPLETE_MARKER).write_text(version)
    return home


def make_fake_java(folder: Path, version_line: str) -> Path:
    """Create a JAVA_HOME whose java prints the given version line."""
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    return folder


# The configuration file.


def test_config_binds_both_ports_to_loopback(tmp_path: Path) -> None:
    config = process.render_config(make_settings(tmp_path))

    assert "server.default_listen_address=127.0.0.1\n" in config
    assert "server.bolt.listen_address=127.0.0.1:27001\n" in config
    assert "server.http.listen_address=127.0.0.1:27002\n" in config
    assert "server.https.enabled=false\n" in config


def test_config_places_data_and_logs_in_the_instance_folder(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)

    config = process.render_config(settings)

    instance = tmp_path / "cache" / "instances" / "unit"
    assert f"server.directories.data={instance / 'data'}\n" in config
    assert f"server.directories.logs={instance / 'logs'}\n" in config


def test_config_carries_memory_timeout_and_security(tmp_path: Path) -> None:
    config = process.render_config(make_settings(tmp_path))

    assert "server.memory.heap.max_size=1g\n" in config
    assert "server.memory.pagecache.size=256m\n" in config
    assert "db.transaction.timeout=30s\n" in config
    assert "dbms.security.auth_enabled=true\n" in config
    assert "dbms.usage_report.enabled=false\n" in config


def test_config_never_holds_the_password(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, neo4j_password="a-very-secret-password")

    assert "a-very-secret-password" not in process.render_config(settings)


@pytest.mark.parametrize(
    ("seconds", "expected"), [(60.0, "60s"), (1.5, "1500ms"), (0.25, "250ms")]
)
def test_durations_are_written_in_neo4j_units(seconds: float, expected: str) -> None:
    assert process.format_duration(seconds) == expected


def test_java_command_sets_heap_classpath_and_folders(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    distribution = Distribution(version="5.26.30", home=tmp_path / "dist")

    command = process.java_command(settings, distribution, Path("/usr/bin/java"))

    instance = settings.instance_dir
    assert command[:3] == ["/usr/bin/java", "-Xms1g", "-Xmx1g"]
    assert command[command.index("-cp") + 1] == f"{tmp_path / 'dist' / 'lib'}/*"
    assert command[-3:] == [
        process.ENTRY_POINT,
        f"--home-dir={instance}",
        f"--config-dir={instance / 'conf'}",
    ]


# Versions.


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_292"\nJava(TM) SE Runtime Environment', 8),
        ('openjdk version "11.0.22" 2024-01-16 LTS', 11),
        ('Picked up JAVA_TOOL_OPTIONS: -Xss4m\nopenjdk version "25-ea"', 25),
    ],
)
def test_java_major_version_is_read_from_java_version(output: str, major: int) -> None:
    assert provision.parse_java_version(output) == major


def test_unreadable_java_version_is_an_error() -> None:
    with pytest.raises(ValueError, match="no Java version"):
        provision.parse_java_version("bash: java: command not found")


@pytest.mark.parametrize(
    ("jar", "version"),
    [
        ("neo4j-5.26.30.jar", "5.26.30"),
        ("neo4j-5.26.0-rc1.jar", "5.26.0-rc1"),
        ("neo4j-kernel-5.26.30.jar", None),
        ("neo4j-command-line-5.26.30.jar", None),
        ("netty-common-4.1.115.jar", None),
    ],
)
def test_server_version_is_read_from_the_server_jar_only(
    jar: str, version: str | None
) -> None:
    assert provision.parse_jar_version(jar) == version


@pytest.mark.parametrize(
    ("version", "inside"),
    [
        ("5.26.0", True),
        ("5.26.30", True),
        ("5.27.0", False),
        ("5.25.9", False),
        ("5.26.10", True),
    ],
)
def test_version_range_bounds_follow_maven(version: str, inside: bool) -> None:
    assert provision.version_in_range(version, "[5.26.0,5.27.0)") is inside


def test_plain_version_range_means_that_version() -> None:
    assert provision.version_in_range("5.26.30", "5.26.30")
    assert not provision.version_in_range("5.26.29", "5.26.30")


# Prerequisites.


def test_missing_java_asks_in_one_sentence_for_a_jdk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(provision.shutil, "which", lambda _name: None)

    with pytest.raises(PrerequisiteMissing) as caught:
        provision.check_java(make_settings(tmp_path))

    message = str(caught.value)
    assert message.startswith("Java 17 or newer is required to run Neo4j")
    assert "openjdk-17-jre-headless" in message
    assert "JAVA_HOME" in message
    assert message.endswith(".")
    assert "\n" not in message


def test_java_absent_from_path_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(PrerequisiteMissing, match="Java 17 or newer"):
        provision.check_java(make_settings(tmp_path))


def test_java_older_than_17_is_named_in_the_message(tmp_path: Path) -> None:
    java_home = make_fake_java(tmp_path / "jdk8", 'java version "1.8.0_292"')

    with pytest.raises(PrerequisiteMissing, match=r"\(found Java 8\)"):
        provision.check_java(make_settings(tmp_path, java_home=java_home))


def test_java_17_from_java_home_is_accepted(tmp_path: Path) -> None:
    java_home = make_fake_java(tmp_path / "jdk17", 'openjdk version "17.0.15"')

    java = provision.check_java(make_settings(tmp_path, java_home=java_home))

    assert java == java_home / "bin" / "java"


def test_java_home_without_java_is_missing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, java_home=tmp_path / "no-jdk")

    with pytest.raises(PrerequisiteMissing, match="set JAVA_HOME"):
        provision.check_java(settings)


def test_missing_maven_asks_in_one_sentence_for_maven(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(provision.shutil, "which", lambda _name: None)

    with pytest.raises(PrerequisiteMissing) as caught:
        provision.check_maven()

    message = str(caught.value)
    assert message.startswith("Apache Maven is required")
    assert "apt-get install maven" in message
    assert "\n" not in message


# The cache of distributions.


def test_newest_finished_distribution_in_range_is_chosen(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    make_distribution(settings.cache_dir, "5.26.3")
    newest = make_distribution(settings.cache_dir, "5.26.10")
    make_distribution(settings.cache_dir, "5.26.40", complete=False)
    make_distribution(settings.cache_dir, "5.27.0")

    found = provision.find_distribution(settings)

    assert found == Distribution(version="5.26.10", home=newest)
    assert found.lib_dir == newest / "lib"


def test_cached_distribution_is_used_without_maven(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    home = make_distribution(settings.cache_dir, "5.26.30")
    monkeypatch.setattr(provision, "check_java", lambda _settings: Path("java"))
    monkeypatch.setattr(provision, "check_maven", _fail_if_called)

    distribution = provision.ensure_distribution(settings)

    assert distribution == Distribution(version="5.26.30", home=home)


def test_unfinished_download_is_not_a_distribution(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    make_distribution(settings.cache_dir, "5.26.30", complete=False)

    assert provision.find_distribution(settings) is None


def _fail_if_called() -> Path:
    """Stand in for Maven in a test that must not download."""
    raise AssertionError("Maven was run although a distribution is cached")


# The process, when no server runs.


def test_start_refuses_when_an_external_server_is_configured(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, neo4j_uri="bolt://db.example:7687")

    with pytest.raises(ExternalServerError, match="NEO4J_URI is set"):
        process.start(settings)


def test_stop_does_nothing_when_an_external_server_is_configured(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, neo4j_uri="bolt://db.example:7687")

    assert process.stop(settings) is False
    assert not settings.instance_dir.exists()


def test_status_of_a_never_started_instance_is_not_running(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    make_distribution(settings.cache_dir, "5.26.30")

    server = process.status(settings)

    assert server.running is False
    assert server.pid is None
    assert server.version == "5.26.30"
    assert server.bolt_port == 27001
    assert server.data_dir == settings.instance_dir / "data"
    assert server.uri == "neo4j://127.0.0.1:27001"


def test_pid_file_of_another_process_is_stale(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    pid_file = process.instance_paths(settings).pid_file
    pid_file.parent.mkdir(parents=True)
    pid_file.write_text(f"{os.getpid()}\n")

    assert process.status(settings).running is False
    assert process.stop(settings) is False
    assert not pid_file.exists()
