"""Study materials: sanitising, the organiser pages, files, scope and a member's minutes."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp import clock, db
from quizapp.errors import DomainError
from quizapp.study import files, services
from quizapp.study.models import Material, StudyMinute
from quizapp.study.sanitize import render_markdown
from tests.factories import add_study, fresh

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # 10:00 in China


@pytest.fixture(autouse=True)
def _own_instance_folder(app, tmp_path, monkeypatch):
    """Give each test an empty uploads folder (material ids restart with each test)."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


# Sanitising ------------------------------------------------------------------------------


def _sanitised(text: str, *gone: str) -> str:
    """``text`` rendered, asserting that none of ``gone`` is left in it (in any case)."""
    html = render_markdown(text)
    for word in gone:
        assert word not in html.lower(), word
    return html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>正文",
        "<SCRIPT SRC=/x.js></SCRIPT>正文",
        "正文\n\n<script>\ndocument.cookie\n</script>",
    ],
)
def test_script_tags_are_removed_with_their_content(text):
    html = _sanitised(text, "script", "alert", "document.cookie")
    assert "正文" in html


@pytest.mark.parametrize(
    "text",
    [
        '<img src="/uploads/a.png" onerror="alert(1)">',
        '<p onclick="alert(1)">点我</p>',
        '<a href="/x" onmouseover="alert(1)">链接</a>',
        '<span ONFOCUS="alert(1)" tabindex="1">文字</span>',
        '[链接](/x){: onclick="alert(1)" }',
    ],
)
def test_event_handlers_are_removed(text):
    html = _sanitised(text, "alert")
    assert not re.search(r"\son\w+\s*=", html, re.IGNORECASE)


@pytest.mark.parametrize(
    "text",
    [
        "[点此](javascript:alert(1))",
        '<a href="javascript:alert(1)">点此</a>',
        '<a href="JavaScript:alert(1)">点此</a>',
        '<a href="jav&#x61;script:alert(1)">点此</a>',
        '<a href="jav&#97;script&colon;alert(1)">点此</a>',
        '<a href="java\tscript:alert(1)">点此</a>',
        '<a href=" javascript:alert(1)">点此</a>',
        "[点此](jav&#x61;script:alert(1))",
        '<img src="javascript:alert(1)">',
    ],
)
def test_javascript_links_are_removed(text):
    html = _sanitised(text, "javascript", "alert")
    assert "href=" not in html or 'href=""' not in html


@pytest.mark.parametrize(
    "text",
    [
        '<p style="position:fixed;top:0;left:0;width:100%;height:100%">覆盖</p>',
        '<span style="background:url(javascript:alert(1))">覆盖</span>',
        "<style>body { display: none }</style>覆盖",
        '<div style="color:red">覆盖</div>',
        '# 标题 {: style="color:red" }',
    ],
)
def test_style_injection_is_removed(text):
    html = _sanitised(text, "style", "display", "position")
    assert "覆盖" in html or "标题" in html


@pytest.mark.parametrize(
    "text",
    [
        '<iframe src="https://example.com/"></iframe>',
        '<object data="/x.swf"></object><embed src="/x.swf">',
        '<form action="/manage/"><input name="a"><button>提交</button></form>',
        "<svg><script>alert(1)</script></svg>",
        '<meta http-equiv="refresh" content="0;url=https://example.com/">',
        '<base href="https://example.com/">',
    ],
)
def test_frames_objects_and_forms_are_removed(text):
    tags = ("iframe", "object", "embed", "form", "input", "button", "svg", "meta", "base")
    _sanitised(text, "example.com", *(f"<{tag}" for tag in tags))


@pytest.mark.parametrize(
    "text",
    [
        "[点此](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="data:text/html,<script>alert(1)</script>">点此</a>',
        '<a href="DATA:text/html,hi">点此</a>',
    ],
)
def test_data_urls_in_links_are_removed(text):
    html = _sanitised(text, "data:")
    assert "点此" in html


