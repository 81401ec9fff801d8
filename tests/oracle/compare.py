"""Read a participation report as an organiser gets it (page, .xlsx, .csv) and compare every
cell with the oracle's figures (:mod:`tests.oracle.expected`).

Formatting is written out again here: 四舍五入 (half up) of the exact value, percentages with
one decimal, 平均分 with two and 人均学习时长 with one (on the page and in the .csv alike),
member minutes with one.
The page's table is parsed here too (like tests/test_participation_pages.table, but keyed by
data-key rather than put in the order of quizapp.participation's FIELDS, which the oracle
does not import).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import openpyxl
import pytest

from tests.oracle.expected import KEYS, LINES, Line, rows
from tests.oracle.scenario import World

BASE = "/manage/participation"
TOP_NAME = "测试市公安局"
WORD = {"campaign": "参学", "quiz": "参考", "range": "参学"}
TOOK = {"campaign": "是否参与", "quiz": "是否参考", "range": "是否参学"}
#: Decimals of the averages (written out here, not read from the app).
PLACES = {"average_score": 2, "average_minutes": 1}


def half_up(value: Fraction, places: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value, places: int) -> str:
    if value is None:
        return "—"
    text = f"{half_up(Fraction(value), places):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value) -> str:
    return "—" if value is None else f"{half_up(value * 100, 1):f}%"


def page_text(key: str, value) -> str:
    if key.endswith("_rate"):
        return percent(value)
    if key.startswith("average_"):
        return number(value, PLACES[key])
    return str(value)


def csv_text(key: str, value) -> str:
    if key.endswith("_rate"):
        return percent(value)
    if key.startswith("average_"):
        return "—" if value is None else f"{half_up(value, PLACES[key]):f}"
    return str(value)


def xlsx_value(key: str, value):
    if value is None:
        return "—"
    return pytest.approx(float(value)) if isinstance(value, Fraction) else value


# Reading the page


def page_table(html: str) -> dict[str, dict[str, str]]:
    """{organisation name: {data-key: cell text}} of the page's report table."""
    body = html.split('class="table participation-table', 1)[1].split("</table>", 1)[0]
    table = {}
    for row in re.findall(r"<tr class=\"is-[a-z]+\">(.*?)</tr>", body, re.S):
        name = re.sub(r"<[^>]+>|\s+", " ", re.search(r"<th[^>]*>(.*?)</th>", row, re.S)[1])
        name = name.strip().removeprefix("合计 · ").replace(" 已撤销", "")
        cells = re.findall(r'<td[^>]*data-key="([a-z_]+)"[^>]*>(.*?)</td>', row, re.S)
        table[name] = {key: text.strip() for key, text in cells}
    return table


def headline(html: str) -> list[tuple[str, str]]:
    """(value, label) of each figure at the top of the page, tags dropped from the label."""
    body = html.split('<section class="stats">', 1)[1].split("</section>", 1)[0]
    pairs = re.findall(
        r'<span class="stat-value">(.*?)</span><span class="stat-label">(.*?)</span>', body, re.S
    )
    return [(v.strip(), re.sub(r"<[^>]+>|\s+", "", label)) for v, label in pairs]


def expected_headline(kind: str, top: dict) -> list[tuple[str, str]]:
    word = WORD[kind]
    shown = [
        (percent(top["participation_rate"]), f"{word}率{top['participants']}/{top['eligible']}人")
    ]
    if kind == "campaign":
        shown.append(
            (percent(top["completion_rate"]), f"完成率{top['completed']}/{top['eligible']}人")
        )
    shown.append(
        (number(top["average_minutes"], PLACES["average_minutes"]), "人均学习时长（分钟）")
    )
    shown.append((str(top["times"]), f"{word}人次"))
    return shown


# The member lines


def member_headers(kind: str) -> list[str]:
    headers = ["党支部", "单位", "姓名", "警号/手机号", "政治面貌", "账号状态", TOOK[kind]]
    if kind == "campaign":
        headers.append("是否完成")
    headers.append("学习时长（分钟）")
    if kind == "quiz":
        headers.append("计分成绩")
    if kind != "range":
        headers.append("是否及格")
    headers.append(f"{WORD[kind]}人次")
    headers.append("未完成的项目" if kind == "campaign" else "未参加原因")
    return headers


def _yes(value: bool) -> str:
    return "是" if value else "否"


