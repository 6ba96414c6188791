"""Validate CI and relationship input against the catalogue.

Every function returns the normalised value and the list of problems found,
each naming the field, so a caller can report all of them at once.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from app.catalogue import (
    GROUP_PROPERTY,
    Catalogue,
    Dependent,
    MinUp,
    PropertyKind,
    PropertySpec,
)
from app.domain.errors import ErrorCode, Problem

STATUSES = ("planned", "active", "maintenance", "retired")
CRITICALITIES = ("low", "medium", "high", "critical")
MAX_KEY_LENGTH = 512
MAX_TEXT_LENGTH = 65_536
CI_FIELDS = frozenset(
    {"type", "key", "name", "status", "criticality", "attributes", "redundancy"}
)


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def validate_ci(
    catalogue: Catalogue, data: Mapping[str, Any], where: str = ""
) -> tuple[dict[str, Any], list[Problem]]:
    """Check a whole CI description and return it normalised.

    >>> from pathlib import Path
    >>> from app.catalogue import load_catalogue
    >>> catalogue = load_catalogue(Path("schema"))
    >>> ci, problems = validate_ci(catalogue, {"type": "Rack", "key": "R1"})
    >>> ci["name"], ci["status"], problems
    ('R1', 'active', [])
    """
    problems = [
        Problem(_join(where, name), ErrorCode.UNKNOWN_PROPERTY, "unknown field")
        for name in sorted(set(data) - CI_FIELDS)
    ]
    type_name = data.get("type")
    if not isinstance(type_name, str) or catalogue.ci_type(type_name) is None:
        problems.append(_unknown_type(catalogue, _join(where, "type"), type_name))
        return {}, problems

    key = _check_text(data.get("key"), _join(where, "key"), MAX_KEY_LENGTH, problems)
    name = data.get("name") or key
    ci = {
        "type": type_name,
        "key": key,
        "name": _check_text(name, _join(where, "name"), MAX_TEXT_LENGTH, problems),
        "status": _check_choice(
            data.get("status", "active"), STATUSES, _join(where, "status"), problems
        ),
        "criticality": _check_choice(
            data.get("criticality", "medium"),
            CRITICALITIES,
            _join(where, "criticality"),
            problems,
        ),
    }
    attributes, found = validate_attributes(
        catalogue, type_name, data.get("attributes") or {}, _join(where, "attributes")
    )
    redundancy, more = validate_redundancy(
        catalogue, type_name, data.get("redundancy") or [], _join(where, "redundancy")
    )
    problems += found + more
    return {**ci, "attributes": attributes, "redundancy": redundancy}, problems


def validate_attributes(
    catalogue: Catalogue,
    type_name: str,
    attributes: Mapping[str, Any],
    where: str = "attributes",
    *,
    partial: bool = False,
) -> tuple[dict[str, Any], list[Problem]]:
    """Check attributes against a CI type; ``partial`` skips required checks.

    A value of None means "remove the attribute" and is kept as None.
    """
    specs = catalogue.types[type_name].properties
    return _validate_properties(specs, attributes, where, partial, type_name)


def validate_relationship(
    catalogue: Catalogue,
    rel_type: str,
    source_type: str,
    target_type: str,
    properties: Mapping[str, Any] | None,
    where: str = "",
) -> tuple[dict[str, Any], list[Problem]]:
    """Check a relationship's type, endpoint types and properties."""
    rel = catalogue.relationship(rel_type) if isinstance(rel_type, str) else None
    if rel is None:
        known = ", ".join(sorted(catalogue.relationships))
        return {}, [
            Problem(
                _join(where, "type"),
                ErrorCode.UNKNOWN_RELATIONSHIP_TYPE,
                f"unknown relationship type {rel_type!r}; known types: {known}",
            )
        ]
    if not catalogue.allows(rel_type, source_type, target_type):
        allowed = ", ".join(f"{e.source}->{e.target}" for e in rel.endpoints)
        return {}, [
            Problem(
                _join(where, "type"),
                ErrorCode.ENDPOINTS_NOT_ALLOWED,
                f"{rel_type} may not join {source_type} to {target_type}; "
                f"allowed: {allowed}",
            )
        ]
    specs = catalogue.relationship_properties(rel_type)
    where = _join(where, "properties")
    return _validate_properties(specs, properties or {}, where, False, rel_type)


def validate_redundancy(
    catalogue: Catalogue, type_name: str, entries: Any, where: str = "redundancy"
) -> tuple[list[str], list[Problem]]:
    """Check ``GROUP=MIN_UP`` policies and return them in canonical form."""
    if not isinstance(entries, list | tuple):
        return [], [_invalid(where, "must be a list of GROUP=MIN_UP strings")]
    problems: list[Problem] = []
    policies: dict[str, str] = {}
    for index, entry in enumerate(entries):
        field = f"{where}[{index}]"
        group, separator, min_up = str(entry).partition("=")
        rel_type = group.partition(":")[0]
        rel = catalogue.relationship(rel_type)
        if not separator or rel is None:
            problems.append(
                _invalid(field, f"{entry!r} is not GROUP=MIN_UP with a known type")
            )
        elif not rel.redundancy.allowed or not _may_depend(rel, type_name):
            problems.append(
                _invalid(field, f"{type_name} has no redundant {rel_type} group")
            )
        else:
            try:
                policies[group] = str(MinUp.parse(min_up))
            except ValueError as error:
                problems.append(_invalid(field, str(error)))
    return [f"{group}={value}" for group, value in sorted(policies.items())], problems


