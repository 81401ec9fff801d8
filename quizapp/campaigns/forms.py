"""Forms of the campaign management pages, and reading an uploaded list of 警号/手机号."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any

from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import Length

from quizapp.audiences.forms import audience_values, branches_field, statuses_field
from quizapp.campaigns.models import Campaign, CampaignKind
from quizapp.campaigns.services import (
    COPIED_FIELDS,
    DESCRIPTION_MAX,
    MAX_MINUTE_TARGET,
    MAX_OFFLINE_REQUIRED,
    MAX_REFLECTIONS_REQUIRED,
)
from quizapp.errors import DomainError
from quizapp.forms import (
    BaseForm,
    date_field,
    entries_text,
    enum_field,
    number_field,
    split_entries,
    text_rules,
    title_field,
)
from quizapp.spreadsheets import cell_text, decode_text, read_table

#: Header cells that name the column of a list file to read.
ID_HEADERS = ("警号", "手机号")
#: Rows of a list file (more is a roster import, not a class).
MAX_LIST_ROWS = 5_000
#: The longest pasted list of 警号/手机号 (the rows of a file are counted: MAX_LIST_ROWS).
MAX_LIST_TEXT = 50_000
#: How far down the 警号/手机号 header may sit; without one the first column is read.
HEADER_SEARCH_ROWS = 10


def _count(label: str, most: int, unit: str, description: str) -> IntegerField:
    return number_field(
        label,
        0,
        most,
        f"{label}应为 0 至 {most} {unit}。",
        required=f"请填写{label}，不要求请填 0。",
        default=0,
        description=description,
    )


class CampaignForm(BaseForm):
    """Every setting of a campaign or training class, on one page."""

    title = title_field()
    description = TextAreaField(
        "说明",
        validators=text_rules("说明", DESCRIPTION_MAX),
        description="党员在任务页面看到，可写学习要求、时间安排等。",
    )
    kind = enum_field(
        "类型",
        CampaignKind,
        CampaignKind.CAMPAIGN,
        invalid="请选择类型。",
        description="学习任务按组织和政治面貌确定参加人员；培训班的学员按名单确定，"
        "保存后在培训班页面勾选人员或粘贴警号、手机号。",
    )
    starts_on = date_field(
        "开始日期", required="请填写开始日期。", description="北京时间，含当天。"
    )
    ends_on = date_field("结束日期", required="请填写结束日期。", description="含当天。")
    minute_target = _count(
        "学习时长要求（分钟）",
        MAX_MINUTE_TARGET,
        "分钟",
        "任务期间在线学习累计达到的分钟数；0 表示不要求。",
    )
    offline_counts_as_minutes = BooleanField(
        "线下学习计入学习时长",
        description="任务期间参加的线下学习（专题讲座、学习研讨、主题党日）"
        "按其时长计入上面的学习时长。",
    )
    offline_sessions_required = _count(
        "线下学习次数要求",
        MAX_OFFLINE_REQUIRED,
        "次",
        "任务期间须参加的线下学习次数；0 表示不要求。",
    )
    reflections_required = _count(
        "心得体会篇数要求",
        MAX_REFLECTIONS_REQUIRED,
        "篇",
        "针对本任务提交、经审阅通过的心得体会篇数；0 表示不要求。",
    )
    material_ids = SelectMultipleField(
        "必学资料",
        coerce=int,
        invalid_choice_message="所选学习资料不存在或不在您的管理范围内。",
        description="学习时长达到资料的预计学习时间即为学完（任务结束前任何一天学的都算）。"
        "草稿资料须发布后党员才能学习。",
    )
    quiz_ids = SelectMultipleField(
        "必答测试",
        coerce=int,
        invalid_choice_message="所选测试不存在或不在您的管理范围内。",
        description="交卷即算完成；勾选“须及格”的，按该测试的计分方式取成绩，及格才算完成。",
    )
    must_pass_ids = SelectMultipleField(
        "须及格", coerce=int, invalid_choice_message="所选测试不存在或不在您的管理范围内。"
    )
    branch_ids = branches_field(
        "参加组织", "学习任务：选中的组织及其全部下级的人员参加。培训班不用选择。"
    )
    statuses = statuses_field()

    def set_choices(
        self,
        branches: list[SelectChoice],
        materials: list[SelectChoice],
        quizzes: list[SelectChoice],
    ) -> None:
        """Offer the organiser's branches, materials and quizzes."""
        self.branch_ids.choices = branches
        self.material_ids.choices = materials
        self.quiz_ids.choices = quizzes
        self.must_pass_ids.choices = quizzes

    @staticmethod
    def defaults(today: date) -> dict[str, Any]:
        """Return the values a new campaign starts with: from today, for a month."""
        return {"starts_on": today, "ends_on": today + timedelta(days=30)}

    @staticmethod
    def values_of(campaign: Campaign) -> dict[str, Any]:
        """Return the form's values for an existing campaign (to edit it)."""
        names = ("title", "description", *COPIED_FIELDS)
        values: dict[str, Any] = {name: getattr(campaign, name) for name in names}
        values |= audience_values(campaign.audience, roster=False)
        return values | {
            "material_ids": [m.id for m in campaign.materials],
            "quiz_ids": [cq.quiz_id for cq in campaign.quizzes],
            "must_pass_ids": [cq.quiz_id for cq in campaign.quizzes if cq.must_pass],
        }


