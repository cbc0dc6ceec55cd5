"""Enrolment imports under maker–checker: one user prepares, another approves.

``prepare`` checks the file as the importer does, without writing, and only the rows of
units in the maker's area are accepted (the others are refused with their row number);
when something would change, it submits a change request (``access.approvals``) with
the file as attachment and the options in the payload. The request names the district
when every accepted row is in one district; otherwise it names none and only a checker
with national reach may decide it. ``apply`` runs the importer on the attached file in
the checker's transaction (with the decision): the importer is all-or-nothing per
transaction and idempotent, and a request is approved once only.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from laosp.access import approvals
from laosp.access.permissions import Action, reach, require
from laosp.access.roles import Area, Principal
from laosp.enrolment.importer import EnrolmentImportReport, import_enrolments
from laosp.models import ChangeRequest
from laosp.registry.import_limits import ImportLimits, UnreadableFile
from laosp.rules.pack import Pack

KIND = "enrolment_import"
#: Refused rows named in the result of an approval (the whole report: prepare again
#: with ``--report``).
SHOWN_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class Prepared:
    report: EnrolmentImportReport
    #: ``None`` when nothing was submitted (nothing would change, or refused rows with
    #: all-or-nothing).
    request: approvals.RequestRead | None


def _area_payload(area: Area) -> dict[str, Any]:
    return {
        "everywhere": area.everywhere,
        "province_code": area.province_code,
        "district_code": area.district_code,
    }


def prepare(
    session: Session,
    pack: Pack,
    maker: Principal,
    path: Path,
    *,
    all_or_nothing: bool = False,
    check_eligibility: bool = False,
    limits: ImportLimits | None = None,
    today: dt.date | None = None,
) -> Prepared:
    """Check ``path`` as ``maker`` and submit it for approval when it would change
    something. ``UnreadableFile`` for a file that cannot be read."""
    require(maker, Action.import_enrolments)
    area = reach(maker, Action.import_enrolments)
    report = import_enrolments(
        session, pack, path, all_or_nothing=all_or_nothing,
        check_eligibility=check_eligibility, actor=maker.username, today=today,
        limits=limits, area=area, write=False,
    )  # fmt: skip
    counts = report.counts.get("enrolments")
    changes = counts is not None and bool(counts.imported or counts.updated)
    if (all_or_nothing and report.refused) or not changes:
        return Prepared(report, None)
    district = report.districts[0] if len(report.districts) == 1 else None
    payload = {
        "file": path.name,
        "all_or_nothing": all_or_nothing,
        "check_eligibility": check_eligibility,
        "area": _area_payload(area),
        "imported": counts.imported if counts else 0,
        "updated": counts.updated if counts else 0,
    }
    summary = (
        f"import enrolments from {path.name}: {payload['imported']} new, "
        f"{payload['updated']} status changes ({district or 'several districts'})"
    )
    request = approvals.submit(
        session, maker, KIND, summary=summary, payload=payload, district_code=district,
        attachment=path.read_bytes(),
    )  # fmt: skip
    return Prepared(report, request)


def apply(
    session: Session,
    pack: Pack,
    request: ChangeRequest,
    checker: Principal,
    *,
    limits: ImportLimits | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Import the attached file of an approved request (rows within the maker's area
    only); the counts are the result."""
    payload = request.payload
    area = Area(**payload["area"])
    name = Path(str(payload["file"])).name or "enrolments.csv"
    with tempfile.TemporaryDirectory(prefix="laosp-import-") as folder:
        path = Path(folder) / name
        path.write_bytes(request.attachment or b"")
        try:
            report = import_enrolments(
                session, pack, path, all_or_nothing=bool(payload["all_or_nothing"]),
                check_eligibility=bool(payload["check_eligibility"]), actor=checker.username,
                today=today, limits=limits, area=area,
                approval={"request": request.id, "prepared_by": request.made_by,
                          "approved_by": checker.username},
            )  # fmt: skip
        except UnreadableFile as error:
            raise approvals.RequestError(str(error)) from None
    if not report.written:
        raise approvals.RequestError(
            f"the import of request {request.id} now refuses rows and is all-or-nothing: "
            "nothing was written; reject it and prepare it again / "
            "ການນຳເຂົ້າມີແຖວຖືກປະຕິເສດ: ບໍ່ໄດ້ບັນທຶກຫຍັງ"
        )
    counts = report.counts.get("enrolments")
    refused = report.problems.filter(report.problems["kind"] != "note").head(SHOWN_PROBLEMS)
    return {
        "file": name,
        "imported": counts.imported if counts else 0,
        "updated": counts.updated if counts else 0,
        "unchanged": counts.unchanged if counts else 0,
        "rejected": counts.rejected if counts else 0,
        "conflicts": counts.conflicts if counts else 0,
        "problems": [
            f"row {p['row']}: {p['field']}: {p['reason']}" for p in refused.iter_rows(named=True)
        ],
    }
