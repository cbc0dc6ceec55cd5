"""An A4 brief typeset with fpdf2: Lao text shaped by HarfBuzz, headings, tables, footer.

fpdf2 writes each shaped glyph with its position, so text extractors may insert spaces
between a Lao letter and its vowel or tone marks; the characters and their order are
kept (the tests compare with the whitespace removed).

The vowel AM (U+0EB3) is written as its two parts, NIGGAHITA and AA (U+0ECD U+0EB2, its
compatibility decomposition): HarfBuzz draws it as those two glyphs, and fpdf2 can map
only one of them back to a character, so a copied or extracted "ຳ" would otherwise come
with a stray control character. The two forms look the same; NFKC joins them again.

Lao has no spaces between words: a zero width space between two syllables
(``laosp.reports.syllables``) is where fpdf2 may end a line, so no line of a table or a
paragraph ends inside a syllable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from fpdf import FPDF
from fpdf.fonts import FontFace

from laosp.reports.fonts import LaoFont
from laosp.reports.labels import Words
from laosp.reports.syllables import breakable

FAMILY = "brief"
INK = (33, 37, 41)
MUTED = (100, 105, 110)
RULE = (200, 205, 210)
HEADING_FILL = (228, 238, 242)
ZEBRA = (246, 248, 250)
SARA_AM, SARA_AM_PARTS = "\u0eb3", "\u0ecd\u0eb2"
Align = Literal["LEFT", "RIGHT", "CENTER"]


class BriefDocument(FPDF):
    """A portrait A4 document with a footer on every page (source, date, page)."""

    def __init__(self, words: Words, font: LaoFont, title: str, footer: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.words = words
        self.footer_text = footer
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(True, margin=20)
        bold: dict[str, Any] = {"variations": {"wght": 700}} if font.variable else {}
        self.add_font(FAMILY, "", str(font.path))
        self.add_font(FAMILY, "B", str(font.path), **bold)
        self.set_text_shaping(True)
        self.set_lang(words.lang)
        self.set_title(title)
        self.set_creator("laosp")
        self.set_text_color(*INK)
        self.add_page()

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(breakable(text).replace(SARA_AM, SARA_AM_PARTS))

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*MUTED)
        page = f"{self.words('page')} {self.page_no()}"
        self.multi_cell(0, 3.6, f"{self.footer_text} · {page}", align="C")
        self.set_text_color(*INK)

    @property
    def width(self) -> float:
        """The width between the margins (mm)."""
        return float(self.w - self.l_margin - self.r_margin)

    def title_block(self, title: str, subtitle: str) -> None:
        self.set_font(FAMILY, "B", 17)
        self.multi_cell(0, 8, title, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 11)
        self.set_text_color(*MUTED)
        self.multi_cell(0, 6, subtitle, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(2)

    def heading(self, text: str, room: float = 30) -> None:
        """A section heading, on a new page when less than ``room`` mm would follow it."""
        if self.get_y() + room > self.page_break_trigger:
            self.add_page()
        self.ln(2)
        self.set_font(FAMILY, "B", 12.5)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def paragraph(self, text: str, size: float = 9) -> None:
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def key_figures(self, figures: Sequence[tuple[str, str]]) -> None:
        """Large numbers with a caption, side by side."""
        box = self.width / max(1, len(figures))
        top = self.get_y()
        for index, (value, caption) in enumerate(figures):
            x = self.l_margin + index * box
            self.set_fill_color(*HEADING_FILL)
            self.rect(x + 1, top, box - 2, 22, style="F")
            self.set_xy(x + 3, top + 2)
            self.set_font(FAMILY, "B", 16)
            self.cell(box - 6, 8, value)
            self.set_xy(x + 3, top + 11)
            self.set_font(FAMILY, "", 7.5)
            self.multi_cell(box - 6, 3.4, caption)
        self.set_xy(self.l_margin, top + 25)

    def data_table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        align: Sequence[Align] | None = None,
        size: float = 8.5,
    ) -> None:
        """A table with a shaded heading row repeated on each page."""
        self.set_font(FAMILY, "", size)
        self.set_draw_color(*RULE)
        self.set_fill_color(255, 255, 255)
        self.set_line_width(0.2)
        aligns = tuple(align or ("LEFT", *("RIGHT",) * (len(headings) - 1)))
        style = FontFace(emphasis="BOLD", fill_color=HEADING_FILL)
        with self.table(
            col_widths=tuple(widths),
            text_align=aligns,
            headings_style=style,
            line_height=size * 0.55,
            borders_layout="HORIZONTAL_LINES",
            padding=(0.8, 1.2),
            first_row_as_headings=True,
            repeat_headings=1,
            cell_fill_color=ZEBRA,
            cell_fill_mode="ROWS",
        ) as table:
            heading_row = table.row()
            for text in headings:
                heading_row.cell(text)
            for values in rows:
                row = table.row()
                for text in values:
                    row.cell(text)
        self.ln(3)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