def test_images_only_from_this_site_or_inline():
    html = render_markdown(
        "![本站](/uploads/a.png) ![相对](images/b.png) ![外站](https://example.com/c.png) "
        "![协议相对](//example.com/d.png) ![内嵌](data:image/png;base64,iVBORw0KGgo=) "
        "![svg](data:image/svg+xml;base64,PHN2Zz4=)"
    )
    assert 'src="/uploads/a.png"' in html
    assert 'src="images/b.png"' in html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in html
    assert "example.com" not in html
    assert "svg+xml" not in html


def test_ordinary_formatting_is_kept():
    html = render_markdown(
        "# 一、总体要求\n\n## （一）指导思想\n\n### 1. 要点\n\n"
        "坚持**严的基调**，*一以贯之*。\n第二行\n\n"
        "- 第一条\n- 第二条\n\n1. 甲\n2. 乙\n\n"
        "> 引用原文\n\n"
        "| 项目 | 时间 |\n| --- | --- |\n| 学习 | 30 分钟 |\n\n"
        "[文件原文](https://www.example.gov.cn/a.html) [站内](/study/1)\n\n"
        "![示意图](/uploads/pic.png)\n\n---\n\nH~2~O x<sup>2</sup> <u>下划线</u>"
    )
    for fragment in (
        "<h2>一、总体要求</h2>",
        "<h3>（一）指导思想</h3>",
        "<h4>1. 要点</h4>",
        "<strong>严的基调</strong>",
        "<em>一以贯之</em>",
        "<br>",
        "<ul>",
        "<li>第一条</li>",
        "<ol>",
        "<li>甲</li>",
        "<blockquote>",
        "<table>",
        "<thead>",
        "<th>项目</th>",
        "<td>30 分钟</td>",
        '<a href="https://www.example.gov.cn/a.html" rel="noopener noreferrer">',
        '<a href="/study/1" rel="noopener noreferrer">',
        '<img alt="示意图" src="/uploads/pic.png">',
        "<hr>",
        "<sup>2</sup>",
        "<u>下划线</u>",
    ):
        assert fragment in html, fragment
    assert "id=" not in html  # the heading ids of the toc extension are not kept


def test_html_pasted_from_a_wechat_article_keeps_its_text_and_structure():
    pasted = (
        '<section style="margin:0"><p style="font-size:16px;color:#333">'
        '<span style="font-weight:bold">第一条</span>　为了……</p>'
        '<p><strong class="x" data-id="1">重点</strong></p></section>'
    )
    html = render_markdown(pasted)
    assert "<p><span>第一条</span>　为了……</p>" in html
    assert "<strong>重点</strong>" in html
    assert "section" not in html and "class=" not in html and "data-id" not in html


# The organiser pages -----------------------------------------------------------------------


def _form(org, **values) -> dict:
    form = {
        "title": "《中国共产党纪律处分条例》解读",
        "topic": "党纪学习教育",
        "body_markdown": "# 总则\n\n坚持**严的基调**。<script>alert(1)</script>",
        "estimated_minutes": "15",
        "sort_order": "2",
        "branch_ids": str(org.b11.id),
        "opens_at": "2026-11-21T08:00",
        "closes_at": "2026-12-21T08:00",
    }
    form |= values
    return {key: value for key, value in form.items() if value is not None}


def _post(client, url, data):
    return client.post(url, data=data, content_type="multipart/form-data")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Material))


def _only_material() -> Material:
    db.session.expire_all()
    return db.session.scalars(select(Material)).one()


def _uploads(app) -> Path:
    return Path(app.instance_path) / "uploads"


def _files_of(app, material_id: int) -> set[Path]:
    folder = _uploads(app) / "materials" / str(material_id)
    return set(folder.iterdir()) if folder.exists() else set()


def _make(org, actor=None, **values) -> Material:
    data = services.MaterialData(
        **(
            {
                "title": "资料",
                "topic": "党纪学习教育",
                "body_markdown": "正文",
                "branches": [org.b11],
            }
            | values
        )
    )
    material = services.save_material(actor or org.org1, data)
    db.session.commit()
    return material


