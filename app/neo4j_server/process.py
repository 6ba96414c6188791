"""Start, stop and inspect the Neo4j server this project provisions.

Each instance lives in ``<cache_dir>/instances/<name>``: ``conf/neo4j.conf``
(rewritten from the settings at every start), ``data/``, ``logs/`` (with
``console.log``, the server's standard output) and ``run/neo4j.pid``. The
server runs the jars of a distribution from :mod:`app.neo4j_server.provision`.
"""

import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from neo4j import Driver, GraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from app.db.statements import StatementStore
from app.neo4j_server.provision import (
    Distribution,
    Neo4jServerError,
    check_java,
    ensure_distribution,
    find_distribution,
    last_lines,
)
from app.settings import REPOSITORY_ROOT, Settings

logger = logging.getLogger(__name__)

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
INITIAL_USER = "neo4j"
INITIAL_PASSWORD = "neo4j"
STOP_TIMEOUT_S = 60.0
KILL_TIMEOUT_S = 10.0
POLL_INTERVAL_S = 0.5
LOG_TAIL_LINES = 15

# The JVM options the neo4j launcher script would add from its default config.
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)


def _statement(name: str) -> str:
    """Read an administrative statement from the project's statement files."""
    return StatementStore(REPOSITORY_ROOT / "queries").get(name)


# The servers started by this process, kept so that their exit is collected.
_children: dict[int, subprocess.Popen[bytes]] = {}


class StartError(Neo4jServerError):
    """The server did not start, or did not answer in time."""

    def __init__(self, reason: str, log_tail: str = "") -> None:
        super().__init__(f"{reason}\n{log_tail}" if log_tail else reason)
        self.reason = reason
        self.log_tail = log_tail


class ExternalServerError(Neo4jServerError):
    """NEO4J_URI names a server that this project does not manage."""


@dataclass(frozen=True)
class ServerStatus:
    """What is known about a server: whether it runs, where and which version."""

    running: bool
    pid: int | None
    version: str | None
    bolt_port: int | None
    http_port: int | None
    data_dir: Path | None
    uri: str
    external: bool = False


@dataclass(frozen=True)
class InstancePaths:
    """The files and folders of one provisioned server instance."""

    home: Path

    @property
    def conf_dir(self) -> Path:
        """Return the folder of neo4j.conf."""
        return self.home / "conf"

    @property
    def config_file(self) -> Path:
        """Return the neo4j.conf written at each start."""
        return self.conf_dir / "neo4j.conf"

    @property
    def data_dir(self) -> Path:
        """Return the folder of the databases."""
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        """Return the folder of the server's logs."""
        return self.home / "logs"

    @property
    def console_log(self) -> Path:
        """Return the file that receives the server's standard output."""
        return self.logs_dir / "console.log"

    @property
    def server_log(self) -> Path:
        """Return the log the server writes itself."""
        return self.logs_dir / "neo4j.log"

    @property
    def pid_file(self) -> Path:
        """Return the file holding the process id of the running server."""
        return self.home / "run" / "neo4j.pid"


def instance_paths(settings: Settings) -> InstancePaths:
    """Return the paths of the configured instance."""
    return InstancePaths(home=settings.instance_dir)


def render_config(settings: Settings) -> str:
    """Return the text of neo4j.conf for the configured instance."""
    paths = instance_paths(settings)
    bolt = f"127.0.0.1:{settings.neo4j_bolt_port}"
    http = f"127.0.0.1:{settings.neo4j_http_port}"
    entries = {
        "server.default_listen_address": "127.0.0.1",
        "server.default_advertised_address": "127.0.0.1",
        "server.bolt.listen_address": bolt,
        "server.bolt.advertised_address": bolt,
        "server.http.listen_address": http,
        "server.http.advertised_address": http,
        "server.https.enabled": "false",
        "dbms.security.auth_enabled": "true",
        "dbms.usage_report.enabled": "false",
        # The JVM is launched directly, so -Xms/-Xmx apply; these are a record.
        "server.memory.heap.initial_size": settings.neo4j_heap,
        "server.memory.heap.max_size": settings.neo4j_heap,
        "server.memory.pagecache.size": settings.neo4j_pagecache,
        "db.transaction.timeout": format_duration(settings.neo4j_transaction_timeout_s),
        "server.directories.data": str(paths.data_dir),
        "server.directories.logs": str(paths.logs_dir),
    }
    header = "# Written by cmdb from its settings at every start: edits are lost.\n"
    return header + "".join(f"{key}={value}\n" for key, value in entries.items())


