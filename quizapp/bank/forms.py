"""Forms of the question bank pages."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)

from quizapp.bank.models import SOURCE_MAX, TAGS_MAX, Question
from quizapp.bank.services import (
    ANSWER_MAX,
    CATEGORY_PATH_MAX,
    EXPLANATION_MAX,
    OPTION_MAX,
    STEM_MAX,
    QuestionData,
    category_path,
)
from quizapp.bank.types import LETTERS, MAX_OPTIONS, get_type, type_choices
from quizapp.bank.types.essay import MAX_POINTS, MAX_REFERENCE
from quizapp.forms import BaseForm, text_rules

DIFFICULTY_LABELS = {1: "1 容易", 2: "2 较易", 3: "3 中等", 4: "4 较难", 5: "5 困难"}
DIFFICULTY_CHOICES = [SelectChoice(level, label) for level, label in DIFFICULTY_LABELS.items()]
TAG_SEPARATORS = re.compile(r"[,，、;；]")


def _type_choices() -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in type_choices()]


class QuestionForm(BaseForm):
    """One form for every type; the page shows the inputs (``form_parts``) the type uses."""

    type = RadioField(
        "题型", choices=_type_choices, default="single", invalid_choice_message="请选择题型。"
    )
    stem = TextAreaField("题干", validators=text_rules("题干", STEM_MAX, required=True))
    options = FieldList(
        StringField("选项", validators=text_rules("选项", OPTION_MAX)),
        min_entries=MAX_OPTIONS,
        max_entries=MAX_OPTIONS,
    )
    answer = StringField("答案", validators=text_rules("答案", ANSWER_MAX))
    truth = RadioField(
        "答案",
        choices=[SelectChoice("true", "对"), SelectChoice("false", "错")],
        validate_choice=False,
    )
    #: 简答: the reference answer and its key points (评分要点), one a line.
    reference = TextAreaField("参考答案", validators=text_rules("参考答案", MAX_REFERENCE))
    key_points = TextAreaField(
        "评分要点",
        validators=text_rules("评分要点", MAX_POINTS),
        description="每行一个要点，阅卷时在答案中提示。",
    )
    explanation = TextAreaField("解析", validators=text_rules("解析", EXPLANATION_MAX))
    source = StringField(
        "出处",
        validators=text_rules("出处", SOURCE_MAX),
        description="如 《中国共产党纪律处分条例》第八条",
    )
    difficulty = SelectField("难度", choices=DIFFICULTY_CHOICES, coerce=int, default=2)
    category = StringField(
        "分类",
        validators=text_rules("分类", CATEGORY_PATH_MAX),
        description="用“/”分隔层级，如 党内法规/纪律处分条例；可选已有分类，也可输入新分类。",
    )
    tags = StringField(
        "标签", validators=text_rules("标签", TAGS_MAX), description="多个标签用逗号分隔。"
    )
    exam_only = BooleanField(
        "仅用于考试",
        description="勾选后，本题不出现在练习、每日答题和错题本中，只用于考试和竞赛组卷。"
        "考试和知识竞赛用到的题目会自动如此，结束后由组织者开放练习。",
    )

    @staticmethod
    def values_of(question: Question) -> dict[str, Any]:
        """Return the form's values for an existing question (to edit it)."""
        qtype = get_type(question.type)
        values: dict[str, Any] = {
            "type": question.type,
            "stem": question.stem,
            "options": list(question.options),
            "explanation": question.explanation,
            "source": question.source,
            "difficulty": question.difficulty,
            "category": category_path(question.category),
            "tags": "，".join(question.tag_list),
            "exam_only": question.exam_only,
        }
        if "essay" in qtype.form_parts:
            values["reference"], values["key_points"] = qtype.answer_parts(question.answer)
            return values
        field = "truth" if "truth" in qtype.form_parts else "answer"
        values[field] = qtype.answer_to_form(question.answer, question.options)
        return values

    def option_texts(self) -> list[str]:
        """Return the options up to the last one filled in (gaps stay, to be reported)."""
        texts = [(entry.data or "").strip() for entry in self.options]
        while texts and not texts[-1]:
            texts.pop()
        return texts

    def question_data(self) -> QuestionData | None:
        """Read the (validated) form into QuestionData; None with field errors if it can't."""
        qtype = get_type(self.type.data)
        stem = self.stem.data.strip()
        options = self.option_texts() if qtype.has_options else []
        if "truth" in qtype.form_parts:
            field, text = self.truth, self.truth.data
            if text not in ("true", "false"):
                field.errors.append("请选择“对”或“错”。")
                return None
        elif "essay" in qtype.form_parts:
            field, text = self.reference, None
        else:
            field, text = self.answer, (self.answer.data or "").strip()
            if not text:
                field.errors.append("请填写答案。")
                return None
        try:
            if text is None:
                answer = qtype.answer_from_parts(self.reference.data, self.key_points.data)
            else:
                answer = qtype.answer_from_text(text, options, stem)
        except ValueError as exc:
            field.errors.append(f"{exc}。")
            return None
        return QuestionData(
            type=qtype.code,
            stem=stem,
            options=options,
            answer=answer,
            explanation=self.explanation.data or "",
            source=self.source.data or "",
            difficulty=self.difficulty.data,
            category_path=self.category.data or "",
            tags=[t.strip() for t in TAG_SEPARATORS.split(self.tags.data or "") if t.strip()],
            exam_only=bool(self.exam_only.data),
        )


#: The letters of the option inputs, for their labels.
OPTION_LETTERS = LETTERS[:MAX_OPTIONS]
#: Option inputs shown at once; the others sit behind "更多选项" until one is filled.
SHOWN_OPTIONS = 4


class ImportForm(BaseForm):
    file = FileField("题目文件", validators=[FileRequired("请选择要导入的文件。")])
    only_valid = BooleanField(
        "只导入无误的题目",
        description="不勾选时，只要有一道题有误就不导入任何题目，并列出全部问题。",
    )
    preview = BooleanField(
        "先预览，不导入",
        description="列出读到的每道题（题型、题干、选项、答案）和问题，确认无误后取消勾选再导入。",
    )