def test_create_edit_publish_and_retire_through_the_pages(client, auth, org):
    auth.login("org1")
    assert client.get("/manage/materials/new").status_code == 200
    response = _post(client, "/manage/materials/new", _form(org))
    assert response.status_code == 302
    material = _only_material()
    assert response.headers["Location"] == f"/manage/materials/{material.id}"
    assert (material.status, material.owner_branch_id, material.created_by_id) == (
        "draft",
        org.u1.id,
        org.org1.id,
    )
    assert material.estimated_minutes == 15 and material.sort_order == 2
    assert material.opens_at == datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # 08:00 in China
    assert [b.id for b in material.audience.branches] == [org.b11.id]
    assert "<h2>总则</h2>" in material.body_html and "script" not in material.body_html
    assert "<script>" in material.body_markdown  # the organiser's text is kept for editing

    page = client.get(f"/manage/materials/{material.id}").get_data(as_text=True)
    assert "<strong>严的基调</strong>" in page and "alert(1)" not in page
    assert "2026-11-21 08:00" in page and "草稿" in page

    edit = client.get(f"/manage/materials/{material.id}/edit").get_data(as_text=True)
    assert "党纪学习教育" in edit and 'list="topic-list"' in edit
    response = _post(
        client,
        f"/manage/materials/{material.id}/edit",
        _form(org, title="条例解读（修订）", body_markdown="- 第一条\n- 第二条", closes_at=""),
    )
    assert response.status_code == 302
    material = fresh(material)
    assert material.title == "条例解读（修订）" and material.closes_at is None
    assert "<li>第一条</li>" in material.body_html

    response = _post(client, f"/manage/materials/{material.id}/status", {"status": "published"})
    assert response.status_code == 302
    assert fresh(material).status == "published"
    listing = client.get("/manage/materials/?topic=党纪学习教育&status=published")
    assert "条例解读（修订）" in listing.get_data(as_text=True)
    assert "条例解读（修订）" not in client.get("/manage/materials/?status=draft").get_data(
        as_text=True
    )

    _post(client, f"/manage/materials/{material.id}/status", {"status": "retired"})
    assert fresh(material).status == "retired"
    page = client.get(f"/manage/materials/{material.id}", follow_redirects=True)
    assert "已下线" in page.get_data(as_text=True)


def test_a_new_material_is_for_the_branches_ticked_and_no_others(client, auth, org):
    # The form starts with nothing ticked (it once ticked the organiser's whole unit, so
    # ticking one branch on top still sent the material to all of the unit).
    auth.login("org1")
    page = client.get("/manage/materials/new").get_data(as_text=True)
    ticked = re.findall(r'<input type="checkbox" name="branch_ids" value="(\d+)" checked>', page)
    assert ticked == []
    # Post what the browser would: the boxes already ticked, and 一所党支部.
    response = _post(client, "/manage/materials/new", _form(org, branch_ids=[*ticked, org.b11.id]))
    assert response.status_code == 302
    material = _only_material()
    assert [b.id for b in material.audience.branches] == [org.b11.id]
    page = client.get(f"/manage/materials/{material.id}").get_data(as_text=True)
    assert "一所党支部的全体人员" in page


def test_list_is_paged(client, auth, org):
    for i in range(23):
        _make(org, title=f"分页资料{i:02d}")
    auth.login("org1")
    first = client.get("/manage/materials/").get_data(as_text=True)
    second = client.get("/manage/materials/?page=2").get_data(as_text=True)
    assert first.count("分页资料") == 20 and second.count("分页资料") == 3
    assert "第 1 / 2 页" in first


