"""Moodle's GIFT text format, for the types the bank has.

Questions are separated by blank lines; ``//`` lines are comments; ``$CATEGORY: a/b`` sets the
category of the questions after it. A question is ``::title:: text {answers} more text``:

- ``{=right ~wrong ~wrong}``: single choice; ``{~%50%a ~%50%b ~%-100%c}``: multiple choice
  (the options with a positive weight are right);
- ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}``: true/false;
- ``{=a =b}`` (only ``=``): short answer, read as a fill-in with one blank, a and b accepted;
  with text after the braces, the blank is where the braces were.

``#text`` after an answer is its feedback, ``####text`` the general feedback (our 解析).
An essay with general feedback, ``{####参考答案}`` (what Moodle exports for one), is a 简答 whose
reference answer is that text (a line ``评分要点：…`` adds key points); a bare ``{}`` is
skipped: a 简答 must have a reference answer (the markers mark against it). Other GIFT types
(matching, numerical, descriptions) are reported as skipped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

from quizapp.bank.formats import check_size, decode_text
from quizapp.bank.imports import MAX_QUESTIONS, QuestionDraft, Skipped
from quizapp.bank.services import KEY_PATTERN, QuestionData
from quizapp.bank.types import get_type
from quizapp.errors import DomainError

#: Escaped special characters become private-use stand-ins while the structure is parsed.
_STAND_INS = {
    "\\": "\ue000",
    "~": "\ue001",
    "=": "\ue002",
    "#": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    ":": "\ue006",
}
_RESTORE = {ord(v): k for k, v in _STAND_INS.items()}
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_CHOICE_GAP = "（  ）"
_FILL_GAP = "____"


@dataclass
class _Answer:
    mark: str  # "=" or "~"
    weight: float | None
    text: str
    feedback: str


class _Bad(Exception):
    """A question that can't be read; the message is the Chinese reason."""


class _Unsupported(Exception):
    """A GIFT question of a type the bank doesn't have; the message is the Chinese reason."""


def read(filename: str, content: bytes) -> tuple[list[QuestionDraft], list[Skipped]]:
    """Read a GIFT file into drafts, listing the questions of other types as skipped."""
    check_size(content, filename)
    text = decode_text(content, filename)
    text = text.translate(dict.fromkeys(_RESTORE))  # stand-ins can't also be real characters
    drafts: list[QuestionDraft] = []
    skipped: list[Skipped] = []
    category = ""
    number = 0
    for line, block in _blocks(text):
        body = _ESCAPE.sub(lambda m: "\n" if m[1] == "n" else _STAND_INS[m[1]], block)
        if body.startswith("$CATEGORY:"):
            first, _, body = body.partition("\n")
            category = _category(first.removeprefix("$CATEGORY:"))
            line += 1
            if not body.strip():
                continue
        number += 1
        if number > MAX_QUESTIONS:
            raise DomainError(f"文件「{filename}」超过 {MAX_QUESTIONS} 道题，请拆分后分批导入。")
        location = f"{filename} 第 {number} 题（第 {line} 行）"
        try:
            drafts.append(QuestionDraft(location, _question(body.strip(), category)))
        except _Bad as exc:
            drafts.append(QuestionDraft(location, None, [str(exc)]))
        except _Unsupported as exc:
            skipped.append(Skipped(location, str(exc)))
    if not drafts and not skipped:
        raise DomainError(f"文件「{filename}」中没有找到题目，请检查是否为 GIFT 格式。")
    return drafts, skipped


def _blocks(text: str) -> list[tuple[int, str]]:
    """Split the text at blank lines, dropping comment lines; return (first line, text)."""
    blocks: list[tuple[int, str]] = []
    lines: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not stripped:
            if lines:
                blocks.append((start, "\n".join(lines).strip()))
                lines = []
            continue
        if not lines:
            start = number
        lines.append(line)
    if lines:
        blocks.append((start, "\n".join(lines).strip()))
    return blocks


def _category(raw: str) -> str:
    """Turn Moodle's "$course$/top/党规/条例" into "党规/条例"."""
    path = re.sub(r"^\$\w+\$/?", "", _plain(raw))
    path = re.sub(r"^top(/|$)", "", path)
    return path.strip("/ ")


def _plain(text: str, is_html: bool = False) -> str:
    """Put the escaped characters back; turn HTML (Moodle's exports) into plain text."""
    text = text.translate(_RESTORE)
    if is_html:
        text = re.sub(r"<br\s*/?>|</p>\s*<p[^>]*>", "\n", text, flags=re.IGNORECASE)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text.strip()


