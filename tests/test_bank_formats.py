"""Reading the .xlsx template, GIFT and Aiken files; the template download and the bank export."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.bank import exports
from quizapp.bank.formats import aiken, gift, xlsx
from quizapp.bank.imports import MAX_QUESTIONS, QuestionDraft, import_drafts
from quizapp.bank.models import Question
from quizapp.bank.services import QuestionData, check_question
from quizapp.errors import DomainError
from quizapp.spreadsheets import neutralise
from tests.factories import xlsx_bytes

DATA = Path(__file__).parent / "data" / "bank"
HEADERS = xlsx.HEADERS
#: The template's columns as the people filling it in see them (the bank's pages too).
TEMPLATE_COLUMNS = [
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "选项F",
    "选项G",
    "选项H",
    "答案",
    "解析",
    "分类",
    "难度",
    "出处",
    "编号",
    "标签",
]
BROKEN_ENCODING = b"\xff\xfe\x00\x81\xff question \xff"


def row(
    type_,
    stem,
    options=(),
    answer="",
    explanation="",
    category="",
    difficulty=None,
    source="",
    key=None,
    tags=None,
) -> list:
    """A data row in the template's column order."""
    padded = [*options, *[None] * (8 - len(options))]
    return [type_, stem, *padded, answer, explanation, category, difficulty, source, key, tags]


def workbook_bytes(rows, headers=HEADERS, before=()) -> bytes:
    return xlsx_bytes(rows, headers, before)


def as_decimals(content: bytes) -> bytes:
    """Rewrite every whole number in the sheet as 1927.0, as some spreadsheet programs save it."""
    source, buffer = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data, count = re.subn(rb'(t="n"><v>-?\d+)</v>', rb"\1.0</v>", data)
                assert count, "no whole number to rewrite"
            target.writestr(item, data)
    return buffer.getvalue()


def problems_of(drafts: list[QuestionDraft]) -> dict[str, list[str]]:
    """Reading problems and, for readable drafts, the checks the import runs."""
    found = {}
    for draft in drafts:
        problems = draft.problems or (check_question(draft.data) if draft.data else [])
        if problems:
            found[draft.location] = problems
    return found


def expelled(**fields) -> QuestionData:
    """The single choice every format's sample file starts with (开除党籍: 五年), with
    ``fields`` as that file gives them."""
    sample = {
        "type": "single",
        "stem": "党员受到开除党籍处分，（  ）内不得重新入党。",
        "options": ["二年", "三年", "五年"],
        "answer": 2,
    }
    return QuestionData(**(sample | fields))


def read_cleanly(reader, name: str, content: bytes, locations: list[str]) -> list[QuestionDraft]:
    """Read a good file with ``reader``: nothing skipped, no problems, a draft at each of
    ``locations``."""
    drafts, skipped = reader.read(name, content)
    assert skipped == []
    assert problems_of(drafts) == {}
    assert [d.location for d in drafts] == locations
    return drafts


def import_all(org, drafts, skipped=()):
    return import_drafts(org.bureau.id, drafts, skipped=list(skipped))


# ================================================================ xlsx

GOOD_ROWS = [
    row(
        "单选",
        "党员受到开除党籍处分，（  ）内不得重新入党。",
        ["二年", "三年", "五年"],
        "C",
        "第十三条",
        "党内法规/纪律处分条例",
        1,
        "《中国共产党纪律处分条例》第十三条",
        "x-001",
        "处分影响期，开除党籍",
    ),
    row(
        "多选题",
        "对党员的纪律处分种类包括（  ）。",
        ["警告", "严重警告", "记过", "留党察看"],
        "A、B、D",
        difficulty=3.0,
    ),
    row("判断", "留党察看期限最长不得超过二年。", answer="错误", difficulty="4"),
    row(
        "填空",
        "党员受到警告处分____内、受到严重警告处分____内，不得在党内提拔职务。",
        answer="一年|1年；一年半",
    ),
    row("单选", "中国共产党成立于（  ）年。", [1921, 1927, 1949, 19.5], "A", key=1001),
    row("判断", "党员受到警告处分一年内，可以在党内提拔职务。", answer=False),
]


