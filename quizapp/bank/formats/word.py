"""Word (.docx) question files, in the layout these banks are typed in:

    一、单项选择题
    1．党员受到开除党籍处分，（  ）内不得重新入党。
    A．二年  B．三年  C．五年  D．不得
    答案：C
    解析：……
    出处：《中国共产党纪律处分条例》第四十一条
    难度：2

- Section headings set the type of the questions below them: "一、单选题", "二、多项选择题
  （每题 2 分）", "判断题"; the name goes through the type registry (``type_from_label``), so
  "五、简答题" reads as soon as a type of that name is registered and is listed as skipped
  until then. Without a heading the type follows from the question (options, the answer).
- Questions are numbered "1." "1、" "1．" "（1）" (or by Word's automatic numbering); options
  "A." "A、" "A．" "A:" one per line or several on one line ("A.对  B.错").
- The answer: a line "答案：B" / "【答案】B" / "正确答案：" / "参考答案：", or, for choice and
  true/false questions, in the stem's brackets "（B）" "（√）". "解析" "出处" "难度" "分类"
  lines, with the same spellings, are optional; 解析 may take several lines.
- 填空 blanks are "（  ）", "(   )" or "____"; several blanks' answers are separated by "；"
  (or, when that gives the right count, "、", "，" or spaces), alternatives by "|".
- Text before the first question (a title) is ignored; a picture or a formula inside a
  question is refused (it would be lost), a table's cells are read as lines.
"""

from __future__ import annotations

import re

from quizapp.bank.formats import check_size
from quizapp.bank.formats.docx_lines import Line, read_lines
from quizapp.bank.formats.word_draft import WordQuestion, WordSection, draft, long_answer
from quizapp.bank.imports import MAX_QUESTIONS, QuestionDraft, Skipped
from quizapp.bank.types import type_from_label
from quizapp.errors import DomainError

_NUMERAL = "[一二三四五六七八九十]+"
_SCORE = r"(?:[（(][^）)]*[)）])?"  # "（每题 2 分，共 20 分）"
SECTION = re.compile(
    rf"^(?:{_NUMERAL}\s*[、.．]|第{_NUMERAL}部分\s*[、:：]?)\s*(?P<label>\S{{1,12}}?)\s*{_SCORE}"
    r"\s*[:：。]?$"
)
BARE_SECTION = re.compile(rf"^(?P<label>[\u4e00-\u9fff]{{1,10}}题)\s*{_SCORE}\s*[:：]?$")
QUESTION = re.compile(
    r"^(?:(?P<a>\d{1,4})\s*[.．、)）](?![\d.．])|[（(](?P<b>\d{1,4})[)）])\s*(?P<text>.*)$"
)
OPTION = re.compile(r"(?:^|(?<=\s))(?P<letter>[A-HＡ-Ｈ])\s*[.．、:：)）]\s*")
#: Type names Word banks use that the registry may not know: tried after the label itself.
SYNONYMS = {
    "单项选择": "单选",
    "多项选择": "多选",
    "不定项选择": "多选",
    "判断正误": "判断",
    "是非": "判断",
    "问答": "简答",
    "论述": "简答",
}
#: Types of Word banks this bank may not have: their sections are listed as skipped.
OTHER_TYPES = {"简答", "论述", "问答", "案例分析", "材料分析", "名词解释", "计算", "连线", "排序"}
FIELDS = {
    "answer": "正确答案|参考答案|标准答案|答案",
    "explanation": "答案解析|试题解析|解析",
    "source": "出处|来源|依据",
    "difficulty": "难度",
    "category": "分类|专题",
}
FIELD_LINES = {
    name: re.compile(
        rf"^(?:[【\[]\s*(?:{names})\s*[】\]]\s*[:：]?|(?:{names})\s*[:：])\s*(?P<text>.*)$"
    )
    for name, names in FIELDS.items()
}
#: "…  答案：B" or "…【答案】B" at the end of an option or stem line starts a line of its own.
INLINE_FIELD = re.compile(
    r"\s+(?=(?:正确答案|答案|解析)\s*[:：])|\s*(?=【(?:答案|解析|出处|难度)】)"
)
PICTURE = "有图片（或嵌入对象），导入后会丢失，请删除或改写为文字"


def read(filename: str, content: bytes) -> tuple[list[QuestionDraft], list[Skipped]]:
    """Read a .docx question file into drafts, listing questions of other types as skipped."""
    if not content.strip():
        raise DomainError(f"文件「{filename}」是空的。")
    check_size(content, filename)
    parser = _Parser()
    for line in read_lines(filename, content):
        parser.feed(line)
        if len(parser.questions) > MAX_QUESTIONS:
            raise DomainError(f"文件「{filename}」超过 {MAX_QUESTIONS} 道题，请拆分后分批导入。")
    drafts: list[QuestionDraft] = []
    skipped: list[Skipped] = []
    for question in parser.questions:
        where = f"「{question.section.label}」" if question.section else ""
        location = f"{filename} {where}第 {question.number} 题（第 {question.line} 行）"
        if question.section is not None and question.section.qtype is None:
            skipped.append(Skipped(location, f"不支持的题型：{question.section.label}"))
        else:
            drafts.append(draft(question, location))
    if not drafts and not skipped:
        raise DomainError(
            f"文件「{filename}」中没有找到题目，请按模板编号书写"
            "（如“1. 题干”“A. 选项”“答案：B”），或下载 Word 模板参照填写。"
        )
    return drafts, skipped


