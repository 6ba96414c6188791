"""vCenter simulators (govmomi's vcsim) for the vSphere importer tests.

Each test gets fresh simulators, started on free ports and stopped after, so
that tests do not see each other's changes. vcsim is taken from GOPATH/bin,
or built there with ``go install`` when missing; without Go the tests skip.
"""

import dataclasses
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from app.services.runtime import Runtime
from app.settings import VCenterSettings

VCSIM_MODULE = "github.com/vmware/govmomi/vcsim@v0.46.3"
BUILD_ATTEMPTS = 3
START_TIMEOUT_S = 20.0
TASK_TIMEOUT_S = 30.0
USER, PASSWORD = "importer", "simulated-secret"


@dataclasses.dataclass
class Vcsim:
    """One running simulator."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        """The SDK URL."""
        return f"https://127.0.0.1:{self.port}/sdk"

    def stop(self) -> None:
        """Stop the simulator and wait for it to exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _go() -> str | None:
    return shutil.which("go") or (
        "/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None
    )


def _gopath_bin(go: str | None) -> Path:
    if go is not None:
        result = subprocess.run(
            [go, "env", "GOPATH"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0 and result.stdout.strip():
            return Path(result.stdout.strip().split(os.pathsep)[0]) / "bin"
    return Path.home() / "go" / "bin"


def _build_vcsim(go: str, target: Path) -> None:
    """Build vcsim with ``go install``, retrying downloads that fail."""
    problem = ""
    for attempt in range(1, BUILD_ATTEMPTS + 1):
        result = subprocess.run(
            [go, "install", VCSIM_MODULE],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if result.returncode == 0 and target.exists():
            return
        problem = result.stderr.strip()[-500:]
        time.sleep(2 * attempt)
    pytest.fail(f"could not build vcsim with go install: {problem}", pytrace=False)


@pytest.fixture(scope="session")
def vcsim_binary() -> Path:
    """The vcsim executable, built into GOPATH/bin on first use."""
    go = _go()
    target = _gopath_bin(go) / "vcsim"
    if target.exists():
        return target
    if go is None:
        pytest.skip("Go is not installed, so vcsim cannot be built")
    _build_vcsim(go, target)
    return target


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_vcsim(binary: Path, log_dir: Path, *flags: str) -> Vcsim:
    """Start vcsim with ``flags`` on a free port and wait until it listens."""
    port = free_port()
    log = log_dir / f"vcsim-{port}.log"
    with log.open("w") as stream:
        process = subprocess.Popen(
            [str(binary), "-l", f"127.0.0.1:{port}", *flags],
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    server = Vcsim(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"vcsim exited: {log.read_text()[-500:]}", pytrace=False)
        if "GOVC_URL" in log.read_text():
            return server
        time.sleep(0.05)
    server.stop()
    pytest.fail("vcsim did not start in time", pytrace=False)


@pytest.fixture
def vcsim_factory(vcsim_binary: Path, tmp_path: Path) -> Iterator[Callable[..., Vcsim]]:
    """Start simulators with the given flags; all stop after the test."""
    started: list[Vcsim] = []

    def start(*flags: str) -> Vcsim:
        server = start_vcsim(
            vcsim_binary, tmp_path, "-username", USER, "-password", PASSWORD, *flags
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def vcsim(vcsim_factory: Callable[..., Vcsim]) -> Vcsim:
    """A fresh default simulator: one datacenter, a three-host cluster, a
    standalone host, four virtual machines, a distributed switch."""
    return vcsim_factory()


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    """A file holding the simulators' password."""
    path = tmp_path / "vcenter-password"
    path.write_text(PASSWORD + "\n")
    return path


@pytest.fixture
def make_vcenter(password_file: Path) -> Callable[..., VCenterSettings]:
    """Build the settings of a simulated vCenter."""

    def make(
        server: Vcsim, vcenter_id: str = "vc-sim", **changes: Any
    ) -> VCenterSettings:
        fields = {
            "id": vcenter_id,
            "url": server.url,
            "user": USER,
            "password_file": password_file,
            "insecure": True,
            **changes,
        }
        return VCenterSettings(**fields)

    return make


@pytest.fixture
def sync_runtime(runtime: Runtime) -> Runtime:
    """The test runtime, with a grace period of zero and small extract pages."""
    settings = runtime.settings.model_copy(
        update={"sync_grace_period": timedelta(0), "vsphere_page_size": 7}
    )
    return dataclasses.replace(runtime, settings=settings)


class VSphere:
    """Changes a simulated vCenter through the vSphere API, as a person would."""

    def __init__(self, server: Vcsim) -> None:
        self.server = server
        self.service = SmartConnect(
            host="127.0.0.1",
            port=server.port,
            user=USER,
            pwd=PASSWORD,
            disableSslCertValidation=True,
        )
        self.content = self.service.RetrieveContent()

    @property
    def alive(self) -> bool:
        """Whether the simulator still runs."""
        return self.server.process.poll() is None

    def close(self) -> None:
        """Log out."""
        Disconnect(self.service)

    def all(self, kind: type) -> list[Any]:
        """Every managed object of a type, by name."""
        view = self.content.viewManager.CreateContainerView(
            self.content.rootFolder, [kind], True
        )
        try:
            return sorted(view.view, key=lambda item: item.name)
        finally:
            view.DestroyView()

    def vm(self, name: str) -> vim.VirtualMachine:
        """The virtual machine with this name."""
        return next(vm for vm in self.all(vim.VirtualMachine) if vm.name == name)

    def clustered_vm(self) -> vim.VirtualMachine:
        """A virtual machine running on a clustered host."""
        return next(
            vm
            for vm in self.all(vim.VirtualMachine)
            if isinstance(vm.runtime.host.parent, vim.ClusterComputeResource)
        )

    def wait(self, task: Any) -> Any:
        """Wait for a task and return its result; raise its fault if it failed."""
        deadline = time.monotonic() + TASK_TIMEOUT_S
        while task.info.state in ("queued", "running"):
            assert time.monotonic() < deadline, f"{task} did not finish"
            time.sleep(0.02)
        if task.info.state == "error":
            raise task.info.error
        return task.info.result


@pytest.fixture
def vsphere_of() -> Iterator[Callable[[Vcsim], VSphere]]:
    """Open vSphere API clients of simulators; all log out after the test."""
    clients: list[VSphere] = []

    def open_client(server: Vcsim) -> VSphere:
        clients.append(VSphere(server))
        return clients[-1]

    yield open_client
    for client in clients:
        if client.alive:
            client.close()


@pytest.fixture
def vsphere(vcsim: Vcsim, vsphere_of: Callable[[Vcsim], VSphere]) -> VSphere:
    """A vSphere API client of the default simulator."""
    return vsphere_of(vcsim)