def _may_depend(rel: Any, type_name: str) -> bool:
    """Tell whether a CI of this type can be the dependent end of ``rel``."""
    if rel.dependent is Dependent.SOURCE:
        return any(end.source in ("*", type_name) for end in rel.endpoints)
    if rel.dependent is Dependent.TARGET:
        return any(end.target in ("*", type_name) for end in rel.endpoints)
    return False


def _validate_properties(
    specs: Mapping[str, PropertySpec],
    values: Mapping[str, Any],
    where: str,
    partial: bool,
    owner: str,
) -> tuple[dict[str, Any], list[Problem]]:
    if not isinstance(values, Mapping):
        return {}, [_invalid(where, "must be a mapping of property names to values")]
    problems: list[Problem] = []
    clean: dict[str, Any] = {}
    for name, value in values.items():
        field = _join(where, str(name))
        spec = specs.get(name)
        if spec is None:
            known = ", ".join(sorted(specs)) or "none"
            problems.append(
                Problem(
                    field,
                    ErrorCode.UNKNOWN_PROPERTY,
                    f"{owner} has no property {name!r}; known: {known}",
                )
            )
        elif value is None:
            if spec.required:
                problems.append(_missing(field, owner))
            clean[name] = None
        else:
            clean[name] = coerce_value(spec, value, field, problems)
    if not partial:
        for name, spec in specs.items():
            if spec.required and values.get(name) is None:
                problems.append(_missing(_join(where, name), owner))
    return clean, problems


def coerce_value(spec: PropertySpec, value: Any, field: str, problems: list) -> Any:
    """Return ``value`` as the property's type, or record why it is not."""
    kind = spec.type
    if kind is PropertyKind.STRING:
        return _check_text(value, field, MAX_TEXT_LENGTH, problems)
    if kind is PropertyKind.ENUM:
        return _check_choice(value, spec.values, field, problems)
    if kind is PropertyKind.BOOLEAN:
        if not isinstance(value, bool):
            problems.append(_invalid(field, f"expected true or false, got {value!r}"))
        return value
    if kind in (PropertyKind.INTEGER, PropertyKind.FLOAT):
        return _check_number(spec, value, field, problems)
    if kind is PropertyKind.DATETIME:
        return _check_datetime(value, field, problems)
    return _check_list(value, field, problems)


def _check_number(spec: PropertySpec, value: Any, field: str, problems: list) -> Any:
    integer = spec.type is PropertyKind.INTEGER
    wanted = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, wanted):
        word = "an integer" if integer else "a number"
        problems.append(_invalid(field, f"expected {word}, got {value!r}"))
        return value
    if spec.minimum is not None and value < spec.minimum:
        problems.append(_invalid(field, f"{value} is below the minimum {spec.minimum}"))
    if spec.maximum is not None and value > spec.maximum:
        problems.append(_invalid(field, f"{value} is above the maximum {spec.maximum}"))
    return value if integer else float(value)


def _check_datetime(value: Any, field: str, problems: list) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            problems.append(_invalid(field, f"{value!r} is not an ISO 8601 time"))
            return value
    if not isinstance(value, datetime):
        problems.append(_invalid(field, f"expected a date and time, got {value!r}"))
        return value
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _check_list(value: Any, field: str, problems: list) -> Any:
    if not isinstance(value, list | tuple) or not all(
        isinstance(item, str) for item in value
    ):
        problems.append(_invalid(field, "expected a list of strings"))
        return value
    return list(value)


def _check_text(value: Any, field: str, limit: int, problems: list) -> Any:
    if not isinstance(value, str) or not value.strip():
        problems.append(
            Problem(field, ErrorCode.MISSING_PROPERTY, "a non-empty string is required")
            if value in (None, "")
            else _invalid(field, f"expected a non-empty string, got {value!r}")
        )
    elif len(value) > limit:
        problems.append(_invalid(field, f"longer than {limit} characters"))
    return value


def _check_choice(value: Any, choices: tuple, field: str, problems: list) -> Any:
    if value not in choices:
        problems.append(
            _invalid(field, f"{value!r} is not one of {', '.join(choices)}")
        )
    return value


def _unknown_type(catalogue: Catalogue, field: str, value: Any) -> Problem:
    known = ", ".join(sorted(catalogue.types))
    return Problem(
        field, ErrorCode.UNKNOWN_TYPE, f"unknown CI type {value!r}; known: {known}"
    )


def _invalid(field: str, message: str) -> Problem:
    return Problem(field, ErrorCode.INVALID_VALUE, message)


def _missing(field: str, owner: str) -> Problem:
    return Problem(field, ErrorCode.MISSING_PROPERTY, f"{owner} requires this property")


__all__ = [
    "CRITICALITIES",
    "GROUP_PROPERTY",
    "STATUSES",
    "coerce_value",
    "validate_attributes",
    "validate_ci",
    "validate_redundancy",
    "validate_relationship",
]
