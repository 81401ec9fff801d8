"""Question bank pages: list, search, create, edit, preview, retire, import, template, export."""

from __future__ import annotations

import io
import re
from datetime import datetime
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from sqlalchemy import func, select

from quizapp import db
from quizapp.bank import services
from quizapp.bank.models import Category, Question
from quizapp.bank.types import all_types
from quizapp.clock import CHINA
from quizapp.members.models import Member
from tests.factories import fresh, upload_questions
from tests.test_bank_formats import TEMPLATE_COLUMNS

STEM = "党纪处分的种类不包括（  ）。"
OPTIONS = ["警告", "严重警告", "记过", "开除党籍"]


@pytest.fixture()
def make_question(org):
    """Save a question through the service, as ``actor`` (default: org1, so U1 keeps it)."""
    counter = iter(range(1, 10_000))

    def make(
        stem: str | None = None,
        *,
        actor: Member | None = None,
        type: str = "single",
        options: list[str] | None = None,
        answer=2,
        category: str = "党内法规/纪律处分条例",
        difficulty: int = 2,
        source: str = "",
        tags: list[str] | None = None,
        key: str | None = None,
        active: bool = True,
    ) -> Question:
        if options is None:
            options = list(OPTIONS) if type in ("single", "multiple") else []
        question = services.save_question(
            actor or org.org1,
            services.QuestionData(
                type=type,
                stem=stem or f"测试题{next(counter):04d}（  ）。",
                options=options,
                answer=answer,
                source=source,
                difficulty=difficulty,
                category_path=category,
                tags=tags or [],
                key=key,
            ),
        )
        question.is_active = active
        db.session.commit()
        return question

    return make


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def _stems(body: str) -> list[str]:
    """The stems listed on the bank page, in order."""
    return re.findall(r'<span class="question-row-stem">([^<]*)</span>', body)


def _form(
    type: str = "single", stem: str = STEM, options=OPTIONS, answer: str = "C", **extra
) -> dict:
    data = {
        "type": type,
        "stem": stem,
        "answer": answer,
        "difficulty": "2",
        "explanation": "",
        "source": "",
        "category": "",
        "tags": "",
    }
    for index, option in enumerate(options):
        data[f"options-{index}"] = option
    return data | extra


# --- the list -----------------------------------------------------------------------------


def test_list_shows_every_question_and_which_the_organiser_may_edit(
    client, auth, org, make_question
):
    mine = make_question("一分局维护的题目（  ）。", source="《条例》第八条")
    bureau = make_question("市局维护的题目（  ）。", actor=org.admin, difficulty=4)
    theirs = make_question("二分局维护的题目（  ）。", actor=org.org2, category="")
    auth.login("org1")

    body = client.get("/manage/bank/").get_data(as_text=True)
    assert _stems(body) == [theirs.stem, bureau.stem, mine.stem]  # newest first
    rows = body.split("<li>")[1:]
    assert "只读" not in rows[2] and "只读" in rows[1] and "只读" in rows[0]
    assert "党内法规/纪律处分条例 · 难度 2 · 答案 C · " + mine.key in rows[2]
    assert "单选" in rows[2]
    assert "未分类 · 难度 2" in rows[0]


def test_search_looks_in_stem_key_source_and_tags(client, auth, org, make_question):
    by_stem = make_question("关于廉洁纪律的题目（  ）。")
    by_key = make_question(key="LianJie-01")
    by_source = make_question(source="《廉洁自律准则》第一条")
    by_tag = make_question(tags=["廉洁"])
    make_question("无关的题目（  ）。")
    auth.login("org1")

    body = client.get("/manage/bank/?q=廉洁").get_data(as_text=True)
    assert set(_stems(body)) == {by_stem.stem, by_source.stem, by_tag.stem}
    # Case-insensitive on SQLite and PostgreSQL alike.
    assert _stems(client.get("/manage/bank/?q=lianjie").get_data(as_text=True)) == [by_key.stem]
    # LIKE wildcards are taken literally.
    assert _stems(client.get("/manage/bank/?q=%25").get_data(as_text=True)) == []
    assert _stems(client.get("/manage/bank/?q=_").get_data(as_text=True)) == []


