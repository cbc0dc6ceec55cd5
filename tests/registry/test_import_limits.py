"""Import files are bounded and honest (``laosp.registry.import_file``, ``import_xlsx``):
a file over a limit, a decompression bomb, a broken workbook or a CSV that is not UTF-8 is
refused whole with a message naming the file, the place and the setting, and the
database is left as it was; a cell with a control character refuses its row. On SQLite
and PostgreSQL, with real files; the bombs run the real CLI in a child process whose
peak memory is measured. The enrolment import reads through the same module
(tests/operations/test_enrolment_import.py)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.db import make_engine, unit_of_work
from laosp.models import AuditEvent, Household, Person
from laosp.registry.import_file import CONTROL_REASON, check_csv
from laosp.registry.import_limits import ImportLimits, UnreadableFile
from laosp.registry.importer import import_files
from laosp.registry.validation import InputLimits
from tests.registry.workbooks import (
    column_letters,
    row_xml,
    table_workbook,
    understate_sheet_size,
    write_workbook,
)

TODAY = dt.date(2025, 6, 1)
HOUSEHOLDS = [["household_id", "district_code"], ["H1", "1703"]]
PERSON_HEADER = ["person_id", "household_id", "relationship", "given_name"]
PERSON_HEADER += ["family_name", "sex", "birth_date"]
LIMITS = ImportLimits.defaults()
#: the child process: the real ``laosp`` CLI, printing its peak resident memory at exit
WITH_PEAK_MEMORY = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: print('peak_rss_kib', "
    "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))\n"
    "from laosp.cli import main\n"
    "sys.argv[0] = 'laosp'\n"
    "main()\n"
)
#: the child's peak memory allowed: refusing the bomb was measured at 120 MB (the
#: interpreter with Polars and SQLAlchemy); the code before the checks read it to 2.2 GB
PEAK_KIB = 600_000

pytestmark = pytest.mark.usefixtures("cli_signed_in_on_a_database")


def person(number: int, given_name: str = "Somphone") -> list[str]:
    relationship = "head" if number == 1 else "child"
    return [f"P{number}", "H1", relationship, given_name, "Vongsa", "M", "2010-01-01"]


def csv_bytes(rows: list[list[str]]) -> bytes:
    return "".join(",".join(row) + "\n" for row in rows).encode("utf-8")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def counts(engine: Engine) -> tuple[int, int, int]:
    with unit_of_work(engine) as session:
        households, persons, events = (
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Household, Person, AuditEvent)
        )
    return households, persons, events


def cli(*args: str) -> Any:
    return CliRunner().invoke(build_app(), ["registry", "import", *args])


def refused_cleanly(result: Any) -> bool:
    """Exit code 1 from a clean CLI error, not from an exception escaping the command."""
    return result.exit_code == 1 and isinstance(result.exception, SystemExit)


@pytest.fixture
def households(tmp_path: Path) -> Path:
    return write(tmp_path / "h.csv", csv_bytes(HOUSEHOLDS))


@pytest.fixture(autouse=True)
def _no_config_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAOSP_CONFIG_FILE", raising=False)
    for name in ImportLimits.__dataclass_fields__:
        monkeypatch.delenv(f"LAOSP_IMPORT_{name.upper()}", raising=False)


def test_a_file_over_the_byte_limit_is_refused_before_anything_is_written(
    db_url: str, tmp_path: Path, households: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    persons = write(tmp_path / "p.csv", csv_bytes([PERSON_HEADER, person(1), person(2)]))
    size = persons.stat().st_size
    monkeypatch.setenv("LAOSP_IMPORT_MAX_BYTES", str(size - 1))
    args = ["--households", str(households), "--persons", str(persons), "--db", db_url]
    refused = cli(*args)
    assert refused_cleanly(refused), refused.output
    assert (
        f"p.csv: the file is {size:,} bytes, over the limit of {size - 1:,} bytes; split the "
        "file, or raise the setting import_max_bytes (environment LAOSP_IMPORT_MAX_BYTES)"
    ) in refused.output
    engine = make_engine(db_url)
    try:
        assert counts(engine) == (0, 0, 0)
        monkeypatch.setenv("LAOSP_IMPORT_MAX_BYTES", str(size))  # at the limit: read
        accepted = cli(*args)
        assert accepted.exit_code == 0, accepted.output
        assert counts(engine) == (1, 2, 1)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        ("csv", "at least 4 data rows"),  # the reader stops at limit + 1
        ("xlsx", "a sheet reaches row 5"),  # the header is row 1: seen before parsing
    ],
)
def test_a_file_over_the_row_limit_is_refused(
    db_url: str,
    tmp_path: Path,
    households: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    what: str,
) -> None:
    rows = [PERSON_HEADER, *(person(n) for n in range(1, 5))]  # 4 data rows
    path = tmp_path / f"p.{kind}"
    if kind == "csv":
        write(path, csv_bytes(rows))
    else:
        table_workbook(path, "persons", rows)
    monkeypatch.setenv("LAOSP_IMPORT_MAX_ROWS", "3")
    args = ["--households", str(households), "--persons", str(path), "--db", db_url]
    refused = cli(*args, "--all-or-nothing")
    assert refused_cleanly(refused), refused.output
    assert f"p.{kind}: {what}, over the limit of 3 rows" in refused.output
    assert "import_max_rows (environment LAOSP_IMPORT_MAX_ROWS)" in refused.output
    engine = make_engine(db_url)
    try:
        assert counts(engine) == (0, 0, 0)
        monkeypatch.setenv("LAOSP_IMPORT_MAX_ROWS", "4")
        accepted = cli(*args)
        assert accepted.exit_code == 0, accepted.output
        assert counts(engine) == (1, 4, 1)
    finally:
        engine.dispose()


def test_a_csv_with_too_many_columns_is_refused_before_it_is_parsed(
    engine: Engine, tmp_path: Path
) -> None:
    header = PERSON_HEADER + [f"extra_{n}" for n in range(LIMITS.max_columns)]
    path = write(tmp_path / "p.csv", csv_bytes([header, person(1) + [""] * LIMITS.max_columns]))
    with pytest.raises(UnreadableFile) as refused, unit_of_work(engine) as session:
        import_files(session, persons=path, today=TODAY)
    width = len(PERSON_HEADER) + LIMITS.max_columns
    assert f"p.csv: {width:,} columns or more, over the limit of 100 columns" in str(refused.value)
    assert counts(engine) == (0, 0, 0)


def test_invalid_utf8_is_refused_with_its_line_and_byte(
    engine: Engine, tmp_path: Path, households: Path
) -> None:
    good = csv_bytes([PERSON_HEADER, person(1), person(2, "ບຸນມີ")])
    bad = good + csv_bytes([person(3, "Phommas")]).replace(b"Phommas", b"Phommas\xf4ne")
    path = write(tmp_path / "p.csv", bad)
    position = bad.index(b"\xf4")  # 0-based
    line_start = bad.rindex(b"\n", 0, position) + 1
    with pytest.raises(UnreadableFile) as refused, unit_of_work(engine) as session:
        import_files(session, households=households, persons=path, today=TODAY)
    assert str(refused.value).startswith(
        f"p.csv: line 4, byte {position - line_start + 1} of the line "
        f"(byte {position + 1} of the file): 0xF4 is not valid UTF-8"
    )
    assert (position - line_start + 1, position + 1) == (20, 182)  # worked out by hand
    assert counts(engine) == (0, 0, 0)


def test_an_encoded_lone_surrogate_is_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", b"given_name\nab\xed\xa0\x80\n")
    with pytest.raises(UnreadableFile, match=r"line 2, byte 3 of the line \(byte 14 of the file\)"):
        check_csv(path, LIMITS)


LINES = st.lists(st.text(st.sampled_from("aZ9,ບຸນ\u00e9 \"'"), max_size=12), min_size=1, max_size=8)


@given(
    lines=LINES,
    where=st.integers(0, 10_000),
    bad=st.sampled_from([b"\xff", b"\xc3", b"\xe0\x80"]),
    chunk=st.integers(1, 9),
)
def test_the_first_bad_byte_is_found_wherever_the_chunks_cut(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], where: int, bad: bytes, chunk: int
) -> None:
    text = "\n".join(lines).encode("utf-8")
    boundaries = [i for i in range(len(text) + 1) if i == len(text) or (text[i] & 0xC0) != 0x80]
    at = boundaries[where % len(boundaries)]
    data = text[:at] + bad + text[at:]
    path = write(tmp_path_factory.mktemp("utf8") / "f.csv", data)
    line = text[:at].count(b"\n") + 1
    column = at - (text.rfind(b"\n", 0, at) + 1) + 1
    with pytest.raises(UnreadableFile) as refused:
        check_csv(path, LIMITS, chunk_size=chunk)
    assert f": line {line}, byte {column} of the line (byte {at + 1} of the file)" in str(
        refused.value
    )
    write(path, text)
    check_csv(path, LIMITS, chunk_size=chunk)  # the same text without the bad byte is fine


def test_a_byte_order_mark_is_accepted(engine: Engine, tmp_path: Path, households: Path) -> None:
    path = write(tmp_path / "p.csv", b"\xef\xbb\xbf" + csv_bytes([PERSON_HEADER, person(1)]))
    with unit_of_work(engine) as session:
        report = import_files(session, households=households, persons=path, today=TODAY)
    assert report.counts["persons"].imported == 1


@pytest.mark.parametrize("all_or_nothing", [False, True])
def test_a_control_character_in_a_cell_refuses_its_row(
    engine: Engine, tmp_path: Path, households: Path, all_or_nothing: bool
) -> None:
    header = [*PERSON_HEADER, "note"]
    rows = [header, [*person(1, "Som\x00phone"), ""], [*person(2), "a\x1bb"]]
    rows.append(["P\x073", "H1", "child", "Kham", "Vongsa", "F", "2012-01-01", ""])
    path = write(tmp_path / "p.csv", csv_bytes(rows))
    with unit_of_work(engine) as session:
        report = import_files(
            session, households=households, persons=path, today=TODAY, all_or_nothing=all_or_nothing
        )
    refused = report.problems.filter(report.problems["reason"] == CONTROL_REASON)
    assert refused.select("table", "row", "record_id", "field", "value").rows() == [
        ("persons", 2, "P1", "given_name", "Som\ufffdphone"),
        ("persons", 3, "P2", "note", "a\ufffdb"),
        ("persons", 4, "P\ufffd3", "person_id", "P\ufffd3"),
    ]
    assert report.counts["persons"].imported == 0
    assert counts(engine) == (0, 0, 0)  # the household goes with its refused head


def test_a_file_that_is_not_a_workbook_is_refused(db_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "p.xlsx", csv_bytes([PERSON_HEADER, person(1)]))
    result = cli("--persons", str(path), "--db", db_url)
    assert refused_cleanly(result), result.output
    assert "p.xlsx: not a valid XLSX workbook (not a zip file" in result.output


def _repeated_rows(total: int) -> Iterator[str]:
    """About ``total`` bytes of sheet rows without references: highly compressible."""
    row = "<row>" + '<c t="inlineStr"><is><t>ບຸນເຫຼືອ</t></is></c>' * 20 + "</row>"
    piece = row * (1_000_000 // len(row))
    for _ in range(total // len(piece.encode())):
        yield piece


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 MB of sheet XML in a workbook of less than 1 MB."""
    path = tmp_path_factory.mktemp("bomb") / "persons.xlsx"
    write_workbook(path, "persons", _repeated_rows(150_000_000))
    assert path.stat().st_size < 1_000_000
    return path


