"""Studying a material in a real browser at a phone viewport (Playwright + Debian's Chromium).

The heartbeat runs every second here (``fast_heartbeats``) so a test sees several beats in a
few seconds. The live server shares the test's database: commit after creating data, and end
the test's read transaction (``_credited``) before looking at what the server wrote.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp import db
from quizapp.audiences.services import build_audience
from quizapp.numbers import minutes_text
from quizapp.study.models import Material, StudyMinute
from tests.browser import BROWSER, fits_phone_width, launch, log_in, phone_context, phone_page
from tests.factories import make_material, pdf_bytes

WAIT = 10_000  # ms: the longest any single step may take

pytestmark = BROWSER

#: Let the test move the page's clock forward (Date.now only), to make the member idle.
SHIFTABLE_CLOCK = """
(() => {
  const realNow = Date.now.bind(Date);
  window.__clockShift = 0;
  Date.now = () => realNow() + window.__clockShift;
})();
"""

#: Emulate the member switching to another app: the page becomes hidden.
HIDE = """() => {
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
  document.dispatchEvent(new Event('visibilitychange'));
}"""
SHOW = """() => {
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});
  document.dispatchEvent(new Event('visibilitychange'));
}"""

#: What the page shows, read at one moment: (seconds, the time text, the bar, the mark).
SNAPSHOT = """() => [Number(document.getElementById('study').dataset.seconds),
  document.getElementById('material-time').textContent,
  document.getElementById('material-progress').value,
  document.querySelector('[data-mark]').textContent]"""
SECONDS_AT_LEAST = "n => Number(document.getElementById('study').dataset.seconds) >= n"


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture()
def fast_heartbeats(app):
    """Beat every second, credit at most 5 s a beat, nothing after 10 s of silence."""
    keys = ("STUDY_HEARTBEAT_SECONDS", "STUDY_MAX_CREDIT_SECONDS", "STUDY_GAP_SECONDS")
    saved = {key: app.config[key] for key in keys}
    app.config.update(STUDY_HEARTBEAT_SECONDS=1, STUDY_MAX_CREDIT_SECONDS=5, STUDY_GAP_SECONDS=10)
    yield
    app.config.update(saved)


@pytest.fixture()
def phone():
    """A phone's page (360×740, touch) that records dialogs in ``page.dialogs``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        context = phone_context(browser, timezone_id="Asia/Shanghai")
        context.set_default_timeout(WAIT)
        context.add_init_script(SHIFTABLE_CLOCK)
        page = phone_page(context)
        beats, answers = [], []
        page.on(
            "request",
            lambda request: (
                beats.append(request) if request.url.endswith("/api/study/heartbeat") else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                answers.append(response) if response.url.endswith("/api/study/heartbeat") else None
            ),
        )
        page.beats, page.answers = beats, answers
        yield page
        context.close()
        browser.close()


@pytest.fixture()
def material(org):
    """A published one-minute material for unit U1, long enough to scroll."""
    paragraphs = "".join(
        f"<p>第{i}段：坚持惩前毖后、治病救人，严明党的纪律。</p>" for i in range(40)
    )
    material = make_material(
        org,
        "中国共产党纪律处分条例解读",
        branches=[org.u1],
        body_html=paragraphs,
        estimated_minutes=1,
    )
    db.session.commit()
    return material


# --- helpers -------------------------------------------------------------------------------


_fits_phone_width = fits_phone_width


def _credited(member_id, material_id) -> int:
    """The seconds the server holds for the member on the material (all days)."""
    db.session.rollback()  # end the read transaction: a WAL reader keeps its snapshot
    db.session.expire_all()
    seconds = db.session.scalar(
        select(func.coalesce(func.sum(StudyMinute.seconds), 0)).where(
            StudyMinute.member_id == member_id, StudyMinute.material_id == material_id
        )
    )
    db.session.rollback()
    return int(seconds)