@pytest.mark.parametrize("whole_numbers", ["as integers", "as decimals"])
def test_xlsx_good_file_reads_every_type_in_its_own_form(whole_numbers):
    content = workbook_bytes(GOOD_ROWS)
    if whole_numbers == "as decimals":
        content = as_decimals(content)
    locations = [f"题库.xlsx 第 {n} 行" for n in range(2, 8)]
    data = [d.data for d in read_cleanly(xlsx, "题库.xlsx", content, locations)]
    assert data[0] == expelled(
        explanation="第十三条",
        source="《中国共产党纪律处分条例》第十三条",
        difficulty=1,
        category_path="党内法规/纪律处分条例",
        tags=["处分影响期", "开除党籍"],
        key="x-001",
    )
    assert (data[1].type, data[1].answer, data[1].difficulty, data[1].key) == (
        "multiple",
        [0, 1, 3],
        3,
        None,
    )
    assert (data[2].type, data[2].answer, data[2].difficulty, data[2].options) == (
        "truefalse",
        False,
        4,
        [],
    )
    assert (data[3].type, data[3].answer, data[3].difficulty) == (
        "fill",
        [["一年", "1年"], ["一年半"]],
        2,
    )
    # Numbers typed into Excel come back as the text a person sees.
    assert (data[4].options, data[4].key) == (["1921", "1927", "1949", "19.5"], "1001")
    assert (data[5].type, data[5].answer) == ("truefalse", False)  # Excel's FALSE cell


def test_xlsx_good_file_imports(org):
    drafts, skipped = xlsx.read("题库.xlsx", workbook_bytes(GOOD_ROWS))
    assert import_all(org, drafts, skipped).created == 6
    assert db.session.scalar(select(Question.answer).where(Question.key == "1001")) == 0


def test_xlsx_columns_may_come_in_another_order_below_a_title_row():
    headers = ["答案", "题干", "题型", "选项 B", "选项a"]
    content = workbook_bytes(
        [["B", "题（  ）。", "单选", "错的", "对的"]], headers, before=[["党规题库（2024）"]]
    )
    [draft] = xlsx.read("t.xlsx", content)[0]
    assert draft.location == "t.xlsx 第 3 行"
    assert (draft.data.options, draft.data.answer) == (["对的", "错的"], 1)


def test_xlsx_blank_rows_are_skipped_but_counted():
    content = workbook_bytes([GOOD_ROWS[2], [None] * 5, GOOD_ROWS[3]])
    assert [d.location for d in xlsx.read("t.xlsx", content)[0]] == [
        "t.xlsx 第 2 行",
        "t.xlsx 第 4 行",
    ]


@pytest.mark.parametrize(
    "bad, message",
    [
        (row("单选", "缺少答案（  ）。", ["一", "二"]), "缺少答案"),
        (
            row("单选", "答案不在选项中（  ）。", ["一", "二"], "C"),
            "答案「C」不在选项中（共 2 个选项）",
        ),
        (
            row("多选", "多选只有一个答案（  ）。", ["一", "二", "三"], "B"),
            "多选题至少应有两个答案",
        ),
        (
            row("问答", "谈谈认识。", answer="略"),
            "未知题型「问答」（应为 单选、多选、判断、填空、简答）",
        ),
        (row(None, "没有题型。", answer="对"), "缺少题型"),
        (row("单选", "没有选项（  ）。", answer="A"), "单选题缺少选项"),
        (
            row("单选", "选项跳号（  ）。", ["一", None, "三"], "A"),
            "选项应从选项A起连续填写，选项B为空",
        ),
        (row("判断", "判断题的答案（  ）。", answer="也许"), "应为“对”或“错”"),
        (row("判断", "判断题有选项。", ["对", "错"], "对"), "判断题不应有选项"),
        (row("填空", "两个空____和____。", answer="一"), "题干有 2 个空"),
        (row("判断", "难度不对。", answer="对", difficulty="难"), "难度「难」应为 1 至 5 的整数"),
        (row("判断", "难度不对。", answer="对", difficulty=2.5), "难度「2.5」应为 1 至 5 的整数"),
        (row("判断", "难度太大。", answer="对", difficulty=6), "难度应为 1 至 5 的整数"),
        (row("判断", "编号不对。", answer="对", key="含 空格"), "编号「含 空格」只能由"),
        (row("单选", "", ["一", "二"], "A"), "题干不能为空"),
    ],
)
def test_xlsx_bad_rows_are_named_by_row_and_reason(bad, message):
    drafts, _ = xlsx.read("题库.xlsx", workbook_bytes([GOOD_ROWS[2], bad]))
    problems = problems_of(drafts)
    assert list(problems) == ["题库.xlsx 第 3 行"]
    assert any(message in p for p in problems["题库.xlsx 第 3 行"]), problems


