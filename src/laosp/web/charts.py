"""Charts as inline SVG, drawn on the server (no JavaScript)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from laosp.presentation.scales import axis_ticks

BAR_HEIGHT = 22
LABEL_WIDTH = 190
BAR_WIDTH = 420
PALETTE = ("#1f6f8b", "#d1495b", "#edae49", "#66a182")


@dataclass(frozen=True)
class Bar:
    label: str
    ratio: float | None
    text: str


def bar_chart(bars: Sequence[Bar], title: str) -> Markup:
    """Horizontal bars of ratios in [0, 1], one per row, with their labels and values."""
    height = BAR_HEIGHT * len(bars) + 30
    width = LABEL_WIDTH + BAR_WIDTH + 80
    parts = [
        f'<svg class="chart bar-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for row, bar in enumerate(bars):
        y = 10 + row * BAR_HEIGHT
        length = BAR_WIDTH * max(0.0, min(1.0, bar.ratio or 0.0))
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{BAR_HEIGHT - 6}" '
            f'fill="{PALETTE[0]}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 15}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def line_chart(
    years: Sequence[int], series: Sequence[Series], title: str, fmt: Callable[[float], str]
) -> Markup:
    """Lines over ``years`` with a y axis labelled by ``fmt`` (zero always shown)."""
    width, height, left, top, bottom = 640, 280, 90, 20, 50
    plot_w, plot_h = width - left - 20, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    ticks = axis_ticks(min([0.0, *values]), max([0.0, *values]), count=6)
    low, high = ticks[0], ticks[-1]
    span = (high - low) or 1.0

    def x(index: int) -> float:
        return left + plot_w * index / max(1, len(years) - 1)

    def y(value: float) -> float:
        return top + plot_h * (1 - (value - low) / span)

    parts = [
        f'<svg class="chart line-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{left}" x2="{width - 20}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(tick))}</text>"
        )
    for index, year in enumerate(years):
        if index % 5 == 0 or index == len(years) - 1:
            parts.append(
                f'<text x="{x(index):.1f}" y="{height - bottom + 18}" text-anchor="middle">'
                f"{year}</text>"
            )
    for number, line in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        points = " ".join(
            f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(line.values) if v is not None
        )
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2.5" points="{points}"/>'
            f'<rect x="{left + 200 * number}" y="{height - 18}" width="12" height="12" '
            f'fill="{color}"/><text x="{left + 200 * number + 16}" y="{height - 8}">'
            f"{escape(line.name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def places_chart(
    places: Sequence[dict[str, Any]],
    indicator: str,
    label: Callable[[str | None, str | None], str],
    percent: Callable[[float | None], str],
    title: str,
) -> Markup:
    """Bars of one indicator's ratio for each place of a page's ``places``."""
    bars = []
    for place in places:
        cell = place["indicators"].get(indicator) or {}
        ratio = cell.get("ratio")
        bars.append(Bar(label(place["name_en"], place["name_lo"]), ratio, percent(ratio)))
    return bar_chart(bars, title)