@pytest.mark.parametrize(
    "values,message",
    [
        ({"title": ""}, "请填写标题。"),
        ({"topic": ""}, "请填写专题。"),
        ({"title": "长" * 101}, "标题不能超过 100 字。"),
        ({"closes_at": "2026-11-20T08:00"}, "结束时间必须晚于开放时间。"),
        ({"closes_at": "2026-11-21T08:00"}, "结束时间必须晚于开放时间。"),
        ({"estimated_minutes": "0"}, "预计学习时长应为 1 至 600 分钟。"),
        ({"opens_at": "明天"}, "请按“年-月-日 时:分”填写时间。"),
        ({"branch_ids": None}, "请选择参加的组织，或填写参加人员名单。"),
        ({"roster": "nobody99"}, "找不到这些人员，或不在您的管理范围内：nobody99。"),
        ({"video_url": "javascript:alert(1)"}, "视频链接应以 http:// 或 https:// 开头"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_kept(client, auth, org, values, message):
    auth.login("org1")
    response = _post(
        client, "/manage/materials/new", _form(org, body_markdown="保留的正文", **values)
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert "保留的正文" in page
    assert 'value="党纪学习教育"' in page or values.get("topic") == ""
    assert _count() == 0


def test_a_renamed_executable_is_not_a_pdf(app, client, auth, org):
    auth.login("org1")
    before = set(_uploads(app).rglob("*")) if _uploads(app).exists() else set()
    response = _post(client, "/manage/materials/new", _form(org, pdf=(io.BytesIO(EXE), "通知.pdf")))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "请上传 PDF 文件（.pdf）；该文件不是有效的 PDF。" in page
    assert "上传的文件也没有保存，请重新选择。" in page
    assert "《中国共产党纪律处分条例》解读" in page  # the other inputs are kept
    assert _count() == 0
    after = set(_uploads(app).rglob("*")) if _uploads(app).exists() else set()
    assert not {p for p in after - before if p.is_file()}


def _refused(client, form: dict, status: int, message: str) -> None:
    """Creating a material from ``form`` fails with ``status`` and ``message``: nothing saved."""
    response = _post(client, "/manage/materials/new", form)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _count() == 0


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("宣传片.mp4", EXE, "请上传 MP4 或 WebM 格式的视频文件"),
        ("宣传片.mp4", WEBM, "请上传 MP4 或 WebM 格式的视频文件"),
        ("宣传片.avi", MP4, "请上传 MP4 或 WebM 格式的视频文件"),
        ("宣传片.webm", PDF, "请上传 MP4 或 WebM 格式的视频文件"),
    ],
)
def test_videos_are_checked_by_content(client, auth, org, name, data, message):
    auth.login("org1")
    _refused(client, _form(org, video=(io.BytesIO(data), name)), 200, message)


def test_an_oversized_file_is_refused(client, auth, org, monkeypatch):
    # The real limit (16 MB) is above what a test should post (and werkzeug's test client
    # leaves bodies over 500 KB in an unclosed temporary file); the rule is the same.
    monkeypatch.setattr(files, "PDF_MAX_BYTES", 64 * 1024)
    auth.login("org1")
    big = PDF + b"0" * (64 * 1024)
    _refused(client, _form(org, pdf=(io.BytesIO(big), "大.pdf")), 200, "PDF 文件不能超过 64 KB。")


def test_a_request_over_the_upload_limit_gets_the_chinese_413_page(app, client, auth, org):
    app.config["MAX_VIDEO_UPLOAD_MB"] = 0.0625  # 64 KB: the material forms' own limit
    auth.login("org1")
    big = PDF + b"0" * (128 * 1024)
    _refused(client, _form(org, pdf=(io.BytesIO(big), "大.pdf")), 413, "文件太大")


def test_pdf_is_stored_outside_static_under_a_uuid_name(app, client, auth, org):
    auth.login("org1")
    response = _post(
        client, "/manage/materials/new", _form(org, pdf=(io.BytesIO(PDF), "../../学习 资料.pdf"))
    )
    assert response.status_code == 302
    material = _only_material()
    assert re.fullmatch(rf"materials/{material.id}/[0-9a-f]{{32}}\.pdf", material.pdf_path)
    assert material.pdf_name == "学习 资料.pdf"
    stored = _uploads(app) / material.pdf_path
    assert stored.read_bytes() == PDF
    assert stored.resolve().is_relative_to(Path(app.instance_path).resolve())
    assert not stored.resolve().is_relative_to(Path(app.static_folder).resolve())
    assert "学习" not in str(stored)

    response = client.get(f"/manage/materials/{material.id}/files/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data == PDF
    assert "inline" in response.headers["Content-Disposition"]
    assert f"/manage/materials/{material.id}/files/pdf" in client.get(
        f"/manage/materials/{material.id}"
    ).get_data(as_text=True)


def test_replacing_a_pdf_deletes_the_old_file_after_the_commit(app, client, auth, org):
    auth.login("org1")
    _post(client, "/manage/materials/new", _form(org, pdf=(io.BytesIO(PDF), "一.pdf")))
    material = _only_material()
    old = _uploads(app) / material.pdf_path
    url = f"/manage/materials/{material.id}/edit"

    # A failed save (a bad video alongside) keeps the old PDF and writes nothing new.
    response = _post(
        client,
        url,
        _form(org, pdf=(io.BytesIO(PDF + b"2"), "二.pdf"), video=(io.BytesIO(EXE), "片.mp4")),
    )
    assert response.status_code == 200
    assert _files_of(app, material.id) == {old}
    assert fresh(material).pdf_name == "一.pdf"

    # A refused save after the files were written (the service's rule) also removes them.
    response = _post(
        client, url, _form(org, pdf=(io.BytesIO(PDF + b"2"), "二.pdf"), branch_ids=None)
    )
    assert response.status_code == 200
    assert _files_of(app, material.id) == {old}

    response = _post(client, url, _form(org, pdf=(io.BytesIO(PDF + b"3"), "三.pdf")))
    assert response.status_code == 302
    material = fresh(material)
    new = _uploads(app) / material.pdf_path
    assert material.pdf_name == "三.pdf" and new.read_bytes() == PDF + b"3"
    assert _files_of(app, material.id) == {new}

    _post(client, url, _form(org, remove_pdf="y"))
    assert fresh(material).pdf_path is None
    assert _files_of(app, material.id) == set()


def test_video_file_or_link(app, client, auth, org):
    auth.login("org1")
    _post(client, "/manage/materials/new", _form(org, video=(io.BytesIO(MP4), "宣传片.MP4")))
    material = _only_material()
    assert re.fullmatch(rf"materials/{material.id}/[0-9a-f]{{32}}\.mp4", material.video_path)
    response = client.get(f"/manage/materials/{material.id}/files/video")
    assert response.status_code == 200 and response.mimetype == "video/mp4"
    response.close()
    partial = client.get(
        f"/manage/materials/{material.id}/files/video", headers={"Range": "bytes=4-7"}
    )
    assert partial.status_code == 206 and partial.data == b"ftyp"
    partial.close()

    url = f"/manage/materials/{material.id}/edit"
    response = _post(
        client,
        url,
        _form(org, video=(io.BytesIO(WEBM), "片.webm"), video_url="https://video.example/a.mp4"),
    )
    assert "视频请上传文件或填写链接，二选一。" in response.get_data(as_text=True)

    old = _uploads(app) / fresh(material).video_path
    response = _post(client, url, _form(org, video_url="https://video.intranet/a.mp4"))
    assert response.status_code == 302
    material = fresh(material)
    assert material.video_url == "https://video.intranet/a.mp4" and material.video_path is None
    assert not old.exists()
    page = client.get(f"/manage/materials/{material.id}").get_data(as_text=True)
    assert 'href="https://video.intranet/a.mp4"' in page

    _post(
        client,
        url,
        _form(org, video=(io.BytesIO(WEBM), "片.webm"), video_url="https://video.intranet/a.mp4"),
    )
    material = fresh(material)
    assert material.video_path.endswith(".webm") and material.video_url is None


def test_status_rules(client, auth, org):
    empty = _make(org, title="空资料", body_markdown="")
    auth.login("org1")
    response = _post(client, f"/manage/materials/{empty.id}/status", {"status": "published"})
    assert "该学习资料还没有内容" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert fresh(empty).status == "draft"

    material = _make(org)
    services.set_status(org.org1, material, "published", NOW)
    db.session.add(
        StudyMinute(
            member_id=org.m1.id,
            material_id=material.id,
            day=date(2026, 11, 21),
            seconds=60,
            first_beat_at=NOW,
            last_beat_at=NOW,
        )
    )
    db.session.commit()
    response = _post(client, f"/manage/materials/{material.id}/status", {"status": "draft"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已有 1 人学习过，不能撤回为草稿" in page
    assert fresh(material).status == "published"
    assert (
        _post(client, f"/manage/materials/{material.id}/status", {"status": "deleted"}).status_code
        == 400
    )

    draft = _make(org, title="草稿资料")
    response = _post(client, f"/manage/materials/{draft.id}/status", {"status": "retired"})
    assert "只有已发布的学习资料可以撤回或下线。" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert fresh(draft).status == "draft"
    assert "确认下线" not in client.get(f"/manage/materials/{draft.id}").get_data(as_text=True)
    # A retired material can be published again.
    services.set_status(org.org1, material, "retired", NOW)
    services.set_status(org.org1, material, "published", NOW)
    assert material.status == "published"


def test_a_window_ending_first_is_shown_with_the_other_problems_at_once(client, auth, org):
    auth.login("org1")
    data = _form(org, title="", closes_at="2026-11-21T08:00")
    page = _post(client, "/manage/materials/new", data).get_data(as_text=True)
    assert "请填写标题。" in page and "结束时间必须晚于开放时间。" in page
    assert _count() == 0


def test_service_rules():
    data = services.MaterialData(
        title=" ",
        topic="专题",
        estimated_minutes=601,
        opens_at=NOW,
        closes_at=NOW - timedelta(hours=1),
    )
    problems = services._check(data)
    assert problems == ["请填写标题", "预计学习时长应为 1 至 600 分钟", "结束时间必须晚于开放时间"]


def test_publishing_after_the_window_closed_is_refused(org):
    material = _make(org, opens_at=NOW - timedelta(days=10), closes_at=NOW - timedelta(days=1))
    with pytest.raises(DomainError, match="开放时间已经结束"):
        services.set_status(org.org1, material, "published", NOW)


def test_files_are_checked_by_the_service_too(org):
    material = _make(org)
    with pytest.raises(DomainError, match="不是有效的 PDF"):
        files.store_pdf(material, "a.pdf", EXE)
    with pytest.raises(DomainError, match="不是有效的 PDF"):
        files.store_pdf(material, "a.exe", PDF)
    with pytest.raises(DomainError, match="视频链接"):
        files.set_video_url(material, "ftp://video.intranet/a.mp4")
    assert material.pdf_path is None and material.video_url is None


# Scope ------------------------------------------------------------------------------------


def test_organiser_of_another_subtree_gets_404(app, client, auth, org):
    material = _make(org, title="一分局的资料")
    files.store_pdf(material, "a.pdf", PDF)
    db.session.commit()
    auth.login("org2")
    for method, path, data in [
        ("GET", f"/manage/materials/{material.id}", None),
        ("GET", f"/manage/materials/{material.id}/edit", None),
        ("POST", f"/manage/materials/{material.id}/edit", _form(org, title="越权")),
        ("POST", f"/manage/materials/{material.id}/status", {"status": "published"}),
        ("GET", f"/manage/materials/{material.id}/files/pdf", None),
    ]:
        assert client.open(path, method=method, data=data).status_code == 404, path
    assert "一分局的资料" not in client.get("/manage/materials/").get_data(as_text=True)
    material = fresh(material)
    assert (material.title, material.status) == ("一分局的资料", "draft")
    # Nor can org2 aim a material of their own at org1's branch.
    response = _post(client, "/manage/materials/new", _form(org, title="越权资料"))
    assert "所选组织不存在或不在您的管理范围内。" in response.get_data(as_text=True)
    assert _count() == 1


def test_service_refuses_outside_scope(org):
    material = _make(org)
    with pytest.raises(DomainError):
        services.save_material(
            org.org2,
            services.MaterialData(title="越权", topic="专题", branches=[org.b21]),
            material,
        )
    with pytest.raises(DomainError):
        services.set_status(org.org2, material, "published", NOW)
    with pytest.raises(DomainError, match="所选组织超出了您的管理范围"):
        services.save_material(
            org.org2, services.MaterialData(title="越权", topic="专题", branches=[org.b11])
        )
    assert services.can_manage_material(org.admin, material)
    assert not services.can_manage_material(org.m1, material)


def test_topic_suggestions_include_the_bureau_but_not_other_units(client, auth, org):
    _make(org, org.admin, title="局的资料", topic="局级专题", branches=[org.bureau])
    _make(org, org.org2, title="二分局的资料", topic="二分局专题", branches=[org.b21])
    _make(org, title="一分局的资料", topic="一分局专题")
    auth.login("org1")
    page = client.get("/manage/materials/new").get_data(as_text=True)
    assert '<option value="局级专题">' in page and '<option value="一分局专题">' in page
    assert "二分局专题" not in page


# A member's minutes ------------------------------------------------------------------------


TODAY = date(2026, 11, 21)


def test_member_minutes_by_day_and_material(client, auth, org, monkeypatch):
    monkeypatch.setattr(clock, "china_today", lambda now=None: TODAY)
    rules = _make(org, title="纪律处分条例解读")
    speech = _make(org, org.admin, title="局党委书记讲话", branches=[org.bureau])
    add_study(org.m1, rules, TODAY, 25 * 60 + 30)
    add_study(org.m1, speech, TODAY, 10 * 60)
    add_study(org.m1, rules, TODAY - timedelta(days=59), 5 * 60)
    add_study(org.m1, rules, TODAY - timedelta(days=60), 99 * 60)  # older than the page
    add_study(org.org1, rules, TODAY, 7 * 60)  # someone else
    db.session.commit()
    auth.login("org1")
    response = client.get(f"/manage/materials/minutes/{org.m1.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "学习时长：普通党员" in page
    assert "2026-11-21 周六" in page and "2026-09-23 周三" in page
    assert "2026-09-22" not in page and "99 分钟" not in page and "7 分钟" not in page
    assert "35 分 30 秒" in page  # today's total
    assert "25 分 30 秒" in page and "10 分钟" in page and "5 分钟" in page
    assert "40 分 30 秒" in page  # the 60 days' total
    assert f'href="/manage/materials/{rules.id}"' in page
    assert f'href="/manage/materials/{speech.id}"' not in page  # the bureau's: not org1's to edit
    assert page.index("2026-11-21 周六") < page.index("2026-09-23 周三")


def test_member_minutes_refuses_members_out_of_scope(client, auth, org, make_member):
    other = make_member("m21", org.b21, name="三所党员")
    db.session.commit()
    auth.login("org1")
    assert client.get(f"/manage/materials/minutes/{other.id}").status_code == 404
    assert client.get("/manage/materials/minutes/999999").status_code == 404
    auth.switch_to("org2")
    assert client.get(f"/manage/materials/minutes/{org.m1.id}").status_code == 404
    assert client.get(f"/manage/materials/minutes/{other.id}").status_code == 200
    auth.switch_to("m1")
    assert client.get(f"/manage/materials/minutes/{org.m1.id}").status_code == 403


def test_member_minutes_with_no_study(client, auth, org):
    auth.login("admin")
    page = client.get(f"/manage/materials/minutes/{org.m1.id}").get_data(as_text=True)
    assert "近 60 天没有学习记录。" in page


def test_a_required_material_needs_something_read_on_the_page(org):
    """Text, a PDF (drawn inside the material page) or an uploaded video; a video link alone
    opens elsewhere, so it could never be completed."""
    from quizapp.audiences.services import build_audience
    from quizapp.errors import DomainError
    from quizapp.study.models import Material

    def required(**files):
        material = Material(
            title="必学资料",
            topic="党纪",
            body_markdown="",
            body_html="",
            estimated_minutes=5,
            audience=build_audience(org.admin, [org.u1], [], []),
            is_required=True,
            owner_branch_id=org.bureau.id,
            **files,
        )
        db.session.add(material)
        db.session.flush()
        return material

    link_only = required(video_url="https://video.example.gov.cn/v/1")
    with pytest.raises(DomainError, match="必学资料需要有正文、PDF 或上传的视频"):
        services.set_status(org.admin, link_only, "published")
    link_only.is_required = False
    services.set_status(org.admin, link_only, "published")
    assert link_only.status == "published"

    pdf_only = required(pdf_path="materials/1/x.pdf", pdf_name="x.pdf")
    services.set_status(org.admin, pdf_only, "published")
    assert pdf_only.status == "published"


def test_deep_markdown_headings_are_kept():
    from quizapp.study.sanitize import render_markdown

    html = render_markdown("#### 第四级\n\n##### 第五级")
    assert "<h5>第四级</h5>" in html and "<h6>第五级</h6>" in html
