"""Inspecting an XLSX workbook before a reader parses it: a decompression bomb or a
broken zip is refused with a clear message instead of exhausting memory.

An XLSX is a zip of XML files. The reader (fastexcel, Rust) unpacks the sheet and lays
out every cell from the first to the last position the sheet names, and copies a shared
string into every cell that refers to it; so a file of 0.5 MB can ask for gigabytes. The
checks, in order, all within the ``ImportLimits``:

0. the zip's end record, before ``zipfile`` parses the directory: the number of
   entries and the directory's size;
1. the zip's own directory: the entries' declared uncompressed sizes together, and the
   compression ratio of each entry over 1 MB;
2. the contents, unpacked by us in chunks (never held whole) from the raw deflate
   streams: an entry must unpack to exactly its declared size, and the bytes counted
   stop at the limit. Declared sizes can lie; the Rust reader unpacks the stream it is
   given, so the stream itself is what is counted;
3. while unpacking: the highest row and column the sheets name (rows x columns is what
   the reader allocates) and the text the shared-string cells expand to.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from laosp.registry.import_limits import ImportLimits, UnreadableFile, over_limit

CHUNK = 1 << 20
#: the compression ratio is only judged on entries larger than this
RATIO_FLOOR = 1_000_000
#: most bytes of a chunk kept for the next (see ``_cut``), and the overlap after a long run
CARRY, OVERLAP = 65_536, 64
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"
_END_SIGNATURE, _END_SIZE = b"PK\x05\x06", 22
_ZIP64_LOCATOR, _ZIP64_END = b"PK\x06\x07", b"PK\x06\x06"
#: the bytes an entry may take in the zip's directory, on average (a 46-byte header, the
#: name, an extra field; an XLSX part takes about 100)
DIRECTORY_ENTRY_BYTES = 256
_STORED, _DEFLATED = 0, 8

_SHARED_CELL = re.compile(rb't="s"[^>]*>\s*<(?:\w+:)?v>\s*(\d+)\s*<')
_STRING_ITEM = re.compile(rb"<(?:\w+:)?si[\s>/]")
_CELL_START = re.compile(rb"<(?:\w+:)?c\s")
_LAO_TOO_BIG = "ໄຟລ໌ Excel ຂະຫຍາຍໃຫຍ່ເກີນກຳນົດ"
_LAO_BROKEN = "ບໍ່ແມ່ນໄຟລ໌ Excel ທີ່ຖືກຕ້ອງ"


def column_number(letters: bytes) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def broken(path: Path, why: str) -> UnreadableFile:
    return UnreadableFile(
        f"{path.name}: not a valid XLSX workbook ({why}); save it again from Excel as "
        f".xlsx, or as CSV UTF-8 ({_LAO_BROKEN})"
    )


def column_letters(number: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class _Scan:
    """What the XML of the workbook asks of the reader, gathered chunk by chunk. Only
    references long enough to break a limit are parsed (a literal-led pattern with a
    length floor), so a sheet within the limits is scanned at the speed of a search."""

    limits: ImportLimits
    unpacked: int = 0
    rows: int = 0  # <row> elements: a row without a number follows the one before
    max_row: int = 0  # the highest row referenced, of those with enough digits to matter
    max_column: int = 0  # the same for columns
    shared_text: int = 0
    string_lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        digits = len(str(self.limits.max_rows + 1))
        letters = len(column_letters(self.limits.max_columns))
        self._far_rows = re.compile(rb' r="[A-Z]*(\d{%d,})"' % digits)
        self._far_columns = re.compile(rb' r="([A-Z]{%d,})\d' % letters)

    def sheet(self, chunk: bytes) -> None:
        self.rows += chunk.count(b"<row") + chunk.count(b":row")
        rows = set(self._far_rows.findall(chunk))
        self.max_row = max([self.max_row, self.rows, *(int(r) for r in rows)])
        columns = set(self._far_columns.findall(chunk))
        self.max_column = max([self.max_column, *(column_number(c) for c in columns)])
        if self.string_lengths.size:
            shared = _SHARED_CELL.findall(chunk)
            if shared:
                index = np.array(shared).astype(np.int64)
                inside = index[index < self.string_lengths.size]
                self.shared_text += int(self.string_lengths[inside].sum())


def _directory(path: Path) -> tuple[int, int] | None:
    """``(entries, bytes)`` of the central directory, as the zip's end record (or its
    zip64 end record) declares them; ``None`` without an end record (``zipfile`` then
    says what is wrong). Read before ``zipfile`` parses the directory, which it does
    whole, entry by entry."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - _END_SIZE - 65_535))  # the end record, then a comment
        tail = handle.read()
        at = tail.rfind(_END_SIGNATURE)
        if at < 0 or len(tail) - at < _END_SIZE:
            return None
        entries, directory = struct.unpack_from("<HI", tail, at + 10)
        if at >= 20 and tail[at - 20 : at - 16] == _ZIP64_LOCATOR:
            (offset,) = struct.unpack_from("<Q", tail, at - 12)
            handle.seek(offset)
            record = handle.read(56)
            if len(record) == 56 and record[:4] == _ZIP64_END:
                entries, directory = struct.unpack_from("<QQ", record, 32)
    return entries, directory


