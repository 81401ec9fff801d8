"""Word (.docx) question files: the layouts banks are typed in, the errors named by question
and line, the template, the import page's preview; GIFT told from Aiken in a .txt; the CLI
listing skipped questions. Every .docx is built here with python-docx."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Inches
from sqlalchemy import func, select

from quizapp import db
from quizapp.bank import formats
from quizapp.bank.formats import read_text, reader_for, word, word_template
from quizapp.bank.imports import BankImportRejected, import_drafts
from quizapp.bank.models import Question
from quizapp.bank.types import QuestionType, register, unregister
from quizapp.downloads import DOCX
from quizapp.errors import DomainError
from tests.factories import upload_questions


def _png() -> bytes:
    """A 1 × 1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def make_docx(*lines: str | tuple[str, ...], build=None) -> bytes:
    """A .docx with one paragraph per line; a tuple is a table row (one cell per item)."""
    document = docx.Document()
    for line in lines:
        if isinstance(line, tuple):
            table = document.add_table(rows=1, cols=len(line))
            for cell, text in zip(table.rows[0].cells, line):
                cell.text = text
        else:
            document.add_paragraph(line)
    if build is not None:
        build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def read(*lines, build=None):
    return word.read("题库.docx", make_docx(*lines, build=build))


def only(*lines, build=None):
    """Read a file of one question; return its draft (checked to have no problems)."""
    drafts, skipped = read(*lines, build=build)
    assert len(drafts) == 1 and not skipped
    assert drafts[0].problems == []
    return drafts[0].data


def problems_of(*lines) -> list[str]:
    drafts, _ = read(*lines)
    return [f"{d.location}: {p}" for d in drafts for p in d.problems]


def count_questions() -> int:
    return db.session.scalar(select(func.count(Question.id)))


GOOD = [
    "2024年党章知识测试题",  # a title: not a section, not a question
    "一、单项选择题（每题 1 分，共 2 分）",
    "1．留党察看最长不超过（  ）。",
    "A．半年  B．一年  C．两年  D．三年",
    "答案：C",
    "解析：党章第四十一条。",
    "出处：《中国共产党章程》第四十一条",
    "难度：较难",
    "分类：党章/纪律",
    "2、党的最高领导机关，是党的全国代表大会和它所产生的（A）。",
    "A、中央委员会",
    "B、中央政治局",
    "二、多项选择题",
    "（1）对党员的纪律处分包括（  ）。",
    "A:警告 B:严重警告 C:记过 D:开除党籍",
    "【答案】ABD",
    "【解析】第一行",
    "第二行",
    "三、判断题",
    "1. 预备党员的预备期为一年。",
    "正确答案：√",
    "2. 党员的党龄从支部大会通过其为预备党员之日算起。（×）",
    "四、填空题",
    "1. 党组织对违犯党的纪律的党员，坚持（  ）、(   )，执纪必严。",
    "参考答案：惩前毖后、治病救人",
    "2. 中央委员会每届任期____。",
    "答案：五年|5年",
]


def test_a_good_file_reads_every_type_in_its_own_form():
    drafts, skipped = read(*GOOD)
    assert skipped == [] and [d.problems for d in drafts] == [[]] * 7
    data = [d.data for d in drafts]
    assert [d.location for d in drafts][:3] == [
        "题库.docx 「单项选择题」第 1 题（第 3 行）",
        "题库.docx 「单项选择题」第 2 题（第 10 行）",
        "题库.docx 「多项选择题」第 1 题（第 14 行）",
    ]
    single = data[0]
    assert (single.type, single.stem, single.options, single.answer) == (
        "single",
        "留党察看最长不超过（  ）。",
        ["半年", "一年", "两年", "三年"],
        2,
    )
    assert (single.explanation, single.source, single.difficulty, single.category_path) == (
        "党章第四十一条。",
        "《中国共产党章程》第四十一条",
        4,
        "党章/纪律",
    )
    assert (data[1].stem, data[1].answer) == (
        "党的最高领导机关，是党的全国代表大会和它所产生的（  ）。",
        0,
    )
    assert (data[2].type, data[2].options, data[2].answer) == (
        "multiple",
        ["警告", "严重警告", "记过", "开除党籍"],
        [0, 1, 3],
    )
    assert data[2].explanation == "第一行\n第二行"
    assert [(d.type, d.answer) for d in data[3:5]] == [("truefalse", True), ("truefalse", False)]
    assert data[4].stem == "党员的党龄从支部大会通过其为预备党员之日算起。（  ）"
    assert (data[5].type, data[5].stem, data[5].answer) == (
        "fill",
        "党组织对违犯党的纪律的党员，坚持____、____，执纪必严。",
        [["惩前毖后"], ["治病救人"]],
    )
    assert data[6].answer == [["五年", "5年"]]


