"""Chart axes: round ticks that cover the data and never repeat a label."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from laosp.presentation.i18n import Formatter
from laosp.presentation.scales import axis_ticks
from laosp.web.charts import Series, line_chart

values = st.floats(min_value=-1e13, max_value=1e13, allow_nan=False)


@given(values, values)
def test_ticks_cover_the_data_in_round_distinct_steps(a: float, b: float) -> None:
    low, high = min(a, b, 0.0), max(a, b, 0.0)
    ticks = axis_ticks(low, high, count=6)
    slack = 1e-9 * (high - low)  # invisible on a 200-pixel axis
    assert ticks[0] <= low + slack
    assert ticks[-1] >= high - slack
    assert all(later > earlier for earlier, later in pairwise(ticks))
    assert len(ticks) <= 12


def test_percent_axis_labels_are_distinct() -> None:
    formatter = Formatter("lo")
    labels = [formatter.percent_points(tick) for tick in axis_ticks(0.0, 2.23, count=6)]
    assert len(set(labels)) == len(labels)
    assert labels[1] == "0,5%"


def test_a_line_charts_legend_has_a_line_for_each_series() -> None:
    # two long titles side by side would overlap: each is on a line of its own, under
    # the years (the plot ends at 20 + 210, the years' labels take 30, a line 20)
    names = ["Default scenario: Current schemes, current policy", "Policy: Child grant"]
    svg = line_chart(
        [2025, 2026], [Series(names[0], [1.0, 2.0]), Series(names[1], [1.5, None])], "t", str
    )
    assert 'height="300"' in svg
    assert f'<text x="106" y="274">{names[0]}</text>' in svg
    assert f'<text x="106" y="294">{names[1]}</text>' in svg
