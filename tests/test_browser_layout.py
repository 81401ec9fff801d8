"""The management area's layout in a real browser: charts whose labels stay readable and apart
from a phone to a wide screen, every section of the tab bar reachable on a phone, and wide
tables that keep the name and the rate in view (Playwright + Debian's Chromium)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from quizapp import db
from quizapp.campaigns import services as campaigns
from quizapp.clock import china_today, utcnow
from quizapp.participation.models import ParticipationSnapshot
from quizapp.participation.snapshots import DAY
from tests.browser import BROWSER, PHONE, fits_phone_width, log_in
from tests.factories import make_campaign, make_questions, make_quiz
from tests.test_dashboard import NOW, TODAY

pytestmark = BROWSER

#: Widths every chart page is checked at: a phone, an office PC, a wide screen.
WIDTHS = (360, 1280, 1920)
#: Pages with charts (their labels are checked), for the admin.
CHART_PAGES = ("/manage/",)
#: Rendered label sizes, in CSS pixels.
SMALLEST_FONT, LARGEST_FONT = 11.5, 14.5

#: Every text of every chart on the page (SVG text and the bars' HTML labels): its box and its
#: rendered size (the computed size times the SVG's scale on screen, so a viewBox that scales
#: text with the page is caught).
LABELS_JS = """() => {
  const labels = [];
  for (const text of document.querySelectorAll('svg text')) {
    const box = text.getBoundingClientRect();
    const scale = text.getScreenCTM().a;
    labels.push({text: text.textContent, group: 'svg', box: [box.left, box.top, box.right, box.bottom],
                 size: parseFloat(getComputedStyle(text).fontSize) * scale});
  }
  for (const head of document.querySelectorAll('.bar-head')) {
    if (!head.offsetParent) continue;  // inside a closed fold-out
    for (const label of head.children) {
      const box = label.getBoundingClientRect();
      labels.push({text: label.textContent, group: 'bar', box: [box.left, box.top, box.right, box.bottom],
                   size: parseFloat(getComputedStyle(label).fontSize)});
    }
  }
  return labels;
}"""


def _overlap(a, b) -> bool:
    """Tell whether two boxes share more than a pixel's sliver."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


@pytest.fixture()
def screen(browser):
    """Open a page of the given width (a touch phone below 600 px)."""
    contexts = []

    def open_screen(width: int):
        phone = width < 600
        context = browser.new_context(
            viewport={"width": width, "height": PHONE["height"] if phone else 900},
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN",
        )
        contexts.append(context)
        return context.new_page()

    yield open_screen
    for context in contexts:
        context.close()


@pytest.fixture()
def twelve_weeks(org, monkeypatch):
    """Day snapshots for every day of the dashboard's 12 weeks: a chart with every label,
    its axis up to 60 minutes or more."""
    monkeypatch.setattr("quizapp.dashboard.manage.utcnow", lambda: NOW)
    day = TODAY - timedelta(weeks=12)
    while day < TODAY:
        seconds = 240 + (day - date(2026, 8, 1)).days * 7  # rising: 4 to 16 minutes a day
        for branch in (org.b11, org.b21):
            db.session.add(
                ParticipationSnapshot(
                    day=day,
                    subject=DAY,
                    branch_id=branch.id,
                    eligible=2,
                    participants=1,
                    study_seconds=2 * seconds,
                    times=1,
                )
            )
        day += timedelta(days=1)
    db.session.commit()


def test_chart_labels_keep_their_size_and_never_overlap_from_phone_to_wide_screen(
    live_server, screen, org, twelve_weeks
):
    for width in WIDTHS:
        page = screen(width)
        log_in(page, live_server, "admin")
        for path in CHART_PAGES:
            page.goto(f"{live_server}{path}")
            for fold in page.locator("details.dashboard-children summary").all():
                fold.click()  # the bars by unit too
            labels = page.evaluate(LABELS_JS)
            where = f"{path} at {width} px"
            svg = [label for label in labels if label["group"] == "svg"]
            assert len(svg) >= 10, where  # 5 y labels, the unit, 4 weeks: the chart is drawn
            assert "分钟" in {label["text"] for label in svg}, where
            for label in labels:
                assert SMALLEST_FONT <= label["size"] <= LARGEST_FONT, (where, label)
                left, _, right, _ = label["box"]
                assert left >= 0 and right <= width, (where, label)  # none off the screen
            for i, a in enumerate(svg):
                for b in svg[i + 1 :]:
                    assert not _overlap(a["box"], b["box"]), (where, a, b)
            bars = [label for label in labels if label["group"] == "bar"]
            for a, b in zip(bars[::2], bars[1::2], strict=True):  # a bar's name and its value
                assert not _overlap(a["box"], b["box"]), (where, a, b)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, where


