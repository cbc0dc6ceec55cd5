"""Lao syllables, and PDF table lines that end only between two syllables. The expected
splits are written by hand from the spelling of each word."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader

from laosp.reports.document import BriefDocument
from laosp.reports.fonts import find_lao_font
from laosp.reports.labels import words
from laosp.reports.syllables import BREAK, breakable, syllables

WORDS = {
    "ລົງທະບຽນ": ["ລົງ", "ທະ", "ບຽນ"],  # the header the issue saw cut as ລົງທະບຽ|ນ
    "ສະບາຍດີ": ["ສະ", "ບາຍ", "ດີ"],
    "ການຄຸ້ມຄອງ": ["ການ", "ຄຸ້ມ", "ຄອງ"],
    "ເມືອງ": ["ເມືອງ"],
    "ແຂວງຫຼວງພະບາງ": ["ແຂວງ", "ຫຼວງ", "ພະ", "ບາງ"],
    "ຄວາມສ່ຽງ": ["ຄວາມ", "ສ່ຽງ"],
    "ກາງວັນ": ["ກາງ", "ວັນ"],
    "ເຂົ້າຮ່ວມ": ["ເຂົ້າ", "ຮ່ວມ"],
    "ບຳນານ": ["ບຳ", "ນານ"],
    "ໄດ້ຮັບ": ["ໄດ້", "ຮັບ"],
    "ຢ່າງໜ້ອຍໜຶ່ງ": ["ຢ່າງ", "ໜ້ອຍ", "ໜຶ່ງ"],
    "ເພື່ອແມ່": ["ເພື່ອ", "ແມ່"],
    "ສົມມຸດຕິຖານ": ["ສົມ", "ມຸດ", "ຕິ", "ຖານ"],
    "ຜະລິດຕະພັນລວມພາຍໃນ": ["ຜະ", "ລິດ", "ຕະ", "ພັນ", "ລວມ", "ພາຍ", "ໃນ"],
    "ກະຊວງແຮງງານ": ["ກະ", "ຊວງ", "ແຮງ", "ງານ"],
    "ສະຫວັດດີການສັງຄົມ": ["ສະ", "ຫວັດ", "ດີ", "ການ", "ສັງ", "ຄົມ"],
    "ເງິນສົດແບບມີເງື່ອນໄຂ": ["ເງິນ", "ສົດ", "ແບບ", "ມີ", "ເງື່ອນ", "ໄຂ"],
    "ຈຳນວນ": ["ຈຳ", "ນວນ"],
    "ໂຮງໝໍ": ["ໂຮງ", "ໝໍ"],
}


@pytest.mark.parametrize(("word", "expected"), WORDS.items())
def test_real_words_split_into_their_syllables(word: str, expected: list[str]) -> None:
    assert syllables(word) == expected


def test_other_text_is_kept_as_it_is() -> None:
    text = "ອາຍຸ 65 ປີ (SDG 1.3.1)"
    assert "".join(syllables(text)) == text
    assert breakable(text) == f"ອາ{BREAK}ຍຸ 65 ປີ (SDG 1.3.1)"


def test_a_stray_mark_never_starts_a_piece() -> None:
    # a misplaced tone mark stays with what precedes it: no line starts with a mark
    for text in ("ມີ\u0ec9ດີ", "ກາ\u0ec8\u0ec8ນ"):
        pieces = syllables(text)
        assert "".join(pieces) == text
        assert all(piece[0] not in "\u0ec8\u0ec9\u0eb4\u0eb5" for piece in pieces)


def _lines(data: bytes) -> list[tuple[float, float, str]]:
    """(y, x, text) of each run of text the PDF draws."""
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: object, tm: list[float], font: object, size: object) -> None:
        if text.strip():
            found.append((round(tm[5], 1), round(tm[4], 1), text))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return found


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", "".join(text.replace(BREAK, "").split()))


def test_table_header_lines_end_between_syllables() -> None:
    header = "ສະຖານະການລົງທະບຽນ ຜູ້ມີສິດ ແຕ່ຍັງບໍ່ໄດ້ລົງທະບຽນ"
    by_hand = ["ສະ", "ຖາ", "ນະ", "ການ", "ລົງ", "ທະ", "ບຽນ"]
    by_hand += ["ຜູ້", "ມີ", "ສິດ", "ແຕ່", "ຍັງ", "ບໍ່", "ໄດ້", "ລົງ", "ທະ", "ບຽນ"]
    boundaries = {len("".join(by_hand[:n])) for n in range(len(by_hand) + 1)}
    pdf = BriefDocument(words("lo"), find_lao_font(), "test", "footer")
    # a narrow first column: the header must wrap over several lines
    pdf.data_table([header, "x"], [["1", "2"]], widths=(22, 158))
    lines = [text for y, x, text in _lines(pdf.to_bytes()) if x < 100 and _plain(text) != "1"]
    assert len(lines) >= 3
    assert "".join(_plain(line) for line in lines) == _plain(header)
    ends = [len("".join(_plain(line) for line in lines[: n + 1])) for n in range(len(lines))]
    assert set(ends) <= boundaries
