"""Download a Neo4j Community server from Maven Central into the cache, once.

Maven Central carries the standalone archive of some Neo4j releases only, so
the archive is tried first and, when it is missing, the server is assembled
from the ``org.neo4j:neo4j`` jar and all its dependencies. Either way the
result is a directory ``<cache_dir>/neo4j/<version>`` with a ``lib`` folder
and a marker file that says the download finished.
"""

import fcntl
import logging
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.settings import Settings

logger = logging.getLogger(__name__)

MINIMUM_JAVA = 17
MAVEN_ATTEMPTS = 3
MAVEN_BACKOFF_S = 10.0
COMPLETE_MARKER = ".complete"
STANDALONE_ARTIFACT = "org.neo4j.assembly:neo4j-community-standalone"
SERVER_ARTIFACT = ("org.neo4j", "neo4j")

_JAVA_VERSION = re.compile(r'version "([^"]+)"')
_SERVER_JAR = re.compile(r"^neo4j-(\d[\w.\-]*)\.jar$")
_NOT_IN_CENTRAL = ("Could not find artifact", "Failed to read artifact descriptor")

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.cmdb</groupId>
  <artifactId>neo4j-download</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>{dependencies}</dependencies>
</project>
"""
_DEPENDENCY = """
    <dependency>
      <groupId>{group}</groupId>
      <artifactId>{artifact}</artifactId>
      <version>{version}</version>
    </dependency>"""


class Neo4jServerError(Exception):
    """A provisioned Neo4j server could not be made ready."""


class PrerequisiteMissing(Neo4jServerError):  # noqa: N818 - callers use this name
    """A tool that provisioning needs is not installed."""


class ProvisionError(Neo4jServerError):
    """The server could not be downloaded."""


@dataclass(frozen=True)
class Distribution:
    """A downloaded Neo4j server: its version and where its jars are."""

    version: str
    home: Path

    @property
    def lib_dir(self) -> Path:
        """Return the folder holding every jar of the server."""
        return self.home / "lib"


def parse_java_version(text: str) -> int:
    """Return the major version from the output of ``java -version``."""
    match = _JAVA_VERSION.search(text)
    if match is None:
        raise ValueError("no Java version found in: " + text.strip()[:200])
    parts = re.findall(r"\d+", match.group(1))
    if parts[0] == "1" and len(parts) > 1:
        return int(parts[1])
    return int(parts[0])


def parse_jar_version(jar_name: str) -> str | None:
    """Return the version in a server jar name such as ``neo4j-5.26.30.jar``."""
    match = _SERVER_JAR.match(jar_name)
    return match.group(1) if match else None


def version_key(version: str) -> tuple[int, ...]:
    """Return a sortable key made of the numbers in a version."""
    return tuple(int(number) for number in re.findall(r"\d+", version))


def version_in_range(version: str, version_range: str) -> bool:
    """Tell whether a version lies in a Maven range such as ``[5.26.0,5.27.0)``."""
    spec = version_range.strip()
    if spec[:1] not in "[(" or spec[-1:] not in "])":
        return version_key(version) == version_key(spec)

    low, _, high = spec[1:-1].partition(",")
    key = version_key(version)
    if low.strip():
        low_key = version_key(low)
        if key < low_key or (spec[0] == "(" and key == low_key):
            return False
    if high.strip():
        high_key = version_key(high)
        if key > high_key or (spec[-1] == ")" and key == high_key):
            return False
    return True


def find_java(settings: Settings) -> Path | None:
    """Return the java executable of JAVA_HOME, or the one on PATH."""
    if settings.java_home is not None:
        candidate = settings.java_home / "bin" / "java"
        return candidate if candidate.exists() else None
    found = shutil.which("java")
    return Path(found) if found else None


def check_java(settings: Settings) -> Path:
    """Return the java executable, or raise when Java 17 or newer is missing."""
    java = find_java(settings)
    if java is None:
        raise PrerequisiteMissing(_java_advice(None))

    result = subprocess.run(
        [str(java), "-version"], capture_output=True, text=True, check=False
    )
    try:
        major = parse_java_version(result.stderr + result.stdout)
    except ValueError:
        raise PrerequisiteMissing(_java_advice(None)) from None
    if major < MINIMUM_JAVA:
        raise PrerequisiteMissing(_java_advice(major))
    return java


def _java_advice(found: int | None) -> str:
    """Return the sentence that says which Java to install."""
    found_text = f" (found Java {found})" if found is not None else ""
    return (
        f"Java {MINIMUM_JAVA} or newer is required to run Neo4j{found_text}: "
        f"install a JDK {MINIMUM_JAVA} "
        f"(apt-get install openjdk-{MINIMUM_JAVA}-jre-headless) or set JAVA_HOME."
    )


def check_maven() -> Path:
    """Return the mvn executable, or raise when Maven is missing."""
    advice = (
        "Apache Maven is required to download Neo4j from Maven Central: "
        "install it (apt-get install maven) and put mvn on the PATH."
    )
    found = shutil.which("mvn")
    if found is None:
        raise PrerequisiteMissing(advice)
    result = subprocess.run([found, "-v"], capture_output=True, check=False)
    if result.returncode != 0:
        raise PrerequisiteMissing(advice)
    return Path(found)


def read_distribution(home: Path) -> Distribution | None:
    """Return the finished distribution in a folder, or None if there is none."""
    if not (home / COMPLETE_MARKER).is_file():
        return None
    version = distribution_version(home / "lib")
    return Distribution(version=version, home=home) if version else None


def distribution_version(lib_dir: Path) -> str | None:
    """Return the server version found among the jars of a folder."""
    if not lib_dir.is_dir():
        return None
    versions = (parse_jar_version(jar.name) for jar in lib_dir.glob("neo4j-*.jar"))
    return next((version for version in versions if version), None)


def find_distribution(settings: Settings) -> Distribution | None:
    """Return the newest finished distribution in the cache that fits the range."""
    root = settings.cache_dir / "neo4j"
    if not root.is_dir():
        return None
    found = [read_distribution(home) for home in root.iterdir() if home.is_dir()]
    fitting = [
        dist
        for dist in found
        if dist and version_in_range(dist.version, settings.neo4j_version_range)
    ]
    return max(fitting, key=lambda dist: version_key(dist.version), default=None)


def ensure_distribution(settings: Settings) -> Distribution:
    """Return a Neo4j server from the cache, downloading it on first use."""
    check_java(settings)
    cached = find_distribution(settings)
    if cached is not None:
        logger.debug("Neo4j %s is cached in %s", cached.version, cached.home)
        return cached

    root = settings.cache_dir / "neo4j"
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / ".lock"):
        # Another process may have finished the download while we waited.
        cached = find_distribution(settings)
        if cached is not None:
            return cached
        _remove_unfinished(root)
        return _download(settings, root)


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on a file for the duration of the block."""
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_unfinished(root: Path) -> None:
    """Delete what interrupted downloads left behind."""
    for leftover in root.glob(".download-*"):
        logger.info("Removing an unfinished download: %s", leftover)
        shutil.rmtree(leftover, ignore_errors=True)


