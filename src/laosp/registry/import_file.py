"""Reading an import file (CSV or XLSX) into a frame of text cells, within the bounds of
``ImportLimits``; shared by ``laosp registry import`` and ``laosp enrolment import``.

A file is refused whole (``UnreadableFile``, nothing written) when it is larger than the
byte limit (checked before it is opened), holds more rows or columns than the limits, is
an XLSX that would unpack beyond its limits (``import_xlsx``), or is a CSV that is not
UTF-8: the message names the line and byte of the first bad byte. A CSV is scanned once,
in chunks, before Polars reads it; the scan also measures the header, since a reader
builds one column per header cell. Once read, a cell holding a control character (NUL
and the like) refuses its row, like any bad cell (``control_character_problems``). A
CSV cell that an export made inert (``'=…``, ``presentation.cells``) is read as the
spreadsheet shows it (``=…``).
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from laosp.presentation.cells import shown_text
from laosp.registry.import_columns import PROBLEM_SCHEMA, ROW, ROW_BASE, problems_of
from laosp.registry.import_limits import ImportLimits, UnreadableFile, over_limit
from laosp.registry.import_xlsx import check_workbook
from laosp.registry.schemas import CONTROL_CHARACTERS

CHUNK = 1 << 20
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt", "")
#: A lone surrogate cannot reach a frame: a CSV encoding one is not UTF-8, an XLSX naming
#: one is refused by the reader. So the control characters are what a cell may not hold.
CONTROL = CONTROL_CHARACTERS
CONTROL_REASON = "must not contain control characters such as NUL (ຫ້າມມີຕົວອັກສອນຄວບຄຸມ)"


#: The separators a CSV may use: Excel writes ``;`` where the decimal mark is a comma
#: (Lao regional settings among them) and "Unicode text" with tabs.
SEPARATORS = (",", ";", "\t")


class _HeaderWidth:
    """The columns of a CSV's first line, fed chunk by chunk: each separator of
    ``SEPARATORS`` counted outside double quotes (a doubled quote inside quotes keeps the
    count of quotes even). The separator is the one the header holds most of (a comma
    when it holds none: one column)."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(SEPARATORS, 0)
        self.quoted = False
        self.done = False

    @property
    def separator(self) -> str:
        return max(SEPARATORS, key=lambda separator: self.counts[separator])

    @property
    def columns(self) -> int:
        return self.counts[self.separator] + 1

    def feed(self, chunk: bytes) -> None:
        for index, part in enumerate(chunk.split(b'"')):
            if index:
                self.quoted = not self.quoted
            if self.quoted:
                continue
            end = part.find(b"\n")
            for separator in SEPARATORS:
                self.counts[separator] += part.count(
                    separator.encode(), 0, len(part) if end < 0 else end
                )
            if end >= 0:
                self.done = True
                return


def check_csv(path: Path, limits: ImportLimits, chunk_size: int = CHUNK) -> str:
    """Refuse ``path`` unless it is UTF-8 (a byte-order mark is fine) and its header has
    at most ``limits.max_columns`` columns; one pass in chunks of ``chunk_size`` bytes.
    The separator of its columns (``_HeaderWidth``)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    header = _HeaderWidth()
    offset = 0  # bytes of the file before ``chunk``
    lines = 0  # line breaks before ``chunk``
    line_start = 0  # offset of the first byte of the current line
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            if not header.done:
                header.feed(chunk)
                if header.columns > limits.max_columns:
                    raise UnreadableFile(_too_wide(path, header.columns, limits))
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                pending = len(error.object) - len(chunk)  # bytes held from the chunk before
                bad = offset - pending + error.start
                before = chunk[: max(bad - offset, 0)]
                newline = before.rfind(b"\n")
                start = offset + newline + 1 if newline >= 0 else line_start
                raise UnreadableFile(
                    _not_utf8(path, lines + before.count(b"\n") + 1, bad, start, error)
                ) from None
            lines += chunk.count(b"\n")
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                line_start = offset + newline + 1
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        bad = offset - len(error.object) + error.start
        raise UnreadableFile(_not_utf8(path, lines + 1, bad, line_start, error)) from None
    return header.separator


def csv_separator(path: Path, chunk_size: int = CHUNK) -> str:
    """The separator of the columns of the CSV at ``path`` (``,`` ``;`` or tab), read
    from its first line (``_HeaderWidth``)."""
    header = _HeaderWidth()
    with path.open("rb") as handle:
        while not header.done and (chunk := handle.read(chunk_size)):
            header.feed(chunk)
    return header.separator


def require_columns(path: Path, columns: Sequence[str], required: Sequence[str]) -> None:
    """Refuse ``path`` whole, naming them, when its header lacks columns of
    ``required``: each row would be refused for the same reason otherwise."""
    missing = [name for name in required if name not in columns]
    if missing:
        found = ", ".join(name for name in columns if name != ROW) or "none"
        raise UnreadableFile(
            f"{path.name}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (ຂາດຖັນ {', '.join(missing)}); the first line must name "
            f"the columns, separated by commas or semicolons (found: {found})"
        )


def _not_utf8(path: Path, line: int, bad: int, line_start: int, error: UnicodeDecodeError) -> str:
    value = error.object[error.start : error.end].hex(" ").upper()
    return (
        f"{path.name}: line {line}, byte {bad - line_start + 1} of the line (byte {bad + 1} "
        f"of the file): 0x{value} is not valid UTF-8; save the file as CSV UTF-8 "
        f"(ໄຟລ໌ບໍ່ແມ່ນ UTF-8: ແຖວ {line})"
    )


def _too_wide(path: Path, columns: int, limits: ImportLimits) -> str:
    return (
        over_limit(
            path,
            f"{columns:,} columns or more",
            limits.max_columns,
            "columns",
            "import_max_columns",
        )
        + " (ຈຳນວນຖັນເກີນກຳນົດ)"
    )


def _too_long(path: Path, limits: ImportLimits) -> str:
    return (
        over_limit(
            path,
            f"at least {limits.max_rows + 1:,} data rows",
            limits.max_rows,
            "rows",
            "import_max_rows",
        )
        + " (ຈຳນວນແຖວເກີນກຳນົດ)"
    )


def check_size(path: Path, limits: ImportLimits) -> None:
    """Refuse ``path`` when it is missing or larger than ``limits.max_bytes``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such file (ບໍ່ພົບໄຟລ໌)") from None
    except OSError as error:
        raise UnreadableFile(f"{path.name}: cannot be read ({error.strerror})") from None
    if size > limits.max_bytes:
        raise UnreadableFile(
            over_limit(
                path, f"the file is {size:,} bytes", limits.max_bytes, "bytes", "import_max_bytes"
            )
            + " (ໄຟລ໌ໃຫຍ່ເກີນກຳນົດ)"
        )