def test_every_management_section_is_one_tap_away_on_a_phone(live_server, screen, org):
    page = screen(PHONE["width"])
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/manage/participation")
    assert fits_phone_width(page)
    assert page.locator(".subnav-row").is_hidden()
    menu = page.locator(".subnav-menu summary")
    assert menu.bounding_box()["height"] >= 44
    assert "参学统计" in menu.text_content()  # where the organiser is

    menu.click()
    links = page.locator(".subnav-grid a")
    assert links.count() == 14
    hrefs = set()
    for link in links.all():
        box = link.bounding_box()
        assert link.is_visible(), link.text_content()
        assert box["height"] >= 44 and box["width"] >= 44, link.text_content()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.text_content()
        hrefs.add(link.get_attribute("href"))
    assert len(hrefs) == 14
    assert fits_phone_width(page)
    page.click(".subnav-grid a:has-text('积分排行')")
    page.wait_for_url(f"{live_server}/manage/points/")
    assert "积分排行" in page.locator(".subnav-menu summary").text_content()

    # An office PC: the row of links, all on the screen, no menu.
    wide = screen(1280)
    log_in(wide, live_server, "admin")
    wide.goto(f"{live_server}/manage/")
    assert wide.locator(".subnav-menu").is_hidden()
    row = wide.locator(".subnav-row a")
    assert row.count() == 14
    for link in row.all():
        box = link.bounding_box()
        assert link.is_visible() and box["x"] + box["width"] <= 1280 and box["height"] >= 44


#: Where, in a scrolled table, the name and rate cells of each row are.
PINNED_JS = """table => {
  const scroller = table.closest('.table-scroll');
  const rows = [];
  for (const row of table.querySelectorAll('tr')) {
    const name = row.querySelector('.pin-name'), rate = row.querySelector('.pin-rate');
    if (!name || !rate) continue;
    const n = name.getBoundingClientRect(), r = rate.getBoundingClientRect();
    rows.push({name: [n.left, n.right], rate: [r.left, r.right], text: name.textContent.trim()});
  }
  return {wider: scroller.scrollWidth > scroller.clientWidth, rows};
}"""


def _name_and_rate_in_view(page, table: str) -> None:
    """At both ends of the sideways scroll, every row's name and rate are on the screen."""
    locator = page.locator(table)
    for end in ("0", "el.scrollWidth"):
        locator.evaluate(
            f"t => {{ const el = t.closest('.table-scroll'); el.scrollLeft = {end}; }}"
        )
        seen = locator.evaluate(PINNED_JS)
        assert seen["wider"], table  # the table does scroll sideways at this width
        assert seen["rows"], table
        for row in seen["rows"]:
            assert row["name"][0] >= 0 and row["rate"][1] <= PHONE["width"], (end, row)
            assert row["rate"][0] >= row["name"][1] - 1, (end, row)  # side by side


def test_wide_tables_keep_the_branch_name_and_the_rate_in_view_on_a_phone(live_server, screen, org):
    today = china_today()
    campaign = make_campaign(
        org.org1, "宽表测试", today, today + timedelta(days=6), minutes=10, branches=[org.u1]
    )
    campaigns.set_published(org.org1, campaign, True)
    bank = make_questions(org.admin, n_each=1)
    quiz = make_quiz(org.org1, [org.u1], questions=[bank["single"][0]], now=utcnow())
    db.session.commit()

    page = screen(PHONE["width"])
    log_in(page, live_server, "org1")
    page.goto(f"{live_server}/manage/participation/campaigns/{campaign.id}")
    _name_and_rate_in_view(page, ".participation-table")
    headings = page.locator(".participation-table thead th").all_text_contents()
    assert headings[:2] == ["组织", "参学率"]  # the rate right after the name
    assert fits_phone_width(page)

    page.goto(f"{live_server}/manage/results/quizzes/{quiz.id}")
    _name_and_rate_in_view(page, ".results-table")
    assert fits_phone_width(page)