def test_xlsx_a_row_with_several_problems_reports_every_one(org):
    bad = row("单选", "答案和难度都不对（  ）。", ["一", "二"], "AZ", difficulty=9, key="含 空格")
    drafts, _ = xlsx.read("题库.xlsx", workbook_bytes([GOOD_ROWS[2], bad]))
    result = import_drafts(org.bureau.id, drafts, only_valid=True)
    assert [p.location for p in result.rejected] == ["题库.xlsx 第 3 行"]
    message = result.rejected[0].message
    assert "AZ" in message and "难度应为 1 至 5 的整数" in message and "编号「含 空格」" in message


def test_xlsx_missing_columns_are_refused():
    headers = [h for h in HEADERS if h != "答案"]
    with pytest.raises(DomainError, match="缺少必填列：答案"):
        xlsx.read("t.xlsx", workbook_bytes([["单选", "题"]], headers))
    with pytest.raises(DomainError, match="缺少必填列：题型、题干、答案"):
        xlsx.read("t.xlsx", workbook_bytes([["单选", "题"]], ["类型", "题目"]))


def test_xlsx_a_column_twice_is_refused():
    with pytest.raises(DomainError, match="「答案」出现了多次"):
        xlsx.read("t.xlsx", workbook_bytes([], [*HEADERS, "答案"]))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "文件「t.xlsx」是空的"),
        (workbook_bytes([], headers=[]), "文件「t.xlsx」是空的"),
        (workbook_bytes([]), "中没有题目"),
        (workbook_bytes([[None] * 5, [None] * 5]), "中没有题目"),
    ],
)
def test_xlsx_empty_files_are_refused(content, message):
    with pytest.raises(DomainError, match=message):
        xlsx.read("t.xlsx", content)


@pytest.mark.parametrize(
    "content",
    [
        workbook_bytes(GOOD_ROWS)[:2000],  # truncated download
        b"PK\x03\x04 not really a zip",
        "题型,题干\n单选,题".encode("gb18030"),  # a CSV renamed to .xlsx
        BROKEN_ENCODING,
    ],
)
def test_xlsx_corrupt_files_are_refused(content):
    with pytest.raises(DomainError, match=re.escape("无法读取文件「t.xlsx」，文件可能已损坏")):
        xlsx.read("t.xlsx", content)


def test_xlsx_a_zip_that_is_no_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "不是 Excel")
    with pytest.raises(DomainError, match="文件可能已损坏"):
        xlsx.read("t.xlsx", buffer.getvalue())


def test_xlsx_too_big_a_file_is_refused():
    with pytest.raises(DomainError, match="超过 5 MB"):
        xlsx.read("t.xlsx", b"PK" + b"\0" * (5 * 1024 * 1024))


def test_xlsx_too_many_questions_are_refused():
    rows = [row("判断", f"第 {n} 题。", answer="对") for n in range(MAX_QUESTIONS + 1)]
    with pytest.raises(DomainError, match=f"超过 {MAX_QUESTIONS} 道题"):
        xlsx.read("t.xlsx", workbook_bytes(rows))


def test_xlsx_reader_takes_the_formula_guard_off():
    content = workbook_bytes(
        [
            row(
                "单选",
                "'=1+1 等于（  ）。",
                ["'-1", "'@2", "'+3", "''=4"],
                "A",
                explanation="'不是公式",
                key="'-k",
            )
        ]
    )
    data = xlsx.read("t.xlsx", content)[0][0].data
    assert data.stem == "=1+1 等于（  ）。"
    assert data.options == ["-1", "@2", "+3", "'=4"]
    assert data.explanation == "'不是公式"  # an apostrophe before anything else is the text's own
    assert data.key == "-k"


# ---------------------------------------------------------------- the template


def test_template_has_the_header_only_and_the_instructions():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.template_xlsx()))
    sheet = workbook.worksheets[0]
    assert workbook.sheetnames == ["题目", "填写说明"]
    assert [c.value for c in sheet[1]] == TEMPLATE_COLUMNS
    assert sheet.max_row == 1
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 40
    [type_choice] = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert type_choice.formula1 == '"单选,多选,判断,填空,简答"'
    assert str(type_choice.sqref).startswith("A2:A")
    notes = [c for r in workbook["填写说明"].iter_rows(values_only=True) for c in r if c]
    assert "答案" in notes and any("ABD" in str(c) for c in notes)


