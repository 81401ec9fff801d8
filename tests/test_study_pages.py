"""Member study pages through the HTTP client: the list, marks, search, minutes, files."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from quizapp import db
from quizapp.audiences.services import build_audience
from quizapp.members.models import PoliticalStatus
from quizapp.study import minutes
from quizapp.study.models import Material
from quizapp.study.routes import PDF_POLICY
from quizapp.study.totals import member_minutes_summary
from tests.factories import add_study
from tests.test_downloads import readable_name

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # Saturday 10:00 in China
TODAY = date(2026, 11, 21)
MONDAY = date(2026, 11, 16)
PDF_BYTES = b"%PDF-1.4\n% test\n" + b"0" * 200
VIDEO_BYTES = bytes(range(256)) * 8  # 2048 bytes


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture()
def make_material(org):
    """Create a material for an audience (default: unit U1), published unless told."""
    created = [0]

    def make(title, *, branches=None, statuses=(), roster=(), topic="党纪学习教育", **values):
        audience = build_audience(
            org.admin, [org.u1] if branches is None else branches, list(statuses), list(roster)
        )
        created[0] += 1
        values = {
            "status": "published",
            "estimated_minutes": 10,
            "sort_order": 0,
            "body_html": f"<p>{title}正文</p>",
            "created_at": NOW - timedelta(days=30) + timedelta(minutes=created[0]),
        } | values
        material = Material(
            title=title,
            topic=topic,
            body_markdown="正文",
            audience=audience,
            owner_branch_id=org.bureau.id,
            **values,
        )
        db.session.add(material)
        db.session.commit()
        return material

    return make


@pytest.fixture()
def member(client, auth, org, time_machine):
    """Member m1 (branch B11 in unit U1), logged in, at NOW."""
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    return org.m1


def _studied(member, material, day, seconds):
    add_study(member, material, day, seconds)
    db.session.commit()


def _get(client, path, **kwargs):
    """GET ``path``, read the body and close the response (file responses hold the file)."""
    with client.get(path, **kwargs) as response:
        response.get_data()
        return response


def _page(client, path="/study/"):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


ROW = re.compile(
    r'<span class="member-name">(?P<title>[^<]+)</span>'
    r'<span class="material-badges">(?P<badges>.*?</span>)</span></span>',
    re.DOTALL,
)


def _rows(html):
    """Return {title: [badge labels]} for the list's rows, in page order."""
    return {m["title"]: re.findall(r">([^<>]+)</span>", m["badges"]) for m in ROW.finditer(html)}


def _topics(html):
    return re.findall(r'<h2 class="section-title">([^<]+)</h2>', html)


# --- visibility ----------------------------------------------------------------------------


def test_the_list_shows_only_what_the_member_may_study_now(
    client, member, org, make_material, make_member
):
    make_material("本单位资料")
    make_material("全局资料", branches=[org.bureau])
    make_material("正式党员资料", statuses=[PoliticalStatus.FULL.value])
    make_material("培训班资料", roster=[org.m1], branches=[])
    make_material(
        "已开放资料", opens_at=NOW - timedelta(hours=1), closes_at=NOW + timedelta(days=1)
    )
    make_material("其他单位资料", branches=[org.u2])
    make_material("预备党员资料", statuses=[PoliticalStatus.PROBATIONARY.value])
    make_material("别人的培训班", roster=[make_member("m2", org.b11)], branches=[])
    make_material("草稿", status="draft")
    make_material("已下线", status="retired")
    make_material("尚未开放", opens_at=NOW + timedelta(hours=1))
    make_material("已结束", opens_at=NOW - timedelta(days=2), closes_at=NOW)

    assert set(_rows(_page(client))) == {
        "本单位资料",
        "全局资料",
        "正式党员资料",
        "培训班资料",
        "已开放资料",
    }


@pytest.mark.parametrize(
    "title, values",
    [
        ("其他单位资料", {"branches": "u2"}),
        ("预备党员资料", {"statuses": [PoliticalStatus.PROBATIONARY.value]}),
        ("草稿", {"status": "draft"}),
        ("已下线", {"status": "retired"}),
        ("尚未开放", {"opens_at": NOW + timedelta(minutes=1)}),
        ("已结束", {"closes_at": NOW}),
    ],
)
def test_a_material_the_member_may_not_see_is_404_with_its_files(
    client, member, org, uploads, make_material, title, values
):
    if values.get("branches") == "u2":
        values["branches"] = [org.u2]
    (uploads / "a.pdf").write_bytes(PDF_BYTES)
    (uploads / "a.mp4").write_bytes(VIDEO_BYTES)
    material = make_material(title, pdf_path="a.pdf", video_path="a.mp4", **values)
    for path in ("", "/pdf", "/video"):
        assert _get(client, f"/study/materials/{material.id}{path}").status_code == 404, path