def test_filters_by_type_category_with_subcategories_difficulty_and_status(
    client, auth, org, make_question
):
    top = make_question("上级分类的题（  ）。", category="党内法规")
    sub = make_question("下级分类的题（  ）。", category="党内法规/纪律处分条例", difficulty=4)
    other = make_question("其他分类的题。", type="truefalse", answer=True, category="党章")
    retired = make_question("停用的题（  ）。", category="党内法规", active=False)
    auth.login("org1")
    parent_id = db.session.scalar(select(Category.id).where(Category.name == "党内法规"))

    def stems(query: str) -> set[str]:
        return set(_stems(client.get(f"/manage/bank/?{query}").get_data(as_text=True)))

    assert stems("") == {top.stem, sub.stem, other.stem}
    assert stems("type=truefalse") == {other.stem}
    assert stems(f"category={parent_id}") == {top.stem, sub.stem}
    assert stems("difficulty=4") == {sub.stem}
    assert stems("state=inactive") == {retired.stem}
    assert stems(f"state=all&category={parent_id}") == {top.stem, sub.stem, retired.stem}
    # Unknown values mean "all" rather than an error.
    assert stems("type=audio&difficulty=9&category=999&state=x") == stems("state=all")


def test_category_select_lists_the_tree_indented(client, auth, org, make_question):
    make_question(category="党章")
    make_question(category="党内法规/纪律处分条例")
    make_question(category="党内法规/廉洁自律准则")
    auth.login("org1")
    body = client.get("/manage/bank/").get_data(as_text=True)
    select_html = body[
        body.index('id="category"') : body.index("</select>", body.index('id="category"'))
    ]
    labels = re.findall(r'<option value="\d+" >([^<]+)</option>', select_html)
    # Depth-first, siblings in the order they were made.
    assert labels == ["党章", "党内法规", "\u3000纪律处分条例", "\u3000廉洁自律准则"]


def test_list_is_paged(client, auth, org, make_question):
    for _ in range(35):
        make_question()
    auth.login("org1")
    first = client.get("/manage/bank/").get_data(as_text=True)
    assert len(_stems(first)) == 30
    assert "第 1 / 2 页，共 35 条" in first
    assert _stems(first)[0] == "测试题0035（  ）。"
    second = client.get("/manage/bank/?page=2").get_data(as_text=True)
    assert _stems(second) == [f"测试题{i:04d}（  ）。" for i in range(5, 0, -1)]


def test_list_runs_the_same_number_of_queries_for_more_rows(
    client, auth, org, make_question, queries
):
    for i in range(3):
        make_question(category=f"分类{i}")
    auth.login("org1")
    client.get("/manage/bank/")
    with queries() as few:
        client.get("/manage/bank/")
    for i in range(27):
        make_question(actor=org.admin if i % 2 else org.org2, category=f"分类{i}/下级")
    with queries() as many:
        body = client.get("/manage/bank/").get_data(as_text=True)
    assert len(_stems(body)) == 30
    assert len(many) == len(few)


