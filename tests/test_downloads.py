"""The one response of every download: its Content-Disposition names the file twice, in
Chinese for browsers (``filename*``) and in readable English for apps that ignore that."""

from __future__ import annotations

import re
from urllib.parse import quote

from quizapp.downloads import CSV, attachment, disposition

#: A plain ``filename`` an app that ignores ``filename*`` can save as it is.
READABLE = re.compile(r'filename="[A-Za-z][A-Za-z0-9._-]*[A-Za-z0-9]\.(xlsx|csv|docx|pdf)"')


def readable_name(header: str) -> bool:
    """Whether a Content-Disposition's plain ``filename`` is a readable ASCII name."""
    return READABLE.search(header) is not None


def test_the_plain_name_is_the_english_one_with_the_extension_of_the_chinese(app):
    with app.test_request_context():
        response = attachment(
            b"a,b\r\n", "纪律,条例 “测试”-成绩-2026-12-05.csv", CSV, english="quiz-12-results"
        )
    header = response.headers["Content-Disposition"]
    assert header.startswith('attachment; filename="quiz-12-results.csv"; ')
    assert f"filename*=UTF-8''{quote('纪律,条例 “测试”-成绩-2026-12-05.csv')}" in header
    assert response.mimetype == CSV


def test_what_an_english_name_may_not_hold_becomes_a_dash():
    header = disposition("台账.docx", ' ledger "B 11", 2026 ', "inline")
    assert header.startswith('inline; filename="ledger-B-11-2026.docx"')
    assert disposition("x.xlsx", "", "attachment").startswith('attachment; filename="quizapp.xlsx"')
    # An ASCII name is its own plain name: no filename* needed.
    assert disposition("template.xlsx", "template") == 'attachment; filename="template.xlsx"'
