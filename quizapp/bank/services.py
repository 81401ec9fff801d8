"""Changes to the bank: categories, questions, retiring."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from quizapp import access, db
from quizapp.bank import versions
from quizapp.bank.models import SOURCE_MAX, TAGS_MAX, Category, Question
from quizapp.bank.types import find_type, get_type, normalise_text
from quizapp.clock import utcnow
from quizapp.errors import DomainError, refuse
from quizapp.members.models import Member

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: The longest texts of a question, from the form or an import (the form keeps the same).
STEM_MAX, OPTION_MAX, EXPLANATION_MAX = 2000, 500, 2000
#: The longest answer written as one text (``QuestionType.answer_to_text``: the letters of
#: a choice, the blanks of a 填空 and their alternatives), for the types the form takes so.
ANSWER_MAX = 1000
#: The longest category path, "党内法规/纪律处分条例" (each name: ``ensure_category``).
CATEGORY_PATH_MAX = 255


@dataclass
class QuestionData:
    """Everything that makes a question, as forms and imports provide it."""

    type: str
    stem: str
    options: list[str]
    answer: Any
    explanation: str = ""
    source: str = ""
    difficulty: int = 2
    category_path: str = ""
    tags: list[str] = field(default_factory=list)
    key: str | None = None
    #: 仅用于考试; None (imports): leave the question's setting as it is.
    exam_only: bool | None = None


def fingerprint(data: QuestionData) -> str:
    """Hash the normalised stem and the text of the right answer: the same question twice."""
    qtype = get_type(data.type)
    if qtype.has_options:
        chosen = data.answer if isinstance(data.answer, list) else [data.answer]
        answer = "|".join(sorted(normalise_text(data.options[i]) for i in chosen))
    else:
        answer = normalise_text(qtype.answer_to_text(data.answer, data.options))
    raw = f"{data.type}\n{normalise_text(data.stem)}\n{answer}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def check_question(data: QuestionData, *, type_checks: bool = True) -> list[str]:
    """Return the Chinese reasons why ``data`` can't be saved.

    ``type_checks`` False leaves out the type's checks of the stem, options and answer: for
    a question a file's reader found problems with, which it words itself (and which may
    have left the answer out); the lengths, difficulty, key and tags are still checked.
    """
    qtype = find_type(data.type)
    if qtype is None:
        return [f"未知题型「{data.type}」"]
    problems = qtype.check(data.stem, data.options, data.answer) if type_checks else []
    # Only a well-formed answer can be written as text.
    if (
        type_checks
        and not problems
        and "answer" in qtype.form_parts
        and len(qtype.answer_to_text(data.answer, data.options)) > ANSWER_MAX
    ):
        problems.append(f"答案不能超过 {ANSWER_MAX} 字")
    if len(data.stem) > STEM_MAX:
        problems.append(f"题干不能超过 {STEM_MAX} 字")
    if any(len(option) > OPTION_MAX for option in data.options):
        problems.append(f"选项不能超过 {OPTION_MAX} 字")
    if len(data.explanation) > EXPLANATION_MAX:
        problems.append(f"解析不能超过 {EXPLANATION_MAX} 字")
    if not isinstance(data.difficulty, int) or not 1 <= data.difficulty <= 5:
        problems.append("难度应为 1 至 5 的整数")
    if data.key is not None and not KEY_PATTERN.match(data.key):
        problems.append(f"编号「{data.key}」只能由字母、数字、下划线或短横线组成（最长 64 位）")
    if len(data.source) > SOURCE_MAX:
        problems.append(f"出处不能超过 {SOURCE_MAX} 字")
    if len(data.category_path) > CATEGORY_PATH_MAX:
        problems.append(f"分类不能超过 {CATEGORY_PATH_MAX} 字")
    if len(",".join(data.tags)) > TAGS_MAX:
        problems.append(f"标签总长不能超过 {TAGS_MAX} 字")
    return problems


def split_category_path(path: str) -> list[str]:
    """Split "党内法规/纪律处分条例" into its names, ignoring blanks around slashes."""
    return [part.strip() for part in re.split(r"[/／>]", path) if part.strip()]


def ensure_category(path: str, cache: dict[str, Category] | None = None) -> Category | None:
    """Return the category at ``path``, creating missing levels; None for an empty path."""
    names = split_category_path(path)
    if not names:
        return None
    cache = {} if cache is None else cache
    parent: Category | None = None
    for depth in range(len(names)):
        prefix = "/".join(names[: depth + 1])
        if prefix in cache:
            parent = cache[prefix]
            continue
        name = names[depth]
        if len(name) > 100:
            raise DomainError(f"分类名称「{name[:20]}…」过长（最多 100 字）")
        found = db.session.scalar(
            select(Category).where(
                Category.parent_id == (parent.id if parent else None), Category.name == name
            )
        )
        if found is None:
            found = Category(parent=parent, name=name, path="")
            db.session.add(found)
            db.session.flush()
            found.path = f"{parent.path if parent else '/'}{found.id}/"
        cache[prefix] = parent = found
    return parent


def category_path(category: Category | None) -> str:
    """Return "a/b/c" for a category (the inverse of :func:`ensure_category`)."""
    names = []
    while category is not None:
        names.append(category.name)
        category = category.parent
    return "/".join(reversed(names))


def apply_question(question: Question, data: QuestionData, category: Category | None) -> bool:
    """Copy ``data`` onto ``question``; return whether anything changed."""
    values = {
        "type": data.type,
        "stem": data.stem.strip(),
        "options": [o.strip() for o in data.options],
        "answer": data.answer,
        "explanation": data.explanation.strip(),
        "source": data.source.strip(),
        "difficulty": data.difficulty,
        "category_id": category.id if category else None,
        "tags": ",".join(t.strip() for t in data.tags if t.strip()),
        "fingerprint": fingerprint(data),
    }
    if data.exam_only is not None:
        values["exam_only"] = data.exam_only
    changed = False
    for name, value in values.items():
        if getattr(question, name) != value:
            setattr(question, name, value)
            changed = True
    return changed


def _generated_key(data: QuestionData) -> str:
    return "q-" + fingerprint(data)[:16]


def save_question(
    actor: Member,
    data: QuestionData,
    question: Question | None = None,
    now: datetime | None = None,
) -> Question:
    """Create a question (``question`` None) or update one the actor may edit; a change of
    its content keeps a version (quizapp.bank.versions)."""
    problems = check_question(data)
    refuse(problems)
    root = access.managed_root(actor)
    if root is None:
        raise DomainError("只有管理员可以编辑题库。")
    if question is not None and not can_edit_question(actor, question):
        raise DomainError("该题目由其他单位维护，您可以使用但不能修改。")
    same = db.session.scalar(select(Question).where(Question.fingerprint == fingerprint(data)))
    if same is not None and same is not question:
        raise DomainError(f"题库中已有相同的题目（编号 {same.key}），请勿重复录入。")
    key = data.key or (question.key if question else _generated_key(data))
    owner = db.session.scalar(select(Question).where(Question.key == key))
    if owner is not None and owner is not question:
        raise DomainError(f"编号「{key}」已被其他题目使用。")
    category = ensure_category(data.category_path)
    if question is None:
        question = Question(key=key, owner_branch_id=root.id, is_active=True)
    before = versions.content_of(question) if question.id is not None else None
    question.key = key
    apply_question(question, data, category)
    db.session.add(question)
    db.session.flush()
    if before is not None:
        versions.record_change(question, before, actor.id, now or utcnow())
    return question


def can_edit_question(actor: Member, question: Question) -> bool:
    """Tell whether ``actor`` may edit or retire ``question`` (its owner subtree's organisers)."""
    from quizapp.org.models import Branch

    owner = db.session.get(Branch, question.owner_branch_id)
    return owner is not None and access.can_manage_branch(actor, owner)


def set_question_active(actor: Member, question: Question, active: bool) -> None:
    """Retire a question (never drawn again) or bring it back."""
    if not can_edit_question(actor, question):
        raise DomainError("该题目由其他单位维护，您不能停用或启用它。")
    question.is_active = active
    db.session.flush()