def _check_directory(path: Path, limits: ImportLimits) -> None:
    """Refuse a zip whose directory declares more entries than the limit, or is larger
    than they may take (``DIRECTORY_ENTRY_BYTES`` each): ``zipfile`` parses the whole
    directory, whatever count the end record gives."""
    declared = _directory(path)
    if declared is None:
        return
    entries, size = declared
    if entries > limits.max_xlsx_entries or size > limits.max_xlsx_entries * DIRECTORY_ENTRY_BYTES:
        raise UnreadableFile(
            over_limit(
                path,
                f"its zip declares {entries:,} entries in a directory of {size:,} bytes "
                f"(at most {DIRECTORY_ENTRY_BYTES} bytes an entry)",
                limits.max_xlsx_entries,
                "entries",
                "import_max_xlsx_entries",
            )
            + f" ({_LAO_TOO_BIG})"
        )


def _entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The entries, shared strings first: their lengths are needed to judge the sheets."""
    return sorted(archive.infolist(), key=lambda info: "sharedstrings" not in info.filename.lower())


def _declared(path: Path, entries: list[zipfile.ZipInfo], limits: ImportLimits) -> None:
    total = sum(info.file_size for info in entries)
    if total > limits.max_xlsx_uncompressed_bytes:
        raise UnreadableFile(
            over_limit(
                path,
                f"the workbook unpacks to {total:,} bytes",
                limits.max_xlsx_uncompressed_bytes,
                "bytes unpacked",
                "import_max_xlsx_uncompressed_bytes",
            )
            + f" ({_LAO_TOO_BIG})"
        )
    for info in entries:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > limits.max_xlsx_compression_ratio:
            raise UnreadableFile(
                f"{path.name}: {info.filename} is compressed {ratio:,.0f} to 1 "
                f"({info.compress_size:,} bytes unpacking to {info.file_size:,}), over the "
                f"limit of {limits.max_xlsx_compression_ratio} to 1 (setting "
                "import_max_xlsx_compression_ratio, environment "
                "LAOSP_IMPORT_MAX_XLSX_COMPRESSION_RATIO): a decompression bomb, refused "
                f"({_LAO_TOO_BIG})"
            )


def _raw(handle: BinaryIO, path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The compressed bytes of ``info``, as the local header places them."""
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise broken(path, f"{info.filename}: truncated")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != _LOCAL_SIGNATURE:
        raise broken(path, f"{info.filename}: no local header")
    handle.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    left = info.compress_size
    while left > 0:
        piece = handle.read(min(CHUNK, left))
        if not piece:
            raise broken(path, f"{info.filename}: truncated")
        left -= len(piece)
        yield piece


