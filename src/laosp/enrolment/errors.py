"""Errors of the enrolment service (besides the registry's ``ValidationFailed``,
``NotFoundError`` and ``ConflictError``, which it raises too)."""

from __future__ import annotations

from laosp.registry.errors import RegistryError


class NotEligible(RegistryError):  # noqa: N818 (reads as the outcome)
    """The rules engine finds the unit not eligible for the scheme at the date."""

    def __init__(self, scheme: str, unit_id: str, explanation: str) -> None:
        self.scheme = scheme
        self.unit_id = unit_id
        self.explanation = explanation
        super().__init__(f"{unit_id} is not eligible for {scheme}:\n{explanation}")
