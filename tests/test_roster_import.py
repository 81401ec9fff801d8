"""Roster import (花名册导入): reading files, the row rules, matching, moving and the templates."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.errors import DomainError
from quizapp.members.activation import code_matches
from quizapp.members.exports import USAGE, decode_ids, encode_ids
from quizapp.members.imports import RosterRejected, import_roster
from quizapp.members.models import Member, Membership, PoliticalStatus, Role
from quizapp.members.roster_files import TEMPLATE_HEADERS, roster_template_csv, roster_template_xlsx
from quizapp.members.roster_rows import OUT_OF_SCOPE
from quizapp.org.models import Branch, BranchKind
from tests.conftest import TODAY
from tests.factories import xlsx_bytes


@pytest.fixture()
def org(org):
    """The shared organisation; m1 gets a 警号 that passes the format check ("m1" is too short)."""
    org.m1.police_no = "M0001"
    db.session.commit()
    return org


def xlsx(rows, headers=TEMPLATE_HEADERS, before=()) -> bytes:
    return xlsx_bytes(rows, headers, before)


def csv_file(rows, headers=TEMPLATE_HEADERS, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def run(actor, content, filename="花名册.xlsx", **kwargs):
    return import_roster(actor, filename, content, TODAY, **kwargs)


def rejected(actor, content, filename="花名册.xlsx") -> dict[int, str]:
    with pytest.raises(RosterRejected) as caught:
        run(actor, content, filename)
    return {error.row: error.message for error in caught.value.errors}


def find(login_id) -> Member | None:
    return db.session.scalar(
        select(Member).where((Member.police_no == login_id) | (Member.phone == login_id))
    )


def count_members() -> int:
    return db.session.scalar(select(func.count(Member.id)))


def snapshot() -> list[tuple]:
    members = db.session.scalars(select(Member).order_by(Member.id)).all()
    return [
        (
            m.id,
            m.name,
            m.police_no,
            m.phone,
            m.branch_id,
            m.political_status,
            m.joined_party_on,
            m.role,
            m.scope_branch_id,
            m.password_hash,
            m.updated_at,
            len(m.memberships),
        )
        for m in members
    ]


# --- creating, updating, moving ---------------------------------------------------------


def test_xlsx_creates_members_with_memberships_and_a_login_code_each(org):
    content = xlsx(
        [
            ["张三", "J2001", "", "B11", "正式党员", "2015-07-01", ""],
            ["李四", "", "138-1234-5678", "二所党支部", "入党积极分子", "", "支部管理员"],
        ]
    )
    result = run(org.admin, content)
    db.session.commit()

    assert (result.created, result.updated, result.moved, result.unchanged) == (2, 0, 0, 0)
    assert result.dry_run is False
    zhang, li = find("J2001"), find("13812345678")
    assert (zhang.name, zhang.branch, zhang.status) == ("张三", org.b11, PoliticalStatus.FULL)
    assert zhang.joined_party_on == date(2015, 7, 1)
    assert zhang.role == Role.MEMBER and zhang.scope_branch is None
    assert (li.police_no, li.branch, li.status) == (None, org.b12, PoliticalStatus.ACTIVIST)
    assert li.role == Role.ORGANISER and li.scope_branch == org.b12
    for member in (zhang, li):
        assert member.must_change_password is True
        assert member.password_hash is None  # no usable password until the first login
        assert [(s.branch, s.started_on, s.ended_on) for s in member.memberships] == [
            (member.branch, TODAY, None)
        ]
    # Each has a secret of their own: nothing stored is shared by members imported together.
    assert len(zhang.activation_nonce) == 32
    assert zhang.activation_nonce != li.activation_nonce
    assert result.created_ids == [zhang.id, li.id]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_bom_and_in_gbk(org, encoding):
    content = csv_file(
        [["王五", "J3001", "13900000001", "一所党支部", "预备党员", "2025/7/1", ""]],
        encoding=encoding,
    )
    assert run(org.admin, content, "roster.CSV").created == 1
    member = find("J3001")
    assert (member.name, member.phone, member.branch) == ("王五", "13900000001", org.b11)
    assert member.status == PoliticalStatus.PROBATIONARY


def test_importing_the_same_file_twice_changes_nothing_the_second_time(org):
    content = xlsx(
        [
            ["张三", "J2001", "13900000002", "B11", "正式党员", "2015-07-01", "党员"],
            ["普通党员（改名）", "M0001", "13900000003", "B11", "正式党员", "2010-07-01", ""],
            ["一分局管理员", "org1", "", "B11", "正式党员", "", "支部管理员"],
        ]
    )
    first = run(org.admin, content)
    db.session.commit()
    assert (first.created, first.updated, first.moved, first.unchanged) == (1, 1, 0, 1)
    assert find("M0001").name == "普通党员（改名）"
    assert find("org1").scope_branch == org.u1  # an organiser keeps the subtree they manage
    before = snapshot()

    second = run(org.admin, content)
    assert not db.session.dirty and not db.session.new
    db.session.commit()
    assert (second.created, second.updated, second.moved, second.unchanged) == (0, 0, 0, 3)
    assert snapshot() == before


def test_a_changed_branch_moves_the_member_and_keeps_the_history(org):
    result = run(org.org1, xlsx([["普通党员", "M0001", "", "B12", "正式党员", "", ""]]))
    db.session.commit()

    assert (result.moved, result.updated, result.created) == (1, 1, 0)
    assert result.total == 1
    m1 = find("M0001")
    assert m1.branch == org.b12
    assert [(s.branch, s.started_on, s.ended_on) for s in m1.memberships] == [
        (org.b11, date(2025, 1, 1), TODAY),
        (org.b12, TODAY, None),
    ]


def test_a_police_no_in_another_case_is_the_same_member(org):
    """Logging in matches a 警号 in any case, so the import does too."""
    before = snapshot()
    result = run(org.org1, xlsx([["普通党员", "m0001", "", "B11", "正式党员", "", ""]]))
    db.session.commit()
    assert (result.created, result.updated) == (0, 0)
    assert snapshot() == before

    errors = rejected(
        org.admin,
        xlsx(
            [
                ["甲", "J7001", "", "B11", "正式党员", "", ""],
                ["乙", "j7001", "", "B11", "正式党员", "", ""],
            ]
        ),
    )
    assert errors == {
        2: "警号「J7001」在文件中重复出现（第 2、3 行）",
        3: "警号「j7001」在文件中重复出现（第 2、3 行）",
    }


def test_a_phone_only_member_gets_the_police_no_from_the_file(org, make_member):
    known = make_member(None, org.b11, name="赵六", phone="13900000004")
    db.session.commit()
    result = run(org.admin, xlsx([["赵六", "J4001", "13900000004", "B11", "正式党员", "", ""]]))

    assert (result.created, result.updated) == (0, 1)
    assert known.police_no == "J4001"
    assert count_members() == 5


def test_empty_role_keeps_the_role_and_a_missing_date_column_keeps_the_date(org):
    org.m1.joined_party_on = date(2001, 7, 1)
    db.session.commit()
    headers = ["姓名", "警号", "手机号", "所属支部", "政治面貌"]
    result = run(
        org.admin,
        xlsx(
            [
                ["一分局管理员", "org1", "", "B11", "正式党员"],
                ["普通党员", "M0001", "", "B11", "正式党员"],
            ],
            headers=headers,
        ),
    )

    assert result.unchanged == 2
    assert (find("org1").role, find("org1").scope_branch) == (Role.ORGANISER, org.u1)
    assert find("M0001").joined_party_on == date(2001, 7, 1)


def test_columns_in_any_order_with_a_title_row_and_extra_columns(org):
    headers = ["备注", " 所属支部 ", "政治面貌", "姓 名", "手机号", "警号"]
    content = xlsx(
        [["新同志", "B12", "群众", "孙七", "13900000005", ""]],
        headers=headers,
        before=[["第一分局党员花名册"], []],
    )
    result = run(org.org1, content)
    assert result.created == 1
    assert find("13900000005").branch == org.b12


def test_branch_names_shared_by_several_branches_ask_for_the_code(org):
    for unit, code in ((org.u1, "X1"), (org.u2, "X2")):
        branch = Branch(parent=unit, kind=BranchKind.BRANCH.value, code=code, name="综合党支部")
        db.session.add(branch)
        db.session.flush()
        branch.path = f"{unit.path}{branch.id}/"
    db.session.commit()
    row = ["钱八", "J5001", "", "综合党支部", "正式党员", "", ""]

    assert "请改填支部编码（X1、X2）" in rejected(org.admin, xlsx([row]))[2]
    # An organiser sees only the one in their own subtree, so the name is enough.
    assert run(org.org1, xlsx([row])).created == 1
    assert find("J5001").branch.code == "X1"
    # Codes are matched ignoring case.
    assert run(org.admin, xlsx([[*row[:3], "x2", *row[4:]]])).moved == 1


# --- rejected rows ----------------------------------------------------------------------


def test_every_bad_row_is_listed_with_its_excel_row_number_and_nothing_is_saved(org):
    before = snapshot()
    content = xlsx(
        [
            ["好人", "J6001", "", "B11", "正式党员", "", ""],  # 2: fine
            ["坏手机", "J6002", "1381234", "B11", "正式党员", "", ""],  # 3
            ["无支部", "J6003", "", "不存在的支部", "正式党员", "", ""],  # 4
            ["重复甲", "J6004", "", "B11", "正式党员", "", ""],  # 5
            ["重复乙", "J6004", "", "B12", "正式党员", "", ""],  # 6
            ["错面貌", "J6005", "", "B11", "党外人士", "", ""],  # 7
            ["错日期", "J6006", "", "B11", "正式党员", "2020-13-45", ""],  # 8
            ["群众日期", "J6007", "", "B11", "群众", "2020-07-01", ""],  # 9
            ["无账号", "", "", "B11", "正式党员", "", ""],  # 10
            [],  # 11: blank, skipped
            ["错角色", "J6008", "", "B11", "正式党员", "", "书记"],  # 12
            ["", "J6009", "", "", "", "", ""],  # 13: several reasons
        ]
    )
    errors = rejected(org.admin, content)

    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 12, 13]
    assert errors[3] == "手机号「1381234」格式不正确（应为 11 位手机号码）"
    assert "所属支部「不存在的支部」不存在" in errors[4]
    assert errors[5] == errors[6] == "警号「J6004」在文件中重复出现（第 5、6 行）"
    assert "政治面貌「党外人士」不正确" in errors[7]
    assert "入党时间「2020-13-45」无法识别" in errors[8]
    assert errors[9] == "政治面貌为「群众」时不应填写入党时间"
    assert errors[10] == "警号和手机号至少填写一项"
    assert "角色「书记」不正确" in errors[12]
    assert errors[13].split("；") == ["所属支部不能为空", "政治面貌不能为空", "姓名不能为空"]
    assert snapshot() == before
    assert find("J6001") is None


def test_an_overlong_name_or_police_no_is_named_as_the_member_form_names_it(org):
    before = snapshot()
    content = xlsx(
        [
            ["长" * 51, "J6101", "", "B11", "正式党员", "", ""],  # 2
            ["长" * 50, "J" * 21, "", "B11", "正式党员", "", ""],  # 3
        ]
    )
    errors = rejected(org.admin, content)
    assert errors == {
        2: "姓名不能超过 50 字",
        3: f"警号「{'J' * 21}」格式不正确（应为 3–20 位字母或数字）",
    }
    assert snapshot() == before


def test_the_rejection_summarises_in_chinese(org):
    with pytest.raises(RosterRejected) as caught:
        run(org.admin, xlsx([["甲", "", "", "B11", "正式党员", "", ""]] * 2))
    assert caught.value.message.startswith("花名册中有 2 行存在问题")
    assert isinstance(caught.value, DomainError)


def test_an_organiser_cannot_import_into_a_branch_outside_their_subtree(org):
    content = xlsx(
        [
            ["甲", "J7001", "", "B12", "正式党员", "", ""],
            ["乙", "J7002", "", "B21", "正式党员", "", ""],
        ]
    )
    errors = rejected(org.org1, content)
    assert list(errors) == [3]
    assert "不在您的管理范围内" in errors[3]
    assert find("J7001") is None


def test_only_admins_grant_the_admin_role(org):
    row = ["甲", "J7003", "", "B11", "正式党员", "", "系统管理员"]
    assert rejected(org.org1, xlsx([row])) == {2: "您无权设置「系统管理员」角色"}
    assert run(org.admin, xlsx([row])).created == 1
    assert find("J7003").role == Role.ADMIN


def test_a_member_outside_the_actors_scope_is_an_error_that_reveals_nothing(org, make_member):
    make_member("p21", org.b21, name="外单位人员")
    db.session.commit()
    content = xlsx(
        [
            ["外单位人员", "p21", "", "B11", "正式党员", "", ""],
            ["管理员", "admin", "", "B11", "正式党员", "", ""],
        ]
    )
    errors = rejected(org.org1, content)
    assert errors == {2: OUT_OF_SCOPE, 3: OUT_OF_SCOPE}
    assert find("p21").branch == org.b21


def test_an_organiser_cannot_change_their_own_role(org):
    errors = rejected(org.org1, xlsx([["一分局管理员", "org1", "", "B11", "正式党员", "", "党员"]]))
    assert errors == {2: "不能修改自己的角色"}


def test_login_ids_that_belong_to_someone_else_are_errors(org, make_member):
    make_member("p100", org.b12, phone="13900000006")
    make_member("p200", org.b12, phone="13900000008")
    db.session.commit()
    content = xlsx(
        [
            ["新人", "J8001", "13900000006", "B11", "正式党员", "", ""],  # phone of p100
            ["成员p100", "p100", "13900000009", "B12", "正式党员", "", ""],  # p100 changes phone
            ["成员p200", "", "13900000008", "B12", "正式党员", "", ""],  # p200 by phone ...
            ["成员p200", "p200", "", "B12", "正式党员", "", ""],  # ... and by 警号
        ]
    )
    errors = rejected(org.admin, content)
    assert errors[2] == "手机号「13900000006」已被系统中的其他账号使用"
    assert 3 not in errors
    assert errors[4] == errors[5] == "第 4、5 行是系统中的同一人员，请合并为一行"


def test_an_inactive_member_is_only_accepted_unchanged(org, make_member):
    make_member("gone", org.b11, name="已停用", active=False)
    db.session.commit()
    same = ["已停用", "gone", "", "B11", "正式党员", "", ""]
    assert run(org.admin, xlsx([same])).unchanged == 1
    moved = [*same[:3], "B12", *same[4:]]
    assert rejected(org.admin, xlsx([moved])) == {2: "该人员已停用，请先在系统中恢复"}


def test_members_imported_together_share_no_stored_secret(org):
    rows = [[f"同批{i}", f"J81{i:02d}", "", "B11", "正式党员", "", ""] for i in range(50)]
    result = run(org.admin, xlsx([*rows, ["普通党员", "M0001", "", "B12", "正式党员", "", ""]]))
    db.session.commit()

    created = db.session.scalars(select(Member).where(Member.id.in_(result.created_ids))).all()
    assert len(created) == result.created == 50
    assert {m.password_hash for m in created} == {None}
    assert len({m.activation_nonce for m in created}) == 50
    # An existing member keeps their password and gets no code.
    m1 = find("M0001")
    assert m1.password_hash is not None and m1.activation_nonce is None
    assert m1.id not in result.created_ids


def test_plain_members_cannot_import(org):
    with pytest.raises(DomainError, match="只有管理员"):
        run(org.m1, xlsx([["新人", "J8003", "", "B11", "正式党员", "", ""]]))


def test_dry_run_counts_but_saves_nothing(org):
    before = snapshot()
    content = xlsx(
        [
            ["新人", "J8004", "", "B11", "正式党员", "", ""],
            ["普通党员", "M0001", "", "B12", "正式党员", "", ""],
        ]
    )
    result = run(org.admin, content, dry_run=True)
    assert (result.created, result.updated, result.moved, result.dry_run) == (1, 1, 1, True)
    assert result.created_ids == []
    assert not db.session.new and not db.session.dirty
    db.session.commit()
    assert snapshot() == before


# --- files ------------------------------------------------------------------------------


def _missing_columns() -> bytes:
    return xlsx([["甲", "J1", "正式党员"]], headers=["姓名", "警号", "政治面貌"])


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("roster.xls", b"\xd0\xcf\x11\xe0", "文件格式不支持，请上传 .xlsx 或 .csv 文件"),
        ("roster", b"a,b", "文件格式不支持"),
        ("roster.xlsx", b"this is not a zip file", "无法读取该 Excel 文件"),
        ("roster.xlsx", b"PK\x03\x04broken", "无法读取该 Excel 文件"),
        ("roster.csv", b"", "文件是空的"),
        ("roster.csv", "姓名,警号\n甲,J1\n".encode(), "缺少必填列：手机号、所属支部、政治面貌。"),
        ("roster.xlsx", _missing_columns(), "缺少必填列：手机号、所属支部。请使用下载的模板。"),
        ("roster.csv", xlsx([]), "实际是 Excel 文件"),
        ("roster.xlsx", xlsx([], headers=[*TEMPLATE_HEADERS, "姓名"]), "「姓名」出现了多次"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(org, filename, content, message):
    with pytest.raises(DomainError) as caught:
        run(org.admin, content, filename)
    assert not isinstance(caught.value, RosterRejected)
    assert message in caught.value.message


def test_a_file_with_too_many_rows_is_refused(org, monkeypatch):
    from quizapp.members import roster_files

    monkeypatch.setattr(roster_files, "MAX_ROWS", 3)
    rows = [[f"甲{i}", f"J9{i:03d}", "", "B11", "群众", "", ""] for i in range(4)]
    with pytest.raises(DomainError, match="单个文件最多导入 3 行"):
        run(org.admin, xlsx(rows))
    assert run(org.admin, xlsx(rows[:3])).created == 3


def test_numbers_and_dates_typed_into_excel_cells(org):
    content = xlsx(
        [
            ["甲", 10086, 13912345678, "B11", "正式党员", datetime(2020, 7, 1), ""],
            ["乙", "", 1.3912345679e10, "B11", "正式党员", date(2020, 7, 1), ""],
            ["丙", "J9001", "", "B11", "正式党员", "2020/7/1", ""],
            ["丁", "J9002", "", "B11", "正式党员", "2020.7.1", ""],
            ["戊", "J9003", "", "B11", "正式党员", "2020年7月1日", ""],
            ["己", "J9004", "", "B11", "正式党员", 20200701, ""],
        ]
    )
    assert run(org.admin, content).created == 6
    assert find("10086").phone == "13912345678"
    for login_id in ("10086", "13912345679", "J9001", "J9002", "J9003", "J9004"):
        assert find(login_id).joined_party_on == date(2020, 7, 1), login_id


def test_a_phone_stored_by_excel_as_a_float_in_exponent_form(org):
    # openpyxl writes 13912345670.0 as "13912345670"; Excel may store "1.391234567E10".
    content = _replace_in_sheet(
        xlsx([["甲", "", 13912345670.0, "B11", "群众", "", ""]]),
        b"<v>13912345670</v>",
        b"<v>1.391234567E10</v>",
    )
    assert run(org.admin, content).created == 1
    assert find("13912345670").name == "甲"


def _replace_in_sheet(content: bytes, old: bytes, new: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old in data
                data = data.replace(old, new)
            target.writestr(item, data)
    return buffer.getvalue()


def test_a_phone_shown_in_scientific_notation_is_explained(org):
    content = csv_file([["甲", "", "1.39123E+10", "B11", "群众", "", ""]])
    message = rejected(org.admin, content, "roster.csv")[2]
    # One message for the cell: not also "格式不正确" about the same number.
    assert "科学计数法" in message and message.count("手机号") == 1


def test_the_xlsx_template_round_trips(org):
    content = roster_template_xlsx()
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["花名册", "填写说明"]
    sheet = workbook["花名册"]
    assert [cell.value for cell in sheet[1]] == TEMPLATE_HEADERS
    assert sheet.max_row == 1
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert "群众" in lists["E2"] and "系统管理员" in lists["G2"]
    notes = [cell for row in workbook["填写说明"].iter_rows(values_only=True) for cell in row]
    assert "政治面貌" in notes and "张三" in notes

    with pytest.raises(DomainError, match="文件中没有数据行"):
        run(org.admin, content, "花名册模板.xlsx")


def test_the_csv_template_is_a_bom_and_the_header(org):
    content = roster_template_csv()
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").strip() == ",".join(TEMPLATE_HEADERS)
    with pytest.raises(DomainError, match="文件中没有数据行"):
        run(org.admin, content, "花名册模板.csv")


def test_the_filled_in_template_imports(org):
    workbook = openpyxl.load_workbook(io.BytesIO(roster_template_xlsx()))
    workbook["花名册"].append(["甲", "J9005", "13900000007", "B11", "群众", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run(org.admin, buffer.getvalue()).created == 1


# --- size -------------------------------------------------------------------------------


def test_five_thousand_rows_take_a_bounded_number_of_statements(org, queries):
    rows = [
        [
            f"党员{i}",
            f"K{i:05d}",
            f"139{i:08d}",
            "B11" if i % 2 else "二所党支部",
            "正式党员",
            "2015-07-01",
            "",
        ]
        for i in range(5000)
    ]
    content = csv_file(rows)

    with queries() as statements:
        result = run(org.admin, content, "big.csv")
    assert result.created == 5000
    assert len(statements) < 100
    db.session.commit()
    assert db.session.scalar(select(func.count(Membership.id))) == 5000 + 3

    with queries() as statements:
        again = run(org.admin, content, "big.csv")
    assert again.unchanged == 5000
    assert len(statements) < 100


# --- through the page -------------------------------------------------------------------


def test_an_organiser_imports_through_the_page(client, auth, org):
    auth.login("org1")
    page = client.get("/manage/members/import").get_data(as_text=True)
    assert 'name="initial_password"' not in page
    assert 'href="/manage/members/credentials"' in page  # the slip sheets of earlier imports
    good = xlsx([["网页导入", "J9100", "", "B12", "正式党员", "", ""]])
    response = client.post(
        "/manage/members/import",
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(good), "花名册.xlsx"),
        },
    )
    assert response.status_code == 200
    db.session.rollback()  # read what the request committed
    assert find("J9100").branch == org.b12
    assert "下载登录凭条（.xlsx）" in response.get_data(as_text=True)

    bad = xlsx(
        [
            ["甲", "J9101", "", "B11", "正式党员", "", ""],
            ["乙", "J9102", "1381234", "B11", "正式党员", "", ""],
        ]
    )
    response = client.post(
        "/manage/members/import",
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(bad), "花名册.xlsx"),
        },
    )
    page = response.get_data(as_text=True)
    assert "第 3 行" in page and "手机号「1381234」格式不正确" in page
    db.session.rollback()
    assert find("J9101") is None


def test_the_template_downloads(client, auth, org):
    auth.login("org1")
    response = client.get("/manage/members/import/template.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == TEMPLATE_HEADERS
    assert client.get("/manage/members/import/template.csv").data == roster_template_csv()


# --- the slip sheet (登录凭条) ---------------------------------------------------------------


def _import_page(client, content: bytes, **fields) -> str:
    response = client.post(
        "/manage/members/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(content), "花名册.xlsx"), **fields},
    )
    assert response.status_code == 200
    db.session.rollback()  # read what the request committed
    return response.get_data(as_text=True)


def _slip_link(page: str) -> str:
    match = re.search(r'href="([^"]+)">下载登录凭条（.xlsx）', page)
    assert match, "no slip sheet link"
    return html.unescape(match[1])


def _slip_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["姓名", "警号", "手机号", "所属支部", "一次性登录码"]
    assert rows[-1][0] == USAGE  # the line saying how to use the code, under the table
    return [row for row in rows[1:] if row[4]]


def test_the_slip_sheet_lists_exactly_the_created_members_with_working_codes(client, auth, org):
    auth.login("org1")
    # An earlier import whose member has not logged in yet: not on this import's slip.
    earlier = _import_page(client, xlsx([["早先导入", "J9200", "", "B11", "正式党员", "", ""]]))
    page = _import_page(
        client,
        xlsx(
            [
                ["凭条甲", "J9201", "13900009201", "B11", "正式党员", "", ""],
                ["凭条乙", "", "13900009202", "二所党支部", "群众", "", ""],
                ["普通党员", "M0001", "", "B11", "正式党员", "", ""],  # unchanged: no code
            ]
        ),
    )
    assert _slip_link(earlier) != _slip_link(page)

    rows = _slip_rows(client.get(_slip_link(page)))
    assert [row[:4] for row in rows] == [
        ["凭条甲", "J9201", "13900009201", "一所党支部"],
        ["凭条乙", None, "13900009202", "二所党支部"],
    ]
    for row, login_id in zip(rows, ("J9201", "13900009202")):
        member = find(login_id)
        assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}", row[4])
        assert code_matches(member.id, member.activation_nonce, row[4])
    assert rows[0][4] != rows[1][4]


def test_a_dry_run_or_an_import_without_new_members_offers_no_slip(client, auth, org):
    auth.login("org1")
    new = xlsx([["新人", "J9300", "", "B11", "正式党员", "", ""]])
    assert "下载登录凭条（.xlsx）" not in _import_page(client, new, dry_run="y")
    assert find("J9300") is None
    same = xlsx([["普通党员", "M0001", "", "B11", "正式党员", "", ""]])
    assert "下载登录凭条（.xlsx）" not in _import_page(client, same)


def test_an_organiser_of_another_subtree_gets_none_of_the_codes(client, auth, org):
    result = run(
        org.admin,
        xlsx(
            [
                ["一分局新人", "J9401", "", "B11", "正式党员", "", ""],
                ["二分局新人", "J9402", "", "B21", "正式党员", "", ""],
            ]
        ),
    )
    db.session.commit()
    u1_new, u2_new = find("J9401"), find("J9402")
    link = f"/manage/members/credentials.xlsx?ids={encode_ids(result.created_ids)}"
    auth.login("org2")

    assert [row[0] for row in _slip_rows(client.get(link))] == ["二分局新人"]
    assert [row[0] for row in _slip_rows(client.get("/manage/members/credentials.xlsx"))] == [
        "二分局新人"
    ]
    only_u1 = client.get(f"/manage/members/credentials.xlsx?ids={u1_new.id}")
    assert only_u1.status_code == 302
    assert only_u1.headers["Location"] == "/manage/members/credentials"
    assert client.get(f"/manage/members/credentials.xlsx?branch={org.b11.id}").status_code == 404
    page = client.get("/manage/members/credentials").get_data(as_text=True)
    assert "三所党支部" in page and "一所党支部" not in page
    assert u2_new.activation_nonce and u1_new.activation_nonce


def test_the_slip_leaves_out_members_the_organiser_may_not_manage(client, auth, org):
    # An admin placed in B11 is seen by org1 but not managed: their code would log in as them.
    run(
        org.admin,
        xlsx(
            [
                ["新管理员", "J9501", "", "B11", "正式党员", "", "系统管理员"],
                ["新党员", "J9502", "", "B11", "正式党员", "", ""],
            ]
        ),
    )
    db.session.commit()
    auth.login("org1")
    rows = _slip_rows(client.get("/manage/members/credentials.xlsx"))
    assert [row[0] for row in rows] == ["新党员"]
    auth.switch_to("admin")
    rows = _slip_rows(client.get(f"/manage/members/credentials.xlsx?branch={org.b11.id}"))
    assert [row[0] for row in rows] == ["新党员", "新管理员"]


def test_a_malformed_or_oversized_id_list_is_a_bad_request(client, auth, org):
    auth.login("org1")
    for ids in ("abc", "5-3", "1-20000", ",".join(str(i * 2) for i in range(600)), ""):
        assert (
            client.get("/manage/members/credentials.xlsx", query_string={"ids": ids}).status_code
            == 400
        ), ids


@pytest.mark.parametrize(
    ("ids", "text"),
    [
        ([7], "7"),
        ([3, 1, 2, 7], "1-3,7"),
        ([10, 12, 11, 20, 21, 30], "10-12,20-21,30"),
    ],
)
def test_ids_travel_as_ranges(ids, text):
    assert encode_ids(ids) == text
    assert decode_ids(text) == set(ids)


def test_one_organiser_of_a_subtree_cannot_change_another_through_the_import(org, make_member):
    # Two organisers of U1: neither manages the other, whatever order the file lists them in.
    make_member("org1b", org.b11, name="一分局副管理员", role=Role.ORGANISER, scope=org.u1)
    db.session.commit()
    content = xlsx(
        [
            ["一分局管理员", "org1", "", "B11", "正式党员", "", ""],
            ["副管理员改名", "org1b", "", "B11", "正式党员", "", ""],
        ]
    )
    assert rejected(org.org1, content) == {3: OUT_OF_SCOPE}
    assert find("org1b").name == "一分局副管理员"
    assert find("org1b").password_hash is not None and find("org1").password_hash is not None
