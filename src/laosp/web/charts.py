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
#: Height of one line of a line chart's legend.
LEGEND_LINE = 20


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
    """Lines over ``years`` with a y axis labelled by ``fmt`` (zero always shown), and a
    legend of the series' names below, one a line (a scenario's title is long)."""
    width, plot_h, left, top = 640, 210, 90, 20
    axis = 30  # the years' labels under the plot
    height = top + plot_h + axis + LEGEND_LINE * len(series)
    plot_w = width - left - 20
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
                f'<text x="{x(index):.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
                f"{year}</text>"
            )
    for number, line in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        points = " ".join(
            f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(line.values) if v is not None
        )
        legend = top + plot_h + axis + LEGEND_LINE * number
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2.5" points="{points}"/>'
            f'<rect x="{left}" y="{legend + 4}" width="12" height="12" fill="{color}"/>'
            f'<text x="{left + 16}" y="{legend + 14}">{escape(line.name)}</text>'
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


#: The tile map of the 18 provinces: (column, row) of each province's square, laid out
#: roughly as the country lies (north at the top, the Mekong on the west), drawn by
#: the project (no map is downloaded).
PROVINCE_TILES: dict[str, tuple[int, int]] = {
    "02": (2, 0),  # Phongsaly
    "05": (0, 1),  # Bokeo
    "03": (1, 1),  # Luang Namtha
    "04": (2, 1),  # Oudomxay
    "07": (3, 1),  # Houaphanh
    "08": (1, 2),  # Xayabury
    "06": (2, 2),  # Luang Prabang
    "09": (3, 2),  # Xiengkhouang
    "10": (2, 3),  # Vientiane Province
    "18": (3, 3),  # Xaisomboun
    "01": (2, 4),  # Vientiane Capital
    "11": (3, 4),  # Bolikhamxay
    "12": (4, 5),  # Khammouane
    "13": (4, 6),  # Savannakhet
    "14": (4, 7),  # Salavan
    "15": (5, 7),  # Sekong
    "16": (4, 8),  # Champasak
    "17": (5, 8),  # Attapeu
}
#: Five classes of a ratio, 0–20 %, 20–40 %, ... 80–100 %, light to dark (ColorBrewer
#: "Blues"), and the colour of a province without a value (no data, or a small cell).
MAP_CLASSES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
MAP_NO_DATA = "#d9d9d9"
TILE_W, TILE_H, TILE_GAP = 118, 58, 4
LEGEND_STEP = 118


def map_colour(ratio: float | None) -> str:
    """The colour of ``ratio`` on the map: its fifth of [0, 1] (1 in the last)."""
    if ratio is None:
        return MAP_NO_DATA
    return MAP_CLASSES[max(0, min(len(MAP_CLASSES) - 1, int(ratio * len(MAP_CLASSES))))]


def map_legend() -> list[dict[str, Any]]:
    """The classes of the map: ``from`` and ``to`` (ratios) and their colour."""
    step = 1 / len(MAP_CLASSES)
    return [
        {"from": round(i * step, 2), "to": round((i + 1) * step, 2), "colour": colour}
        for i, colour in enumerate(MAP_CLASSES)
    ]


def _lines(text: str, width: int) -> list[str]:
    """``text`` cut at spaces into at most two lines of about ``width`` characters."""
    words = text.split()
    if len(text) <= width or len(words) < 2:
        return [text]
    first = words[0]
    for word in words[1:-1]:
        if len(first) + 1 + len(word) > width:
            break
        first = f"{first} {word}"
    return [first, text[len(first) :].strip()]


def tile_map(
    tiles: Sequence[dict[str, Any]],
    label: Callable[[str | None, str | None], str],
    percent: Callable[[float | None], str],
    title: str,
    no_data: str,
) -> Markup:
    """One square per province (``PROVINCE_TILES``) coloured by its ratio
    (``map_colour``), named in the reader's language with its value, linking to its
    page; a legend of the classes below."""
    columns = 1 + max(column for column, _ in PROVINCE_TILES.values())
    rows = 1 + max(row for _, row in PROVINCE_TILES.values())
    width = columns * (TILE_W + TILE_GAP) + 10
    legend_y = rows * (TILE_H + TILE_GAP) + 16
    height = legend_y + 40
    parts = [
        f'<svg class="chart tile-map" id="province-map" role="img" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tile in tiles:
        column, row = PROVINCE_TILES[tile["code"]]
        x, y = 5 + column * (TILE_W + TILE_GAP), 5 + row * (TILE_H + TILE_GAP)
        name = label(tile["name_en"], tile["name_lo"])
        value = percent(tile["ratio"]) if tile["ratio"] is not None else no_data
        colour = tile["colour"]
        ink = "on-dark" if colour in MAP_CLASSES[3:] else "on-light"
        lines = _lines(name, 16)
        texts = "".join(
            f'<text x="{x + TILE_W / 2:.0f}" y="{y + 18 + 14 * i}" text-anchor="middle" '
            f'class="{ink}">{escape(line)}</text>'
            for i, line in enumerate(lines)
        )
        parts.append(
            f'<a href="/province/{escape(tile["code"])}" class="tile" '
            f'data-code="{escape(tile["code"])}" data-colour="{colour}">'
            f'<rect x="{x}" y="{y}" width="{TILE_W}" height="{TILE_H}" rx="4" fill="{colour}" '
            f'stroke="#5b6b76"><title>{escape(name)}: {escape(value)}</title></rect>{texts}'
            f'<text x="{x + TILE_W / 2:.0f}" y="{y + TILE_H - 8}" text-anchor="middle" '
            f'class="{ink} value">{escape(value)}</text></a>'
        )
    for index, item in enumerate(map_legend()):
        x = 5 + index * LEGEND_STEP
        parts.append(
            f'<rect class="legend" x="{x}" y="{legend_y}" width="18" height="14" '
            f'fill="{item["colour"]}" stroke="#5b6b76"/><text x="{x + 22}" y="{legend_y + 12}">'
            f"{escape(percent(item['from']))}–{escape(percent(item['to']))}</text>"
        )
    x = 5 + len(MAP_CLASSES) * LEGEND_STEP
    parts.append(
        f'<rect class="legend" x="{x}" y="{legend_y}" width="18" height="14" '
        f'fill="{MAP_NO_DATA}" stroke="#5b6b76"/><text x="{x + 22}" y="{legend_y + 12}">'
        f"{escape(no_data)}</text></svg>"
    )
    return Markup("".join(parts))