def test_template_examples_import_when_copied_into_the_question_sheet(org):
    """Fill the downloaded template as an organiser would: the examples are valid questions."""
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.template_xlsx()))
    notes = list(workbook["填写说明"].iter_rows(values_only=True))
    start = notes.index(tuple(HEADERS)) + 1
    for example in notes[start:]:
        workbook["题目"].append(example)
    buffer = io.BytesIO()
    workbook.save(buffer)

    drafts, _ = xlsx.read("模板.xlsx", buffer.getvalue())

    assert sorted(d.data.type for d in drafts) == ["fill", "multiple", "single", "truefalse"]
    assert problems_of(drafts) == {}
    assert import_all(org, drafts).created == 4


def test_the_blank_template_is_refused_as_empty():
    with pytest.raises(DomainError, match="没有题目"):
        xlsx.read("模板.xlsx", xlsx.template_xlsx())


# ---------------------------------------------------------------- export and round trip

ROUND_TRIP = [
    expelled(
        options=["二年", "三年", "五年", "1921"],
        explanation="第十三条。\n第二行。",
        source="《中国共产党纪律处分条例》第十三条",
        difficulty=1,
        category_path="党内法规/纪律处分条例/总则",
        tags=["处分影响期", "开除党籍"],
        key="rt-001",
    ),
    QuestionData(
        type="multiple",
        stem="对党员的纪律处分种类包括（  ）。",
        options=["警告", "严重警告", "记过", "留党察看", "开除党籍"],
        answer=[0, 1, 3, 4],
        difficulty=5,
        category_path="党内法规/纪律处分条例",
    ),
    QuestionData(
        type="truefalse",
        stem="留党察看期限最长不得超过二年。",
        options=[],
        answer=True,
        category_path="党内法规/纪律处分条例/总则",
        key="rt-003",
    ),
    QuestionData(
        type="truefalse",
        stem="党员受到警告处分一年内，可以在党内提拔职务。",
        options=[],
        answer=False,
        tags=["警告"],
    ),
    QuestionData(
        type="fill",
        stem="党员受到警告处分____内、受到严重警告处分____内，不得在党内提拔职务。",
        options=[],
        answer=[["一年", "1年", "12个月"], ["一年半", "1年半"]],
        category_path="党内法规/廉洁自律准则",
        key="rt-005",
    ),
    QuestionData(
        type="fill",
        stem="党的最高理想和最终目标是实现",
        options=[],
        answer=[["共产主义"]],
        key="rt-006",
    ),
    # Texts a spreadsheet would take for formulas.
    QuestionData(
        type="single",
        stem="=1+1 的结果（  ）。",
        options=["-1", "+2", "@3", "'=4"],
        answer=1,
        explanation="-见第一条",
        source="@出处",
        key="-rt-007",
    ),
]


@pytest.fixture()
def bank(org):
    """The ROUND_TRIP questions saved in the bank."""
    drafts = [QuestionDraft(f"第 {n} 题", data) for n, data in enumerate(ROUND_TRIP, start=1)]
    assert import_all(org, drafts).created == len(ROUND_TRIP)
    db.session.commit()
    return db.session.scalars(select(Question).order_by(Question.id)).all()


def test_export_then_import_changes_nothing(org, bank):
    before = {q.key: (q.id, q.updated_at, q.fingerprint) for q in bank}

    drafts, skipped = xlsx.read("导出.xlsx", exports.export_xlsx(bank))
    result = import_all(org, drafts, skipped)
    db.session.commit()

    assert (result.created, result.updated, result.unchanged) == (0, 0, len(ROUND_TRIP))
    after = db.session.scalars(select(Question)).all()
    assert {q.key: (q.id, q.updated_at, q.fingerprint) for q in after} == before
    by_key = {d.data.key: d.data for d in drafts}
    for data in ROUND_TRIP:
        if data.key:
            assert by_key[data.key] == data


def test_export_then_import_after_an_edit_updates_only_that_question(org, bank):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(bank)))
    sheet = workbook["题目"]
    answer_column = HEADERS.index("答案") + 1
    assert sheet.cell(2, answer_column).value == "C"
    sheet.cell(2, answer_column).value = "A"
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = import_all(org, xlsx.read("导出.xlsx", buffer.getvalue())[0])

    assert (result.updated, result.unchanged) == (1, len(ROUND_TRIP) - 1)
    assert db.session.scalar(select(Question.answer).where(Question.key == "rt-001")) == 0


