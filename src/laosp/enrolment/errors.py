"""Errors of the enrolment service (besides the registry's ``ValidationFailed``,
``NotFoundError`` and ``ConflictError``, which it raises too)."""

from __future__ import annotations

from laosp.registry.errors import ConcurrentChange, ConflictError, RegistryError

#: overtaken enrolments named in the message; the count says how many there are
SHOWN_CHANGES = 20


class NotEligible(RegistryError):  # noqa: N818 (reads as the outcome)
    """The rules engine finds the unit not eligible for the scheme at the date."""

    def __init__(self, scheme: str, unit_id: str, explanation: str) -> None:
        self.scheme = scheme
        self.unit_id = unit_id
        self.explanation = explanation
        super().__init__(f"{unit_id} is not eligible for {scheme}:\n{explanation}")


class ChangedDuringImport(ConflictError):  # noqa: N818 (reads as the outcome)
    """Enrolments the import was about to change were changed by someone else after the
    import read them: the import is refused as a whole, so that running it again
    decides on what is registered now."""

    def __init__(self, changes: list[ConcurrentChange], unnamed: int = 0) -> None:
        self.changes = list(changes)
        count = len(self.changes) + unnamed
        lines = [
            f"{count} enrolments were changed by someone else while the file was imported; "
            "nothing was written, import the file again (ມີຜູ້ອື່ນປ່ຽນແປງການລົງທະບຽນ "
            f"{count} ລາຍການ ໃນລະຫວ່າງການນຳເຂົ້າ; ບໍ່ໄດ້ບັນທຶກຫຍັງ, ກະລຸນານຳເຂົ້າຄືນໃໝ່)"
        ]
        lines += [f"  {change.error.reason}" for change in self.changes[:SHOWN_CHANGES]]
        if len(self.changes) > SHOWN_CHANGES:
            lines.append(f"  ... {len(self.changes) - SHOWN_CHANGES} more")
        super().__init__("enrolments", str(count), "\n".join(lines))


class EnrolledDuringImport(ConflictError):  # noqa: N818 (reads as the outcome)
    """Someone else (another import of the file, an officer's ``enrol``) registered
    enrolments of the file's units after the import read them: the import is refused as
    a whole; run again, it is idempotent and decides on what is registered then."""

    def __init__(self, units: list[str]) -> None:
        self.units = list(units)
        lines = [
            "enrolments of this file were registered by someone else (another import?) "
            "while it was imported; nothing was written: run the import again, it is "
            "idempotent (ມີຜູ້ອື່ນລົງທະບຽນລາຍການຂອງໄຟລ໌ນີ້ ໃນລະຫວ່າງການນຳເຂົ້າ; "
            "ບໍ່ໄດ້ບັນທຶກຫຍັງ, ກະລຸນານຳເຂົ້າຄືນໃໝ່)"
        ]
        lines += [f"  {unit}: two open enrolments" for unit in self.units[:SHOWN_CHANGES]]
        if len(self.units) > SHOWN_CHANGES:
            lines.append(f"  ... {len(self.units) - SHOWN_CHANGES} more")
        super().__init__("enrolments", str(len(self.units)), "\n".join(lines))
