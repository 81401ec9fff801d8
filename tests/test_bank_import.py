"""The import pipeline (quizapp.bank.imports), the YAML reader and `flask questions import`."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from quizapp import db
from quizapp.bank.formats import yaml_files
from quizapp.bank.imports import (
    MAX_QUESTIONS,
    BankImportRejected,
    QuestionDraft,
    Skipped,
    import_drafts,
)
from quizapp.bank.models import Category, Question
from quizapp.bank.services import QuestionData, category_path
from quizapp.errors import DomainError

DATA = Path(__file__).parent / "data" / "bank"


def question(key, stem="党员受到开除党籍处分，（  ）内不得重新入党。", **fields):
    """One YAML question: a single choice unless ``fields`` say otherwise."""
    item = {
        "key": key,
        "type": "单选",
        "stem": stem,
        "options": {"A": "二年", "B": "三年", "C": "五年"},
        "answer": "C",
    }
    item.update(fields)
    return {k: v for k, v in item.items() if v is not None}


def yaml_bytes(*questions, category="党内法规/纪律处分条例", encoding="utf-8") -> bytes:
    document = {"topic": "测试", "category": category, "questions": list(questions)}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode(encoding)


def run(org, content, filename="测试.yaml", **kwargs):
    drafts, skipped = yaml_files.read(filename, content)
    return import_drafts(org.bureau.id, drafts, skipped=skipped, **kwargs)


def rejected(org, content, filename="测试.yaml") -> dict[str, str]:
    """Import a file that must be refused; return {location: message} and check nothing saved."""
    before = count_questions()
    with pytest.raises(BankImportRejected) as caught:
        run(org, content, filename)
    db.session.rollback()
    assert count_questions() == before
    return {p.location: p.message for p in caught.value.problems}


def count_questions() -> int:
    return db.session.scalar(select(func.count(Question.id)))


def by_key(key) -> Question:
    return db.session.scalar(select(Question).where(Question.key == key))


# ---------------------------------------------------------------- a good file


def test_a_good_file_creates_every_question_in_its_own_form(org):
    result = run(org, (DATA / "yaml" / "discipline.yaml").read_bytes(), "discipline.yaml")
    db.session.commit()

    assert (result.created, result.updated, result.unchanged, result.rejected) == (4, 0, 0, [])
    single = by_key("t-001")
    assert (single.type, single.options, single.answer) == (
        "single",
        ["警告", "严重警告", "记过", "开除党籍"],
        2,
    )
    assert single.explanation == "第八条规定的五种处分中没有“记过”。"
    assert single.source == "《中国共产党纪律处分条例》第八条"
    assert (single.difficulty, single.tags) == (1, "处分种类")
    assert single.owner_branch_id == org.bureau.id
    assert single.is_active
    assert category_path(single.category) == "党内法规/纪律处分条例/总则"
    multiple = by_key("t-002")
    assert (multiple.type, multiple.answer, multiple.difficulty) == ("multiple", [0, 1, 3], 2)
    assert multiple.tag_list == ["处分种类", "总则"]
    assert category_path(multiple.category) == "党内法规/纪律处分条例"  # the file's default
    assert (by_key("t-003").type, by_key("t-003").answer) == ("truefalse", True)
    fill = by_key("t-004")
    assert (fill.type, fill.answer, fill.difficulty) == ("fill", [["一年", "1年"], ["一年半"]], 3)


def test_importing_the_same_file_again_changes_nothing(org):
    content = (DATA / "yaml" / "discipline.yaml").read_bytes()
    run(org, content)
    db.session.commit()
    stamps = {q.key: (q.id, q.updated_at) for q in db.session.scalars(select(Question))}
    categories = db.session.scalar(select(func.count(Category.id)))

    result = run(org, content)
    db.session.commit()

    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert {q.key: (q.id, q.updated_at) for q in db.session.scalars(select(Question))} == stamps
    assert db.session.scalar(select(func.count(Category.id))) == categories


def test_a_changed_answer_updates_the_question_with_that_key(org):
    run(org, yaml_bytes(question("k-1"), question("k-2", stem="另一道题（  ）。")))
    db.session.commit()
    first = by_key("k-1")
    old_id, old_print = first.id, first.fingerprint

    result = run(
        org, yaml_bytes(question("k-1", answer="B"), question("k-2", stem="另一道题（  ）。"))
    )
    db.session.commit()

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert (by_key("k-1").id, by_key("k-1").answer) == (old_id, 1)
    assert by_key("k-1").fingerprint != old_print
    assert count_questions() == 2


def test_questions_without_a_key_get_a_stable_one(org):
    content = yaml_bytes(question(None))
    run(org, content)
    db.session.commit()
    key = db.session.scalar(select(Question.key))
    assert key.startswith("q-")
    assert run(org, content).unchanged == 1


# ---------------------------------------------------------------- duplicates


def test_the_same_key_twice_in_a_file_is_refused(org):
    problems = rejected(org, yaml_bytes(question("k-1"), question("k-1", stem="另一道题（  ）。")))
    assert problems == {"测试.yaml 第 2 题（k-1）": "编号「k-1」与测试.yaml 第 1 题（k-1）重复"}


def test_the_same_stem_and_answer_under_two_keys_in_a_file_is_refused(org):
    # Spaces don't make another question.
    again = question("k-2", stem=" 党员受到开除党籍处分，（ ）内不得重新入党。")
    problems = rejected(org, yaml_bytes(question("k-1"), again))
    assert problems == {
        "测试.yaml 第 2 题（k-2）": "与测试.yaml 第 1 题（k-1）重复（题干和答案相同）"
    }


def test_the_same_options_in_another_order_are_still_the_same_question(org):
    moved = question("k-2", options={"A": "五年", "B": "二年", "C": "三年"}, answer="A")
    problems = rejected(org, yaml_bytes(question("k-1"), moved))
    assert "题干和答案相同" in problems["测试.yaml 第 2 题（k-2）"]


def test_the_same_stem_and_answer_as_a_question_in_the_bank_is_refused(org):
    run(org, yaml_bytes(question("k-1")))
    db.session.commit()

    problems = rejected(org, yaml_bytes(question("k-9")), "other.yaml")

    assert problems == {"other.yaml 第 1 题（k-9）": "题库中已有相同的题目（编号 k-1）"}


def test_the_same_stem_with_another_answer_is_not_a_duplicate(org):
    result = run(org, yaml_bytes(question("k-1"), question("k-2", answer="A")))
    assert result.created == 2


# ---------------------------------------------------------------- bad questions

BAD_FILE = [
    question("ok-1"),
    question("bad-type", type="问答"),
    question("bad-answer", answer="E"),
    question("no-answer", answer=None, stem="缺少答案的题（  ）。"),
    question("ok-2", stem="另一道好题（  ）。"),
    question("bad-options", stem="选项太少（  ）。", options={"A": "一个"}, answer="A"),
    question("bad-difficulty", stem="难度不对（  ）。", difficulty=9),
]


def test_every_bad_question_is_listed_with_its_location_and_nothing_is_saved(org):
    problems = rejected(org, yaml_bytes(*BAD_FILE))

    assert list(problems) == [
        "测试.yaml 第 2 题（bad-type）",
        "测试.yaml 第 3 题（bad-answer）",
        "测试.yaml 第 4 题（no-answer）",
        "测试.yaml 第 6 题（bad-options）",
        "测试.yaml 第 7 题（bad-difficulty）",
    ]
    assert problems["测试.yaml 第 2 题（bad-type）"].startswith("未知题型「问答」")
    assert problems["测试.yaml 第 3 题（bad-answer）"] == "答案「E」不在选项中（共 3 个选项）"
    assert problems["测试.yaml 第 4 题（no-answer）"] == "缺少答案（answer）"
    assert "选项应为 2 至 8 个" in problems["测试.yaml 第 6 题（bad-options）"]
    assert "难度应为 1 至 5 的整数" in problems["测试.yaml 第 7 题（bad-difficulty）"]


def test_the_rejection_message_says_nothing_was_imported(org):
    with pytest.raises(BankImportRejected, match="5 道题存在问题，本次未导入任何题目"):
        run(org, yaml_bytes(*BAD_FILE))


def test_only_valid_imports_the_good_questions_and_lists_the_bad(org):
    result = run(org, yaml_bytes(*BAD_FILE), only_valid=True)
    db.session.commit()

    assert result.created == 2
    assert sorted(db.session.scalars(select(Question.key))) == ["ok-1", "ok-2"]
    assert [p.location for p in result.rejected] == [
        "测试.yaml 第 2 题（bad-type）",
        "测试.yaml 第 3 题（bad-answer）",
        "测试.yaml 第 4 题（no-answer）",
        "测试.yaml 第 6 题（bad-options）",
        "测试.yaml 第 7 题（bad-difficulty）",
    ]


def test_only_valid_keeps_the_first_of_two_duplicates(org):
    result = run(org, yaml_bytes(question("k-1"), question("k-2")), only_valid=True)
    assert result.created == 1
    assert [p.location for p in result.rejected] == ["测试.yaml 第 2 题（k-2）"]
    assert db.session.scalar(select(Question.key)) == "k-1"


@pytest.mark.parametrize(
    "item, message",
    [
        ({"key": "x", "type": "单选", "stem": "题（  ）。", "answer": "A"}, "缺少选项"),
        (question("x", options={"A": "一", "C": "二"}, answer="A"), "不跳号"),
        (question("x", type="判断", answer="也许"), "应为“对”或“错”"),
        (question("x", type="多选", answer="A"), "至少应有两个答案"),
        (question("x", difficulty="难"), "难度「难」应为 1 至 5 的整数"),
        (question("x", stem=""), "题干不能为空"),
        (question("含 空格"), "只能由字母、数字、下划线或短横线组成"),
        (
            question("x", type="填空", options=None, stem="两个空____和____。", answer=["一"]),
            "题干有 2 个空",
        ),
        (question("x", type="判断", answer="对"), "判断题不应有选项"),
        ("不是一组键值", "格式不正确"),
    ],
)
def test_yaml_question_problems(org, item, message):
    problems = rejected(org, yaml_bytes(item))
    assert message in next(iter(problems.values()))


@pytest.mark.parametrize(
    "item,message",
    [
        (question("x", explanation="解" * 2001), "解析不能超过 2000 字"),
        (question("x", category="分" * 256), "分类不能超过 255 字"),
        (question("x", stem="题" * 2001), "题干不能超过 2000 字"),
        (question("x", source="出" * 201), "出处不能超过 200 字"),
        (
            question("x", type="填空", options=None, stem="____。", answer=["答" * 1001]),
            "答案不能超过 1000 字",
        ),
        (
            question("x", type="简答", options=None, answer={"reference": "参" * 4001}),
            "参考答案不能超过 4000 字",
        ),
        (
            question(
                "x", type="简答", options=None, answer={"reference": "参", "points": ["点" * 2001]}
            ),
            "评分要点不能超过 2000 字",
        ),
    ],
)
def test_an_overlong_text_is_refused_as_the_question_form_refuses_it(org, item, message):
    assert list(rejected(org, yaml_bytes(item)).values()) == [message]


# ---------------------------------------------------------------- categories


def test_categories_are_created_nested_and_reused(org):
    run(
        org,
        yaml_bytes(
            question("k-1", category="党内法规/纪律处分条例/总则"),
            question("k-2", stem="第二题（  ）。", category=" 党内法规 / 纪律处分条例 /分则"),
            question("k-3", stem="第三题（  ）。"),  # the file's default: 党内法规/纪律处分条例
        ),
    )
    run(org, yaml_bytes(question("k-4", stem="第四题（  ）。", category="党内法规/廉洁自律准则")))
    db.session.commit()

    categories = {c.name: c for c in db.session.scalars(select(Category))}
    assert sorted(categories) == ["党内法规", "分则", "廉洁自律准则", "总则", "纪律处分条例"]
    root, regulations = categories["党内法规"], categories["纪律处分条例"]
    assert root.parent is None and root.path == f"/{root.id}/"
    assert regulations.parent is root and regulations.path == f"/{root.id}/{regulations.id}/"
    assert categories["总则"].parent is regulations
    assert categories["分则"].parent is regulations
    assert categories["廉洁自律准则"].parent is root
    assert by_key("k-3").category is regulations
    assert categories["总则"].depth == 2


def test_a_question_without_a_category_has_none(org):
    run(org, yaml_bytes(question("k-1"), category=None))
    assert by_key("k-1").category_id is None


# ---------------------------------------------------------------- files that can't be read


def test_an_empty_file_is_refused(org):
    with pytest.raises(DomainError, match=re.escape("文件「空.yaml」是空的")):
        yaml_files.read("空.yaml", b"")
    with pytest.raises(DomainError, match="是空的"):
        yaml_files.read("空.yaml", b" \n\n")


def test_a_file_without_questions_is_refused(org):
    drafts, skipped = yaml_files.read("t.yaml", yaml_bytes())
    with pytest.raises(DomainError, match="没有找到题目"):
        import_drafts(org.bureau.id, drafts, skipped=skipped)


def test_a_file_in_an_unknown_encoding_is_refused():
    with pytest.raises(DomainError, match=re.escape("无法识别文件「乱码.yaml」的编码")):
        yaml_files.read("乱码.yaml", b"\xff\xfe\x00questions:\x00\xff\xff")


def test_a_file_saved_as_gbk_by_windows_is_read(org):
    result = run(org, yaml_bytes(question("k-1"), encoding="gb18030"))
    assert result.created == 1
    assert by_key("k-1").stem == "党员受到开除党籍处分，（  ）内不得重新入党。"


def test_a_file_with_a_byte_order_mark_is_read(org):
    assert run(org, b"\xef\xbb\xbf" + yaml_bytes(question("k-1"))).created == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"questions: [unclosed\n  - a: b", "不是有效的 YAML 格式"),
        (b"- just\n- a list\n", "应包含 questions: 列表"),
        (b"questions: nothing\n", "应包含 questions: 列表"),
    ],
)
def test_a_file_that_is_not_the_bank_format_is_refused(content, message):
    with pytest.raises(DomainError, match=message):
        yaml_files.read("t.yaml", content)


def test_too_many_questions_are_refused_before_anything_is_saved(org):
    data = QuestionData(type="truefalse", stem="题", options=[], answer=True)
    drafts = [QuestionDraft(f"第 {i} 题", data) for i in range(MAX_QUESTIONS + 1)]
    with pytest.raises(DomainError, match=f"一次最多导入 {MAX_QUESTIONS} 道题"):
        import_drafts(org.bureau.id, drafts)
    assert count_questions() == 0


def test_skipped_questions_are_reported_with_the_result(org):
    data = QuestionData(type="truefalse", stem="题", options=[], answer=True, key="k-1")
    skipped = [Skipped("a.gift 第 2 题", "不支持的题型：问答题")]
    result = import_drafts(org.bureau.id, [QuestionDraft("a.gift 第 1 题", data)], skipped=skipped)
    assert (result.created, result.skipped) == (1, skipped)


# ---------------------------------------------------------------- the command line


def write(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    return folder


def test_cli_imports_a_folder_and_again_changes_nothing(org, runner, tmp_path):
    folder = write(
        tmp_path / "questions", "discipline.yaml", (DATA / "yaml" / "discipline.yaml").read_bytes()
    )
    write(folder, "other.yml", yaml_bytes(question("k-1", stem="别的题（  ）。")))
    write(folder, "notes.txt", b"not a question file")

    result = runner.invoke(args=["questions", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "2 files: 5 created, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert count_questions() == 5

    again = runner.invoke(args=["questions", "import", str(folder)])
    assert "2 files: 0 created, 0 updated, 5 unchanged, 0 rejected" in again.output


def test_cli_refuses_a_bad_folder_and_names_the_bad_questions(org, runner, tmp_path):
    folder = write(tmp_path / "questions", "bad.yaml", yaml_bytes(*BAD_FILE))

    result = runner.invoke(args=["questions", "import", str(folder)])

    assert result.exit_code == 1
    assert "bad.yaml 第 3 题（bad-answer）: 答案「E」不在选项中" in result.output
    assert "本次未导入任何题目" in result.output
    assert count_questions() == 0


def test_cli_only_valid_imports_the_good_questions(org, runner, tmp_path):
    folder = write(tmp_path / "questions", "bad.yaml", yaml_bytes(*BAD_FILE))

    result = runner.invoke(args=["questions", "import", "--only-valid", str(folder)])

    assert result.exit_code == 0, result.output
    assert "skipped bad.yaml 第 2 题（bad-type）" in result.output
    assert "1 files: 2 created, 0 updated, 0 unchanged, 5 rejected" in result.output
    assert count_questions() == 2


def test_cli_reports_a_file_it_cannot_read(org, runner, tmp_path):
    folder = write(tmp_path / "questions", "broken.yaml", b"\xff\xfe\x00\x00")
    result = runner.invoke(args=["questions", "import", str(folder)])
    assert result.exit_code == 1
    assert "无法识别文件「broken.yaml」的编码" in result.output


def test_cli_needs_a_bureau(app, runner, tmp_path):
    folder = write(tmp_path / "questions", "t.yaml", yaml_bytes(question("k-1")))
    result = runner.invoke(args=["questions", "import", str(folder)])
    assert result.exit_code == 1
    assert "no bureau yet" in result.output


# ---------------------------------------------------------------- hostile YAML (issue 12)

#: An 800-byte "billion laughs": nine aliases of nine aliases ... expand to 10⁹ strings.
ALIAS_BOMB = (
    b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + b"".join(
        b"%c: &%c [%s]\n" % (98 + i, 98 + i, b",".join([b"*%c" % (97 + i)] * 9)) for i in range(8)
    )
    + "questions:\n- {type: 单选, stem: *i, options: [甲, 乙], answer: A}\n".encode()
)
HOSTILE_YAML = {
    "alias bomb": (ALIAS_BOMB, "第 1 行使用了锚点或别名"),
    "one alias": (
        b"x: &q {type: \xe5\x88\xa4\xe6\x96\xad, stem: s, answer: y}\nquestions: [*q]\n",
        "第 1 行使用了锚点或别名",
    ),
    "deep lists": (b"questions: " + b"[" * 200_000 + b"]" * 200_000, "嵌套超过 20 层"),
    "deep mappings": (
        b"questions: ["
        + b"".join(b"{%c: " % (97 + i % 26) for i in range(50_000))
        + b"1"
        + b"}" * 50_000
        + b"]",
        "嵌套超过 20 层",
    ),
    "deep block": (
        b"questions:\n" + b"".join(b"  " * (i + 1) + b"k%d:\n" % i for i in range(500)),
        "第 21 行嵌套超过 20 层",
    ),
    "many values": (b"questions: [" + b"1," * 250_000 + b"1]", "内容过多"),
    "long number": (b"questions: [" + b"9" * 5000 + b"]", "过长"),
    "bad date": (b"questions:\n- key: 2024-02-30\n", "不是有效的 YAML 格式"),
    "surrogate": (b'questions: ["\\ud800"]\n', "第 1 行"),
}


def _yaml_loaders():
    return [yaml_files.BankLoader] + (
        [yaml_files.FastBankLoader] if hasattr(yaml_files, "FastBankLoader") else []
    )


@pytest.mark.parametrize("tags", [5, True, 1.5])
def test_tags_neither_a_list_nor_text_are_a_problem_of_the_question(org, tags):
    problems = rejected(org, yaml_bytes(question("k-1", tags=tags)))
    assert problems == {
        "测试.yaml 第 1 题（k-1）": f"标签（tags）「{tags}」应为列表或用逗号分隔的文字"
    }


def test_a_file_category_that_is_not_text_is_refused():
    with pytest.raises(DomainError, match="category（分类）应为文字"):
        yaml_files.read("测试.yaml", yaml_bytes(question("k-1"), category=["党章"]))


#: Values a YAML file may hold where a question's field should be.
ODD_VALUES = [
    5, True, 1.5, -1, 10**20, float("nan"), datetime.date(2024, 1, 1), "", None, b"hi",
    [], {}, [1, [2]], [None], [{"a": 1}], {"a": 1}, {"A": [1]}, {"A": None}, {1: "x"},
]  # fmt: skip
#: Fields whose value is text: a list, a mapping or binary data there is a problem.
TEXT_FIELDS = {
    "stem": "题干",
    "key": "编号",
    "explanation": "解析",
    "source": "出处",
    "category": "分类",
}
YAML_BASES = {
    "单选": question("k"),
    "多选": question("k", type="多选", answer="AB"),
    "判断": question("k", type="判断", options=None, answer="对"),
    "填空": question("k", type="填空", stem="党员（  ）。", options=None, answer="甲"),
}


@pytest.mark.parametrize("base", YAML_BASES)
def test_odd_yaml_values_in_every_field_are_problems_in_chinese(org, base):
    failures = []
    for field in ("type", "options", "answer", "difficulty", "tags", *TEXT_FIELDS):
        for value in ODD_VALUES:
            item = {**YAML_BASES[base], field: value}
            try:
                drafts, _ = yaml_files.read("测试.yaml", yaml_bytes(item))
                result = import_drafts(org.bureau.id, drafts, only_valid=True)
            except DomainError:
                continue
            except Exception as exc:  # a 500 on the import page
                failures.append(f"{field}: {value!r} -> {type(exc).__name__}: {exc}")
                continue
            finally:
                db.session.rollback()
            odd = not isinstance(value, (str, int, float, datetime.date, type(None)))
            said = "".join(p.message for p in result.rejected)
            if field in TEXT_FIELDS and odd and (result.created or TEXT_FIELDS[field] not in said):
                failures.append(f"{field}: {value!r} taken as {drafts[0].data}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("loader", _yaml_loaders(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", HOSTILE_YAML)
def test_hostile_yaml_is_refused_while_composing(loader, name):
    content, message = HOSTILE_YAML[name]
    with pytest.raises(DomainError, match=message):
        yaml_files.load(content.decode(), "坏.yaml", loader)


@pytest.mark.parametrize("loader", _yaml_loaders(), ids=lambda c: c.__name__)
def test_the_starter_bank_needs_no_anchors_and_loads_as_safe_load_does(loader):
    for path in sorted((Path(__file__).parent.parent / "questions").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert yaml_files.load(text, path.name, loader) == yaml.safe_load(text), path.name


@pytest.mark.parametrize("name", ["alias bomb", "deep lists", "deep mappings", "deep block"])
def test_the_import_page_refuses_hostile_yaml_and_saves_nothing(client, auth, org, name):
    from io import BytesIO

    content, message = HOSTILE_YAML[name]
    auth.login("admin")
    response = client.post(
        "/manage/bank/import",
        data={"file": (BytesIO(content), "坏.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "文件「坏.yaml」" in page and message in page
    assert count_questions() == 0


@pytest.mark.parametrize("name", ["alias bomb", "deep lists", "deep mappings", "deep block"])
def test_cli_refuses_hostile_yaml_and_saves_nothing(org, runner, tmp_path, name):
    content, message = HOSTILE_YAML[name]
    folder = write(tmp_path / "questions", "bad.yaml", content)
    write(folder, "good.yaml", yaml_bytes(question("k-1")))
    result = runner.invoke(args=["questions", "import", str(folder)])
    assert result.exit_code == 1
    assert "文件「bad.yaml」" in result.output and message in result.output
    assert count_questions() == 0


def test_cli_reads_no_more_of_a_file_than_the_size_limit(org, runner, tmp_path):
    folder = write(tmp_path / "questions", "huge.yaml", b"#" * (6 * 1024 * 1024))
    result = runner.invoke(args=["questions", "import", str(folder)])
    assert result.exit_code == 1 and "超过 5 MB" in result.output


def test_cli_says_a_large_word_file_under_another_name_is_too_big(org, runner, tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as package:
        package.writestr("word/document.xml", "<w:document/>")
        package.writestr("word/media/image1.png", b"\0" * (6 * 1024 * 1024))
    path = tmp_path / "题库.doc"
    path.write_bytes(archive.getvalue())
    result = runner.invoke(args=["questions", "import", str(path)])
    # Only the first 5 MB are read: the directory at the end is cut off, yet the size is said.
    assert result.exit_code == 1 and "超过 5 MB" in result.output