def test_export_writes_the_template_layout(bank):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(bank)))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) == len(ROUND_TRIP) + 1
    assert rows[1] == (
        "单选",
        "党员受到开除党籍处分，（  ）内不得重新入党。",
        "二年",
        "三年",
        "五年",
        "1921",
        None,
        None,
        None,
        None,
        "C",
        "第十三条。\n第二行。",
        "党内法规/纪律处分条例/总则",
        1,
        "《中国共产党纪律处分条例》第十三条",
        "rt-001",
        "处分影响期,开除党籍",
    )
    fill = rows[5]
    assert fill[0] == "填空" and fill[10] == "一年|1年|12个月；一年半|1年半"
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"


def test_export_shows_formula_like_texts_as_typed(bank):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(bank)))
    cells = {c.value: c for r in workbook.worksheets[0].iter_rows(min_row=8) for c in r if c.value}
    # Shown as typed (string cells never run); only a text already starting with "'=" gets
    # one more apostrophe, which the import takes off again.
    for text in (
        "=1+1 的结果（  ）。",
        "-1",
        "+2",
        "@3",
        "''=4",
        "-见第一条",
        "@出处",
        "-rt-007",
    ):
        assert text in cells, text
        assert cells[text].data_type == "s"
    assert not any(c.data_type == "f" for r in workbook.worksheets[0].iter_rows() for c in r)


def test_neutralise():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("普通文字") == "普通文字"
    assert neutralise("'引号开头") == "'引号开头"
    assert neutralise("") is None
    assert neutralise("a\x00b\x07") == "ab"
    assert neutralise(3) == 3


def test_export_loads_the_categories_in_one_query(bank, queries):
    with queries() as statements:
        exports.export_xlsx(bank)
    assert len(statements) == 1


# ================================================================ GIFT


def test_gift_good_file():
    locations = [
        "练习.gift 第 1 题（第 6 行）",
        "练习.gift 第 2 题（第 13 行）",
        "练习.gift 第 3 题（第 20 行）",
        "练习.gift 第 4 题（第 22 行）",
        "练习.gift 第 5 题（第 26 行）",
        "练习.gift 第 6 题（第 28 行）",
        "练习.gift 第 7 题（第 30 行）",
        "练习.gift 第 8 题（第 32 行）",
    ]
    drafts = read_cleanly(gift, "练习.gift", (DATA / "good.gift").read_bytes(), locations)
    q = [d.data for d in drafts]
    # [html] stems lose their tags; the general feedback (####) is the explanation.
    assert q[0] == expelled(
        explanation="第十三条规定：党员受到开除党籍处分，五年内不得重新入党。",
        category_path="党内法规/纪律处分条例",
        key="gift-001",
    )
    # Weights: the options with a positive weight are right.
    assert (q[1].type, q[1].options, q[1].answer) == (
        "multiple",
        ["警告", "严重警告", "记过"],
        [0, 1],
    )
    assert q[1].stem == "对党员的纪律处分种类包括（  ）。"
    # True/false: the feedback for a right answer explains.
    assert (q[2].type, q[2].answer, q[2].explanation) == (
        "truefalse",
        True,
        "第十二条：留党察看期限最长不得超过二年。",
    )
    assert (q[3].type, q[3].answer, q[3].explanation) == ("truefalse", False, "")
    # $CATEGORY changes the category of what follows; "$course$/" is Moodle's, not ours.
    assert [d.category_path for d in q[:4]] == ["党内法规/纪律处分条例"] * 4
    assert [d.category_path for d in q[4:]] == ["党内法规/廉洁自律准则"] * 4
    assert (q[4].type, q[4].options, q[4].answer) == ("single", ["2015", "2016", "2012"], 0)
    # Short answers are fill-ins; the blank is where the braces were.
    assert q[5] == QuestionData(
        type="fill",
        stem="党的纪律建设要坚持 ____ 、治病救人的方针。",
        options=[],
        answer=[["惩前毖后", "惩前毖后的"]],
        explanation="对",
        category_path="党内法规/廉洁自律准则",
        key="gift-006",
    )
    # A title that can't be a key gives no key; [markdown] is dropped.
    assert (q[6].key, q[6].stem, q[6].answer) == (
        None,
        "党员受到警告处分 ____ 内，不得在党内提拔职务。",
        [["一年", "1年"]],
    )
    # Escaped special characters are text.
    assert q[7].stem == "下列说法正确的是:"
    assert q[7].options[1] == "党纪处分只有警告~严重警告两种"


