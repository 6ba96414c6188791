"""vSphere import: a first sync of a simulated estate and a resync with no changes.

vcsim (govmomi's vCenter simulator) generates the estate. The first sync reads
it and loads it into an empty graph; the resync reads the same inventory
again and must write nothing, so its load phase (compare, plan, write) should
take a small fraction of the first one's.
"""

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from app.settings import VCenterSettings
from bench.common import console, open_runtime, print_table, timed
from importers.vsphere import VCenterSyncReport, sync_vcenter

VCENTER_ID = "bench"
USER, PASSWORD = "bench", "bench-password"
START_TIMEOUT_S = 600.0


def run(vms: int = 2000, hosts: int = 200, clusters: int = 10) -> None:
    """Simulate ``vms`` machines on ``hosts`` hosts, sync twice, print figures."""
    binary = _vcsim_binary()
    flags = _estate_flags(vms, hosts, clusters)
    with tempfile.TemporaryDirectory(prefix="cmdb-bench-") as folder:
        started, (process, port) = timed(lambda: _start(binary, flags, Path(folder)))
        console.print(f"vcsim {' '.join(flags)}: ready in {started:.0f} s")
        try:
            _measure(_vcenter(port, Path(folder)))
        finally:
            process.terminate()
            process.wait(timeout=30)


def _measure(vcenter: VCenterSettings) -> None:
    runtime = open_runtime()
    try:
        runtime.db.auto_commit("graph_clear")
        first = sync_vcenter(runtime, vcenter)
        again = sync_vcenter(runtime, vcenter)
    finally:
        runtime.close()
    _print(first, again)


def _print(first: VCenterSyncReport, again: VCenterSyncReport) -> None:
    rows = [
        ["extract", first.extract_seconds, again.extract_seconds],
        ["transform", first.transform_seconds, again.transform_seconds],
        ["plan", first.outcome.plan_seconds, again.outcome.plan_seconds],
        ["write", first.outcome.write_seconds, again.outcome.write_seconds],
        ["load (plan + write)", first.load_seconds, again.load_seconds],
        ["total", first.seconds, again.seconds],
    ]
    print_table(
        f"vSphere sync of {first.objects:,} vCenter objects",
        ["phase", "first sync s", "no-op resync s", "resync / first"],
        [
            [name, f"{one:.2f}", f"{two:.2f}", f"{two / one:.2f}" if one else "-"]
            for name, one, two in rows
        ],
    )
    outcome = first.outcome
    console.print(
        f"First sync: {outcome.created:,} CIs and "
        f"{outcome.relationships_created:,} relationships created "
        f"({outcome.writes:,} writes). Resync: {again.outcome.writes} writes, "
        f"{again.outcome.unchanged:,} CIs unchanged."
    )
    if again.outcome.writes:
        console.print("[red]The resync wrote something: it should write nothing.")


def _estate_flags(vms: int, hosts: int, clusters: int) -> list[str]:
    """vcsim flags: one datacenter, VMs spread over the clusters' root pools."""
    counts = {
        "dc": 1,
        "cluster": clusters,
        "host": max(hosts // clusters, 1),
        "standalone-host": 0,
        "vm": max(vms // clusters, 1),
    }
    flags = [part for name, n in counts.items() for part in (f"-{name}", str(n))]
    return [*flags, "-autostart=false"]


def _vcsim_binary() -> Path:
    """Find vcsim in GOPATH/bin or on the PATH."""
    candidates = [Path.home() / "go" / "bin" / "vcsim", shutil.which("vcsim")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return Path(candidate)
    raise SystemExit(
        "vcsim not found: go install github.com/vmware/govmomi/vcsim@v0.46.3"
    )


def _start(binary: Path, flags: list[str], folder: Path) -> tuple:
    """Start vcsim on a free port; return the process and port once it listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = folder / "vcsim.log"
    with log.open("w") as stream:
        process = subprocess.Popen(
            [
                str(binary),
                "-l",
                f"127.0.0.1:{port}",
                "-username",
                USER,
                "-password",
                PASSWORD,
                *flags,
            ],
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while "GOVC_URL" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"vcsim did not start: {log.read_text()[-500:]}")
        time.sleep(0.2)
    return process, port


def _vcenter(port: int, folder: Path) -> VCenterSettings:
    password_file = folder / "password"
    password_file.write_text(PASSWORD)
    return VCenterSettings(
        id=VCENTER_ID,
        url=f"https://127.0.0.1:{port}/sdk",
        user=USER,
        password_file=password_file,
        insecure=True,
    )


if __name__ == "__main__":
    run()
