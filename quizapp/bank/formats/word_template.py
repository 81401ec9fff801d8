"""The Word template of the .docx import: how to write the file, then an example of every
type the import reads, generated on the fly so that it always follows the reader (a test
imports it). Every example's key is checked against the 2022 党章 (shared/reference)."""

from __future__ import annotations

from io import BytesIO

from quizapp.bank.types import type_from_label

#: Lines above the first question: the reader ignores them (none starts like a question).
INSTRUCTIONS = [
    "· 题型标题单独占一行，如“一、单选题”“二、多项选择题（每题 2 分）”，其下的题目都属于该题型；"
    "可用的题型：单选、多选、判断、填空{essay}。",
    "· 每道题以题号开头：1. 或 1、或 1．或（1），也可以用 Word 的自动编号。",
    "· 选项以 A. 或 A、或 A．开头，可以每个选项一行，也可以写在同一行（用空格隔开）。",
    "· 答案另起一行写“答案：B”或“【答案】B”；选择题和判断题也可以把答案写在题干的括号里，如“（B）”“（√）”。",
    "· 判断题答案写 对/错 或 √/×；多选题写全部正确字母，如 ABD。",
    "· 填空题的空写作（  ）或 ____；多个空的答案用“；”分隔，同一个空的几种答法用“|”分隔。",
    "· 可选：“解析：”“出处：”“难度：”（1 至 5，或 容易、较易、中等、较难、困难）“分类：”（如 党章/纪律）。",
    "· 题目中不能有图片或公式（导入时会丢失），表格中的文字会按行读取。",
    "· 本说明可以删除；标题和说明文字不会被当作题目导入。",
]

EXAMPLES = [
    "一、单项选择题",
    "1. 留党察看最长不超过（  ）。",
    "A. 半年  B. 一年  C. 两年  D. 三年",
    "答案：C",
    "解析：党章规定，留党察看最长不超过两年，留党察看期间没有表决权、选举权和被选举权。",
    "出处：《中国共产党章程》第四十一条",
    "难度：2",
    "分类：党章/纪律",
    "2. 党的最高领导机关，是党的全国代表大会和它所产生的（A）。",
    "A. 中央委员会",
    "B. 中央政治局",
    "C. 中央书记处",
    "D. 中央纪律检查委员会",
    "出处：《中国共产党章程》第十条",
    "二、多项选择题",
    "1. 对党员的纪律处分包括（  ）。",
    "A. 警告  B. 严重警告  C. 记过  D. 留党察看  E. 开除党籍",
    "【答案】ABDE",
    "【解析】对党员的纪律处分有五种：警告、严重警告、撤销党内职务、留党察看、开除党籍。",
    "【出处】《中国共产党章程》第四十一条",
    "三、判断题",
    "1. 预备党员的预备期为一年。",
    "答案：对",
    "出处：《中国共产党章程》第七条",
    "2. 党员的党龄从支部大会通过其为预备党员之日算起。（×）",
    "解析：党员的党龄，从预备期满转为正式党员之日算起。",
    "出处：《中国共产党章程》第七条",
    "四、填空题",
    "1. 党组织对违犯党的纪律的党员，坚持（  ）、治病救人，执纪必严、违纪必究。",
    "答案：惩前毖后",
    "出处：《中国共产党章程》第四十条",
    "2. 党的中央委员会每届任期____，中央委员会委员和候补委员必须有____以上的党龄。",
    "答案：五年；五年",
    "出处：《中国共产党章程》第二十二条",
    "3. 预备党员的预备期为（  ）。",
    "答案：一年|十二个月",
    "出处：《中国共产党章程》第七条",
]

#: Shown only once a type named 简答 is registered.
ESSAY_EXAMPLE = [
    "五、简答题",
    "1. 对党员的纪律处分有哪几种？",
    "答案：警告、严重警告、撤销党内职务、留党察看、开除党籍。",
    "出处：《中国共产党章程》第四十一条",
]


def template_docx() -> bytes:
    """Return the Word template: instructions, then an example of each type."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    document.add_heading("题库导入模板（Word）", level=1)
    has_essay = type_from_label("简答") is not None
    for line in INSTRUCTIONS:
        document.add_paragraph(line.format(essay="、简答" if has_essay else ""))
    for line in EXAMPLES + (ESSAY_EXAMPLE if has_essay else []):
        document.add_paragraph(line)
    out = BytesIO()
    document.save(out)
    return out.getvalue()
