"""One entry point per brief and format, shared by the command line and the API."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from laosp.presentation.i18n import Lang
from laosp.reports.coverage import CoverageBrief
from laosp.reports.fonts import find_lao_font
from laosp.reports.labels import words
from laosp.reports.projection import ProjectionBrief

Format = Literal["pdf", "xlsx"]
MEDIA_TYPES: dict[Format, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def format_of(path: Path) -> Format:
    """``pdf`` or ``xlsx`` from the file's suffix; ``ValueError`` otherwise."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".xlsx":
        return "xlsx"
    raise ValueError(f"{path}: the file name must end in .pdf or .xlsx")


def coverage_report(
    brief: CoverageBrief, lang: Lang, fmt: Format, font: Path | None = None
) -> bytes:
    if fmt == "xlsx":
        from laosp.reports.coverage_xlsx import coverage_xlsx

        return coverage_xlsx(brief, words(lang))
    from laosp.reports.coverage_pdf import coverage_pdf

    return coverage_pdf(brief, words(lang), find_lao_font(font))


def projection_report(
    brief: ProjectionBrief, lang: Lang, fmt: Format, font: Path | None = None
) -> bytes:
    from laosp.reports.projection import projection_pdf, projection_xlsx

    if fmt == "xlsx":
        return projection_xlsx(brief, words(lang))
    return projection_pdf(brief, words(lang), find_lao_font(font))
