"""A deterministic generator of a realistic provider estate, as a load document."""

from app.demo.generator import (
    DOCUMENT_VERSION,
    Item,
    generate_estate,
    iter_estate,
    summary,
)

__all__ = [
    "DOCUMENT_VERSION",
    "Item",
    "generate_estate",
    "iter_estate",
    "summary",
]
