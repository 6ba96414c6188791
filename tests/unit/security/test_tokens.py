"""API token rules, without a server."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.access import Permission, Role, permits
from app.domain.errors import CMDBError
from app.domain.tokens import (
    bearer_secret,
    hash_secret,
    new_token,
    parse_lifetime,
    refusal,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def make_token(**changes) -> dict:
    record = new_token("ci-bot", ["importer"], NOW, timedelta(days=1)).record
    return {**record, **changes}


def test_a_new_token_keeps_only_the_hash_of_its_secret():
    created = new_token("ci-bot", ["importer"], NOW, None)

    assert created.record["hash"] == hash_secret(created.secret)
    assert created.secret not in created.record.values()


@pytest.mark.parametrize(
    ("text", "lifetime"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_lifetimes_are_parsed(text, lifetime):
    assert parse_lifetime(text) == lifetime


@pytest.mark.parametrize("text", ["", "0d", "30", "d30", "1y", "-1d"])
def test_bad_lifetimes_are_refused(text):
    with pytest.raises(CMDBError):
        parse_lifetime(text)


def test_unknown_roles_are_refused():
    with pytest.raises(CMDBError, match="unknown role"):
        new_token("x", ["root"], NOW, None)


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (None, "unknown"),
        (make_token(revoked_at=NOW), "revoked"),
        (make_token(expires_at=NOW), "expired"),
    ],
)
def test_unusable_tokens_are_refused_with_a_reason(token, reason):
    assert reason in refusal(token, NOW)


def test_a_good_token_is_accepted():
    assert refusal(make_token(), NOW) is None


@pytest.mark.parametrize(
    ("header", "secret"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Bearer", None),
        ("Basic abc", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_headers_are_read(header, secret):
    assert bearer_secret(header) == secret


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        (Role.VIEWER, Permission.READ, True),
        (Role.VIEWER, Permission.WRITE_CIS, False),
        (Role.SUPPORT, Permission.MANAGE_INCIDENTS, True),
        (Role.SUPPORT, Permission.WRITE_CIS, False),
        (Role.CHANGE_MANAGER, Permission.APPROVE_CHANGES, True),
        (Role.ENGINEER, Permission.APPROVE_CHANGES, False),
        (Role.IMPORTER, Permission.IMPORT, True),
        (Role.IMPORTER, Permission.MANAGE_TOKENS, False),
        (Role.ADMIN, Permission.MANAGE_TOKENS, True),
        (Role.ADMIN, Permission.EXPORT, True),
    ],
)
def test_roles_grant_what_their_names_suggest(role, permission, allowed):
    assert permits([role], permission) is allowed