class _Parser:
    """Sort the lines into questions: headings, numbered stems, options and field lines."""

    def __init__(self) -> None:
        self.questions: list[WordQuestion] = []
        self.section: WordSection | None = None
        self.current: WordQuestion | None = None

    def feed(self, line: Line) -> None:
        for text in INLINE_FIELD.split(line.text):
            text = text.strip()
            if text:
                self._text(line, text)

    def _text(self, line: Line, text: str) -> None:
        heading = _section(text)
        if heading is not None:
            self.section, self.current = heading, None
            return
        current = self.current
        started = QUESTION.match(text)
        if started and self._starts_question(int(started["a"] or started["b"])):
            current = WordQuestion(int(started["a"] or started["b"]), line.number, self.section)
            self.questions.append(current)
            self.current = current
            text = started["text"].strip()
            if not text:
                return
        if current is None:
            return  # a title or a note above the first question
        if line.has_picture or line.has_formula:
            what = PICTURE if line.has_picture else "有公式，导入后会丢失，请改写为文字"
            current.problems.append(f"第 {line.number} 行{what}")
        for name, pattern in FIELD_LINES.items():
            found = pattern.match(text)
            if found:
                current.values[name] = [found["text"].strip()]
                current.within = name
                if name == "answer":
                    current.answer_line = line.number
                return
        options = _options(text) if "answer" not in current.values else None
        if options and not current.options and options[0][0] != "A":
            options = None  # a stem line that happens to start like "B." or "C、"
        if options is not None:
            for letter, option in options:
                expected = _letter(len(current.options))
                if letter != expected:
                    current.problems.append(
                        f"第 {line.number} 行：选项字母应为 {expected}，而不是 {letter}"
                    )
                current.options.append(option)
            current.within = "option"
            return
        self._plain(current, line, text)

    def _starts_question(self, number: int) -> bool:
        """A numbered line starts a question, except a numbered point inside a 解析 or
        inside an unanswered stem ("（1）…（2）…") that doesn't go on from the question's number."""
        current = self.current
        if current is None or number == current.number + 1:
            return True
        if current.within == "answer":
            return not long_answer(current)
        return current.within not in ("stem", "explanation")

    def _plain(self, current: WordQuestion, line: Line, text: str) -> None:
        if current.within == "stem":
            current.stem.append(text)
        elif current.within == "option":
            current.options[-1] = f"{current.options[-1]}\n{text}"
        elif current.within in ("explanation", "answer") and (
            current.within == "explanation" or long_answer(current)
        ):
            current.values[current.within].append(text)
        else:
            current.problems.append(
                f"第 {line.number} 行「{text[:20]}」不是题干、选项、答案或解析，请检查格式"
            )


def _section(text: str) -> WordSection | None:
    """Read a section heading ("一、单项选择题（每题 1 分）"); None for any other line."""
    numbered = SECTION.match(text)
    found = numbered or BARE_SECTION.match(text)
    if found is None:
        return None
    label = found["label"]
    base = label.removesuffix("题")
    qtype = type_from_label(label) or type_from_label(base)
    if qtype is None and base in SYNONYMS:
        qtype = type_from_label(SYNONYMS[base])
    if qtype is not None or base in OTHER_TYPES or (numbered and label.endswith("题")):
        return WordSection(label, qtype)
    return None  # "一、总则" or a title "党章知识测试题": no heading of questions


def _letter(index: int) -> str:
    return "ABCDEFGH"[index] if index < 8 else "A 至 H"


def _options(text: str) -> list[tuple[str, str]] | None:
    """Split "A.对  B.错" into (letter, text) pairs; None when the line is no option line."""
    first = OPTION.match(text)
    if first is None:
        return None
    markers = [first]
    expected = ord(_halfwidth(first["letter"])) + 1
    for marker in OPTION.finditer(text, first.end()):
        if ord(_halfwidth(marker["letter"])) == expected:
            markers.append(marker)
            expected += 1
    ends = [m.start() for m in markers[1:]] + [len(text)]
    return [(_halfwidth(m["letter"]), text[m.end() : end].strip()) for m, end in zip(markers, ends)]


def _halfwidth(letter: str) -> str:
    return chr(ord(letter) - 0xFEE0) if "Ａ" <= letter <= "Ｈ" else letter