def read_table(path: Path, sheet: str, limits: ImportLimits) -> pl.DataFrame:
    """The cells of ``path`` as text, trimmed headers, and ``ROW`` = the row number in
    the file (header = 1). An XLSX workbook is read from the sheet named ``sheet``, else
    its first sheet. Raises ``UnreadableFile``; see the module docstring."""
    suffix = path.suffix.lower()
    if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
        raise UnreadableFile(
            f"{path.name}: not a .csv or .xlsx file (ບໍ່ແມ່ນໄຟລ໌ .csv ຫຼື .xlsx); an old .xls "
            "workbook must be saved again as .xlsx"
        )
    check_size(path, limits)
    try:
        if suffix in XLSX_SUFFIXES:
            check_workbook(path, limits)
            frame = _read_excel(path, sheet, limits)
        else:
            separator = check_csv(path, limits)
            frame = shown_text(
                pl.read_csv(
                    path, separator=separator, infer_schema=False, n_rows=limits.max_rows + 1
                )
            )
    except (OSError, pl.exceptions.PolarsError, ValueError) as error:
        raise UnreadableFile(f"{path.name}: cannot be read ({error})") from error
    if frame.height > limits.max_rows:
        raise UnreadableFile(_too_long(path, limits))
    if frame.width > limits.max_columns:
        raise UnreadableFile(_too_wide(path, frame.width, limits))
    frame = frame.rename({name: name.strip().lstrip("\ufeff") for name in frame.columns})
    return frame.with_columns(
        pl.col(name).cast(pl.String) for name in frame.columns
    ).with_row_index(ROW, offset=ROW_BASE)


def _read_excel(path: Path, sheet: str, limits: ImportLimits) -> pl.DataFrame:
    import fastexcel

    try:
        names = fastexcel.read_excel(path).sheet_names
        chosen = sheet if sheet in names else names[0]
        frame = pl.read_excel(
            path,
            sheet_name=chosen,
            infer_schema_length=0,
            read_options={"n_rows": limits.max_rows + 1},
        )
    except fastexcel.FastExcelError as error:
        reason = str(error).splitlines()[0]
        raise UnreadableFile(f"{path.name}: cannot be read ({reason})") from None
    return frame.with_columns(
        pl.col(name).str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$", "$1")
        for name in frame.columns
    )


def control_character_problems(frame: pl.DataFrame, table: str, id_column: str) -> pl.DataFrame:
    """One problem per text cell of ``frame`` holding a control character (``CONTROL``);
    the value is shown with each such character as U+FFFD."""
    texts = [name for name, kind in frame.schema.items() if kind == pl.String and name != ROW]
    if not texts:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    flagged = frame.filter(pl.any_horizontal(pl.col(name).str.contains(CONTROL) for name in texts))
    record = pl.col(id_column) if id_column in frame.columns else pl.lit(None, pl.String)
    flagged = flagged.with_columns(record.str.replace_all(CONTROL, "\ufffd").alias("_record"))
    return problems_of(
        flagged,
        table,
        "_record",
        {
            name: pl.when(pl.col(name).str.contains(CONTROL)).then(pl.lit(CONTROL_REASON))
            for name in texts
        },
        {name: pl.col(name).str.replace_all(CONTROL, "\ufffd") for name in texts},
    )
