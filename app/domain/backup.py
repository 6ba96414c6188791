"""The backup document: every node and relationship, typed and in a fixed order.

Pure. Property values that JSON cannot carry exactly are tagged, such as
``{"$type": "datetime", "value": "2026-01-02T03:04:05+00:00"}``; Neo4j
properties are never maps, so a mapping in a document is always a tag.
Nodes are referred to by their position in the document, so the document
needs to know nothing about the record kinds it holds.
"""

import base64
import json
import math
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from app.domain.errors import CMDBError, ErrorCode, Problem

FORMAT = "cmdb-graph-backup"
FORMAT_VERSION = 1
# Labels of nodes a backup leaves out: the service derives them again itself
# (``cmdb schema apply``) or they describe this graph's own past writes (the
# graph revision log, which a restore starts anew by recording the whole graph
# as changed).
DERIVED_LABELS = ("CatalogueVersion", "GraphRevisionHead", "GraphRevision")
MAX_PROBLEMS = 20
TAG = "$type"


@dataclass(frozen=True)
class GraphContent:
    """Nodes (labels, properties) and relationships by node position."""

    nodes: list[tuple[list[str], dict[str, Any]]]
    relationships: list[tuple[int, str, int, dict[str, Any]]]


def encode_value(value: Any) -> Any:
    """Turn a property value into JSON, tagging what JSON cannot carry.

    >>> encode_value(date(2026, 1, 2))
    {'$type': 'date', 'value': '2026-01-02'}
    """
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _tag("float", repr(value))
    if isinstance(value, datetime):
        kind = "localdatetime" if value.tzinfo is None else "datetime"
        return _tag(kind, value.isoformat())
    if isinstance(value, date):
        return _tag("date", value.isoformat())
    if isinstance(value, time):
        return _tag("localtime" if value.tzinfo is None else "time", value.isoformat())
    if isinstance(value, bytes | bytearray):
        return _tag("bytes", base64.b64encode(value).decode())
    if isinstance(value, list | tuple):
        return [encode_value(item) for item in value]
    raise ValueError(f"cannot back up a property of type {type(value).__name__}")


def decode_value(value: Any) -> Any:
    """Turn an encoded property value back into its Python value."""
    if isinstance(value, list):
        return [decode_value(item) for item in value]
    if not isinstance(value, dict):
        if value is None:
            raise ValueError("a property value cannot be null")
        return value
    kind, text = value.get(TAG), value.get("value")
    if set(value) != {TAG, "value"} or not isinstance(text, str):
        raise ValueError(f"not a tagged value: {value!r}")
    decoders = {
        "float": float,
        "datetime": _aware(datetime.fromisoformat),
        "localdatetime": _naive(datetime.fromisoformat),
        "date": date.fromisoformat,
        "time": _aware(time.fromisoformat),
        "localtime": _naive(time.fromisoformat),
        "bytes": lambda text: base64.b64decode(text, validate=True),
    }
    if kind not in decoders:
        raise ValueError(f"unknown value type {kind!r}")
    return decoders[kind](text)


def build_document(
    catalogue_version: int,
    nodes: dict[str, tuple[list[str], dict[str, Any]]],
    relationships: list[tuple[str, str, str, dict[str, Any]]],
) -> dict[str, Any]:
    """Order and encode a graph read as ``{element id: (labels, properties)}``."""
    encoded = {
        element: (sorted(labels), _encode_properties(properties))
        for element, (labels, properties) in nodes.items()
    }
    order = sorted(encoded, key=lambda element: _canonical(encoded[element]))
    position = {element: index for index, element in enumerate(order)}
    edges = _sorted_edges(relationships, position)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "catalogue_version": catalogue_version,
        "nodes": [
            {"labels": encoded[element][0], "properties": encoded[element][1]}
            for element in order
        ],
        "relationships": [
            {"from": source, "type": rel_type, "to": target, "properties": props}
            for source, rel_type, target, props in edges
        ],
    }


