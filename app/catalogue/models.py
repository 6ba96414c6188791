"""The CI catalogue as typed, validated objects."""

import math
import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ANY_TYPE = "*"
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
RELATIONSHIP_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
MIN_UP = re.compile(r"^(?P<number>\d+)(?P<percent>%?)$")


class PropertyKind(StrEnum):
    """The value types a property may have."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    ENUM = "enum"
    LIST = "list"


class Dependent(StrEnum):
    """Which end of a relationship suffers when the other end fails."""

    SOURCE = "source"
    TARGET = "target"
    NONE = "none"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PropertySpec(_Strict):
    """One attribute a CI type declares."""

    type: PropertyKind
    description: str
    required: bool = False
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    indexed: bool = False

    @model_validator(mode="after")
    def _enum_has_values(self) -> "PropertySpec":
        if self.type is PropertyKind.ENUM and not self.values:
            raise ValueError("an enum property needs a non-empty 'values' list")
        if self.type is not PropertyKind.ENUM and self.values:
            raise ValueError("'values' is only allowed on an enum property")
        return self


class CIType(_Strict):
    """A configuration item type: its key, area and attributes."""

    name: str = ""
    area: str
    description: str
    key: str
    properties: dict[str, PropertySpec] = Field(default_factory=dict)

    @field_validator("properties")
    @classmethod
    def _property_names(cls, value: dict[str, PropertySpec]) -> dict:
        for name in value:
            if not IDENTIFIER.match(name):
                raise ValueError(f"property name {name!r} is not an identifier")
        return value


class Endpoint(_Strict):
    """A pair of CI types a relationship type may join."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: str = Field(alias="from")
    target: str = Field(alias="to")


class MinUp(_Strict):
    """How many members of a redundant group must stay up."""

    count: int
    percent: bool = False

    @classmethod
    def parse(cls, text: str | int) -> "MinUp":
        """Parse ``"2"``, ``2`` or ``"50%"``.

        >>> MinUp.parse("50%").required(3)
        2
        """
        match = MIN_UP.match(str(text).strip())
        if not match:
            raise ValueError(f"min_up {text!r} is not a count or a percentage")
        number, percent = int(match["number"]), bool(match["percent"])
        if percent and not 0 < number <= 100:
            raise ValueError(f"min_up {text!r} must be a percentage from 1 to 100")
        return cls(count=number, percent=percent)

    def required(self, members: int) -> int:
        """Return the members that must be up, a percentage rounded up."""
        if self.percent:
            return math.ceil(members * self.count / 100)
        return self.count

    def __str__(self) -> str:
        return f"{self.count}{'%' if self.percent else ''}"


class Redundancy(_Strict):
    """Whether a relationship type's groups may be redundant, and the default."""

    allowed: bool = False
    default_min_up: str | None = None

    @model_validator(mode="after")
    def _default_needs_allowed(self) -> "Redundancy":
        if self.default_min_up is not None:
            if not self.allowed:
                raise ValueError("default_min_up needs allowed: true")
            MinUp.parse(self.default_min_up)
        return self


class RelationshipType(_Strict):
    """A relationship type: endpoints and how failure travels along it."""

    name: str = ""
    description: str
    endpoints: tuple[Endpoint, ...]
    dependent: Dependent
    redundancy: Redundancy = Redundancy()
    planned: Literal["down", "survives"] = "down"
    failure: Literal["down", "restarts"] = "down"
    properties: dict[str, PropertySpec] = Field(default_factory=dict)

    def allows(self, source_type: str, target_type: str) -> bool:
        """Tell whether the type may join these two CI types."""
        return any(
            end.source in (ANY_TYPE, source_type)
            and end.target in (ANY_TYPE, target_type)
            for end in self.endpoints
        )

    @property
    def impacts(self) -> bool:
        """Whether failure travels along this type at all."""
        return self.dependent is not Dependent.NONE

    @property
    def survives_planned(self) -> bool:
        """Whether the dependent rides out planned loss of its target."""
        return self.planned == "survives"

    @property
    def restarts_on_failure(self) -> bool:
        """Whether the dependent restarts elsewhere after a failure."""
        return self.failure == "restarts"
