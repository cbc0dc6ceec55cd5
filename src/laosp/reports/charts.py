"""Charts drawn with the PDF's own lines and rectangles (no image library): grouped
horizontal bars of ratios, and lines over years."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from laosp.presentation.scales import axis_ticks
from laosp.reports.document import FAMILY, MUTED, RULE, BriefDocument

PALETTE = ((31, 111, 139), (209, 73, 91), (237, 174, 73), (102, 161, 130))
LABEL_WIDTH = 52.0
VALUE_ROOM = 14.0


@dataclass(frozen=True)
class BarRow:
    label: str
    ratios: Sequence[float | None]
    texts: Sequence[str]


def _legend(pdf: BriefDocument, names: Sequence[str], y: float) -> float:
    x = pdf.l_margin
    pdf.set_font(FAMILY, "", 7.5)
    for number, name in enumerate(names):
        pdf.set_fill_color(*PALETTE[number % len(PALETTE)])
        pdf.rect(x, y + 0.8, 3, 3, style="F")
        pdf.set_xy(x + 4, y)
        pdf.cell(text=name)
        x += 6 + pdf.get_string_width(name) + 4
    return y + 6


def bar_chart(pdf: BriefDocument, rows: Sequence[BarRow], series: Sequence[str]) -> None:
    """One group of horizontal bars per row (one bar per series), ratios in [0, 1]."""
    bar = 2.8
    row_height = bar * len(series) + 1.8
    needed = row_height * len(rows) + 14
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    top = _legend(pdf, series, pdf.get_y())
    left = pdf.l_margin + LABEL_WIDTH
    span = pdf.width - LABEL_WIDTH - VALUE_ROOM
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    for tenth in range(0, 11, 2):
        x = left + span * tenth / 10
        pdf.line(x, top, x, top + row_height * len(rows))
        pdf.set_font(FAMILY, "", 6.5)
        pdf.set_text_color(*MUTED)
        pdf.text(x - 2.5, top + row_height * len(rows) + 3.5, f"{tenth * 10}%")
    pdf.set_text_color(0, 0, 0)
    for index, row in enumerate(rows):
        y = top + index * row_height
        pdf.set_font(FAMILY, "", 7.5)
        label = row.label
        while pdf.get_string_width(label) > LABEL_WIDTH - 3 and len(label) > 4:
            label = label[:-2] + "…"
        pdf.set_xy(pdf.l_margin, y + row_height / 2 - 2.2)
        pdf.cell(LABEL_WIDTH - 2, 4.4, label, align="R")
        for number, (ratio, text) in enumerate(zip(row.ratios, row.texts, strict=True)):
            length = span * max(0.0, min(1.0, ratio or 0.0))
            y_bar = y + 0.9 + number * bar
            pdf.set_fill_color(*PALETTE[number % len(PALETTE)])
            if length > 0:
                pdf.rect(left, y_bar, length, bar - 0.5, style="F")
            pdf.set_font(FAMILY, "", 6)
            pdf.text(left + length + 1, y_bar + bar - 0.9, text)
    pdf.set_xy(pdf.l_margin, top + row_height * len(rows) + 7)


@dataclass(frozen=True)
class Line:
    name: str
    values: Sequence[float | None]


def line_chart(
    pdf: BriefDocument,
    years: Sequence[int],
    lines: Sequence[Line],
    fmt: Callable[[float], str],
    height: float = 62,
) -> None:
    """Lines over ``years``, a y axis labelled by ``fmt`` (zero always shown)."""
    if pdf.get_y() + height + 12 > pdf.page_break_trigger:
        pdf.add_page()
    top = _legend(pdf, [line.name for line in lines], pdf.get_y())
    axis_room = 24.0
    left = pdf.l_margin + axis_room
    width = pdf.width - axis_room - 4
    values = [v for line in lines for v in line.values if v is not None]
    ticks = axis_ticks(min([0.0, *values]), max([0.0, *values]), count=6)
    low, high = ticks[0], ticks[-1]
    scale = (high - low) or 1.0

    def x(index: int) -> float:
        return left + width * index / max(1, len(years) - 1)

    def y(value: float) -> float:
        return top + height * (1 - (value - low) / scale)

    pdf.set_line_width(0.2)
    pdf.set_draw_color(*RULE)
    pdf.set_font(FAMILY, "", 6.5)
    pdf.set_text_color(*MUTED)
    for tick in ticks:
        pdf.line(left, y(tick), left + width, y(tick))
        label = fmt(tick)
        pdf.text(left - 1.5 - pdf.get_string_width(label), y(tick) + 1, label)
    for index, year in enumerate(years):
        if index % 5 == 0 or index == len(years) - 1:
            text = str(year)
            pdf.text(x(index) - pdf.get_string_width(text) / 2, top + height + 4, text)
    pdf.set_text_color(0, 0, 0)
    pdf.set_line_width(0.6)
    for number, line in enumerate(lines):
        pdf.set_draw_color(*PALETTE[number % len(PALETTE)])
        points = [(x(i), y(v)) for i, v in enumerate(line.values) if v is not None]
        if len(points) > 1:
            pdf.polyline(points)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, top + height + 8)
