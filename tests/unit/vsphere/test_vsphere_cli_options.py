"""Which vCenters ``cmdb import vsphere`` syncs, and how often."""

from pathlib import Path

import pytest

from app.settings import Settings, VCenterSettings
from importers.vsphere.cli import parse_interval, resolve_vcenters


def make_settings(*ids: str) -> Settings:
    """Settings with a configured vCenter per identifier."""
    vcenters = [
        VCenterSettings(
            id=vcenter_id,
            url=f"https://{vcenter_id}.example/sdk",
            user="svc-cmdb",
            password_file=Path(f"/etc/cmdb/{vcenter_id}"),
        )
        for vcenter_id in ids
    ]
    return Settings(vcenters=vcenters)


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900.0), ("90s", 90.0), ("1h", 3600.0), ("30", 30.0)]
)
def test_intervals_take_a_unit(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0m", "soon", "15 minutes", "-5m"])
def test_bad_intervals_are_refused(text):
    with pytest.raises(ValueError, match="not an interval"):
        parse_interval(text)


def test_without_an_identifier_every_configured_vcenter_is_synced():
    vcenters = resolve_vcenters(make_settings("vc-a", "vc-b"), None, None, None, None)

    assert [vcenter.id for vcenter in vcenters] == ["vc-a", "vc-b"]


def test_nothing_configured_and_nothing_given_is_an_error():
    with pytest.raises(ValueError, match="no vCenter is configured"):
        resolve_vcenters(make_settings(), None, None, None, None)


def test_a_configured_vcenter_takes_options_on_top():
    (vcenter,) = resolve_vcenters(
        make_settings("vc-a"), "vc-a", None, "other-user", None, insecure=True
    )

    assert (vcenter.url, vcenter.user, vcenter.insecure) == (
        "https://vc-a.example/sdk",
        "other-user",
        True,
    )


def test_an_unconfigured_vcenter_needs_url_user_and_password_file():
    with pytest.raises(ValueError, match="give --user, --password-file"):
        resolve_vcenters(make_settings(), "vc-x", "https://vc-x/sdk", None, None)


def test_an_unconfigured_vcenter_is_built_from_the_options():
    (vcenter,) = resolve_vcenters(
        make_settings(), "vc-x", "https://vc-x/sdk", "u", Path("/run/pw")
    )

    assert (vcenter.id, vcenter.insecure) == ("vc-x", False)


def test_identifiers_are_checked():
    with pytest.raises(ValueError, match="--id"):
        resolve_vcenters(make_settings(), "bad id!", "https://x/sdk", "u", Path("/p"))


def test_url_without_identifier_is_an_error():
    with pytest.raises(ValueError, match="need --vcenter-id"):
        resolve_vcenters(make_settings("vc-a"), None, "https://x/sdk", None, None)