def test_a_good_file_imports_and_again_changes_nothing(org):
    drafts, skipped = read(*GOOD)
    result = import_drafts(org.bureau.id, drafts, skipped=skipped)
    db.session.commit()
    assert (result.created, count_questions()) == (7, 7)
    drafts, skipped = read(*GOOD)
    again = import_drafts(org.bureau.id, drafts, skipped=skipped)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)


@pytest.mark.parametrize(
    "lines",
    [
        ["1. 题干（  ）。", "A. 甲", "B. 乙", "C. 丙", "答案：B"],
        ["1、题干（  ）。", "A、甲  B、乙  C、丙", "答案：B"],
        ["（1）题干（  ）。", "A．甲\tB．乙\tC．丙", "【答案】B"],
        ["1．题干（  ）。", "Ａ．甲  Ｂ．乙", "Ｃ．丙", "答案:B"],
        ["1. 题干（  ）。", "A:甲 B:乙 C:丙 答案：B"],  # the answer at the end of a line
        ["1. 题干（B）。", "A.甲 B.乙 C.丙"],  # the answer in the stem's brackets
        ["1. 题干（  ）。", ("A. 甲", "B. 乙"), ("C. 丙", ""), "答案：B"],  # options in a table
    ],
)
def test_numbers_options_and_answers_in_every_usual_spelling(lines):
    data = only("一、单选题", *lines)
    assert (data.stem, data.options, data.answer) == ("题干（  ）。", ["甲", "乙", "丙"], 1)


def test_without_a_section_the_type_follows_from_the_question():
    drafts, _ = read(
        "1. 单选（  ）。",
        "A. 甲 B. 乙",
        "答案：A",
        "2. 多选（  ）。",
        "A. 甲 B. 乙 C. 丙",
        "答案：A、C",
        "3. 判断。（√）",
        "4. 填空____。",
        "答案：甲",
        "5. 什么都不是。",
        "答案：一些话",
    )
    assert [d.data.type if d.data else None for d in drafts] == [
        "single",
        "multiple",
        "truefalse",
        "fill",
        None,
    ]
    assert drafts[4].problems == ["无法判断题型，请在题目前加上“一、单选题”这样的题型标题"]


def test_a_section_of_a_type_the_bank_lacks_is_skipped_and_listed():
    drafts, skipped = read(
        "一、判断题", "1. 甲。", "答案：对", "六、案例分析题", "1. 分析。", "答案：要点一", "要点二"
    )
    assert len(drafts) == 1
    assert [(s.location, s.reason) for s in skipped] == [
        ("题库.docx 「案例分析题」第 1 题（第 5 行）", "不支持的题型：案例分析题")
    ]


class ToyCase(QuestionType):
    """A type registered later (案例分析): found by its label, several lines long."""

    code = "toycase"
    label = "案例分析"

    def answer_from_text(self, text: str, options: list[str], stem: str) -> str:
        return text

    def answer_to_text(self, answer: Any, options: list[str]) -> str:
        return str(answer)


def test_a_section_is_read_once_its_type_is_registered():
    register(ToyCase())
    try:
        data = only("六、案例分析题（每题 10 分）", "1. 分析此案。", "答案：违反纪律", "应予处分")
    finally:
        unregister("toycase")
    assert (data.type, data.answer) == ("toycase", "违反纪律\n应予处分")


def test_a_short_answer_section_is_read_with_its_key_points():
    data = only(
        "五、简答题（每题 10 分）",
        "1. 简述四个意识。",
        "答案：政治意识、大局意识、核心意识、看齐意识。",
        "评分要点：政治意识；大局意识",
    )
    assert data.type == "essay"
    assert data.answer == {
        "reference": "政治意识、大局意识、核心意识、看齐意识。",
        "points": ["政治意识", "大局意识"],
    }
    template = word.read("模板.docx", word_template.template_docx())
    assert [d.data.type for d in template[0]][-1] == "essay"
    assert not template[1]