def test_pages_need_a_login(client, org, make_material):
    material = make_material("资料")
    for path in (
        "/study/",
        f"/study/materials/{material.id}",
        f"/study/materials/{material.id}/pdf",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location, path


def test_an_unknown_material_is_404(client, member):
    assert client.get("/study/materials/999999").status_code == 404


# --- the list ------------------------------------------------------------------------------


def test_marks_come_from_the_credited_seconds_on_all_days(client, member, org, make_material):
    untouched = make_material("未学资料")
    begun = make_material("学了一点")
    done = make_material("学完的资料", estimated_minutes=5)
    almost = make_material("差一秒", estimated_minutes=5)
    _studied(org.m1, begun, TODAY, 30)
    _studied(org.m1, done, TODAY - timedelta(days=3), 200)
    _studied(org.m1, done, TODAY, 100)  # 300 s over two days: the 5 estimated minutes
    _studied(org.m1, almost, TODAY, 299)
    _studied(org.admin, untouched, TODAY, 999)  # another member's seconds count for nothing

    rows = _rows(_page(client))
    assert rows["未学资料"] == ["未学习"]
    assert rows["学了一点"] == ["学习中"]
    assert rows["学完的资料"] == ["已完成"]
    assert rows["差一秒"] == ["学习中"]


def test_required_materials_are_marked(client, member, make_material):
    make_material("必学资料", is_required=True)
    make_material("选学资料")
    rows = _rows(_page(client))
    assert rows["必学资料"] == ["必学", "未学习"]
    assert rows["选学资料"] == ["未学习"]


def test_required_materials_come_first(client, member, make_material):
    """As the material form promises: 必学 first in each topic, and topics with 必学 first."""
    make_material("选学一", topic="专题甲", sort_order=1)
    make_material("必学甲", topic="专题甲", sort_order=9, is_required=True)
    make_material("选学二", topic="专题乙", sort_order=0)
    make_material("必学乙", topic="专题乙", sort_order=5, is_required=True)
    make_material("只有选学", topic="专题丙", sort_order=0)
    html = _page(client)
    assert list(_rows(html)) == ["必学乙", "选学二", "必学甲", "选学一", "只有选学"]
    assert _topics(html) == ["专题乙", "专题甲", "专题丙"]


def test_grouped_by_topic_in_sort_order_then_newest(client, member, make_material):
    make_material("旧的", topic="专题甲", sort_order=2)
    make_material("新的", topic="专题甲", sort_order=2)
    make_material("置顶", topic="专题乙", sort_order=1)
    make_material("最后", topic="专题甲", sort_order=3)
    make_material("乙的第二篇", topic="专题乙", sort_order=5)
    html = _page(client)
    assert _topics(html) == ["专题乙", "专题甲"]
    assert list(_rows(html)) == ["置顶", "乙的第二篇", "新的", "旧的", "最后"]


def test_search_matches_title_or_topic(client, member, make_material):
    make_material("中国共产党纪律处分条例解读", topic="党纪学习教育")
    make_material("党章第一章", topic="党章学习")
    make_material("100% 落实", topic="作风建设")

    assert list(_rows(_page(client, "/study/?q=纪律"))) == ["中国共产党纪律处分条例解读"]
    assert list(_rows(_page(client, "/study/?q=党章学习"))) == ["党章第一章"]
    assert list(_rows(_page(client, "/study/?q=%25"))) == ["100% 落实"]  # % is literal
    html = _page(client, "/study/?q=不存在的词")
    assert _rows(html) == {}
    assert "没有找到与“不存在的词”相关的学习资料" in html
    assert 'href="/study/"' in html  # a way back to everything


def test_an_empty_list_says_so(client, member):
    assert "目前没有安排给您的学习资料" in _page(client)


def test_the_list_is_a_fixed_number_of_queries(client, member, org, make_material, queries):
    def count():
        with queries() as statements:
            _page(client)
        return len(statements)

    for i in range(2):
        _studied(org.m1, make_material(f"资料{i}", topic=f"专题{i}"), TODAY, 30)
    few = count()
    for i in range(2, 12):
        _studied(
            org.m1,
            make_material(f"资料{i}", topic=f"专题{i % 3}", branches=[org.u1, org.b11]),
            TODAY,
            30,
        )
    make_material("培训班", roster=[org.m1], branches=[])
    assert count() == few


# --- minutes -------------------------------------------------------------------------------


def test_summary_counts_today_and_the_china_week_from_monday(org, make_material):
    material = make_material("资料")
    other = make_material("另一篇")
    _studied(org.m1, material, TODAY, 100)
    _studied(org.m1, other, TODAY, 20)
    _studied(org.m1, material, MONDAY, 60)
    _studied(org.m1, material, MONDAY - timedelta(days=1), 500)  # last week's Sunday
    _studied(org.admin, material, TODAY, 999)
    assert member_minutes_summary(org.m1.id, TODAY) == (120, 180)
    assert member_minutes_summary(org.m1.id, MONDAY) == (60, 60)
    assert member_minutes_summary(org.m1.id, MONDAY - timedelta(days=1)) == (500, 500)
    assert member_minutes_summary(org.m1.id, date(2026, 11, 23)) == (0, 0)


def test_the_list_shows_todays_and_this_weeks_minutes(client, member, org, make_material):
    material = make_material("资料")
    _studied(org.m1, material, TODAY, 5 * 60 + 9)
    _studied(org.m1, material, MONDAY, 20 * 60)
    html = _page(client)
    # One decimal, halves up, as the reports show them (not cut to whole minutes).
    assert '<span class="stat-value" id="today-minutes">5.2</span>' in html
    assert '<span class="stat-value" id="week-minutes">25.2</span>' in html
    assert "已学 25.2 分钟" in html


def test_the_material_page_shows_the_material_and_the_members_time(
    client, member, org, make_material
):
    material = make_material(
        "纪律处分条例解读",
        estimated_minutes=15,
        is_required=True,
        body_html="<h2>第一章</h2><p>坚持<strong>惩前毖后</strong>。</p>",
    )
    _studied(org.m1, material, TODAY - timedelta(days=1), 100)
    _studied(org.m1, material, TODAY, 25)
    html = _page(client, f"/study/materials/{material.id}")
    assert '<h1 class="page-title material-title">纪律处分条例解读</h1>' in html
    assert "<p>坚持<strong>惩前毖后</strong>。</p>" in html  # the sanitised body, as stored
    assert "约 15 分钟" in html
    assert '<span id="material-time" data-material-time>2 分 05 秒</span>' in html
    assert '<span id="today-minutes">0.4</span> 分钟' in html  # 25 s
    assert "必学" in html and "学习中" in html
    assert f'data-target-seconds="{15 * 60}"' in html
    assert 'data-heartbeat-url="/api/study/heartbeat"' in html
    assert 'data-interval="30"' in html
    assert 'src="/static/js/study.js?v=' in html
    assert "下载PDF" not in html and "pdf-viewer" not in html and "<video" not in html
    assert 'class="active"' in html.split('aria-label="主导航"')[1].split("学习")[0]


def test_the_pages_token_credits_heartbeats(client, member, org, make_material, time_machine):
    material = make_material("资料")
    html = _page(client, f"/study/materials/{material.id}")
    token = re.search(r'data-token="([^"]+)"', html)[1]
    assert minutes.read_token(token, org.m1.id)[0] == material.id
    assert client.post("/api/study/heartbeat", json={"token": token}).status_code == 200
    time_machine.move_to(NOW + timedelta(seconds=30), tick=False)
    assert client.post("/api/study/heartbeat", json={"token": token}).get_json()["credited"] == 30
    assert "0 分 30 秒" in _page(client, f"/study/materials/{material.id}")


def test_the_interval_comes_from_the_config(app, client, member, make_material):
    app.config["STUDY_HEARTBEAT_SECONDS"] = 7
    material = make_material("资料")
    assert 'data-interval="7"' in _page(client, f"/study/materials/{material.id}")


# --- files ---------------------------------------------------------------------------------


def test_pdf_button_opens_the_stored_pdf(client, member, uploads, make_material):
    (uploads / "materials").mkdir()
    (uploads / "materials" / "7.pdf").write_bytes(PDF_BYTES)
    material = make_material("条例原文", pdf_path="materials/7.pdf", pdf_name="纪律处分条例.pdf")
    html = _page(client, f"/study/materials/{material.id}")
    assert f'href="/study/materials/{material.id}/pdf"' in html and "下载PDF" in html
    assert "纪律处分条例.pdf" in html
    # Drawn inside the page by pdf.js, served by the app (never a CDN).
    assert f'data-pdf-url="/study/materials/{material.id}/pdf"' in html
    assert 'src="/static/js/pdf-viewer.mjs?v=' in html
    for attribute, path in (
        ("data-lib-url", "/static/vendor/pdfjs/pdf.min.mjs"),
        ("data-worker-url", "/static/vendor/pdfjs/pdf.worker.min.mjs"),
    ):
        assert f'{attribute}="{path}?v=' in html  # versioned, cached for a year
        script = _get(client, path)
        assert script.status_code == 200 and script.mimetype == "text/javascript", path
    assert 'data-cmap-url="/static/vendor/pdfjs/cmaps/"' in html
    assert _get(client, "/static/vendor/pdfjs/cmaps/UniGB-UCS2-H.bcmap").status_code == 200

    response = _get(client, f"/study/materials/{material.id}/pdf")
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert readable_name(response.headers["Content-Disposition"])
    assert "private" in response.headers["Cache-Control"]
    # Chrome's viewer needs object-src for the PDF itself; pages keep the strict policy.
    assert response.headers["Content-Security-Policy"] == PDF_POLICY


def test_video_file_plays_and_seeks(client, member, uploads, make_material):
    (uploads / "v.mp4").write_bytes(VIDEO_BYTES)
    material = make_material("视频资料", video_path="v.mp4")
    html = _page(client, f"/study/materials/{material.id}")
    assert (
        f'<video class="material-video" controls preload="metadata" playsinline '
        f'src="/study/materials/{material.id}/video">'
    ) in html

    whole = _get(client, f"/study/materials/{material.id}/video")
    assert whole.status_code == 200 and whole.data == VIDEO_BYTES
    assert whole.mimetype == "video/mp4" and whole.headers["Accept-Ranges"] == "bytes"
    part = _get(
        client, f"/study/materials/{material.id}/video", headers={"Range": "bytes=1000-1099"}
    )
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 1000-1099/{len(VIDEO_BYTES)}"
    assert part.data == VIDEO_BYTES[1000:1100]
    tail = _get(client, f"/study/materials/{material.id}/video", headers={"Range": "bytes=-48"})
    assert tail.status_code == 206 and tail.data == VIDEO_BYTES[-48:]


def test_a_video_link_is_a_link(client, member, make_material):
    linked = make_material("视频链接", video_url="https://video.example.gov.cn/v/1")
    html = _page(client, f"/study/materials/{linked.id}")
    assert 'href="https://video.example.gov.cn/v/1"' in html and "观看视频" in html
    assert "<video" not in html
    forged = make_material("坏链接", video_url="javascript:alert(1)")
    html = _page(client, f"/study/materials/{forged.id}")
    assert "javascript:" not in html and "观看视频" not in html


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "missing.pdf",
        "../secret.txt",
        "../../secret.txt",
        "/etc/passwd",
        "materials/../../secret.txt",
        "materials",
        "link.pdf",
    ],
)
def test_files_outside_uploads_or_absent_are_404(
    app, client, member, uploads, make_material, stored
):
    secret = Path(app.instance_path) / "secret.txt"
    secret.write_text("secret")
    (uploads / "materials").mkdir()
    (uploads / "link.pdf").symlink_to(secret)  # a link pointing out of uploads
    try:
        material = make_material("资料", pdf_path=stored, video_path=stored)
        for kind in ("pdf", "video"):
            response = _get(client, f"/study/materials/{material.id}/{kind}")
            assert response.status_code == 404, (kind, stored)
            assert b"secret" not in response.data
    finally:
        secret.unlink()


# --- navigation ----------------------------------------------------------------------------


def test_the_study_tab_and_home_tile_lead_here(client, member):
    home = _page(client, "/")
    assert 'href="/study/"' in home
    html = _page(client)
    tabbar = html.split('aria-label="主导航"')[1]
    assert re.search(r'<a href="/study/" class="active">', tabbar)
    assert "/study/" in html and "学习" in html