# --- creating -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "stored"),
    [
        (_form("single", answer="c"), ("single", OPTIONS, 2)),
        (
            _form("multiple", "下列属于党纪处分的有（  ）。", answer="A，B，D"),
            ("multiple", OPTIONS, [0, 1, 3]),
        ),
        (
            _form(
                "truefalse",
                "党纪处分包括记过。",
                options=["不应保存"] * 2,
                answer="忽略",
                truth="false",
            ),
            ("truefalse", [], False),
        ),
        (
            _form(
                "fill",
                "党的纪律建设要坚持___、___的方针。",
                options=["不应保存"] * 2,
                answer="惩前毖后 | 惩前毖後；治病救人",
            ),
            ("fill", [], [["惩前毖后", "惩前毖後"], ["治病救人"]]),
        ),
    ],
)
def test_create_each_type(client, auth, org, form, stored):
    auth.login("org1")
    form |= {
        "explanation": "第八条规定了五种处分。",
        "source": "《中国共产党纪律处分条例》第八条",
        "difficulty": "3",
        "category": "党内法规 / 纪律处分条例",
        "tags": "处分种类，总则",
    }
    response = client.post("/manage/bank/new", data=form)
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    assert response.headers["Location"] == f"/manage/bank/{question.id}"
    assert (question.type, question.options, question.answer) == stored
    assert question.stem == form["stem"]
    assert (question.explanation, question.source, question.difficulty) == (
        "第八条规定了五种处分。",
        "《中国共产党纪律处分条例》第八条",
        3,
    )
    assert services.category_path(question.category) == "党内法规/纪律处分条例"
    assert question.tag_list == ["处分种类", "总则"]
    assert question.owner_branch_id == org.u1.id and question.is_active
    assert "已添加题目" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_new_form_preselects_the_type_and_offers_existing_categories(
    client, auth, org, make_question
):
    make_question(category="党内法规/纪律处分条例")
    auth.login("org1")
    body = client.get("/manage/bank/new?type=fill").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="fill"|<input[^>]*value="fill"[^>]*checked', body)
    assert '<option value="党内法规/纪律处分条例">' in body
    assert '<option value="党内法规">' in body
    for letter in "ABCDEFGH":
        assert f'aria-label="选项{letter}"' in body


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (_form(answer="E"), "答案「E」不在选项中（共 4 个选项）"),
        (_form(answer=""), "请填写答案。"),
        (_form(stem=""), "请填写题干。"),
        (_form(options=["甲"], answer="A"), "选项应为 2 至 8 个"),
        (_form(options=["甲", "", "丙"], answer="A"), "选项内容不能为空"),
        (_form(options=["甲", "甲"], answer="A"), "选项有重复"),
        (_form(answer="AB"), "单选题只能有一个答案"),
        (_form("multiple", answer="B"), "多选题至少应有两个答案"),
        (_form("truefalse"), "请选择“对”或“错”。"),
        (
            _form("fill", "没有空的题干", answer="甲；乙"),
            "题干有 1 个空（用 ___ 表示），答案有 2 个",
        ),
        (_form(difficulty="9"), "不是有效的选择。"),
    ],
)
def test_bad_input_saves_nothing_and_keeps_the_input(client, auth, org, form, message):
    auth.login("org1")
    response = client.post("/manage/bank/new", data=form | {"source": "保留的出处"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in body
    assert _count() == 0
    assert db.session.scalar(select(func.count()).select_from(Category)) == 0
    assert 'value="保留的出处"' in body
    if form["stem"]:
        assert form["stem"] in body


ESSAY = {"type": "essay", "reference": "参考答案", "key_points": "要点"}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (_form(stem="题" * 2001), "题干不能超过 2000 字。"),
        (_form(options=["甲" * 501, "乙"], answer="A"), "选项不能超过 500 字。"),
        (_form("fill", "____。", answer="答" * 1001), "答案不能超过 1000 字。"),
        (_form() | ESSAY | {"reference": "参" * 4001}, "参考答案不能超过 4000 字。"),
        (_form() | ESSAY | {"key_points": "点" * 2001}, "评分要点不能超过 2000 字。"),
        (_form(explanation="解" * 2001), "解析不能超过 2000 字。"),
        (_form(source="出" * 201), "出处不能超过 200 字。"),
        (_form(category="分" * 256), "分类不能超过 255 字。"),
        (_form(tags="标" * 201), "标签不能超过 200 字。"),
    ],
)
def test_the_form_names_an_overlong_text(client, auth, org, form, message):
    auth.login("org1")
    response = client.post("/manage/bank/new", data=form)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_the_form_takes_the_longest_texts_the_service_takes(client, auth, org):
    auth.login("org1")
    form = _form(
        "fill",
        "题" * 1996 + "____",
        options=[],
        answer="答" * 1000,
        explanation="解" * 2000,
        source="出" * 200,
        category="/".join(["分" * 100, "类" * 100, "目" * 53]),
        tags="标" * 200,
    )
    assert client.post("/manage/bank/new", data=form).status_code == 302
    essay = _form(stem="简答" * 1000, options=[]) | ESSAY
    essay |= {"reference": "参" * 4000, "key_points": "点" * 2000}
    assert client.post("/manage/bank/new", data=essay).status_code == 302
    choice = _form(stem="选择", options=["甲" * 500, "乙"], answer="A")
    assert client.post("/manage/bank/new", data=choice).status_code == 302
    assert _count() == 3


