"""The bank's .xlsx template: its columns, the 填写说明 sheet, and writing it blank or filled.

One row per question. Each column is declared once with the value it takes from a
:class:`~quizapp.bank.services.QuestionData` (what the reader, :mod:`.xlsx`, gives back), so
the export (the template with the questions filled in) and the reader can't drift apart:
importing an exported file changes nothing.

Columns: 题型, 题干, 选项A … 选项H, 答案, 解析, 分类, 难度, 出处, then 编号 (the key, so an
exported file imported again updates its questions) and 标签.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from quizapp.bank.imports import MAX_QUESTIONS
from quizapp.bank.services import QuestionData
from quizapp.bank.types import LETTERS, all_types, get_type, type_names
from quizapp.spreadsheets import TEXT, Column
from quizapp.spreadsheets.templates import Notes, choice, template_xlsx, whole_number

SHEET_TITLE = "题目"
OPTION_HEADERS = [f"选项{letter}" for letter in LETTERS]


def _option(index: int) -> Callable[[QuestionData], str | None]:
    return lambda data: data.options[index] if index < len(data.options) else None


def _answer(data: QuestionData) -> str:
    return get_type(data.type).answer_to_text(data.answer, data.options)


#: Text columns (TEXT) keep what people type as typed: 1921 or 001 stay texts.
COLUMNS: list[Column[QuestionData]] = [
    Column("题型", lambda data: get_type(data.type).label, width=8),
    Column("题干", lambda data: data.stem, width=50),
    *(
        Column(header, _option(index), width=18, number_format=TEXT)
        for index, header in enumerate(OPTION_HEADERS)
    ),
    Column("答案", _answer, width=14, number_format=TEXT),
    Column("解析", lambda data: data.explanation, width=40),
    Column("分类", lambda data: data.category_path, width=26),
    Column("难度", lambda data: data.difficulty, width=6),
    Column("出处", lambda data: data.source, width=30),
    Column("编号", lambda data: data.key, width=16, number_format=TEXT),
    Column("标签", lambda data: ",".join(data.tags), width=16),
]
HEADERS = [column.header for column in COLUMNS]

INSTRUCTIONS = [
    ("题型", "必填", f"{type_names()}（也可写 单选题、多选题…）"),
    (
        "题干",
        "必填",
        (
            "题目内容，不超过 2000 字。填空题用三个或更多下划线 ___ 表示每个空；"
            "没有下划线时，空在题目末尾"
        ),
    ),
    (
        "选项A–选项H",
        "单选、多选必填",
        "2 至 8 个选项，从选项A起连续填写，不要跳过；判断题、填空题、简答题不填",
    ),
    (
        "答案",
        "必填",
        (
            "单选填一个字母，如 C；多选填两个或以上字母，如 ABD；判断填“对”或“错”；"
            "填空按空的顺序填写，多个空用“；”分隔，同一个空可接受的几种答案用“|”分隔，"
            "如 一年|十二个月；一年半|十八个月（判分时不计空格、首尾标点、全半角和繁简体，"
            "“1年”与“一年”视为相同，不必另写）；简答填参考答案，可另起一行写“评分要点：”，"
            "要点之间用“；”分隔，如 参考答案…（换行）评分要点：理想信念；严守纪律"
        ),
    ),
    ("解析", "选填", "答题后显示的讲解"),
    ("分类", "选填", "所属专题，多级用“/”分隔，如 党内法规/纪律处分条例；没有的专题会自动建立"),
    ("难度", "选填", "1（最易）至 5（最难）的整数，不填时为 2"),
    ("出处", "选填", "如 《中国共产党纪律处分条例》第八条"),
    (
        "编号",
        "选填",
        (
            "题目的唯一编号，只能由字母、数字、下划线或短横线组成；"
            "再次导入同一编号会更新该题而不是新增。"
            "不填时自动生成；从题库导出的文件已带编号，请勿修改"
        ),
    ),
    ("标签", "选填", "多个标签用逗号分隔，如 处分种类,警告"),
]
RULES = [
    f"1. 在「{SHEET_TITLE}」工作表中从第 2 行起每行填写一道题，不要修改或删除表头。",
    (
        "2. 导入前会检查全部题目：任何一道题有误时整个文件都不会导入"
        "（也可选择“只导入无误的题目”），提示会列出每道错题的行号和原因。"
    ),
    "3. 题干和答案都与题库中已有题目相同的，视为重复题目，不会导入。",
    f"4. 单个文件不超过 5 MB、{MAX_QUESTIONS} 道题。",
]
_RULEBOOK = "党内法规/纪律处分条例"
EXAMPLES = [
    QuestionData(
        type="single",
        stem="党员受到开除党籍处分，（  ）内不得重新入党。",
        options=["二年", "三年", "四年", "五年"],
        answer=3,
        explanation="第十三条规定，党员受到开除党籍处分，五年内不得重新入党。",
        difficulty=1,
        source="《中国共产党纪律处分条例》第十三条",
        category_path=_RULEBOOK,
        key="example-001",
        tags=["处分影响期"],
    ),
    QuestionData(
        type="multiple",
        stem="对党员的纪律处分种类包括（  ）。",
        options=["警告", "严重警告", "记过", "留党察看"],
        answer=[0, 1, 3],
        explanation="第八条规定的五种处分是警告、严重警告、撤销党内职务、留党察看、开除党籍，"
        "没有“记过”。",
        difficulty=2,
        source="《中国共产党纪律处分条例》第八条",
        category_path=_RULEBOOK,
        tags=["处分种类"],
    ),
    QuestionData(
        type="truefalse",
        stem="留党察看期限最长不得超过二年。",
        options=[],
        answer=True,
        explanation="第十二条规定，留党察看分为一年、二年，期限最长不得超过二年。",
        difficulty=1,
        source="《中国共产党纪律处分条例》第十二条",
        category_path=_RULEBOOK,
    ),
    QuestionData(
        type="fill",
        stem="党员受到警告处分____内、受到严重警告处分____内，不得在党内提拔职务或者进一步使用。",
        options=[],
        answer=[["一年", "1年"], ["一年半", "1年半"]],
        difficulty=3,
        source="《中国共产党纪律处分条例》第十条",
        category_path=_RULEBOOK,
        tags=["处分影响期"],
    ),
]


def questions_xlsx(questions: Sequence[QuestionData] = ()) -> bytes:
    """Return the template with ``questions`` filled in, one per row (none: the blank one)."""
    return template_xlsx(
        SHEET_TITLE,
        COLUMNS,
        questions,
        checks={
            "题型": choice("题型", [t.label for t in all_types()]),
            "难度": whole_number(1, 5, "难度有误", "难度应为 1 至 5 的整数"),
        },
        notes=Notes(INSTRUCTIONS, RULES, EXAMPLES, width=90),
        max_rows=MAX_QUESTIONS,
    )