def test_numbered_points_inside_an_explanation_stay_in_it():
    data = only(
        "一、单选题",
        "5. 题干（  ）。",
        "A. 甲 B. 乙",
        "答案：A",
        "解析：",
        "1. 第一点",
        "2. 第二点",
    )
    assert data.explanation == "1. 第一点\n2. 第二点"


def test_words_numbering_is_read_as_the_numbers_it_draws():
    def numbered(document):
        numbering = document.part.numbering_part.element
        numbering.append(
            parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
                '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/></w:lvl>'
                "</w:abstractNum>"
            )
        )
        numbering.append(
            parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="91">'
                '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/></w:lvl>'
                '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/></w:lvl>'
                "</w:abstractNum>"
            )
        )
        for num_id, abstract in (("90", "90"), ("91", "91")):
            numbering.append(
                parse_xml(
                    f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                    f'<w:abstractNumId w:val="{abstract}"/></w:num>'
                )
            )
        for paragraph, (num_id, level) in zip(document.paragraphs, listed):
            if num_id:
                paragraph._p.get_or_add_pPr().append(
                    parse_xml(
                        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
                        f'<w:numId w:val="{num_id}"/></w:numPr>'
                    )
                )

    listed = [  # (numId, level) of each paragraph below
        ("90", 0),
        ("91", 0),
        ("91", 1),
        ("91", 1),
        (None, 0),
        ("91", 0),
        ("91", 1),
        ("91", 1),
        (None, 0),
    ]
    drafts, _ = read(
        "单选题",
        "题一（  ）。",
        "甲",
        "乙",
        "答案：B",
        "题二（  ）。",
        "丙",
        "丁",
        "答案：A",
        build=numbered,
    )
    assert [d.problems for d in drafts] == [[], []]
    assert [d.location for d in drafts] == [
        "题库.docx 「单选题」第 1 题（第 2 行）",
        "题库.docx 「单选题」第 2 题（第 6 行）",
    ]
    assert [(d.data.options, d.data.answer) for d in drafts] == [
        (["甲", "乙"], 1),
        (["丙", "丁"], 0),
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [
                "一、单选题",
                "1. 甲（  ）。",
                "A. 一 B. 二",
                "2. 乙（  ）。",
                "A. 一 B. 二",
                "答案：A",
            ],
            ["题库.docx 「单选题」第 1 题（第 2 行）: 缺少答案（如“答案：B”）"],
        ),
        (
            ["一、单选题", "1. 甲（  ）。", "A. 一", "C. 二", "答案：A"],
            ["题库.docx 「单选题」第 1 题（第 2 行）: 第 4 行：选项字母应为 B，而不是 C"],
        ),
        (
            ["一、单选题", "1. 甲（  ）。", "A. 一 B. 二", "答案：AB"],
            [
                "题库.docx 「单选题」第 1 题（第 2 行）: 第 4 行：单选题只能有一个答案，「AB」有 2 个"
            ],
        ),
        (
            ["一、单选题", "1. 甲（  ）。", "A. 一 B. 二", "答案：E"],
            ["题库.docx 「单选题」第 1 题（第 2 行）: 第 4 行：答案「E」不在选项中（共 2 个选项）"],
        ),
        (
            ["三、判断题", "1. 甲。", "A. 对 B. 错", "答案：A"],
            ["题库.docx 「判断题」第 1 题（第 2 行）: 判断题不应有选项 A、B…，请检查题型标题"],
        ),
        (
            ["一、单选题", "1. 甲（  ）。", "A. 一 B. 二", "答案：A", "难度：很难"],
            [
                "题库.docx 「单选题」第 1 题（第 2 行）: "
                "难度「很难」应为 1 至 5 的整数，或 容易、较易、中等、较难、困难"
            ],
        ),
        (
            ["四、填空题", "1. 甲____乙____。", "答案：一"],
            ["题库.docx 「填空题」第 1 题（第 2 行）: 题干有 2 个空（用 ___ 表示），答案有 1 个"],
        ),
    ],
)
def test_errors_name_the_question_and_the_line(lines, expected):
    drafts, _ = read(*lines)
    from quizapp.bank.services import check_question

    found = [f"{d.location}: {p}" for d in drafts for p in (d.problems or check_question(d.data))]
    assert found == expected


