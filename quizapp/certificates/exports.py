"""A campaign's certificates as an .xlsx workbook (revoked ones too, marked)."""

from __future__ import annotations

from datetime import datetime

from quizapp import access
from quizapp.campaigns.models import Campaign
from quizapp.certificates import queries
from quizapp.certificates.models import Certificate
from quizapp.clock import china_today
from quizapp.members.models import Member
from quizapp.spreadsheets import DATE, DATETIME, UNSAFE_IN_NAMES, XLSX, Book, Column

__all__ = ["XLSX", "certificates_xlsx", "export_filename"]


def export_filename(title: str, now: datetime) -> str:
    """Return "<title>-结业证书-<China date>.xlsx" with characters file systems refuse replaced."""
    safe = UNSAFE_IN_NAMES.sub("_", title).strip(" ._") or "学习任务"
    return f"{safe[:80]}-结业证书-{china_today(now).isoformat()}.xlsx"


def _columns(actor: Member) -> list[Column[Certificate]]:
    def branch(c: Certificate) -> str:
        # Someone who has since moved out of the actor's subtree: where to is not theirs to see.
        return c.member.branch.name if access.can_view_member(actor, c.member) else "（已调出）"

    return [
        Column("证书编号", lambda c: c.number, width=16),
        Column("姓名", lambda c: c.member_name, width=10),
        Column("警号/手机号", lambda c: c.member.police_no or c.member.phone or "", width=14),
        Column("所在支部", branch, width=20),
        Column("证书日期", lambda c: c.issued_on, width=12, number_format=DATE),
        Column("颁发时间", lambda c: c.issued_at, width=17, number_format=DATETIME),
        Column("颁发人", lambda c: c.issued_by.name if c.issued_by else "系统自动颁发", width=12),
        Column("状态", lambda c: "已撤销" if c.is_revoked else "有效", width=8),
        Column("撤销时间", lambda c: c.revoked_at, width=17, number_format=DATETIME),
        Column("撤销人", lambda c: c.revoked_by.name if c.revoked_by else "", width=10),
        Column("撤销原因", lambda c: c.revoke_reason or "", width=30),
    ]


def certificates_xlsx(actor: Member, campaign: Campaign, now: datetime) -> bytes:
    """Return the campaign's certificates as .xlsx bytes."""
    book = Book()
    book.add_sheet("结业证书", _columns(actor), queries.all_campaign_certificates(campaign))
    return book.to_bytes()