def test_gift_good_file_imports_and_again_changes_nothing(org):
    content = (DATA / "good.gift").read_bytes()
    assert import_all(org, *gift.read("练习.gift", content)).created == 8
    db.session.commit()
    assert import_all(org, *gift.read("练习.gift", content)).unchanged == 8


def test_gift_other_types_are_skipped_with_the_reason(org):
    drafts, skipped = gift.read("其他.gift", (DATA / "skipped.gift").read_bytes())

    assert [(s.location, s.reason) for s in skipped] == [
        (
            "其他.gift 第 1 题（第 3 行）",
            "不支持的题型：问答题（没有参考答案；简答题须有参考答案，可写成 {####参考答案}）",
        ),
        ("其他.gift 第 2 题（第 5 行）", "不支持的题型：匹配题"),
        ("其他.gift 第 3 题（第 10 行）", "不支持的题型：数值题"),
        ("其他.gift 第 4 题（第 12 行）", "不支持的题型：说明文字（没有答案部分）"),
    ]
    assert [(d.location, d.data.key, d.data.category_path) for d in drafts] == [
        ("其他.gift 第 5 题（第 14 行）", "ok-001", "其他")
    ]
    result = import_all(org, drafts, skipped)
    assert (result.created, len(result.skipped)) == (1, 4)


def test_gift_essay_with_a_reference_imports_as_essay_a_bare_one_is_skipped(org):
    text = (
        "::e-001:: 简述“四个意识”。{####增强政治意识、大局意识、核心意识、看齐意识。\\n"
        "评分要点：政治意识；大局意识；核心意识；看齐意识}\n\n"
        "::e-002:: 谈谈认识。{}\n\n"
        "::e-003:: 只有要点。{####评分要点：一；二}\n"
    )
    drafts, skipped = gift.read("简答.gift", text.encode())
    essay = drafts[0].data
    assert (essay.type, essay.stem, essay.key, essay.explanation) == (
        "essay",
        "简述“四个意识”。",
        "e-001",
        "",
    )
    assert essay.answer == {
        "reference": "增强政治意识、大局意识、核心意识、看齐意识。",
        "points": ["政治意识", "大局意识", "核心意识", "看齐意识"],
    }
    assert drafts[1].data is None and "参考答案" in drafts[1].problems[0]
    assert import_all(org, drafts[:1], skipped).created == 1  # the essay passes the checks
    assert [s.location for s in skipped] == ["简答.gift 第 2 题（第 3 行）"]
    assert "简答题须有参考答案" in skipped[0].reason


def test_gift_file_with_only_unsupported_questions_lists_them(org):
    drafts, skipped = gift.read("t.gift", "谈谈认识。{}".encode())
    assert drafts == [] and len(skipped) == 1
    assert import_all(org, drafts, skipped).skipped == skipped


@pytest.mark.parametrize(
    "text, message",
    [
        ("没有正确答案（  ）。{~一 ~二}", "没有标出正确答案"),
        ("两个等号（  ）。{=一 =二 ~三}", "单选题只能有一个以 = 标出的正确答案"),
        ("权重不足（  ）。{~%50%一 ~%25%二 ~三}", "正确选项的权重之和应为 100%，现为 75%"),
        ("两种标法（  ）。{=一 ~%50%二 ~三}", "请只用一种方式标出"),
        ("缺右括号 {=一 ~二", "缺少右花括号"),
        ("::没结尾 题 {T}", "标题缺少结尾"),
        ("两个答案 {T} 和 {F}", "只能有一个答案部分"),
        ("空选项（  ）。{=一 ~ ~三}", "第 2 个答案是空的"),
        ("乱写（  ）。{一 =二 ~三}", "应以 = 或 ~ 开头"),
        ("部分分 {=%50%一年}", "没有满分的答案"),
        ("{=只有答案}", "题干不能为空"),
        ("单个选项（  ）。{=一 ~}", "第 2 个答案是空的"),
        ("太多选项（  ）。{=1 ~2 ~3 ~4 ~5 ~6 ~7 ~8 ~9}", "选项应为 2 至 8 个"),
    ],
)
def test_gift_bad_questions_are_named_by_number_line_and_reason(text, message):
    content = f"// 第一行是注释\n\n留党察看期限最长不得超过二年。{{T}}\n\n{text}\n".encode()
    drafts, _ = gift.read("错.gift", content)
    problems = problems_of(drafts)
    assert list(problems) == ["错.gift 第 2 题（第 5 行）"]
    assert any(message in p for p in problems["错.gift 第 2 题（第 5 行）"]), problems


