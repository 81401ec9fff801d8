"""An organiser on a phone previews a Word question file, then imports it (Playwright + Debian's
Chromium, 360 px)."""

from __future__ import annotations

from sqlalchemy import func, select

from quizapp import db
from quizapp.bank.models import Question
from tests.browser import BROWSER, fits_phone_width, log_in
from tests.test_bank_word import GOOD, make_docx

pytestmark = BROWSER


def test_organiser_previews_a_word_file_on_a_phone_then_imports_it(
    live_server, phone, org, tmp_path
):
    path = tmp_path / "题库.docx"
    path.write_bytes(make_docx(*GOOD))
    log_in(phone, live_server, "org1")
    phone.goto(f"{live_server}/manage/bank/import")
    assert fits_phone_width(phone)
    assert phone.locator("a", has_text="下载 Word 模板").is_visible()

    phone.set_input_files("input[name=file]", str(path))
    phone.check("input[name=preview]")
    phone.click("button[type=submit]")
    phone.wait_for_selector("#import-preview")
    assert fits_phone_width(phone)
    preview = phone.text_content("#import-preview")
    assert "可以导入 7 道" in preview and "留党察看最长不超过（  ）。" in preview
    assert db.session.scalar(select(func.count(Question.id))) == 0

    phone.set_input_files("input[name=file]", str(path))
    phone.uncheck("input[name=preview]")
    phone.click("button[type=submit]")
    phone.wait_for_selector("text=导入完成")
    assert "新增 7 道" in phone.text_content("body")