def test_the_same_question_twice_is_refused(client, auth, org, make_question):
    existing = make_question(STEM, answer=2, actor=org.org2)
    auth.login("org1")
    # Same stem and answer text, with other spacing and full-width letters.
    response = client.post(
        "/manage/bank/new",
        data=_form(stem=" 党纪处分的种类不包括（  ）。 ", answer="Ｃ", category="新分类"),
    )
    body = response.get_data(as_text=True)
    assert f"题库中已有相同的题目（编号 {existing.key}），请勿重复录入。" in body
    assert _count() == 1
    assert db.session.scalar(select(Category.id).where(Category.name == "新分类")) is None
    assert 'value="新分类"' in body


# --- preview, edit, retire -----------------------------------------------------------------


def test_preview_shows_the_question_as_members_see_it_and_its_answer(
    client, auth, org, make_question
):
    question = make_question(
        STEM, answer=2, source="《中国共产党纪律处分条例》第八条", tags=["处分种类"]
    )
    question.explanation = "第八条规定的五种处分中没有“记过”。"
    db.session.commit()
    auth.login("org1")
    body = client.get(f"/manage/bank/{question.id}").get_data(as_text=True)
    assert f'data-question-id="{question.id}"' in body
    assert body.count("disabled") >= 4
    assert "C．记过" in body
    for text in (
        "第八条规定的五种处分中没有“记过”。",
        "《中国共产党纪律处分条例》第八条",
        "党内法规/纪律处分条例",
        "处分种类",
        question.key,
        "2 较易",
        "第一分局",
        "在用",
        "编辑题目",
        "停用题目",
    ):
        assert text in body


def test_preview_of_a_fill_in_question_shows_blanks_and_accepted_answers(
    client, auth, org, make_question
):
    question = make_question(
        "坚持___、___。", type="fill", answer=[["惩前毖后", "惩前毖後"], ["治病救人"]]
    )
    auth.login("org1")
    body = client.get(f"/manage/bank/{question.id}").get_data(as_text=True)
    assert body.count('class="blank"') == 2
    assert "第 1 空：惩前毖后　或　惩前毖後" in body and "第 2 空：治病救人" in body


def test_unknown_question_is_404(client, auth, org):
    auth.login("org1")
    for path in ("/manage/bank/999", "/manage/bank/999/edit"):
        assert client.get(path).status_code == 404
    assert client.post("/manage/bank/999/active", data={"active": "0"}).status_code == 404


def test_edit_prefills_the_form_and_saves(client, auth, org, make_question):
    question = make_question(STEM, type="multiple", answer=[0, 1], tags=["甲", "乙"])
    auth.login("org1")
    body = client.get(f"/manage/bank/{question.id}/edit").get_data(as_text=True)
    assert 'value="AB"' in body and 'value="严重警告"' in body and 'value="甲，乙"' in body
    assert 'value="党内法规/纪律处分条例"' in body

    response = client.post(
        f"/manage/bank/{question.id}/edit",
        data=_form("truefalse", "改成判断题。", truth="true", category="党章"),
    )
    assert response.status_code == 302
    question = fresh(question)
    assert (question.type, question.stem, question.options, question.answer) == (
        "truefalse",
        "改成判断题。",
        [],
        True,
    )
    assert services.category_path(question.category) == "党章"
    assert _count() == 1


def test_edit_keeps_the_question_when_the_input_is_bad(client, auth, org, make_question):
    question = make_question(STEM)
    auth.login("org1")
    response = client.post(
        f"/manage/bank/{question.id}/edit", data=_form(stem="新题干", answer="Z")
    )
    assert "应为选项字母" in response.get_data(as_text=True)
    assert fresh(question).stem == STEM


