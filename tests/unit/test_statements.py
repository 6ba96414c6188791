"""The statement store: every statement parameterised, slots allow-listed."""

import re
from pathlib import Path

import pytest

from app.db.statements import StatementStore, UnknownStatementError

QUERIES = Path(__file__).resolve().parents[2] / "queries"


@pytest.fixture
def store() -> StatementStore:
    return StatementStore(QUERIES)


def test_slots_take_only_allowed_names(store):
    text = store.render("schema_type_key_unique", frozenset({"Host"}), label="Host")

    assert "FOR (n:`Host`)" in text
    with pytest.raises(ValueError, match="not in the catalogue"):
        store.render("schema_type_key_unique", frozenset({"Host"}), label="Evil`) //")


def test_statement_with_slots_cannot_be_used_unfilled(store):
    with pytest.raises(ValueError, match="has slots"):
        store.get("schema_type_key_unique")


def test_unknown_statement_is_an_error(store):
    with pytest.raises(UnknownStatementError):
        store.get("no_such_statement")


def test_no_statement_pastes_values_into_its_text(store):
    quoted_literal = re.compile(r"'[^']*'")
    allowed_literals = {"'catalogue'", "'graph'", "'both'", "'out'"}
    for name in store.names():
        text = (QUERIES / f"{name}.cypher").read_text()
        code = "\n".join(
            line for line in text.splitlines() if not line.startswith("//")
        )
        assert set(quoted_literal.findall(code)) <= allowed_literals, name
