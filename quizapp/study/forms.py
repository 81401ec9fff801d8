"""Forms of the material management pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from quizapp.audiences.forms import audience_values, branches_field, roster_field, statuses_field
from quizapp.forms import BaseForm, china_time_field, number_field, text_rules, title_field
from quizapp.study import files, services
from quizapp.study.models import Material


class MaterialForm(BaseForm):
    """Every setting of a material, its files and its audience, on one page."""

    title = title_field(services.TITLE_MAX)
    topic = StringField(
        "专题",
        validators=text_rules("专题", services.TOPIC_MAX, required=True),
        description="如“党纪学习教育”。党员按专题浏览资料，同一专题请用相同的名称。",
    )
    body_markdown = TextAreaField(
        "正文",
        validators=text_rules("正文", services.BODY_MAX),
        description="可直接粘贴 Word 或公众号文章的文字。格式：行首“# ”为标题，"
        "“- ”为列表，**文字** 为加粗。保存时会去掉颜色、字体等样式。",
    )
    pdf = FileField(
        "PDF 文件",
        description=(
            f"可选，不超过 {files.PDF_MAX_BYTES // files.MB} MB，党员在资料页内逐页阅读，"
            "计入学习时长。重新上传会替换原文件。"
        ),
    )
    remove_pdf = BooleanField("删除已上传的 PDF")
    video = FileField(
        "视频文件", description=("可选，MP4 或 WebM 格式。上传后替换原有的视频或视频链接。")
    )
    video_url = StringField(
        "或视频链接",
        validators=[
            Length(
                max=files.VIDEO_URL_MAX,
                message=f"视频链接不能超过 {files.VIDEO_URL_MAX} 个字符。",
            )
        ],
        description="内网视频地址，以 http:// 或 https:// 开头。填写后替换已上传的视频文件。",
    )
    remove_video = BooleanField("删除视频（文件和链接）")
    estimated_minutes = number_field(
        "预计学习时长（分钟）",
        services.MINUTES_MIN,
        services.MINUTES_MAX,
        f"预计学习时长应为 {services.MINUTES_MIN} 至 {services.MINUTES_MAX} 分钟。",
        required="请填写预计学习时长。",
        default=10,
    )
    opens_at = china_time_field("开放时间", description="北京时间。留空则发布后立即开放。")
    closes_at = china_time_field("结束时间", description="北京时间。留空则长期开放。")
    branch_ids = branches_field("学习组织", "选中的组织及其全部下级的人员可以学习。")
    statuses = statuses_field()
    roster = roster_field("可以学习")
    is_required = BooleanField("必学", description="必学资料在党员的学习列表中排在前面并标明。")
    sort_order = number_field(
        "排序",
        services.SORT_MIN,
        services.SORT_MAX,
        "排序应为 -9999 至 9999 之间的整数。",
        required="请填写排序。",
        default=0,
        description="同一专题内数字小的排在前面。",
    )

    def set_choices(self, branches: list[SelectChoice]) -> None:
        """Offer the organiser's branches."""
        self.branch_ids.choices = branches

    @staticmethod
    def values_of(material: Material) -> dict[str, Any]:
        """Return the form's values for an existing material (to edit it)."""
        names = (
            "title",
            "topic",
            "body_markdown",
            "estimated_minutes",
            "opens_at",
            "closes_at",
            "is_required",
            "sort_order",
            "video_url",
        )
        values: dict[str, Any] = {name: getattr(material, name) for name in names}
        return values | audience_values(material.audience)

    def window(self) -> tuple[datetime | None, datetime | None]:
        """Return the opening and closing moments in UTC (entered in China time), or None."""
        return tuple(
            f.data.astimezone(UTC) if f.data else None for f in (self.opens_at, self.closes_at)
        )  # type: ignore[return-value]


class StatusForm(BaseForm):
    """Publish, withdraw or retire: a POST button with its CSRF token and the new status."""

    status = SelectField(choices=list(services.STATUSES), validators=[DataRequired()])