def test_retire_and_restore(client, auth, org, make_question):
    question = make_question(STEM)
    auth.login("org1")
    response = client.post(
        f"/manage/bank/{question.id}/active", data={"active": "0"}, follow_redirects=True
    )
    body = response.get_data(as_text=True)
    assert "已停用该题目" in body and "启用题目" in body and "已停用" in body
    assert not fresh(question).is_active
    assert _stems(client.get("/manage/bank/").get_data(as_text=True)) == []
    assert _stems(client.get("/manage/bank/?state=inactive").get_data(as_text=True)) == [STEM]

    client.post(f"/manage/bank/{question.id}/active", data={"active": "1"})
    assert fresh(question).is_active


def test_another_subtree_may_view_but_not_change(client, auth, org, make_question):
    question = make_question(STEM)
    auth.login("org2")
    body = client.get(f"/manage/bank/{question.id}").get_data(as_text=True)
    assert STEM in body and "其他单位" in body and "第一分局" not in body
    assert "编辑题目" not in body and "停用题目" not in body
    assert client.get(f"/manage/bank/{question.id}/edit").status_code == 403
    assert (
        client.post(f"/manage/bank/{question.id}/edit", data=_form(stem="被改的题干")).status_code
        == 403
    )
    assert (
        client.post(f"/manage/bank/{question.id}/active", data={"active": "0"}).status_code == 403
    )
    question = fresh(question)
    assert question.stem == STEM and question.is_active


def test_admin_edits_every_question_and_organisers_see_bureau_questions_read_only(
    client, auth, org, make_question
):
    theirs = make_question(STEM)
    bureau = make_question("市局的题目（  ）。", actor=org.admin)
    auth.login("admin")
    assert (
        client.post(
            f"/manage/bank/{theirs.id}/edit", data=_form(stem="管理员改的题干（  ）。")
        ).status_code
        == 302
    )
    assert fresh(theirs).stem == "管理员改的题干（  ）。"
    assert fresh(theirs).owner_branch_id == org.u1.id  # the owner stays

    auth.switch_to("org1")
    body = client.get(f"/manage/bank/{bureau.id}").get_data(as_text=True)
    assert "测试市公安局" in body and "编辑题目" not in body
    assert client.get(f"/manage/bank/{bureau.id}/edit").status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/manage/bank/"),
        ("GET", "/manage/bank/new"),
        ("POST", "/manage/bank/new"),
        ("GET", "/manage/bank/{id}"),
        ("GET", "/manage/bank/{id}/edit"),
        ("POST", "/manage/bank/{id}/edit"),
        ("POST", "/manage/bank/{id}/active"),
        ("GET", "/manage/bank/import"),
        ("POST", "/manage/bank/import"),
        ("GET", "/manage/bank/template.xlsx"),
        ("GET", "/manage/bank/template.docx"),
        ("GET", "/manage/bank/export.xlsx"),
    ],
)
def test_plain_members_get_403_everywhere(client, auth, org, make_question, method, path):
    question = make_question(STEM)
    auth.login("m1")
    response = client.open(
        path.format(id=question.id), method=method, data=_form(stem="成员改的") | {"active": "0"}
    )
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)
    question = fresh(question)
    assert question.stem == STEM and question.is_active and _count() == 1


# --- importing ------------------------------------------------------------------------------

GOOD_YAML = """\
category: 党内法规/纪律处分条例
questions:
  - key: t-001
    type: 单选
    stem: 党纪处分的种类不包括（  ）。
    options: {A: 警告, B: 严重警告, C: 记过, D: 开除党籍}
    answer: C
  - key: t-002
    type: 判断
    stem: 留党察看处分期间没有表决权。
    answer: 对
"""

BAD_YAML = (
    GOOD_YAML
    + """\
  - key: t-003
    type: 单选
    stem: 缺答案的题（  ）。
    options: {A: 甲, B: 乙}
  - key: t-004
    type: 问答
    stem: 未知题型。
    answer: 无
"""
)


def _upload(
    client,
    content: bytes | str,
    filename: str = "题库.yaml",
    only_valid: bool = False,
):
    return upload_questions(client, content, filename, only_valid=only_valid)


def test_import_page_offers_the_formats_and_the_template(client, auth, org):
    auth.login("org1")
    body = client.get("/manage/bank/import").get_data(as_text=True)
    for text in (
        "Excel",
        "GIFT",
        "Aiken",
        "本平台 YAML",
        "只导入无误的题目",
        "/manage/bank/template.xlsx",
    ):
        assert text in body