def _question(body: str, category: str) -> QuestionData:
    title = None
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise _Bad("题目标题缺少结尾的“::”")
        title, body = _plain(body[2:end]), body[end + 2 :]
    marker = _FORMAT.match(body)
    is_html = bool(marker) and marker[1].lower() in ("html", "moodle")
    body = body[marker.end() :] if marker else body
    opening = body.find("{")
    if opening < 0:
        raise _Unsupported("不支持的题型：说明文字（没有答案部分）")
    closing = body.find("}", opening)
    if closing < 0:
        raise _Bad("答案部分缺少右花括号“}”")
    before, block, after = body[:opening], body[opening + 1 : closing], body[closing + 1 :]
    if "{" in after:
        raise _Bad("一道题只能有一个答案部分 {…}")
    block, _, general = block.partition("####")
    general = _plain(_FORMAT.sub("", general), is_html)
    key = title if title and KEY_PATTERN.match(title) else None

    def data(
        type_: str, gap: str, options: list[str], answer: object, feedback: str
    ) -> QuestionData:
        stem = before + gap + after if after.strip() else before
        return QuestionData(
            type=type_,
            stem=_plain(stem, is_html),
            options=options,
            answer=answer,
            explanation=general or feedback,
            category_path=category,
            key=key,
        )

    content = block.strip()
    if not content:
        if not general:
            raise _Unsupported(
                "不支持的题型：问答题（没有参考答案；简答题须有参考答案，可写成 {####参考答案}）"
            )
        try:
            answer = get_type("essay").answer_from_text(general, [], before)
        except ValueError as exc:
            raise _Bad(str(exc)) from None
        return replace(data("essay", "", [], answer, ""), explanation="")
    if content.startswith("#"):
        raise _Unsupported("不支持的题型：数值题")
    word, _, feedback = content.partition("#")
    if word.strip().upper() in _TRUE_FALSE:
        # {T#shown when wrong#shown when right}: the one for a right answer explains best.
        wrong, _, right = feedback.partition("#")
        explanation = _plain(right, is_html) or _plain(wrong, is_html)
        return data("truefalse", "", [], _TRUE_FALSE[word.strip().upper()], explanation)
    if "->" in content and "~" not in content:
        raise _Unsupported("不支持的题型：匹配题")
    answers = _answers(content, is_html)
    if any(a.mark == "~" for a in answers):
        type_, answer = _choice(answers)
        right = [answers[i] for i in (answer if isinstance(answer, list) else [answer])]
        return data(type_, _CHOICE_GAP, [a.text for a in answers], answer, _feedback(right))
    accepted = [a for a in answers if a.weight is None or a.weight >= 100]
    if not accepted:
        raise _Bad("填空题没有满分的答案（以 = 开头、不带低于 100% 的权重）")
    return data("fill", _FILL_GAP, [], [[a.text for a in accepted]], _feedback(accepted))


def _answers(content: str, is_html: bool) -> list[_Answer]:
    pieces = re.split(r"(?=[=~])", content)
    if pieces[0].strip():
        raise _Bad(f"答案部分「{_plain(pieces[0])[:20]}」应以 = 或 ~ 开头")
    answers = []
    for piece in pieces[1:]:
        rest = piece[1:]
        weight = _WEIGHT.match(rest)
        if weight:
            rest = rest[weight.end() :]
        text, _, feedback = rest.partition("#")
        text = _plain(_FORMAT.sub("", text), is_html)
        if not text:
            raise _Bad(f"第 {len(answers) + 1} 个答案是空的")
        answers.append(
            _Answer(
                piece[0],
                float(weight[1]) if weight else None,
                text,
                _plain(_FORMAT.sub("", feedback), is_html),
            )
        )
    return answers


def _choice(answers: list[_Answer]) -> tuple[str, int | list[int]]:
    """Tell single from multiple choice and find the right options."""
    marked = [i for i, a in enumerate(answers) if a.mark == "="]
    weighted = [i for i, a in enumerate(answers) if a.mark == "~" and (a.weight or 0) > 0]
    if marked and weighted:
        raise _Bad("正确答案请只用一种方式标出：单选用 =，多选用 ~%50% 这样的权重")
    if len(marked) > 1:
        raise _Bad("单选题只能有一个以 = 标出的正确答案（多选题请用 ~%50% 这样的权重）")
    if marked:
        return "single", marked[0]
    if not weighted:
        raise _Bad("没有标出正确答案（单选用 =，多选用 ~%50% 这样的权重）")
    total = sum(answers[i].weight or 0 for i in weighted)
    if abs(total - 100) > 0.5:  # 3 × 33.333 is close enough
        raise _Bad(f"正确选项的权重之和应为 100%，现为 {total:g}%")
    return ("single", weighted[0]) if len(weighted) == 1 else ("multiple", weighted)


def _feedback(right: list[_Answer]) -> str:
    return "；".join(dict.fromkeys(a.feedback for a in right if a.feedback))
