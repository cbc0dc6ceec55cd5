"""Errors of the registry service.

A rejected input carries every problem found, each naming the field (as a path such as
``members[2].pregnancy_month``), the value given and the reason in plain words, so that
the CLI, the API and the importers can report them without re-deriving anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    value: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "reason": self.reason}


class RegistryError(Exception):
    """Base of the errors the registry service raises on purpose."""


class ValidationFailed(RegistryError):  # noqa: N818 (the name the project uses)
    """The input breaks one or more rules of ``shared/spec/registry.md``; nothing was
    written."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


class NotFoundError(RegistryError):
    """No household or person has the identifier asked for."""

    def __init__(self, entity: str, entity_id: str) -> None:
        self.entity = entity
        self.entity_id = entity_id
        super().__init__(f"no {entity} with id {entity_id!r}")


class ConflictError(RegistryError):
    """The identifier exists already with different data (and no update was asked)."""

    def __init__(self, field: str, value: str, reason: str) -> None:
        self.error = FieldError(field, value, reason)
        super().__init__(str(self.error))