def format_duration(seconds: float) -> str:
    """Return a Neo4j duration: whole seconds as ``60s``, others as ``1500ms``."""
    if float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


def java_command(
    settings: Settings, distribution: Distribution, java: Path
) -> list[str]:
    """Return the command line that runs the server in the foreground."""
    paths = instance_paths(settings)
    return [
        str(java),
        f"-Xms{settings.neo4j_heap}",
        f"-Xmx{settings.neo4j_heap}",
        *JVM_OPTIONS,
        "-cp",
        f"{distribution.lib_dir}/*",
        ENTRY_POINT,
        f"--home-dir={paths.home}",
        f"--config-dir={paths.conf_dir}",
    ]


def start(settings: Settings) -> ServerStatus:
    """Start the provisioned server and return once it answers on Bolt."""
    _refuse_external(settings)
    paths = instance_paths(settings)
    pid = _running_pid(paths)
    if pid is not None:
        logger.info("Neo4j instance %s already runs as pid %d", paths.home.name, pid)
        _wait_until_ready(settings, paths, pid)
        return status(settings)

    distribution = ensure_distribution(settings)
    java = check_java(settings)
    _prepare_instance(settings, paths)
    _ensure_ports_free(settings)
    if not (paths.data_dir / "databases" / "system").exists():
        _set_initial_password(settings, distribution, java, paths)

    started = time.monotonic()
    log_offset = _size(paths.server_log)
    pid = _launch(java_command(settings, distribution, java), paths)
    try:
        _wait_until_ready(settings, paths, pid, log_offset)
    except StartError:
        _terminate(pid, paths)
        paths.pid_file.unlink(missing_ok=True)
        raise

    logger.info(
        "Started Neo4j %s as instance %s (pid %d, Bolt port %d) in %.1f s",
        distribution.version,
        paths.home.name,
        pid,
        settings.neo4j_bolt_port,
        time.monotonic() - started,
    )
    return status(settings)


def stop(settings: Settings) -> bool:
    """Stop the provisioned server; return whether one was running."""
    if settings.neo4j_uri:
        logger.warning("NEO4J_URI is set: no provisioned server to stop")
        return False

    paths = instance_paths(settings)
    pid = _running_pid(paths)
    if pid is None:
        paths.pid_file.unlink(missing_ok=True)
        logger.info("Neo4j instance %s is not running", paths.home.name)
        return False

    started = time.monotonic()
    _terminate(pid, paths)
    paths.pid_file.unlink(missing_ok=True)
    logger.info(
        "Stopped Neo4j instance %s (pid %d) in %.1f s",
        paths.home.name,
        pid,
        time.monotonic() - started,
    )
    return True


def status(settings: Settings) -> ServerStatus:
    """Return whether the server runs, its version, ports and data folder."""
    if settings.neo4j_uri:
        return _external_status(settings)

    paths = instance_paths(settings)
    pid = _running_pid(paths)
    installed = find_distribution(settings)
    version = installed.version if installed else None
    if pid is not None:
        version = _server_version(_local_uri(settings), settings) or version
    return ServerStatus(
        running=pid is not None,
        pid=pid,
        version=version,
        bolt_port=settings.neo4j_bolt_port,
        http_port=settings.neo4j_http_port,
        data_dir=paths.data_dir,
        uri=settings.bolt_uri,
    )


def _external_status(settings: Settings) -> ServerStatus:
    """Return the status of the server NEO4J_URI names, as seen over Bolt."""
    uri = settings.bolt_uri
    version = _server_version(uri, settings)
    return ServerStatus(
        running=version is not None,
        pid=None,
        version=version,
        bolt_port=urlsplit(uri).port,
        http_port=None,
        data_dir=None,
        uri=uri,
        external=True,
    )


