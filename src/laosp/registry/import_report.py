"""What an import did: counts by table, every refused row with the reason, the extra
columns kept; written as CSV or JSON and summarised in English and Lao."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from laosp.presentation.cells import inert_text
from laosp.registry.import_columns import PROBLEM_SCHEMA

REPORT_SCHEMA: dict[str, Any] = {"kind": pl.String, **PROBLEM_SCHEMA}
TABLES = ("households", "persons", "enrolments")
LAO_TABLES = {"households": "ຄົວເຮືອນ", "persons": "ບຸກຄົນ", "enrolments": "ການລົງທະບຽນ"}


@dataclass
class Counts:
    read: int = 0
    imported: int = 0
    unchanged: int = 0
    updated: int = 0
    rejected: int = 0
    conflicts: int = 0


@dataclass
class ImportReport:
    """``problems`` has one row per refused cell or rule (``kind`` ``rejected`` or
    ``conflict``) and one ``note`` per extra column."""

    files: dict[str, str]
    counts: dict[str, Counts] = field(default_factory=dict)
    problems: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REPORT_SCHEMA))
    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    all_or_nothing: bool = False
    written: bool = False

    @property
    def refused(self) -> int:
        return sum(c.rejected + c.conflicts for c in self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "written": self.written,
            "all_or_nothing": self.all_or_nothing,
            "counts": {table: asdict(counts) for table, counts in self.counts.items()},
            "extra_columns": self.extra_columns,
            "problems": self.problems.to_dicts(),
        }

    def write(self, path: Path) -> None:
        """``.json``: the whole report; otherwise CSV, one problem a line (a refused
        value that would start a formula is written as text)."""
        if path.suffix.lower() == ".json":
            text = json.dumps(self.as_dict(), ensure_ascii=False, indent=2, default=str)
            path.write_text(text + "\n", "utf-8")
        else:
            inert_text(self.problems).write_csv(path)

    def summary(self) -> list[str]:
        lines = []
        if self.all_or_nothing and not self.written and self.refused:
            lines.append(
                "Nothing was written: some rows were refused and --all-or-nothing was given "
                "(ບໍ່ໄດ້ບັນທຶກຫຍັງ ເພາະມີແຖວທີ່ບໍ່ຖືກຕ້ອງ)."
            )
        header = "read / ອ່ານ, imported / ນຳເຂົ້າ, unchanged / ບໍ່ປ່ຽນ, updated / ປັບປຸງ, "
        header += "rejected / ປະຕິເສດ, conflicts / ຂັດແຍ່ງ"
        lines.append(header)
        for table in TABLES:
            counts = self.counts.get(table)
            if counts is None:
                continue
            lines.append(
                f"  {table} / {LAO_TABLES[table]}: {counts.read} read, {counts.imported} "
                f"imported, {counts.unchanged} unchanged, {counts.updated} updated, "
                f"{counts.rejected} rejected, {counts.conflicts} conflicts"
            )
        for table, columns in self.extra_columns.items():
            if columns:
                lines.append(
                    f"  {table}: extra columns kept under 'extra' (ຖັນເພີ່ມເຕີມ): " + ", ".join(columns)
                )
        return lines


def notes_for_extra(table: str, columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "kind": ["note"] * len(columns),
            "table": [table] * len(columns),
            "row": [1] * len(columns),
            "record_id": [None] * len(columns),
            "field": columns,
            "value": [None] * len(columns),
            "reason": ["extra column: not a registry field, kept under 'extra'"] * len(columns),
        },
        schema=REPORT_SCHEMA,
    )