def test_gift_weights_may_be_fractions_and_one_weighted_option_is_single_choice():
    text = (
        "三个都对（  ）。{~%33.33333%一 ~%33.33333%二 ~%33.33333%三 ~%-100%四}\n\n"
        "只有一个（  ）。{~%100%一 ~二 ~%-50%三}"
    )
    first, second = [d.data for d in gift.read("t.gift", text.encode())[0]]
    assert (first.type, first.answer) == ("multiple", [0, 1, 2])
    assert (second.type, second.answer) == ("single", 0)


def test_gift_missing_word_choice_puts_the_gap_where_the_braces_were():
    text = "党的最高领导机关是{=党的全国代表大会 ~中央政治局}和它所产生的中央委员会。"
    [draft] = gift.read("t.gift", text.encode())[0]
    assert (draft.data.type, draft.data.answer) == ("single", 0)
    assert draft.data.stem == "党的最高领导机关是（  ）和它所产生的中央委员会。"


def test_gift_partial_credit_short_answers_are_not_accepted():
    [draft] = gift.read("t.gift", "答案 {=%100%一年 =%50%半年 =1年}".encode())[0]
    assert draft.data.answer == [["一年", "1年"]]


def test_gift_explanation_falls_back_to_the_right_answers_feedback():
    [draft] = gift.read("t.gift", "题（  ）。{~一#不对 =二#第二条规定}".encode())[0]
    assert draft.data.explanation == "第二条规定"


def test_gift_true_false_spellings_and_escapes():
    text = "a {T}\n\nb {TRUE}\n\nc {F}\n\nd {false}\n\n1 \\= 1 \\{大括号\\} \\# \\\\ {T}"
    drafts = gift.read("t.gift", text.encode())[0]
    assert [d.data.answer for d in drafts] == [True, True, False, False, True]
    assert drafts[4].data.stem == "1 = 1 {大括号} # \\"


def test_gift_category_prefixes_and_titles():
    text = (
        "$CATEGORY: $course$/top\n\n::Q1::题 {T}\n\n$CATEGORY: top/党章/总纲\n"
        "::题目 二::题二 {T}\n\n$CATEGORY: $system$/top/a/b\n\n题三 {T}"
    )
    drafts = gift.read("t.gift", text.encode())[0]
    assert [(d.data.category_path, d.data.key) for d in drafts] == [
        ("", "Q1"),
        ("党章/总纲", None),
        ("a/b", None),
    ]
    assert drafts[1].location == "t.gift 第 2 题（第 6 行）"


def test_gift_a_file_saved_as_gbk_is_read():
    drafts = gift.read("t.gift", (DATA / "good.gift").read_text("utf-8").encode("gb18030"))[0]
    assert drafts[0].data.options == ["二年", "三年", "五年"]


# ================================================================ Aiken


def test_aiken_good_file(org):
    content = (DATA / "good-aiken.txt").read_bytes()
    locations = [
        "题.txt 第 1 题（第 1 行）",
        "题.txt 第 2 题（第 8 行）",
        "题.txt 第 3 题（第 14 行）",
    ]
    drafts = read_cleanly(aiken, "题.txt", content, locations)
    assert drafts[0].data == expelled(options=["二年", "三年", "四年", "五年"], answer=3)
    assert drafts[1].data.stem == (
        "根据《中国共产党纪律处分条例》，\n留党察看期限最长不得超过（  ）。"
    )
    assert (drafts[1].data.options, drafts[1].data.answer) == (["一年", "一年半", "二年"], 2)
    assert (drafts[2].data.options, drafts[2].data.answer) == (["警告", "记过", "开除党籍"], 1)
    assert import_all(org, drafts).created == 3


def test_aiken_a_stem_line_may_start_like_an_option():
    text = "B超检查不是选项。\nC、也不是\nA. 一\nB. 二\nANSWER: A\n"
    [draft] = aiken.read("t.txt", text.encode())[0]
    assert draft.data.stem == "B超检查不是选项。\nC、也不是"
    assert draft.data.options == ["一", "二"]