def test_a_picture_in_a_question_is_refused_and_one_above_the_questions_ignored():
    def pictures(document):
        for index in (0, 3):
            run = document.paragraphs[index].add_run()
            run.add_picture(io.BytesIO(_png()), width=Inches(0.2))

    drafts, _ = read("标题", "一、判断题", "1. 看图判断。", "图：", "答案：对", build=pictures)
    assert drafts[0].problems == ["第 4 行有图片（或嵌入对象），导入后会丢失，请删除或改写为文字"]


def test_all_or_nothing_names_every_bad_question(org):
    drafts, skipped = read(
        "一、单选题", "1. 甲（  ）。", "A. 一 B. 二", "2. 乙（  ）。", "A. 一 B. 二", "答案：A"
    )
    with pytest.raises(BankImportRejected) as caught:
        import_drafts(org.bureau.id, drafts, skipped=skipped)
    db.session.rollback()
    assert [p.location for p in caught.value.problems] == ["题库.docx 「单选题」第 1 题（第 2 行）"]
    assert count_questions() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "是空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "另存为” .docx"),  # a .doc
        (b"PK\x03\x04garbage", "另存为” .docx"),
    ],
)
def test_files_that_are_no_docx_are_refused(content, message):
    with pytest.raises(DomainError, match=message):
        word.read("题库.docx", content)


def test_a_document_without_questions_is_refused():
    with pytest.raises(DomainError, match="没有找到题目"):
        read("党章学习笔记", "第一章 党员")


def test_the_template_imports_every_example_without_a_problem(org):
    drafts, skipped = word.read("模板.docx", word_template.template_docx())
    assert skipped == []
    assert {d.data.type for d in drafts} == {"single", "multiple", "truefalse", "fill", "essay"}
    result = import_drafts(org.bureau.id, drafts)
    assert result.created == len(drafts) == 9


# ---------------------------------------------------------------- GIFT or Aiken in a .txt

GIFT = b"::dz-1:: \xe9\xa2\x84\xe5\xa4\x87\xe6\x9c\x9f\xe4\xb8\xba\xe4\xb8\x80\xe5\xb9\xb4\xe3\x80\x82 {T}\n\n\xe7\xae\x80\xe8\xbf\xb0\xe3\x80\x82 {}\n"
AIKEN = "党员受到开除党籍处分，（  ）内不得重新入党。\nA. 二年\nB. 五年\nANSWER: B\n".encode()


@pytest.mark.parametrize("name", ["题库.txt", "moodle.gift.txt"])
def test_a_txt_file_holding_gift_is_read_as_gift(name):
    drafts, skipped = reader_for(name)(name, GIFT)
    assert [(d.data.type, d.data.key) for d in drafts] == [("truefalse", "dz-1")]
    assert [s.reason[:10] for s in skipped] == ["不支持的题型：问答题"]


def test_a_txt_file_holding_aiken_is_still_read_as_aiken():
    drafts, skipped = read_text("题库.txt", AIKEN)
    assert [(d.data.type, d.data.answer) for d in drafts] == [("single", 1)]
    assert skipped == []


def test_aiken_with_braces_in_a_stem_is_not_taken_for_gift():
    text = "下列{=说法}正确的是（  ）。\nA. 甲\nB. 乙\nANSWER: A\n".encode()
    drafts, _ = read_text("题库.txt", text)
    assert drafts[0].data.options == ["甲", "乙"]


# ---------------------------------------------------------------- the command line


