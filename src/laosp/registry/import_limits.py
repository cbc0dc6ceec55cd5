"""The bounds of an imported file (from ``Settings``) and the error that refuses a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from laosp.config import Settings


class UnreadableFile(Exception):  # noqa: N818 (reads as a sentence: raise UnreadableFile)
    """The file is refused as a whole: missing, not CSV/XLSX, broken, not UTF-8, or over
    a limit of ``ImportLimits``. Nothing is written."""


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """The ``import_max_*`` settings; see docs/SETTINGS.md."""

    max_bytes: int
    max_rows: int
    max_columns: int
    max_xlsx_uncompressed_bytes: int
    max_xlsx_compression_ratio: int
    max_xlsx_entries: int

    @classmethod
    def of(cls, settings: Settings) -> ImportLimits:
        return cls(
            max_bytes=settings.import_max_bytes,
            max_rows=settings.import_max_rows,
            max_columns=settings.import_max_columns,
            max_xlsx_uncompressed_bytes=settings.import_max_xlsx_uncompressed_bytes,
            max_xlsx_compression_ratio=settings.import_max_xlsx_compression_ratio,
            max_xlsx_entries=settings.import_max_xlsx_entries,
        )

    @classmethod
    def defaults(cls) -> ImportLimits:
        """The defaults of the settings (not the environment), for callers that pass none."""
        fields = Settings.model_fields
        return cls(
            **{
                name: fields[f"import_{name}"].default
                for name in cls.__dataclass_fields__  # the same names, prefixed
            }
        )


def over_limit(path: Path, what: str, limit: int, unit: str, setting: str) -> str:
    """The message refusing ``path``: what it holds, the limit, the setting to change."""
    return (
        f"{path.name}: {what}, over the limit of {limit:,} {unit}; split the file, or raise "
        f"the setting {setting} (environment LAOSP_{setting.upper()})"
    )