@pytest.mark.parametrize(
    "text, problems",
    [
        ("题（  ）。\nA. 一\nB. 二\n", ["第 8 行之后缺少答案行（如“ANSWER: B”）"]),
        ("题（  ）。\nA. 一\nB. 二\nANSWER: C\n", ["第 9 行：答案「C」不在选项中（共 2 个选项）"]),
        (
            "题（  ）。\nA. 一\nB. 二\nANSWER: AB\n",
            ["第 9 行：单选题只能有一个答案，「AB」有 2 个"],
        ),
        ("题（  ）。\nA. 一\nB. 二\nANSWER:\n", ["第 9 行：ANSWER 后没有写答案字母"]),
        ("题（  ）。\nA. 一\nANSWER: A\n", ["只有 1 个选项，至少需要 2 个（如“A. 选项内容”）"]),
        ("题（  ）。\nANSWER: A\n", ["只有 0 个选项，至少需要 2 个（如“A. 选项内容”）"]),
        ("题（  ）。\nA. 一\nC. 二\nANSWER: A\n", ["第 8 行：选项字母应为 B，而不是 C"]),
    ],
)
def test_aiken_bad_questions_are_named_with_line_numbers(text, problems):
    # The bad question starts on line 6, after a good one.
    content = f"好题（  ）。\nA. 对\nB. 错\nANSWER: A\n\n{text}".encode()
    drafts = aiken.read("t.txt", content)[0]
    assert problems_of(drafts) == {"t.txt 第 2 题（第 6 行）": problems}


def test_aiken_a_missing_answer_line_does_not_swallow_the_next_question():
    text = "第一题（  ）。\nA. 一\nB. 二\n第二题（  ）。\nA. 三\nB. 四\nANSWER: B\n"
    first, second = aiken.read("t.txt", text.encode())[0]
    assert first.problems == ["第 3 行之后缺少答案行（如“ANSWER: B”）"]
    assert (second.location, second.problems) == ("t.txt 第 2 题（第 4 行）", [])
    assert (second.data.stem, second.data.answer) == ("第二题（  ）。", 1)


def test_aiken_problems_are_reported_by_the_import(org):
    drafts = aiken.read("t.txt", "题（  ）。\nA. 一\nB. 二\nANSWER: E\n".encode())[0]
    result = import_drafts(org.bureau.id, drafts, only_valid=True)
    assert result.created == 0
    assert [(p.location, p.message) for p in result.rejected] == [
        ("t.txt 第 1 题（第 1 行）", "第 4 行：答案「E」不在选项中（共 2 个选项）")
    ]


# ================================================================ GIFT and Aiken files

TOO_BIG = b"x" * (5 * 1024 * 1024 + 1)
TOO_MANY = f"超过 {MAX_QUESTIONS} 道题"
GIFT_TOO_MANY = "\n\n".join(f"第 {n} 题 {{T}}" for n in range(MAX_QUESTIONS + 1)).encode()
AIKEN_TOO_MANY = "".join(
    f"题{n}\nA. 对\nB. 错\nANSWER: A\n" for n in range(MAX_QUESTIONS + 1)
).encode()


@pytest.mark.parametrize(
    "read, name, content, message",
    [
        (gift.read, "t.gift", b"", "是空的"),
        (gift.read, "t.gift", b"\n  \n", "是空的"),
        (gift.read, "t.gift", b"// only a comment\n\n// and another\n", "没有找到题目"),
        (gift.read, "t.gift", BROKEN_ENCODING, "无法识别文件「t.gift」的编码"),
        (gift.read, "t.gift", TOO_BIG, "超过 5 MB"),
        (gift.read, "t.gift", GIFT_TOO_MANY, TOO_MANY),
        (aiken.read, "t.txt", b"", "是空的"),
        (aiken.read, "t.txt", BROKEN_ENCODING, "无法识别文件「t.txt」的编码"),
        (aiken.read, "t.txt", TOO_BIG, "超过 5 MB"),
        (aiken.read, "t.txt", AIKEN_TOO_MANY, TOO_MANY),
    ],
)
def test_text_files_that_cannot_be_read_are_refused(read, name, content, message):
    with pytest.raises(DomainError, match=message):
        read(name, content)