def test_cli_imports_a_docx_and_lists_the_skipped_questions(org, runner, tmp_path):
    path = tmp_path / "题库.docx"
    path.write_bytes(
        make_docx("一、判断题", "1. 甲。", "答案：对", "二、案例分析题", "1. 分析。", "答案：要点")
    )
    result = runner.invoke(args=["questions", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "unsupported 题库.docx 「案例分析题」第 1 题（第 5 行）: 不支持的题型：案例分析题"
        in result.output
    )
    assert "1 files: 1 created, 0 updated, 0 unchanged, 0 rejected, 1 skipped" in result.output


def test_cli_reads_gift_in_a_txt_and_lists_what_it_skipped(org, runner, tmp_path):
    path = tmp_path / "moodle.gift.txt"
    path.write_bytes(GIFT)
    result = runner.invoke(args=["questions", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "unsupported moodle.gift.txt 第 2 题（第 3 行）: 不支持的题型：问答题" in result.output
    assert count_questions() == 1


# ---------------------------------------------------------------- the import page


def _upload(client, content: bytes, *, preview=False, name="题库.docx"):
    return upload_questions(client, content, name, preview=preview)


def test_the_page_previews_a_word_file_then_imports_it(client, auth, org):
    auth.login("org1")
    page = client.get("/manage/bank/import").get_data(as_text=True)
    assert "Word 文档 .docx" in page and "/manage/bank/template.docx" in page
    assert "先预览，不导入" in page
    content = make_docx(
        *GOOD,
        "五、案例分析题",
        "1. 分析。",
        "答案：要点",
        "六、单选题",
        "1. 缺答案（  ）。",
        "A. 一 B. 二",
    )

    shown = _upload(client, content, preview=True).get_data(as_text=True)
    assert "预览（尚未导入）" in shown
    assert "共读到 8 道题，可以导入 7 道（新增 7、更新 0、无变化 0）" in shown
    assert "留党察看最长不超过（  ）。" in shown and "A. 半年" in shown and "答案：C" in shown
    assert "问题：缺少答案（如“答案：B”）" in shown
    assert "不支持的题型：案例分析题" in shown
    assert count_questions() == 0  # a preview saves nothing

    refused = _upload(client, content).get_data(as_text=True)
    assert "未导入任何题目" in refused and count_questions() == 0
    imported = _upload(client, make_docx(*GOOD)).get_data(as_text=True)
    assert "导入完成" in imported and count_questions() == 7


def test_the_page_reads_a_word_file_whatever_format_was_last_chosen(client, auth, org):
    auth.login("org1")
    page = client.get("/manage/bank/import").get_data(as_text=True)
    assert 'name="format"' not in page  # the extension says the format: nothing to choose
    # A browser still posting the old selector's "xlsx" with a .docx: read as Word.
    body = client.post(
        "/manage/bank/import",
        data={"format": "xlsx", "file": (io.BytesIO(make_docx(*GOOD)), "题库.docx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "导入完成" in body and count_questions() == 7


def test_a_word_file_without_its_extension_is_read_as_word():
    drafts, _ = reader_for("题库", make_docx(*GOOD))("题库", make_docx(*GOOD))
    assert len(drafts) == 7 and not any(d.problems for d in drafts)
    with pytest.raises(DomainError, match=r"无法识别文件「题库\.zip」的格式"):
        reader_for("题库.zip", b"PK\x03\x04 not a zip")


def test_the_size_is_checked_before_the_zip_is_listed(monkeypatch):
    content = make_docx(*GOOD)
    monkeypatch.setattr(formats, "MAX_BYTES", len(content) - 1)
    with pytest.raises(DomainError, match="超过 5 MB"):
        reader_for("题库.doc", content)


@pytest.mark.parametrize(
    ("name", "target"),
    [("题库.doc", ".docx"), ("题库.wps", ".docx"), ("题库.xls", ".xlsx"), ("题库.ET", ".xlsx")],
)
def test_an_old_office_or_wps_file_is_told_to_save_as(name, target):
    with pytest.raises(DomainError, match=f"另存为” \\{target}"):
        reader_for(name, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an OLE file")
    # One that is a .docx under the old name is still read.
    assert reader_for("题库.doc", make_docx(*GOOD)) is word.read


def test_the_page_reads_a_gift_txt_as_gift(client, auth, org):
    auth.login("org1")
    body = _upload(client, GIFT, name="moodle.gift.txt").get_data(as_text=True)
    assert "导入完成" in body and "不支持的题型：问答题" in body
    assert count_questions() == 1


def test_the_word_template_downloads(client, auth, org):
    auth.login("org1")
    response = client.get("/manage/bank/template.docx")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    assert "attachment" in response.headers["Content-Disposition"]
    drafts, _ = word.read("模板.docx", response.data)
    assert len(drafts) == 9


def test_an_answer_in_the_stem_never_stays_there():
    data = only("一、单选题", "1. 题干（B）。", "A. 甲 B. 乙", "答案：B")
    assert (data.stem, data.answer) == ("题干（  ）。", 1)
    assert problems_of("一、单选题", "1. 题干（A）。", "A. 甲 B. 乙", "答案：B") == [
        "题库.docx 「单选题」第 1 题（第 2 行）: 题干括号中的答案「A」与答案行「B」不一致"
    ]
    assert only("三、判断题", "1. 甲。（√）", "答案：对").answer is True