def test_import_page_names_every_registered_type(client, auth, org):
    auth.login("org1")
    body = client.get("/manage/bank/import").get_data(as_text=True)
    labels = "、".join(t.label for t in all_types())
    assert "简答" in labels and f"题型填 {labels} 之一" in body


def test_import_yaml_creates_then_leaves_unchanged(client, auth, org):
    auth.login("org1")
    body = _upload(client, GOOD_YAML).get_data(as_text=True)
    assert "导入完成" in body and "新增 2 道" in body
    questions = db.session.scalars(select(Question).order_by(Question.key)).all()
    assert [q.key for q in questions] == ["t-001", "t-002"]
    assert {q.owner_branch_id for q in questions} == {org.u1.id}

    again = _upload(client, GOOD_YAML).get_data(as_text=True)
    assert "新增 0 道" in again and "无变化 2 道" in again
    changed = _upload(client, GOOD_YAML.replace("没有表决权", "没有表决权和选举权"))
    assert "更新 1 道" in changed.get_data(as_text=True)
    assert _count() == 2


def test_a_bad_file_lists_every_problem_and_saves_nothing(client, auth, org):
    auth.login("org1")
    response = _upload(client, BAD_YAML)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "有 2 道题存在问题，未导入任何题目" in body
    assert "题库.yaml 第 3 题（t-003）" in body and "缺少答案（answer）" in body
    assert "题库.yaml 第 4 题（t-004）" in body and "未知题型「问答」" in body
    assert _count() == 0
    assert db.session.scalar(select(func.count()).select_from(Category)) == 0


def test_only_valid_imports_the_good_questions_and_lists_the_rest(client, auth, org):
    auth.login("org1")
    body = _upload(client, BAD_YAML, only_valid=True).get_data(as_text=True)
    assert "新增 2 道" in body and "有误未导入 2 道" in body
    assert "题库.yaml 第 3 题（t-003）" in body and "缺少答案（answer）" in body
    assert sorted(db.session.scalars(select(Question.key))) == ["t-001", "t-002"]


def test_a_duplicate_of_a_bank_question_is_reported(client, auth, org, make_question):
    existing = make_question(STEM, answer=2, key="old-1")
    auth.login("org1")
    body = _upload(client, GOOD_YAML).get_data(as_text=True)
    assert "题库.yaml 第 1 题（t-001）" in body
    assert f"题库中已有相同的题目（编号 {existing.key}）" in body
    assert _count() == 1


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.yaml", "文件「empty.yaml」是空的。"),
        ("questions: [\n", "broken.yaml", "不是有效的 YAML 格式"),
        (GOOD_YAML, "题库.xlsx", "无法读取文件「题库.xlsx」"),
        (GOOD_YAML, "题库.pdf", "无法识别文件「题库.pdf」的格式"),
    ],
)
def test_unreadable_uploads_show_why(client, auth, org, content, filename, message):
    auth.login("org1")
    body = _upload(client, content, filename).get_data(as_text=True)
    assert message in body
    assert _count() == 0


def test_import_without_a_file_asks_for_one(client, auth, org):
    auth.login("org1")
    response = client.post(
        "/manage/bank/import", data={"only_valid": "y"}, content_type="multipart/form-data"
    )
    assert "请选择要导入的文件。" in response.get_data(as_text=True)


def test_aiken_and_gift_uploads_go_to_their_readers(client, auth, org):
    auth.login("org1")
    aiken = "党纪处分的种类不包括（  ）。\nA. 警告\nB. 严重警告\nC. 记过\nD. 开除党籍\nANSWER: C\n"
    assert "新增 1 道" in _upload(client, aiken, "aiken.txt").get_data(as_text=True)
    gift = "::g1:: 留党察看处分期间没有表决权。 {T}\n\n::g2:: 谈谈你对纪律建设的认识。 {}\n"
    body = _upload(client, gift, "gift.txt").get_data(as_text=True)
    assert "新增 1 道" in body and "跳过" in body
    assert _count() == 2


# --- Excel: template, import, export -------------------------------------------------------


