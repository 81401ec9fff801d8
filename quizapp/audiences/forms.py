"""The audience part of the quiz, material and campaign forms: its fields, the branches they
offer, their values and the check of a typed roster."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import Field, SelectChoice, SelectMultipleField, TextAreaField

from quizapp.audiences.models import Audience
from quizapp.audiences.queries import RosterLookup, find_roster
from quizapp.forms import entries_text, split_entries, text_rules
from quizapp.members.models import STATUS_LABELS, Member
from quizapp.org.labels import BranchNames
from quizapp.org.models import Branch
from quizapp.org.queries import list_branches

#: The longest roster typed on a quiz or material (no service sees the text, only the members
#: it names: ``check_roster``).
ROSTER_TEXT_MAX = 20_000


def branches_field(label: str, description: str) -> SelectMultipleField:
    """Return the field of the branches (with their subtrees) the audience takes in."""
    return SelectMultipleField(
        label,
        coerce=int,
        invalid_choice_message="所选组织不存在或不在您的管理范围内。",
        description=description,
    )


def statuses_field() -> SelectMultipleField:
    """Return the field of the political statuses the audience is limited to (none: all)."""
    return SelectMultipleField(
        "政治面貌",
        choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
        invalid_choice_message="政治面貌选择有误。",
        description="都不选则不限政治面貌。",
    )


def roster_field(verb: str) -> TextAreaField:
    """Return the field of an explicit roster; ``verb`` says what the people on it may do."""
    return TextAreaField(
        "指定名单",
        validators=text_rules("指定名单", ROSTER_TEXT_MAX),
        description=f"如培训班：每行一个警号或手机号（也可用逗号、顿号或空格分隔）。"
        f"填写后只有名单中的人员{verb}，"
        "上面选择的组织和政治面貌不再适用。",
    )


def audience_values(audience: Audience, *, roster: bool = True) -> dict[str, Any]:
    """Return the audience fields' values for an existing audience (to edit it)."""
    values: dict[str, Any] = {
        "branch_ids": [b.id for b in audience.branches],
        "statuses": audience.status_list,
    }
    if roster:
        values["roster"] = "\n".join(m.login_id for m in audience.roster)
    return values


def offered_branches(actor: Member, audience: Audience | None) -> list[Branch]:
    """Return the branches to offer: the active ones in scope, and any the audience has."""
    chosen = {b.id for b in audience.branches} if audience else set()
    return [b for b in list_branches(actor) if b.is_active or b.id in chosen]


def branch_choices(branches: Iterable[Branch]) -> list[SelectChoice]:
    """Return the choices of a branches field, indented as the tree."""
    names = BranchNames.load()
    return [SelectChoice(b.id, names.choice(b)) for b in branches]


def chosen_branches(actor: Member, branch_ids: list[int] | None) -> list[Branch]:
    """Return the branches in scope among ``branch_ids``, in tree order."""
    wanted = set(branch_ids or [])
    return [b for b in list_branches(actor) if b.id in wanted]


def check_roster(
    actor: Member, field: Field, entries: list[str] | None = None, *, then: str = ""
) -> RosterLookup:
    """Look up the 警号/手机号 typed in ``field`` (or ``entries``) and add an error to the
    field for those that name no one the actor may see, or someone inactive; ``then`` ends
    each error (e.g. "名单未保存。")."""
    typed = split_entries(field.data, ids=True) if entries is None else entries
    found = find_roster(actor, typed)
    if found.unknown:
        field.errors.append(
            f"找不到这些人员，或不在您的管理范围内：{entries_text(found.unknown)}。{then}"
        )
    if found.inactive:
        field.errors.append(f"这些人员的账号已停用：{entries_text(found.inactive)}。{then}")
    return found
