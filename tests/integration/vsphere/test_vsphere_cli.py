"""``cmdb import vsphere`` against simulated vCenters: output and exit codes."""

import pytest
from pyVmomi import vim, vmodl
from typer.testing import CliRunner

from app.domain.references import CIRef
from app.services import cis
from importers.vsphere import extract
from importers.vsphere.cli import app

pytestmark = [pytest.mark.vcsim, pytest.mark.neo4j]

VCENTER = "vc-cli"


@pytest.fixture
def invoke(sync_runtime):
    """Run the command with the test runtime; return the result."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, ["vsphere", *args], obj=sync_runtime)

    return run


def target(server, password_file, *extra: str) -> list[str]:
    """The options naming a simulated vCenter."""
    return [
        "--vcenter-id",
        VCENTER,
        "--url",
        server.url,
        "--user",
        "importer",
        "--password-file",
        str(password_file),
        *extra,
    ]


def stored_cis(runtime) -> int:
    """How many CIs the graph holds."""
    records = runtime.db.driver.execute_query("MATCH (n:CI) RETURN count(n) AS n")
    return records.records[0]["n"]


def error_lines(result) -> list[str]:
    """The non-empty lines the command wrote to standard error."""
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_sync_prints_a_summary(invoke, sync_runtime, vcsim, password_file):
    result = invoke(*target(vcsim, password_file, "--insecure"))

    assert result.exit_code == 0, result.output
    assert "vSphere sync" in result.stdout
    assert VCENTER in result.stdout
    assert cis.find_ci(sync_runtime, CIRef("VCenter", VCENTER)) is not None


def test_dry_run_shows_changes_and_writes_nothing(
    invoke, sync_runtime, vcsim, password_file
):
    result = invoke(*target(vcsim, password_file, "--insecure", "--dry-run"))

    assert result.exit_code == 0, result.output
    assert "Dry run: nothing written" in result.stdout
    assert f"create VCenter:{VCENTER}" in result.stdout
    assert stored_cis(sync_runtime) == 0


def test_untrusted_certificate_needs_insecure(
    invoke, sync_runtime, vcsim, password_file
):
    result = invoke(*target(vcsim, password_file))

    assert result.exit_code == 1
    assert len(error_lines(result)) == 1
    assert "not trusted" in result.stderr
    assert "--insecure" in result.stderr
    assert stored_cis(sync_runtime) == 0


def test_wrong_password_is_one_line(invoke, sync_runtime, vcsim, tmp_path):
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password")

    result = invoke(*target(vcsim, wrong, "--insecure"))

    assert result.exit_code == 1
    assert error_lines(result) == [
        f"vCenter {VCENTER}: sync failed, nothing written: vCenter {VCENTER} at "
        f"{vcsim.url} refused the credentials of user 'importer'"
    ]


def test_unreachable_vcenter_is_one_line(invoke, vcsim, password_file):
    vcsim.stop()

    result = invoke(*target(vcsim, password_file, "--insecure"))

    assert result.exit_code == 1
    assert len(error_lines(result)) == 1
    assert "cannot be reached" in result.stderr


def test_missing_password_file_is_one_line(invoke, vcsim, tmp_path):
    result = invoke(*target(vcsim, tmp_path / "absent", "--insecure"))

    assert result.exit_code == 1
    assert len(error_lines(result)) == 1
    assert "cannot read the password file" in result.stderr


def test_object_vanishing_during_the_read_writes_nothing(
    invoke, sync_runtime, vcsim, password_file, monkeypatch
):
    genuine = extract.retrieve

    def retrieve_with_a_vanished_object(*args, **kwargs):
        yield from genuine(*args, **kwargs)
        gone = vim.VirtualMachine("vm-gone")
        fault = vmodl.fault.ManagedObjectNotFound(obj=gone)
        missing = vmodl.query.PropertyCollector.MissingProperty(
            path="name", fault=fault
        )
        yield vmodl.query.PropertyCollector.ObjectContent(
            obj=gone, missingSet=[missing]
        )

    monkeypatch.setattr(extract, "retrieve", retrieve_with_a_vanished_object)

    result = invoke(*target(vcsim, password_file, "--insecure"))

    assert result.exit_code == 1
    assert len(error_lines(result)) == 1
    assert "VirtualMachine:vm-gone vanished" in result.stderr
    assert stored_cis(sync_runtime) == 0


def test_configured_vcenters_sync_in_turn(
    sync_runtime, vcsim_factory, make_vcenter, password_file
):
    vcenters = [make_vcenter(vcsim_factory(), name) for name in ("vc-1", "vc-2")]
    settings = sync_runtime.settings.model_copy(update={"vcenters": vcenters})
    runtime = type(sync_runtime)(settings, sync_runtime.catalogue, sync_runtime.db)

    result = CliRunner().invoke(app, ["vsphere"], obj=runtime)

    assert result.exit_code == 0, result.output
    for name in ("vc-1", "vc-2"):
        assert cis.find_ci(runtime, CIRef("VCenter", name)) is not None


def test_one_failing_vcenter_does_not_stop_the_others(
    sync_runtime, vcsim_factory, make_vcenter, tmp_path
):
    broken = make_vcenter(vcsim_factory(), "vc-broken", password_file=tmp_path / "x")
    working = make_vcenter(vcsim_factory(), "vc-working")
    settings = sync_runtime.settings.model_copy(update={"vcenters": [broken, working]})
    runtime = type(sync_runtime)(settings, sync_runtime.catalogue, sync_runtime.db)

    result = CliRunner().invoke(app, ["vsphere"], obj=runtime)

    assert result.exit_code == 1
    assert "vc-broken" in result.stderr
    assert cis.find_ci(runtime, CIRef("VCenter", "vc-working")) is not None