class RosterForm(BaseForm):
    """Enrol members in a training class (or take them off) by ticking, pasting or a file."""

    member_ids = SelectMultipleField("勾选人员", coerce=int, validate_choice=False)
    entries = TextAreaField(
        "警号或手机号",
        # Not text_rules: its "<label>不能超过 N 字" reads as if one id were too long.
        validators=[Length(max=MAX_LIST_TEXT, message="名单太长，请分批添加或上传文件。")],
        description="每行一个，也可用逗号、顿号或空格分隔；可以从 Excel 中复制一列粘贴进来。",
    )
    file = FileField(
        "或上传名单文件",
        validators=[FileAllowed(["xlsx", "csv", "txt"], "只支持 .xlsx、.csv 或 .txt 文件。")],
        description="读取“警号”和“手机号”列，每行用其中填了的一个；没有这样的表头时读取"
        "第一列。有内容却没有警号或手机号的行会列出行号，本次一个都不加入。",
    )

    def typed_entries(self) -> list[str]:
        """Return the pasted entries and those of the uploaded file, without repeats."""
        entries = split_entries(self.entries.data, ids=True)
        upload = self.file.data
        if upload and upload.filename:
            entries += read_entries(upload.filename, upload.read())
        return list(dict.fromkeys(entries))


def read_entries(filename: str, content: bytes) -> list[str]:
    """Read the 警号/手机号 of a list file.

    A .txt file is read like the textarea. In a table (.xlsx, .csv) the 警号 or 手机号
    column is read (a person with no 警号 is looked up by 手机号), else the first column.
    A row with something in it but neither is refused by its number, like an unknown entry:
    skipping it would leave someone out of the class without a word.
    """
    if os.path.splitext(filename)[1].lower() == ".txt":
        entries = split_entries(
            decode_text(content, "无法识别文件的文字编码，请另存为 .xlsx 后上传。"), ids=True
        )
    else:
        entries, without = [], []
        with read_table(
            filename,
            content,
            is_header=lambda names: any(name in ID_HEADERS for name in names),
            search_rows=HEADER_SEARCH_ROWS,
        ) as table:
            header = table.header or []
            columns = [i for i, name in enumerate(header) if name in ID_HEADERS] or [0]
            for number, cells in table:
                texts = (cell_text(cells[i]) for i in columns if i < len(cells))
                entry = next((text for text in texts if text), "")
                if entry:
                    entries.append(entry)
                    if len(entries) > MAX_LIST_ROWS:
                        break
                elif any(cell_text(cell) for cell in cells):
                    without.append(f"第 {number} 行")
        if without:
            raise DomainError(
                f"这些行没有警号或手机号：{entries_text(without)}。请补上或删去后重新上传，"
                "名单未保存。"
            )
    if len(entries) > MAX_LIST_ROWS:
        raise DomainError(f"一次最多添加 {MAX_LIST_ROWS} 人，请分批上传。")
    return entries
