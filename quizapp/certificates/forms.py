"""Forms of the certificate pages: a campaign's certificate settings, revoking one."""

from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField

from quizapp.certificates.services import (
    MAX_ISSUER,
    MAX_REASON,
    MAX_TITLE,
    MAX_WORDING,
    PlanData,
)
from quizapp.forms import BaseForm, date_field, text_rules


class PlanForm(BaseForm):
    """What a campaign's certificates say, and whether it issues them."""

    is_enabled = BooleanField("颁发结业证书", description="关闭后不再颁发；已颁发的证书不受影响。")
    title = StringField("证书标题", validators=text_rules("证书标题", MAX_TITLE, required=True))
    wording = TextAreaField(
        "证书正文",
        validators=text_rules("证书正文", MAX_WORDING, required=True),
        description="印在“××× 同志：”之后。",
    )
    issuer_name = StringField(
        "颁发单位", validators=text_rules("颁发单位", MAX_ISSUER, required=True)
    )
    issued_on = date_field(
        "证书日期", required="请填写证书日期。", description="印在证书上；这一天起才能颁发。"
    )
    auto_issue = BooleanField(
        "到证书日期后自动颁发",
        description="每天早上为新完成的学员自动颁发，持续 60 天；也可随时手动颁发。",
    )

    def data_of(self) -> PlanData:
        """Return the submitted settings."""
        return PlanData(
            is_enabled=self.is_enabled.data,
            title=self.title.data.strip(),
            wording=self.wording.data.strip(),
            issuer_name=self.issuer_name.data.strip(),
            issued_on=self.issued_on.data,
            auto_issue=self.auto_issue.data,
        )


class RevokeForm(BaseForm):
    """The reason a certificate is revoked."""

    reason = TextAreaField("撤销原因", validators=text_rules("撤销原因", MAX_REASON, required=True))