def _sheet_rows(content: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


#: The columns every sheet of questions starts with (编号 and 标签 follow when present).
HEADER = tuple(TEMPLATE_COLUMNS[:15])


def _header(rows: list[tuple]) -> tuple:
    return next(row for row in rows if row and row[0] == "题型")


def test_template_download_has_the_header_row(client, auth, org):
    auth.login("org1")
    response = client.get("/manage/bank/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert quote("题库导入模板.xlsx") in response.headers["Content-Disposition"]
    assert _header(_sheet_rows(response.data))[: len(HEADER)] == HEADER


def _xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(
    type: str,
    stem: str,
    options: list[str],
    answer: str,
    category: str = "党章",
    difficulty: int = 2,
) -> list:
    return [
        type,
        stem,
        *(options + [None] * (8 - len(options))),
        answer,
        "",
        category,
        difficulty,
        "",
    ]


def test_import_xlsx(client, auth, org):
    auth.login("org1")
    content = _xlsx(
        [
            _row("单选", STEM, OPTIONS, "C"),
            _row("判断", "留党察看处分期间没有表决权。", [], "对"),
            _row("填空", "坚持___、治病救人。", [], "惩前毖后"),
        ]
    )
    body = _upload(client, content, "题库.xlsx").get_data(as_text=True)
    assert "新增 3 道" in body
    assert sorted(db.session.scalars(select(Question.type))) == ["fill", "single", "truefalse"]


def test_a_bad_xlsx_names_the_rows_and_saves_nothing(client, auth, org):
    auth.login("org1")
    content = _xlsx(
        [
            _row("单选", STEM, OPTIONS, "C"),
            _row("单选", "答案不在选项中（  ）。", ["甲", "乙"], "D"),
        ]
    )
    body = _upload(client, content, "题库.xlsx").get_data(as_text=True)
    assert "未导入任何题目" in body and "第 3 行" in body and "不在选项中" in body
    assert _count() == 0


def test_export_follows_the_list_filters_and_round_trips(client, auth, org, make_question):
    make_question(
        STEM,
        answer=2,
        source="《中国共产党纪律处分条例》第八条",
        key="jl-001",
        tags=["处分种类", "总则"],
        difficulty=3,
    )
    make_question("留党察看处分期间没有表决权。", type="truefalse", answer=True, category="党章")
    make_question("坚持___、治病救人。", type="fill", answer=[["惩前毖后", "惩前毖後"]])
    make_question("停用的题（  ）。", active=False)
    # 00:30 in China is still the 21st in UTC: the file is named by the China day. Frozen
    # before logging in, as a session cookie signed later than "now" is refused.
    with time_machine.travel(datetime(2026, 11, 22, 0, 30, tzinfo=CHINA), tick=False):
        auth.login("org1")
        response = client.get("/manage/bank/export.xlsx")
    assert response.status_code == 200
    assert quote("题库导出-2026-11-22.xlsx") in response.headers["Content-Disposition"]
    rows = _sheet_rows(response.data)
    header = _header(rows)
    assert header[: len(HEADER)] == HEADER
    data = [row for row in rows[rows.index(header) + 1 :] if any(row)]
    assert [row[1] for row in data] == [STEM, "留党察看处分期间没有表决权。", "坚持___、治病救人。"]

    # The session signed at the frozen moment may be older than a login lasts by now.
    auth.login("org1")
    filtered = _sheet_rows(client.get("/manage/bank/export.xlsx?type=truefalse").data)
    assert [row[1] for row in filtered[filtered.index(_header(filtered)) + 1 :] if any(row)] == [
        "留党察看处分期间没有表决权。"
    ]

    # Importing the export changes nothing.
    def snapshot() -> list[tuple]:
        return [
            (
                q.key,
                q.type,
                q.stem,
                q.options,
                q.answer,
                q.explanation,
                q.category_id,
                q.difficulty,
                q.source,
                q.tags,
                q.is_active,
                q.updated_at,
            )
            for q in db.session.scalars(select(Question).order_by(Question.id))
        ]

    before = snapshot()
    body = _upload(client, response.data, "export.xlsx").get_data(as_text=True)
    assert "新增 0 道" in body and "无变化 3 道" in body
    db.session.expire_all()
    assert snapshot() == before
