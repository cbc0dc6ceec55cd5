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


class ConcurrentChange(ConflictError):  # noqa: N818 (reads as the outcome)
    """A compare-and-set found the row in another state than the one the change was
    decided on: someone else changed it in the meantime. Nothing was written; read it
    again and decide again."""

    def __init__(
        self, entity: str, entity_id: object, expected: object, found: object, field: str = "status"
    ) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.expected = expected
        self.found = found
        seen = "it no longer exists" if found is None else f"found {found!r}"
        seen_lo = "ບໍ່ມີແລ້ວ" if found is None else f"ພົບ {found!r}"
        super().__init__(
            field,
            str(found),
            f"{entity} {entity_id} was changed by someone else meanwhile: expected "
            f"{expected!r}, {seen}; nothing was written, read it again and retry "
            f"(ມີຜູ້ອື່ນປ່ຽນແປງ {entity} {entity_id} ໃນລະຫວ່າງນີ້: ຄາດວ່າ {expected!r}, "
            f"{seen_lo}; ບໍ່ໄດ້ບັນທຶກຫຍັງ, ກະລຸນາອ່ານຄືນແລ້ວລອງໃໝ່)",
        )


class RegisteredMeanwhile(ConflictError):  # noqa: N818 (reads as the outcome)
    """Another request registered the household (or one of its members) between this
    one's check and its insert: nothing of this one was written."""

    def __init__(self, household_id: str, *, member: bool = False) -> None:
        what, what_lo = (
            (
                f"a member of household {household_id} was registered in another household",
                f"ສະມາຊິກຂອງຄົວເຮືອນ {household_id} ຖືກລົງທະບຽນໃນຄົວເຮືອນອື່ນ",
            )
            if member
            else (f"household {household_id} was registered", f"ຄົວເຮືອນ {household_id} ຖືກລົງທະບຽນ")
        )
        super().__init__(
            "household_id",
            household_id,
            f"{what} by someone else meanwhile; nothing was written, read it again and "
            f"retry ({what_lo}ໂດຍຜູ້ອື່ນໃນລະຫວ່າງນີ້; ບໍ່ໄດ້ບັນທຶກຫຍັງ, ກະລຸນາອ່ານຄືນແລ້ວລອງໃໝ່)",
        )


class ImportedMeanwhile(RegistryError):  # noqa: N818 (reads as the outcome)
    """Another import (or request) wrote some of the same records between this import's
    comparison and its writes: nothing of this import was written."""

    def __init__(self) -> None:
        super().__init__(
            "some of these records were changed by another import meanwhile; nothing was "
            "written, run it again: the import is idempotent (ມີການນຳເຂົ້າອື່ນປ່ຽນແປງບາງລາຍການ"
            "ໃນລະຫວ່າງນີ້; ບໍ່ໄດ້ບັນທຶກຫຍັງ, ກະລຸນານຳເຂົ້າຄືນໃໝ່: ການນຳເຂົ້າຊ້ຳບໍ່ປ່ຽນຫຍັງ)"
        )