def _refuse_external(settings: Settings) -> None:
    """Raise when NEO4J_URI names a server that this project does not manage."""
    if settings.neo4j_uri:
        raise ExternalServerError(
            f"NEO4J_URI is set to {settings.neo4j_uri}, an external server, so "
            "nothing is provisioned: start or stop that server where it runs."
        )


def _prepare_instance(settings: Settings, paths: InstancePaths) -> None:
    """Create the instance folders and write neo4j.conf."""
    for folder in (paths.conf_dir, paths.data_dir, paths.logs_dir):
        folder.mkdir(parents=True, exist_ok=True)
    paths.pid_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(render_config(settings))


def _ensure_ports_free(settings: Settings) -> None:
    """Raise when another process already listens on a port of the server."""
    for port in (settings.neo4j_bolt_port, settings.neo4j_http_port):
        if _port_in_use(port):
            raise StartError(
                f"Port {port} on 127.0.0.1 is taken by another process: stop it "
                "or choose other ports (CMDB_NEO4J_BOLT_PORT, CMDB_NEO4J_HTTP_PORT)."
            )


def _port_in_use(port: int) -> bool:
    """Tell whether a TCP port on the loopback address cannot be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _set_initial_password(
    settings: Settings, distribution: Distribution, java: Path, paths: InstancePaths
) -> None:
    """Give the neo4j user the configured password before the first start."""
    password = settings.neo4j_password.get_secret_value()
    command = [
        str(java),
        "-Xmx256m",
        "-cp",
        f"{distribution.lib_dir}/*",
        ADMIN_TOOL,
        "dbms",
        "set-initial-password",
        password,
    ]
    environment = os.environ | {
        "NEO4J_HOME": str(paths.home),
        "NEO4J_CONF": str(paths.conf_dir),
    }
    started = time.monotonic()
    result = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).replace(password, "***")
        logger.warning(
            "Could not set the initial password, will change it after start: %s",
            last_lines(output, 3),
        )
        return
    logger.info("Set the initial password in %.1f s", time.monotonic() - started)


def _launch(command: list[str], paths: InstancePaths) -> int:
    """Start the server in the background and write its pid file."""
    with paths.console_log.open("wb") as console:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            cwd=paths.home,
            start_new_session=True,
        )
    _children[process.pid] = process
    paths.pid_file.write_text(f"{process.pid}\n")
    logger.info("Launched Neo4j (pid %d), output in %s", process.pid, paths.console_log)
    return process.pid


def _wait_until_ready(
    settings: Settings, paths: InstancePaths, pid: int, log_offset: int = 0
) -> None:
    """Return once Bolt answers with the configured credentials, else raise."""
    deadline = time.monotonic() + settings.neo4j_start_timeout_s
    uri = _local_uri(settings)
    changed_password = False
    last_error = "no answer yet"
    while True:
        if not _is_alive(pid, paths.home):
            raise StartError(
                "Neo4j exited during start-up.", _log_tail(paths, log_offset)
            )
        try:
            _ping(uri, (settings.neo4j_user, _password(settings)))
            return
        except AuthError:
            if changed_password:
                raise StartError(
                    "Neo4j rejects the configured credentials even after the "
                    "initial password was changed."
                ) from None
            _change_initial_password(settings, paths)
            changed_password = True
            continue
        except (Neo4jError, DriverError, OSError) as error:
            last_error = str(error) or type(error).__name__
        if time.monotonic() > deadline:
            raise StartError(
                f"Neo4j did not answer on {uri} within "
                f"{settings.neo4j_start_timeout_s:.0f} s ({last_error}).",
                _log_tail(paths, log_offset),
            )
        time.sleep(POLL_INTERVAL_S)


def _change_initial_password(settings: Settings, paths: InstancePaths) -> None:
    """Replace the initial neo4j/neo4j credentials with the configured ones."""
    try:
        with _driver(_local_uri(settings), (INITIAL_USER, INITIAL_PASSWORD)) as driver:
            driver.execute_query(
                _statement("server_change_password"),
                {"old": INITIAL_PASSWORD, "new": _password(settings)},
                database_="system",
            )
    except AuthError:
        raise StartError(
            f"Neo4j rejects the configured password of user {settings.neo4j_user}: "
            f"{paths.data_dir} was set up with another one; set NEO4J_PASSWORD to "
            "it, or delete that folder to start afresh."
        ) from None
    except Neo4jError as error:
        raise StartError(
            f"Neo4j refused the configured password: {error.message}"
        ) from None
    logger.info("Changed the initial password of user %s", INITIAL_USER)


def _ping(uri: str, auth: tuple[str, str]) -> None:
    """Run a trivial query, raising whatever the driver raises."""
    with _driver(uri, auth) as driver:
        driver.execute_query(_statement("health_ping"))


def _server_version(uri: str, settings: Settings) -> str | None:
    """Return the version the server reports, or None when it does not answer."""
    try:
        with _driver(uri, (settings.neo4j_user, _password(settings))) as driver:
            records, _, _ = driver.execute_query(
                _statement("server_version"), database_="system"
            )
    except (Neo4jError, DriverError, OSError) as error:
        logger.debug("No version from %s: %s", uri, error)
        return None
    return records[0]["version"] if records else None


def _driver(uri: str, auth: tuple[str, str]) -> Driver:
    """Return a driver for short checks: quick time-outs and no retries."""
    return GraphDatabase.driver(
        uri,
        auth=auth,
        connection_timeout=5.0,
        connection_acquisition_timeout=10.0,
        max_transaction_retry_time=0.0,
        user_agent="cmdb-neo4j-server",
    )


def _password(settings: Settings) -> str:
    """Return the configured password in clear text, for the driver only."""
    return settings.neo4j_password.get_secret_value()


def _local_uri(settings: Settings) -> str:
    """Return a direct Bolt URI of the provisioned server."""
    return f"bolt://127.0.0.1:{settings.neo4j_bolt_port}"


def _running_pid(paths: InstancePaths) -> int | None:
    """Return the pid of the instance's running server, or None."""
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _is_alive(pid, paths.home) else None