def _download(settings: Settings, root: Path) -> Distribution:
    """Download the server into a temporary folder, then move it into place."""
    mvn = check_maven()
    started = time.monotonic()
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=root))
    try:
        source = _fetch_standalone(mvn, settings, staging)
        if source is None:
            source = _fetch_server_jars(mvn, settings, staging)
        version = distribution_version(staging / "lib")
        if version is None:
            raise ProvisionError(f"Maven delivered no neo4j jar into {staging}.")
        shutil.rmtree(staging / "project", ignore_errors=True)
        shutil.rmtree(staging / "archive", ignore_errors=True)
        (staging / COMPLETE_MARKER).write_text(version + "\n")
        home = _publish(staging, root / version)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    logger.info(
        "Provisioned Neo4j %s from %s into %s in %.1f s",
        version,
        source,
        home,
        time.monotonic() - started,
    )
    return Distribution(version=version, home=home)


def _publish(staging: Path, home: Path) -> Path:
    """Move a finished download to its final place in one rename."""
    if read_distribution(home) is not None:
        return home
    if home.exists():
        shutil.rmtree(home)
    staging.rename(home)
    return home


def _fetch_standalone(mvn: Path, settings: Settings, staging: Path) -> str | None:
    """Unpack the standalone archive into staging; None when Central lacks it."""
    artifact = f"{STANDALONE_ARTIFACT}:{settings.neo4j_version_range}:tar.gz:unix"
    archives = staging / "archive"
    arguments = [
        "dependency:copy",
        f"-Dartifact={artifact}",
        f"-DoutputDirectory={archives}",
    ]
    if not _run_maven(mvn, staging, "", arguments, "the standalone archive"):
        return None

    archive = next(archives.glob("*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(staging / "unpacked", filter="data")
    (top,) = (staging / "unpacked").iterdir()
    for entry in top.iterdir():
        entry.rename(staging / entry.name)
    shutil.rmtree(staging / "unpacked")
    return STANDALONE_ARTIFACT


def _fetch_server_jars(mvn: Path, settings: Settings, staging: Path) -> str:
    """Copy the server jar and all its dependencies into staging/lib."""
    group, artifact = SERVER_ARTIFACT
    dependency = _DEPENDENCY.format(
        group=group, artifact=artifact, version=settings.neo4j_version_range
    )
    arguments = [
        "dependency:copy-dependencies",
        f"-DoutputDirectory={staging / 'lib'}",
    ]
    found = _run_maven(mvn, staging, dependency, arguments, "the server jars")
    if not found:
        raise ProvisionError(
            f"Maven Central has no {group}:{artifact} in the range "
            f"{settings.neo4j_version_range}: check CMDB_NEO4J_VERSION_RANGE."
        )
    return f"{group}:{artifact} and its dependencies"


def _run_maven(
    mvn: Path, staging: Path, dependencies: str, arguments: list[str], what: str
) -> bool:
    """Run Maven with retries; False when the artifact is not in Central."""
    project = staging / "project"
    project.mkdir(exist_ok=True)
    (project / "pom.xml").write_text(_POM.format(dependencies=dependencies))
    command = [
        str(mvn),
        "-B",
        "-q",
        "-Dstyle.color=never",
        "-Dmaven.artifact.threads=8",
        *arguments,
    ]

    for attempt in range(1, MAVEN_ATTEMPTS + 1):
        started = time.monotonic()
        result = subprocess.run(
            command, cwd=project, capture_output=True, text=True, check=False
        )
        seconds = time.monotonic() - started
        output = result.stdout + result.stderr
        if result.returncode == 0:
            logger.info("Maven fetched %s in %.1f s", what, seconds)
            return True
        if _not_in_central(output):
            logger.info("Maven Central does not have %s (%.1f s)", what, seconds)
            return False
        logger.warning(
            "Maven failed to fetch %s (attempt %d of %d, %.1f s): %s",
            what,
            attempt,
            MAVEN_ATTEMPTS,
            seconds,
            last_lines(output, 5),
        )
        if attempt < MAVEN_ATTEMPTS:
            time.sleep(MAVEN_BACKOFF_S * attempt)

    raise ProvisionError(
        f"Maven failed {MAVEN_ATTEMPTS} times to fetch {what}: " + last_lines(output, 1)
    )


def _not_in_central(output: str) -> bool:
    """Tell whether Maven said the artifact does not exist, not that it failed."""
    said_missing = any(sign in output for sign in _NOT_IN_CENTRAL)
    return said_missing and "Could not transfer" not in output


def last_lines(text: str, count: int) -> str:
    """Return the last non-empty lines of a text, joined by ' | '."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-count:])