def member_cells(kind: str, world: World, line: Line, unit_of: dict[int, int]) -> list:
    """The member's line as the .xlsx holds it (numbers as numbers); the last cell is True
    when the member lacks something (the text itself is the app's to word) ."""
    name, login_id, status = world.ledger.people[line.member_id]
    cells = [
        world.names[line.branch_id],
        world.names[unit_of[line.branch_id]],
        name,
        login_id,
        status,
        "已停用" if line.member_id in world.ledger.left else "正常",
        _yes(line.participated),
    ]
    if kind == "campaign":
        cells.append(_yes(line.completed))
    cells.append(float(half_up(Fraction(line.seconds, 60), 1)))
    if kind == "quiz":
        cells.append(None if line.score is None else float(line.score))
    if kind == "campaign" and not line.completed:
        cells.append("—")  # 及格 is judged among the complete only
    elif kind != "range":
        cells.append(_yes(line.passed))
    cells.append(line.times)
    cells.append(line.lacking)
    return cells


def _reasons(kind: str, text: str):
    """The last cell of a member line as :func:`member_cells` states it."""
    fixed = {"quiz": "未交卷", "range": "统计期内没有学习活动"}
    if kind in fixed and text:
        assert text == fixed[kind]
    return bool(text)


def _as_csv(cells: list) -> list:
    out = []
    for cell in cells[:-1]:
        out.append("" if cell is None else str(cell))
    return [*out, cells[-1]]


# The comparison


@dataclass
class Ask:
    """One report to compare: whose, of what, over which days."""

    kind: str  # campaign, quiz or range
    url: str  # the report page's path
    login_id: str
    scope: int | None  # the unit the organiser manages, None for the admin
    first: date
    last: date
    #: The days the figures are counted over (a campaign's are cut to its own).
    counted: tuple[date, date] | None = None


def check(client, auth, world: World, ask: Ask) -> None:
    """Compare the page (table and headline), the .xlsx (summary and member sheets) and the
    .csv (summary and member lines) asked for with the oracle."""
    kind, tree = ask.kind, world.tree
    first, last = ask.counted or (ask.first, ask.last)
    lines = LINES[kind](world, first, last)
    figures = rows(kind, lines, tree)
    units = [u for u in tree if ask.scope is None or u == ask.scope]
    order = ([None] if ask.scope is None else []) + [n for u in units for n in (u, *tree[u])]
    names = [TOP_NAME if n is None else world.names[n] for n in order]
    unit_of = {b: u for u, branches in tree.items() for b in branches}
    position = {n: i for i, n in enumerate(order)}
    people = sorted(
        (line for line in lines.values() if line.branch_id in position),
        key=lambda line: (
            position[line.branch_id],
            world.ledger.people[line.member_id][0],
            line.member_id,
        ),
    )
    expected_people = [member_cells(kind, world, line, unit_of) for line in people]
    keys = KEYS[kind]
    who = (ask.login_id, kind, ask.first, ask.last)

    auth.login(ask.login_id)
    query = f"first={ask.first}&last={ask.last}"
    response = client.get(f"{ask.url}?{query}")
    assert response.status_code == 200, who
    html = response.get_data(as_text=True)
    expected = {
        name: {k: page_text(k, figures[n][k]) for k in keys}
        for name, n in zip(names, order, strict=True)
    }
    assert page_table(html) == expected, who
    top = figures[order[0]]
    assert headline(html) == expected_headline(kind, top), who

    data = client.get(f"{ask.url}/export.xlsx?{query}").get_data()
    book = openpyxl.load_workbook(io.BytesIO(data))
    got = [[c.value for c in line] for line in book["汇总"].iter_rows(min_row=2)]
    assert [line[0] for line in got] == names, who
    assert [line[2:] for line in got] == [
        [xlsx_value(k, figures[n][k]) for k in keys] for n in order
    ], who
    sheet = [[c.value for c in line] for line in book["人员明细"].iter_rows()]
    assert sheet[0] == member_headers(kind), who
    got = [[*line[:-1], _reasons(kind, line[-1] or "")] for line in sheet[1:]]
    assert got == [_approx(cells) for cells in expected_people], who

    data = client.get(f"{ask.url}/export.csv?{query}").get_data()
    text = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    summary = text[1 : text.index([])]
    assert [line[0] for line in summary] == names, who
    assert [line[2:] for line in summary] == [
        [csv_text(k, figures[n][k]) for k in keys] for n in order
    ], who
    assert ["人员明细", f"{len(people)} 人"] in text, who
    start = text.index(["人员明细"])
    assert text[start + 1] == member_headers(kind), who
    got = [[*line[:-1], _reasons(kind, line[-1])] for line in text[start + 2 :]]
    assert got == [_as_csv(cells) for cells in expected_people], who
    auth.logout()


def _approx(cells: list) -> list:
    return [pytest.approx(c) if isinstance(c, float) else c for c in cells]