def _on_page(page) -> int:
    return int(page.get_attribute("#study", "data-seconds"))


def _study_until(page, seconds):
    """Stay active (scroll, tap) until the page shows at least ``seconds`` credited."""
    for goal in range(_on_page(page) + 1, seconds + 1):
        page.mouse.wheel(0, 120)
        page.dispatch_event("main", "pointerdown")
        page.wait_for_function(SECONDS_AT_LEAST, arg=goal)


def _credited_beats(page) -> int:
    """How many of the page's heartbeats the server answered with seconds credited."""
    return sum(1 for r in list(page.answers) if r.ok and r.json()["credited"] > 0)


def _study_for_beats(page, beats):
    """Stay active until at least ``beats`` heartbeats were credited."""
    while _credited_beats(page) < beats:
        _study_until(page, _on_page(page) + 1)


def _open(page, base, material):
    page.goto(f"{base}/study/")
    page.click(f".material-list a:has-text('{material.title}')")
    page.wait_for_url(f"{base}/study/materials/{material.id}")


# --- the scenario: two heartbeats, minutes rise; hidden, they stop ----------------


def test_minutes_rise_while_studying_and_stop_when_the_page_is_hidden(
    live_server, phone, org, material, fast_heartbeats
):
    page = phone
    log_in(page, live_server, "m1")
    _open(page, live_server, material)
    expect(page.locator("#study-status")).to_have_text("学习计时中")
    expect(page.locator("#material-time")).to_have_text("0 分 00 秒")

    _study_for_beats(page, 2)  # the opening beat credits nothing; then about 1 s a beat
    shown, text, bar, mark = page.evaluate(SNAPSHOT)
    assert len(page.beats) >= 3
    assert _credited(org.m1.id, material.id) >= shown >= 2
    assert text == f"0 分 {shown:02d} 秒" and bar == shown and mark == "学习中"
    # Today's minutes follow the beats with one decimal, as the server writes them.
    expect(page.locator("#today-minutes")).to_have_text(minutes_text(shown, fixed=True))

    # The member switches to another app: one last beat goes out as a beacon, then nothing.
    with page.expect_response(
        lambda r: (
            r.url.endswith("/api/study/heartbeat") and "csrf_token=" in (r.request.post_data or "")
        )
    ) as last:
        page.evaluate(HIDE)
    beacon = last.value.request
    assert beacon.method == "POST" and last.value.status == 200
    form = parse_qs(beacon.post_data)
    assert set(form) == {"csrf_token", "token"}
    assert form["token"] == [page.get_attribute("#study", "data-token")]
    expect(page.locator("#study-status")).to_have_text("页面不在前台，已暂停计时")
    sent, held = len(page.beats), _credited(org.m1.id, material.id)
    page.wait_for_timeout(3500)  # three and a half intervals pass while hidden
    assert len(page.beats) == sent
    assert _credited(org.m1.id, material.id) == held

    # Back in front, the page carries on counting.
    page.evaluate(SHOW)
    expect(page.locator("#study-status")).to_have_text("学习计时中")
    _study_until(page, _on_page(page) + 1)
    assert _credited(org.m1.id, material.id) > held
    assert page.dialogs == []


def test_an_idle_member_is_not_credited(live_server, phone, org, material, fast_heartbeats):
    page = phone
    log_in(page, live_server, "m1")
    _open(page, live_server, material)
    _study_until(page, 2)

    page.evaluate("window.__clockShift = 61 * 1000")  # a minute without scrolling or tapping
    expect(page.locator("#study-status")).to_contain_text("长时间未操作，已暂停计时")
    sent, held = len(page.beats), _credited(org.m1.id, material.id)
    page.wait_for_timeout(2500)
    assert len(page.beats) == sent and _credited(org.m1.id, material.id) == held

    page.dispatch_event("main", "pointerdown")  # the member taps the page again
    expect(page.locator("#study-status")).to_have_text("学习计时中")
    _study_until(page, _on_page(page) + 1)
    assert page.dialogs == []