def render_document(document: dict[str, Any]) -> str:
    """Write a document as JSON, one node or relationship a line, byte-stable."""
    head = {k: v for k, v in document.items() if k not in ("nodes", "relationships")}
    lines = ["{"]
    for key, value in sorted(head.items()):
        lines.append(f"{_dumps(key)}:{_dumps(value)},")
    for section in ("nodes", "relationships"):
        items = document[section]
        lines.append(f"{_dumps(section)}:[")
        lines += [
            _dumps(item) + ("," if i < len(items) - 1 else "")
            for i, item in enumerate(items)
        ]
        lines.append("]," if section == "nodes" else "]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def parse_document(
    data: Any, allowed_labels: frozenset[str], allowed_types: frozenset[str]
) -> GraphContent:
    """Check a whole document and decode it; every problem rejects it."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _invalid("", f"not a {FORMAT} document")
    if data.get("version") != FORMAT_VERSION:
        raise _invalid("version", f"version {data.get('version')!r} is not supported")
    problems: list[Problem] = []
    nodes = [
        _parse_node(f"nodes[{i}]", node, allowed_labels, problems)
        for i, node in enumerate(_list(data, "nodes", problems))
    ]
    relationships = [
        _parse_relationship(
            f"relationships[{i}]", rel, len(nodes), allowed_types, problems
        )
        for i, rel in enumerate(_list(data, "relationships", problems))
    ]
    if problems:
        raise CMDBError(problems[:MAX_PROBLEMS])
    return GraphContent(nodes, relationships)


def _sorted_edges(
    relationships: list[tuple[str, str, str, dict[str, Any]]], position: dict[str, int]
) -> list[tuple[int, str, int, dict[str, Any]]]:
    edges = [
        (position[source], rel_type, position[target], _encode_properties(props))
        for source, rel_type, target, props in relationships
    ]
    return sorted(edges, key=lambda edge: (*edge[:3], _dumps(edge[3])))


def _parse_node(
    where: str, node: Any, allowed: frozenset[str], problems: list[Problem]
) -> tuple[list[str], dict[str, Any]]:
    if not isinstance(node, dict):
        problems.append(Problem(where, ErrorCode.INVALID_DOCUMENT, "not a mapping"))
        return [], {}
    labels = node.get("labels")
    if not isinstance(labels, list) or not labels:
        problems.append(
            Problem(
                f"{where}.labels", ErrorCode.INVALID_DOCUMENT, "give a list of labels"
            )
        )
        labels = []
    unknown = [label for label in labels if label not in allowed]
    if unknown:
        problems.append(
            Problem(
                f"{where}.labels",
                ErrorCode.UNKNOWN_TYPE,
                f"not in the catalogue: {unknown!r}",
            )
        )
    return list(labels), _decode_properties(
        f"{where}.properties", node.get("properties"), problems
    )


def _parse_relationship(
    where: str,
    rel: Any,
    node_count: int,
    allowed: frozenset[str],
    problems: list[Problem],
) -> tuple[int, str, int, dict[str, Any]]:
    if not isinstance(rel, dict):
        problems.append(Problem(where, ErrorCode.INVALID_DOCUMENT, "not a mapping"))
        return 0, "", 0, {}
    rel_type = rel.get("type")
    if rel_type not in allowed:
        problems.append(
            Problem(
                f"{where}.type",
                ErrorCode.UNKNOWN_RELATIONSHIP_TYPE,
                f"not in the catalogue: {rel_type!r}",
            )
        )
    ends = []
    for end in ("from", "to"):
        ref = rel.get(end)
        if (
            not isinstance(ref, int)
            or isinstance(ref, bool)
            or not 0 <= ref < node_count
        ):
            problems.append(
                Problem(
                    f"{where}.{end}", ErrorCode.INVALID_DOCUMENT, "not a node position"
                )
            )
            ref = 0
        ends.append(ref)
    properties = _decode_properties(
        f"{where}.properties", rel.get("properties"), problems
    )
    return ends[0], str(rel_type), ends[1], properties


def _decode_properties(
    where: str, properties: Any, problems: list[Problem]
) -> dict[str, Any]:
    if not isinstance(properties, dict):
        problems.append(Problem(where, ErrorCode.INVALID_DOCUMENT, "not a mapping"))
        return {}
    decoded = {}
    for name, value in properties.items():
        try:
            decoded[name] = decode_value(value)
        except (ValueError, TypeError) as error:
            problems.append(
                Problem(f"{where}.{name}", ErrorCode.INVALID_VALUE, str(error))
            )
    return decoded


def _list(data: dict[str, Any], section: str, problems: list[Problem]) -> list[Any]:
    value = data.get(section)
    if not isinstance(value, list):
        problems.append(Problem(section, ErrorCode.INVALID_DOCUMENT, "give a list"))
        return []
    return value


def _encode_properties(properties: dict[str, Any]) -> dict[str, Any]:
    return {name: encode_value(value) for name, value in sorted(properties.items())}


def _canonical(node: tuple[list[str], dict[str, Any]]) -> str:
    return _dumps(node)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _tag(kind: str, text: str) -> dict[str, str]:
    return {TAG: kind, "value": text}


def _aware(parse):
    def checked(text: str):
        value = parse(text)
        if value.tzinfo is None:
            raise ValueError(f"{text!r} has no time zone")
        return value

    return checked


def _naive(parse):
    def checked(text: str):
        value = parse(text)
        if value.tzinfo is not None:
            raise ValueError(f"{text!r} has a time zone")
        return value

    return checked


def _invalid(field: str, message: str) -> CMDBError:
    return CMDBError.single(field, ErrorCode.INVALID_DOCUMENT, message)
