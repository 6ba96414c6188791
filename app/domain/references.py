"""References to CIs by natural key, written ``Type:key``."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CIRef:
    """A CI named by its type and natural key."""

    type: str
    key: str

    @classmethod
    def parse(cls, text: str) -> "CIRef":
        """Parse ``Type:key``; the key may itself contain colons.

        >>> CIRef.parse("VirtualMachine:vc-ams1:vm-12")
        CIRef(type='VirtualMachine', key='vc-ams1:vm-12')
        """
        type_name, separator, key = text.partition(":")
        if not separator or not type_name or not key:
            raise ValueError(f"{text!r} is not a reference of the form Type:key")
        return cls(type_name, key)

    def __str__(self) -> str:
        return f"{self.type}:{self.key}"