def test_a_playing_video_keeps_the_member_active(
    live_server, phone, org, material, app, fast_heartbeats
):
    uploads = Path(app.instance_path) / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "talk.mp4").write_bytes(b"\0" * 64)  # the player is emulated below
    material.video_path = "talk.mp4"
    db.session.commit()
    try:
        page = phone
        log_in(page, live_server, "m1")
        _open(page, live_server, material)
        expect(page.locator("video.material-video")).to_have_attribute("preload", "metadata")
        _study_until(page, 1)
        # The member watches without touching the page for over a minute.
        page.evaluate("""() => {
          const video = document.querySelector('video');
          Object.defineProperty(video, 'paused', {configurable: true, get: () => false});
          window.__clockShift = 61 * 1000;
        }""")
        page.wait_for_function(SECONDS_AT_LEAST, arg=_on_page(page) + 2)
        expect(page.locator("#study-status")).to_have_text("学习计时中")

        page.evaluate("() => { delete document.querySelector('video').paused; }")  # stopped
        expect(page.locator("#study-status")).to_contain_text("长时间未操作，已暂停计时")
        assert page.dialogs == []
    finally:
        shutil.rmtree(uploads)


def test_a_lost_connection_is_retried_quietly(live_server, phone, org, material, fast_heartbeats):
    page = phone
    log_in(page, live_server, "m1")
    _open(page, live_server, material)
    _study_until(page, 2)

    page.context.set_offline(True)
    for _ in range(2):  # two beats in a row fail; the page keeps trying, and says nothing
        page.dispatch_event("main", "pointerdown")
        page.wait_for_event("requestfailed", lambda r: r.url.endswith("/api/study/heartbeat"))
    expect(page.locator("#study-status")).to_have_text("学习计时中")
    page.context.set_offline(False)
    _study_until(page, _on_page(page) + 1)  # credited again once the connection is back
    assert page.dialogs == []


# --- PDF drawn inside the page ------------------------------------------------------------


def _pdf_material(org, uploads, content: bytes):
    (uploads / "reading.pdf").write_bytes(content)
    material = make_material(
        org,
        "纪律处分条例原文",
        branches=[org.u1],
        body_html="",
        pdf_path="reading.pdf",
        pdf_name="条例原文.pdf",
        estimated_minutes=1,
        is_required=True,
    )
    db.session.commit()
    return material


#: Whether a drawn page's canvas holds anything but white (the text "Page n").
INKED = """canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 128) return true;
  return false;
}"""


def test_a_pdf_is_drawn_in_the_page_and_reading_it_counts(
    live_server, phone, org, uploads, fast_heartbeats
):
    material = _pdf_material(org, uploads, pdf_bytes(12))
    page = phone
    log_in(page, live_server, "m1")
    _open(page, live_server, material)
    expect(page.locator("#pdf-status")).to_have_text("共 12 页，向下滑动阅读")
    assert page.get_attribute("#pdf-viewer", "data-pages") == "12"
    first = page.locator(".pdf-page[data-page='1'] canvas")
    expect(first).to_be_visible()
    assert page.evaluate_handle("document.querySelector('.pdf-page canvas')").evaluate(INKED)
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["width"] >= 300
    assert _fits_phone_width(page)
    # Drawn lazily: the last pages wait until the member scrolls near them.
    assert page.locator(".pdf-page canvas").count() < 12
    expect(page.locator(".pdf-page[data-page='12'] canvas")).to_have_count(0)

    # Reading the PDF is scrolling this page: the heartbeats credit it like an article.
    _study_until(page, 3)
    assert _credited(org.m1.id, material.id) >= 3
    expect(page.locator("#study-status")).to_have_text("学习计时中")

    page.locator(".pdf-page[data-page='12']").scroll_into_view_if_needed()
    expect(page.locator(".pdf-page[data-page='12'] canvas")).to_be_visible()
    expect(first).to_have_count(0)  # far above: its pixels were given back
    assert _fits_phone_width(page)
    assert page.dialogs == []