def _unpacked(handle: BinaryIO, path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The unpacked bytes of ``info`` in chunks of at most ``CHUNK``; refused unless the
    stream ends exactly at the declared size."""
    if info.compress_type == _STORED:
        yield from _raw(handle, path, info)
        return
    if info.compress_type != _DEFLATED:
        raise broken(path, f"{info.filename}: compression method {info.compress_type}")
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    try:
        for piece in _raw(handle, path, info):
            data = piece
            while data and not inflate.eof:
                out = inflate.decompress(data, CHUNK)
                data = inflate.unconsumed_tail
                produced += len(out)
                if produced > info.file_size:
                    raise broken(path, f"{info.filename} unpacks to more than it declares")
                yield out
        rest = inflate.flush()
    except zlib.error as error:
        raise broken(path, f"{info.filename}: {error}") from None
    produced += len(rest)
    yield rest
    if not inflate.eof or produced != info.file_size:
        raise broken(path, f"{info.filename} does not unpack to the size it declares")


def _contents(path: Path, entries: list[zipfile.ZipInfo], limits: ImportLimits) -> _Scan:
    scan = _Scan(limits)
    with path.open("rb") as handle:
        for info in entries:
            name = info.filename.lower()
            is_strings = "sharedstrings" in name
            is_sheet = "worksheets/" in name and name.endswith(".xml")
            starts: list[int] = []
            carry = b""
            offset = 0  # unpacked bytes of this entry before ``carry``
            for out in _unpacked(handle, path, info):
                scan.unpacked += len(out)
                if scan.unpacked > limits.max_xlsx_uncompressed_bytes:
                    raise UnreadableFile(
                        over_limit(
                            path,
                            "the workbook unpacks to more bytes",
                            limits.max_xlsx_uncompressed_bytes,
                            "bytes unpacked",
                            "import_max_xlsx_uncompressed_bytes",
                        )
                        + f" ({_LAO_TOO_BIG})"
                    )
                if not (is_strings or is_sheet):
                    continue
                data = carry + out
                end, keep = _cut(data, is_sheet)
                if is_strings:
                    starts += [offset + m.start() for m in _STRING_ITEM.finditer(data, 0, end)]
                else:
                    scan.sheet(data[:end])
                offset += keep
                carry = data[keep:]
            if is_sheet:
                scan.sheet(carry)  # an overlap scanned twice holds no tag: no row counted twice
            if is_strings:
                starts += [offset + m.start() for m in _STRING_ITEM.finditer(carry)]
                ends = np.array([*starts[1:], info.file_size], np.int64)
                scan.string_lengths = ends - np.array(starts, np.int64)
    return scan


def _cut(data: bytes, is_sheet: bool) -> tuple[int, int]:
    """``(end, keep)``: scan ``data[:end]`` now and carry ``data[keep:]`` to the next
    chunk, so that no match is split: before the last cell of a sheet chunk, else before
    the last tag. After a run of more than ``CARRY`` bytes without a tag (a huge text or
    tag) everything is scanned and only the last ``OVERLAP`` bytes (more than a
    reference) are carried, so that a file of one giant cell is not copied over and over."""
    if is_sheet:
        starts = [m.start() for m in _CELL_START.finditer(data, max(0, len(data) - CARRY))]
        if starts and starts[-1] > 0:
            return starts[-1], starts[-1]
    cut = data.rfind(b"<")
    if cut <= 0 or len(data) - cut > CARRY:
        return len(data), max(len(data) - OVERLAP, 0)
    return cut, cut


def check_workbook(path: Path, limits: ImportLimits) -> None:
    """Refuse ``path`` (``UnreadableFile``) unless it is a zip whose contents stay within
    ``limits`` when a reader lays them out; see the module docstring."""
    _check_directory(path, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = _entries(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise broken(path, f"not a zip file: {error}") from None
    _declared(path, entries, limits)
    scan = _contents(path, entries, limits)
    if scan.max_row - 1 > limits.max_rows:
        raise UnreadableFile(
            over_limit(
                path,
                f"a sheet reaches row {scan.max_row:,}",
                limits.max_rows,
                "rows",
                "import_max_rows",
            )
            + " (ຈຳນວນແຖວເກີນກຳນົດ)"
        )
    if scan.max_column > limits.max_columns:
        raise UnreadableFile(
            over_limit(
                path,
                f"a sheet reaches column {scan.max_column:,}",
                limits.max_columns,
                "columns",
                "import_max_columns",
            )
            + " (ຈຳນວນຖັນເກີນກຳນົດ)"
        )
    if scan.shared_text > limits.max_xlsx_uncompressed_bytes:
        raise UnreadableFile(
            over_limit(
                path,
                f"its cells repeat shared text to {scan.shared_text:,} bytes",
                limits.max_xlsx_uncompressed_bytes,
                "bytes of cell text",
                "import_max_xlsx_uncompressed_bytes",
            )
            + f" ({_LAO_TOO_BIG})"
        )