def _run_cli(*args: str) -> tuple[subprocess.CompletedProcess[str], int, float]:
    """The real CLI in a child process: the outcome, its peak memory (KiB), seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAOSP_IMPORT_")}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", WITH_PEAK_MEMORY, "registry", "import", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    seconds = time.monotonic() - started
    peak = [line for line in done.stderr.splitlines() if line.startswith("peak_rss_kib")]
    return done, int(peak[-1].split()[1]) if peak else -1, seconds


def test_a_decompression_bomb_is_refused_quickly_in_little_memory(db_url: str, bomb: Path) -> None:
    done, peak, seconds = _run_cli("--persons", str(bomb), "--db", db_url)
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "persons.xlsx: xl/worksheets/sheet1.xml is compressed" in done.stderr
    assert "a decompression bomb, refused" in done.stderr
    assert "import_max_xlsx_compression_ratio" in done.stderr
    assert "Traceback" not in done.stderr
    assert 0 < peak < PEAK_KIB, peak
    assert seconds < 60
    engine = make_engine(db_url)
    try:
        assert counts(engine) == (0, 0, 0)
    finally:
        engine.dispose()


def test_sizes_that_lie_are_caught_while_unpacking(
    engine: Engine, tmp_path: Path, bomb: Path
) -> None:
    liar = write(tmp_path / "persons.xlsx", bomb.read_bytes())
    understate_sheet_size(liar, 10_000)  # the ratio looks harmless now
    with pytest.raises(UnreadableFile) as refused, unit_of_work(engine) as session:
        import_files(session, persons=liar, today=TODAY)
    assert "xl/worksheets/sheet1.xml unpacks to more than it declares" in str(refused.value)
    assert counts(engine) == (0, 0, 0)


def test_a_workbook_unpacking_beyond_the_limit_is_refused(engine: Engine, tmp_path: Path) -> None:
    """Sheet XML of ordinary compression, over the uncompressed limit once unpacked."""
    path = tmp_path / "persons.xlsx"
    rows = (row_xml(n, person(n)) for n in range(1, 40_000))
    write_workbook(path, "persons", rows)
    limits = replace(
        LIMITS, max_xlsx_uncompressed_bytes=2_000_000, max_xlsx_compression_ratio=1_000
    )
    with pytest.raises(UnreadableFile) as refused, unit_of_work(engine) as session:
        import_files(session, persons=path, today=TODAY, limits=limits)
    assert "over the limit of 2,000,000 bytes unpacked" in str(refused.value)
    assert "import_max_xlsx_uncompressed_bytes" in str(refused.value)
    assert counts(engine) == (0, 0, 0)


@pytest.mark.parametrize(
    ("row", "cell", "message"),
    [
        (1048576, "XFD1048576", "a sheet reaches row 1,048,576, over the limit of 500,000 rows"),
        (2, "XFD2", "a sheet reaches column 16,384, over the limit of 100 columns"),
    ],
)
def test_a_far_cell_is_refused_before_the_reader_lays_out_the_range(
    db_url: str, tmp_path: Path, row: int, cell: str, message: str
) -> None:
    """Two cells: the reader would allocate every cell between them (it aborts)."""
    path = tmp_path / "persons.xlsx"
    far = f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'
    write_workbook(path, "persons", [row_xml(1, PERSON_HEADER), far])
    assert path.stat().st_size < 2_000
    done, peak, _ = _run_cli("--persons", str(path), "--db", db_url)
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert f"persons.xlsx: {message}" in done.stderr
    assert 0 < peak < PEAK_KIB, peak


def test_shared_text_repeated_beyond_the_limit_is_refused(engine: Engine, tmp_path: Path) -> None:
    """One long shared string in many cells: the reader copies it into each."""
    text = "".join(column_letters(n % 700 + 1) for n in range(100_000))  # ~190 KB
    cells = "".join(f'<c r="A{n}" t="s"><v>0</v></c>' for n in range(2, 12))
    write_workbook(
        tmp_path / "persons.xlsx",
        "persons",
        [row_xml(1, ["given_name"]), f"<row>{cells}</row>"],
        shared_strings=[text],
    )
    limits = replace(LIMITS, max_xlsx_uncompressed_bytes=1_500_000)
    with pytest.raises(UnreadableFile) as refused, unit_of_work(engine) as session:
        import_files(session, persons=tmp_path / "persons.xlsx", today=TODAY, limits=limits)
    assert "its cells repeat shared text to" in str(refused.value)
    assert "over the limit of 1,500,000 bytes of cell text" in str(refused.value)
    assert counts(engine) == (0, 0, 0)


def test_an_old_xls_workbook_is_refused_with_what_to_do(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path / "p.xls", b"\xd0\xcf\x11\xe0")
    with pytest.raises(UnreadableFile, match=r"must be saved again as \.xlsx"):
        import_files(session, persons=path, today=TODAY)


def test_a_control_character_escaped_in_a_workbook_refuses_its_row(
    engine: Engine, tmp_path: Path, households: Path
) -> None:
    """XLSX writes a control character as ``_x0000_``; the reader gives it back."""
    path = tmp_path / "persons.xlsx"
    head = row_xml(2, person(1)).replace("Somphone", "Som_x0000_phone")
    write_workbook(path, "persons", [row_xml(1, PERSON_HEADER), head])
    with unit_of_work(engine) as session:
        report = import_files(session, households=households, persons=path, today=TODAY)
    refused = report.problems.filter(report.problems["reason"] == CONTROL_REASON)
    assert refused.select("row", "field", "value").rows() == [(2, "given_name", "Som\ufffdphone")]
    assert counts(engine) == (0, 0, 0)


def test_a_lone_surrogate_in_a_workbook_is_a_clear_error(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "persons.xlsx"
    head = row_xml(2, person(1)).replace("Somphone", "Som&#xD800;phone")
    write_workbook(path, "persons", [row_xml(1, PERSON_HEADER), head])
    result = cli("--persons", str(path), "--db", db_url)
    assert refused_cleanly(result), result.output
    assert "persons.xlsx: cannot be read (calamine error:" in result.output
    assert "not a valid codepoint" in result.output


def test_a_persons_file_without_a_birth_date_column_is_refused_naming_it(
    engine: Engine, tmp_path: Path, households: Path
) -> None:
    """Refused whole, naming the column (#13), rather than every row for the same cause."""
    header = [name for name in PERSON_HEADER if name != "birth_date"]
    path = write(tmp_path / "p.csv", csv_bytes([header, person(1)[:-1]]))
    refused = pytest.raises(UnreadableFile, match=r"^p\.csv: missing column birth_date \(")
    with refused, unit_of_work(engine) as session:
        import_files(session, households=households, persons=path, today=TODAY)
    assert counts(engine) == (0, 0, 0)


@pytest.mark.parametrize("entries", [10_000, 10_001])
def test_a_zip_of_too_many_entries_is_refused_before_its_directory_is_parsed(
    session: Session, tmp_path: Path, entries: int
) -> None:
    """A real workbook has a few dozen parts; a 100 MB zip of empty ones holds a million,
    and reading its directory alone takes seconds and hundreds of MB."""
    path = table_workbook(tmp_path / "persons.xlsx", "persons", [PERSON_HEADER, person(1)])
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(entries - len(archive.infolist())):
            archive.writestr(f"e{number}", b"")
    if entries <= LIMITS.max_xlsx_entries:
        report = import_files(session, persons=path, today=TODAY)
        assert report.counts["persons"].read == 1
        return
    with pytest.raises(UnreadableFile) as refused:
        import_files(session, persons=path, today=TODAY)
    assert str(refused.value).startswith(
        "persons.xlsx: its zip declares 10,001 entries in a directory of "
    )
    assert "over the limit of 10,000 entries" in str(refused.value)
    assert "import_max_xlsx_entries" in str(refused.value)


def test_a_zip_directory_larger_than_its_entry_count_says_is_refused(
    session: Session, tmp_path: Path
) -> None:
    """zipfile parses the whole directory whatever count the end record gives."""
    path = table_workbook(tmp_path / "persons.xlsx", "persons", [PERSON_HEADER, person(1)])
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(200):
            archive.writestr(f"{number:0>200}", b"")  # 246 bytes in the directory each
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    data[end + 8 : end + 12] = (5).to_bytes(2, "little") * 2  # "5 entries"
    path.write_bytes(bytes(data))
    limits = replace(LIMITS, max_xlsx_entries=100)  # room for 25,600 bytes
    with pytest.raises(UnreadableFile) as refused:
        import_files(session, persons=path, today=TODAY, limits=limits)
    assert "persons.xlsx: its zip declares 5 entries in a directory of " in str(refused.value)
    assert "over the limit of 100 entries" in str(refused.value)


# The limits of one household's record (``InputLimits``, the API's and add-household's)
# hold for an import too.

MEMBERS_2 = (
    "a household has at most 2 members (setting max_members_per_household) / "
    "ຄົວເຮືອນໜຶ່ງມີສະມາຊິກໄດ້ບໍ່ເກີນ 2 ຄົນ"
)


def test_a_household_over_the_member_limit_is_refused_through_the_cli(
    db_url: str, tmp_path: Path, households: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    persons = write(tmp_path / "p.csv", csv_bytes([PERSON_HEADER, *(person(n) for n in (1, 2, 3))]))
    report = tmp_path / "report.csv"
    monkeypatch.setenv("LAOSP_MAX_MEMBERS_PER_HOUSEHOLD", "2")
    args = ["--households", str(households), "--persons", str(persons), "--db", db_url]
    refused = cli(*args, "--all-or-nothing", "--report", str(report))
    assert refused_cleanly(refused), refused.output
    assert f"households row 2: members: {MEMBERS_2} (value: '3')" in refused.output
    engine = make_engine(db_url)
    try:
        assert counts(engine) == (0, 0, 0)
        monkeypatch.setenv("LAOSP_MAX_MEMBERS_PER_HOUSEHOLD", "3")
        accepted = cli(*args)
        assert accepted.exit_code == 0, accepted.output
        assert counts(engine) == (1, 3, 1)
    finally:
        engine.dispose()


def test_persons_added_to_a_full_registered_household_are_refused(
    engine: Engine, tmp_path: Path, households: Path
) -> None:
    two = InputLimits(max_members=2)
    first = write(tmp_path / "p1.csv", csv_bytes([PERSON_HEADER, person(1), person(2)]))
    with unit_of_work(engine) as session:
        import_files(session, households=households, persons=first, today=TODAY, record_limits=two)
    more = write(tmp_path / "p2.csv", csv_bytes([PERSON_HEADER, person(3)]))
    with unit_of_work(engine) as session:
        report = import_files(session, persons=more, today=TODAY, record_limits=two)
    rejected = report.problems.filter(report.problems["kind"] == "rejected")
    assert rejected.select("table", "row", "field", "value", "reason").rows() == [
        ("persons", 2, "household_id", "H1", f"household H1 would have 3 members: {MEMBERS_2}")
    ]
    assert counts(engine) == (1, 2, 1)


@pytest.mark.parametrize(("note", "refused"), [(8181, False), (8182, True)])
def test_an_extra_over_the_size_limit_is_refused_as_the_api_refuses_it(
    engine: Engine, tmp_path: Path, households: Path, note: int, refused: bool
) -> None:
    """``{"note":"x…x"}`` is 11 bytes of compact JSON around the note; the limit (default)
    is 8192 bytes."""
    rows = [[*PERSON_HEADER, "note"], [*person(1), "x" * note]]
    path = write(tmp_path / "p.csv", csv_bytes(rows))
    with unit_of_work(engine) as session:
        report = import_files(session, households=households, persons=path, today=TODAY)
    extra = report.problems.filter(report.problems["field"] == "extra")
    if not refused:
        assert extra.height == 0
        assert counts(engine) == (1, 1, 1)
        return
    assert extra.select("table", "row", "value", "reason").rows() == [
        (
            "persons",
            2,
            "8193 bytes",
            "must be at most 8192 bytes as JSON (setting max_extra_bytes) / "
            "ຂໍ້ມູນເພີ່ມເຕີມໃຫຍ່ໄດ້ບໍ່ເກີນ 8192 ໄບຕ໌",
        )
    ]
    assert counts(engine) == (0, 0, 0)