def test_a_pdf_that_cannot_be_drawn_offers_the_download(live_server, phone, org, uploads):
    material = _pdf_material(org, uploads, b"%PDF-1.4\nnot really a pdf")
    page = phone
    log_in(page, live_server, "m1")
    _open(page, live_server, material)
    expect(page.locator("#pdf-status")).to_contain_text("文档无法在本页显示")
    expect(page.locator(".pdf-page canvas")).to_have_count(0)
    link = page.locator("#open-pdf")
    expect(link).to_have_text("下载PDF")
    assert link.get_attribute("href") == f"/study/materials/{material.id}/pdf"
    assert link.bounding_box()["height"] >= 44
    assert page.dialogs == []


# --- phone fit -----------------------------------------------------------------------------


def test_study_pages_fit_a_phone(live_server, phone, org, app):
    uploads = Path(app.instance_path) / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "fit.pdf").write_bytes(pdf_bytes(2))
    audience = build_audience(org.admin, [org.u1], [], [])
    long_title = (
        "学习贯彻《中国共产党纪律处分条例》和《关于新形势下党内政治生活的若干准则》专题辅导"
    )
    body = (
        "<h2>一、总体要求</h2>" + "<p>" + "严明党的纪律和规矩，" * 40 + "</p>"
        "<p>https://intranet.example.gov.cn/a/very/long/address/without/any/spaces/"
        "that/would/otherwise/push/the/page/wider/than/the/phone</p>"
        "<table><tr>" + "<td>第一列内容较长的表格单元</td>" * 6 + "</tr></table>"
        "<pre>" + "x" * 200 + "</pre>"
    )
    materials = [
        Material(
            title=long_title if i == 0 else f"学习资料{i}",
            topic="党纪学习教育" if i % 2 else "党章学习",
            body_markdown="",
            body_html=body,
            estimated_minutes=20,
            audience=audience,
            owner_branch_id=org.bureau.id,
            status="published",
            is_required=i % 3 == 0,
            pdf_path="fit.pdf",
            pdf_name="条例原文.pdf",
            video_url="https://video.example.gov.cn/v/1" if i == 0 else None,
        )
        for i in range(8)
    ]
    db.session.add_all(materials)
    db.session.commit()
    try:
        page = phone
        log_in(page, live_server, "m1")
        page.click("nav.tabbar a:has-text('学习')")
        page.wait_for_url(f"{live_server}/study/")
        assert _fits_phone_width(page), "/study/"
        assert page.locator("nav.tabbar a.active").text_content().endswith("学习")
        rows = page.locator(".material-list a")
        assert rows.count() == 8
        for box in (rows.nth(i).bounding_box() for i in range(8)):
            assert box["height"] >= 44 and box["width"] >= 44  # large tap targets
        assert page.locator(".study-search button").bounding_box()["height"] >= 44

        page.fill("#q", "准则")
        page.click(".study-search button")
        page.wait_for_url(re.compile(r"/study/\?q="))
        expect(rows).to_have_count(1)
        assert _fits_phone_width(page), "/study/?q="

        rows.first.click()
        page.wait_for_url(f"{live_server}/study/materials/{materials[0].id}")
        assert _fits_phone_width(page), "material page"
        expect(page.locator(".pdf-page canvas").first).to_be_visible()
        for name in ("下载PDF", "观看视频"):
            box = page.locator(f"a:has-text('{name}')").bounding_box()
            assert box["height"] >= 44 and box["width"] >= 200, name
        page.mouse.wheel(0, 3000)
        assert _fits_phone_width(page), "material page, scrolled"
        assert page.dialogs == []
    finally:
        shutil.rmtree(uploads)
