"""The native bar chart of a participation workbook, drawn by Excel from its 图表数据 sheet."""

from __future__ import annotations

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook

CHART_SHEET = "图表数据"
#: Pixels per centimetre of a chart's size (96 dpi).
PIXELS_PER_CM = 96 / 2.54


def bar_chart(workbook: Workbook, count: int, title: str, rate: str) -> Chart:
    """A horizontal bar chart of the rates, first row on top, sized by the number of bars."""
    chart = workbook.add_chart({"type": "bar"})
    chart.set_style(10)
    chart.set_title({"name": title})
    chart.set_legend({"none": True})
    sheet = f"'{CHART_SHEET}'"
    chart.add_series(
        {
            "name": f"={sheet}!$B$1",
            "categories": f"={sheet}!$A$2:$A${count + 1}",
            "values": f"={sheet}!$B$2:$B${count + 1}",
        }
    )
    # In a bar chart the y axis is the categories' (reversed: the table's order, top down)
    # and the x axis the rates'.
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "name": rate})
    chart.set_size(
        {
            "width": round(18 * PIXELS_PER_CM),
            "height": round(max(7.5, 3 + 0.55 * count) * PIXELS_PER_CM),
        }
    )
    return chart