def _is_alive(pid: int, home: Path) -> bool:
    """Tell whether pid is a live server process of the instance in home."""
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return _runs_instance(pid, home)


def _runs_instance(pid: int, home: Path) -> bool:
    """Tell whether the command line of pid names home; True without /proc."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return not Path("/proc/self").exists()
    except OSError:
        return True
    return f"--home-dir={home}".encode() in arguments


def _terminate(pid: int, paths: InstancePaths) -> None:
    """Ask the server to stop, and kill it if it has not within a minute."""
    _signal(pid, signal.SIGTERM)
    if _wait_for_exit(pid, paths, STOP_TIMEOUT_S):
        return
    logger.warning(
        "Neo4j (pid %d) did not stop within %.0f s: killing it", pid, STOP_TIMEOUT_S
    )
    _signal(pid, signal.SIGKILL)
    _wait_for_exit(pid, paths, KILL_TIMEOUT_S)


def _signal(pid: int, signal_number: int) -> None:
    """Send a signal to a process that may already have exited."""
    try:
        os.kill(pid, signal_number)
    except ProcessLookupError:
        logger.debug("Process %d had already exited", pid)


def _wait_for_exit(pid: int, paths: InstancePaths, timeout_s: float) -> bool:
    """Wait until the process has exited; return False on time-out."""
    deadline = time.monotonic() + timeout_s
    while _is_alive(pid, paths.home):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    _children.pop(pid, None)
    return True


def _log_tail(paths: InstancePaths, log_offset: int) -> str:
    """Return the last lines of the console log and of this run's neo4j.log."""
    sections = []
    for log, offset in ((paths.console_log, 0), (paths.server_log, log_offset)):
        lines = _read_from(log, offset).rstrip().splitlines()[-LOG_TAIL_LINES:]
        if lines:
            sections.append(f"--- last lines of {log} ---\n" + "\n".join(lines))
    return "\n".join(sections)


def _read_from(log: Path, offset: int) -> str:
    """Return the text of a log from a byte offset on, empty when it is missing."""
    try:
        with log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def _size(path: Path) -> int:
    """Return the size of a file in bytes, 0 when it is missing."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
