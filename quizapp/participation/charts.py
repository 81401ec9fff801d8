"""Charts drawn by the server as inline SVG: no script, no library, nothing from the internet.

The pages' CSP forbids ``style`` attributes; SVG presentation attributes (``fill``,
``stroke``, ``width``) are plain attributes, so every size and colour is one. The value of
each mark is also written out as text: a bar sits beside its percentage, and a line chart
carries a ``<title>`` and ``<desc>`` (and, on its page, a data table).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from quizapp.numbers import number_text

RED = "#c8161d"
TRACK = "#eceef1"
GRID = "#e5e7eb"
MUTED = "#6b7280"

#: The line chart's plot, in CSS pixels: a fixed height, and the width of its card. The SVG has
#: no viewBox, so nothing in it scales with the page: text keeps its FONT_SIZE at any width,
#: and x positions are percentages of the plot's width. The y labels and the unit sit left of
#: the plot (negative x, shown because the SVG's overflow is visible), in the padding that
#: ``.chart-frame`` gives it in app.css (MARGIN_LEFT; MARGIN_RIGHT holds half of the last x
#: label, centred on the last point like the others).
HEIGHT, TOP, BOTTOM = 180, 28, 30
MARGIN_LEFT, MARGIN_RIGHT = 40, 28
FONT_SIZE = 12


def bar(fraction: float | None) -> Markup:
    """Return a horizontal bar filled to ``fraction`` (0 to 1) of its width.

    Hidden from screen readers: the page writes the value beside it.
    """
    filled = 0.0 if fraction is None else max(0.0, min(1.0, fraction)) * 100
    return Markup(
        '<svg class="bar" viewBox="0 0 100 8" width="100%" height="8" '
        'preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        f'<rect width="100" height="8" fill="{TRACK}"/>'
        f'<rect width="{filled:.1f}" height="8" fill="{RED}"/></svg>'
    )


@dataclass(frozen=True)
class LinePoint:
    """One point of a line chart."""

    #: The x-axis label, e.g. "11月16日".
    label: str
    #: None: no data; the line breaks there.
    value: float | None
    #: Drawn hollow: the value is an estimate from part of the data.
    partial: bool = False


#: Round steps of a y axis, times a power of ten.
ROUND_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def nice_top(largest: float, steps: int = 4) -> float:
    """Return the top of a y axis of ``steps`` equal round steps, each at least 1."""
    raw = max(largest / steps, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in ROUND_STEPS if m * magnitude >= raw)
    return float(step * steps)


def format_value(value: float) -> str:
    """Format a value for a label: whole numbers from 10 up, one decimal below (half up)."""
    return number_text(value, 0 if abs(value) >= 10 else 1)


def _text(x: str, y: float, text: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{x}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT_SIZE}" '
        f'fill="{MUTED}">{escape(text)}</text>'
    )


def line_chart(
    points: Sequence[LinePoint],
    *,
    chart_id: str,
    title: str,
    description: str,
    unit: str,
    label_every: int = 3,
) -> Markup:
    """Return an SVG line chart of ``points`` with a y axis in ``unit`` and every
    ``label_every``-th x label (counted back from the last point).

    ``chart_id`` makes the ids of its title and description unique on the page. Labels are
    FONT_SIZE CSS pixels at any width; at 360 px, 12 points with every third labelled leave
    each label about 64 px (the longest, "12月28日", takes about 52).
    """
    values = [p.value for p in points if p.value is not None]
    top = nice_top(max(values, default=0))
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(index: int) -> str:
        share = index / (len(points) - 1) if len(points) > 1 else 0.5
        return f"{share * 100:.2f}%"

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<div class="chart-frame"><svg class="chart" width="100%" height="{HEIGHT}" '
        f'overflow="visible" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for step in range(5):  # gridlines and y labels: 0, 1/4 ... top
        value = top * step / 4
        y = y_of(value)
        parts.append(
            f'<line x1="0" y1="{y:.1f}" x2="100%" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text("-6", y + FONT_SIZE * 0.35, format_value(value), "end"))
    # The unit above the y labels, a line clear of the top one.
    parts.append(_text(f"{-MARGIN_LEFT}", TOP - FONT_SIZE - 2, unit, "start"))
    last = len(points) - 1
    for index, point in enumerate(points):
        if (last - index) % label_every == 0:
            parts.append(_text(x_of(index), HEIGHT - 8, point.label))

    for index in range(1, len(points)):  # a segment between each two points with values
        before, after = points[index - 1].value, points[index].value
        if before is not None and after is not None:
            parts.append(
                f'<line class="chart-line" x1="{x_of(index - 1)}" y1="{y_of(before):.1f}" '
                f'x2="{x_of(index)}" y2="{y_of(after):.1f}" stroke="{RED}" stroke-width="2" '
                'stroke-linecap="round"/>'
            )
    for index, point in enumerate(points):
        if point.value is None:
            continue
        fill = "#fff" if point.partial else RED
        parts.append(
            f'<circle class="chart-point" cx="{x_of(index)}" cy="{y_of(point.value):.1f}" '
            f'r="3.5" fill="{fill}" stroke="{RED}" stroke-width="1.5">'
            f"<title>{escape(point.label)}：{format_value(point.value)} {escape(unit)}"
            f"{'（估算）' if point.partial else ''}</title></circle>"
        )
    parts.append("</svg></div>")
    return Markup("".join(parts))
