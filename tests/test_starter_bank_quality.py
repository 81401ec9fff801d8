"""Quality of the starter bank files built from the reference texts (issue 16, part 6).

Each file listed in FILES is checked against its text in ../shared/reference/: every source
names an article (or a section of the 准则) that the text holds, every phrase quoted in an
explanation is the text's own wording, every fill-in answer is a phrase of the text. The
numbers the audit asked for are pinned per file: 多选 whose key includes A at most 70 %, two or
more wrong options in every 多选, at least 25 % of questions at difficulty 4–5. Across the whole
bank, no stem of these files is a near-copy of another stem.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path

import pytest
import yaml

from quizapp.bank.formats import yaml_files

ROOT = Path(__file__).parent.parent
BANK = ROOT / "questions"
REFERENCE = ROOT.parent / "shared" / "reference"

#: file -> (reference text, the document's title as sources cite it, names besides articles)
FILES = {
    "disciplinary-regulations-2023.yaml": (
        "disciplinary-regulations-2023.txt",
        "《中国共产党纪律处分条例》",
        set(),
    ),
    "member-education-regulations-2019.yaml": (
        "member-education-regulations-2019.txt",
        "《中国共产党党员教育管理工作条例》",
        set(),
    ),
    "political-life-guidelines-2016.yaml": (
        "political-life-guidelines-2016.txt",
        "《关于新形势下党内政治生活的若干准则》",
        set(),
    ),
    "integrity-self-discipline-2015.yaml": (
        "integrity-self-discipline-2015.txt",
        "《中国共产党廉洁自律准则》",
        {"导语"},
    ),
    "twentieth-congress-report-2022.yaml": (
        "twentieth-congress-report-2022.txt",
        "《党的二十大报告》",
        set(),
    ),
}

ARTICLE = re.compile(r"第[一二三四五六七八九十百零]+条")
#: a section of the 准则 or the report by its heading, optionally one numbered part of it: （三）
SECTION = re.compile(r"“([一二三四五六七八九十]+、[^”]+)”(（[一二三四五六七八九十]+）)?")
QUOTE = re.compile(r"“((?:[^“”]|“[^“”]*”)*)”")

needs_texts = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason="the reference texts (../shared/reference/) are not here"
)


@functools.cache
def _questions(name: str) -> list[dict]:
    """The questions of one bank file (read once; tests only read them)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((BANK / name).read_text(encoding="utf-8"), Loader=loader)["questions"]


def _flat(text: str) -> str:
    """Compare wording, not layout: no whitespace, inner quotes folded to outer ones."""
    return re.sub(r"\s+", "", text).replace("‘", "“").replace("’", "”")


def _reference(name: str) -> str:
    return (REFERENCE / FILES[name][0]).read_text(encoding="utf-8")


def _unknown_parts_of_source(source: str, title: str, names: set[str], text: str) -> list[str]:
    """The pieces of a source that are not an article, section or name found in the text."""
    if not source.startswith(title):
        return [source]
    rest = source[len(title) :]
    unknown = []
    for article in ARTICLE.findall(rest):
        if not re.search(rf"^{article}[\s　]", text, re.MULTILINE):
            unknown.append(article)
    for section, part in SECTION.findall(rest):
        found = re.search(rf"^{re.escape(section)}\s*$", text, re.MULTILINE)
        if not found:
            unknown.append(section)
            continue
        body = re.split(r"^[一二三四五六七八九十]+、", text[found.end() :], maxsplit=1, flags=re.M)[
            0
        ]
        if part and not re.search(rf"^{part}", body, re.MULTILINE):
            unknown.append(section + part)
    rest = SECTION.sub("", ARTICLE.sub("", rest))
    for name in names:
        rest = rest.replace(name, "")
    if re.sub(r"[、至和]", "", rest):
        unknown.append(rest)
    return unknown


@pytest.mark.parametrize("name", FILES)
def test_the_file_imports_without_a_problem(name):
    drafts, skipped = yaml_files.read(name, (BANK / name).read_bytes())
    assert not skipped
    assert [(d.location, d.problems) for d in drafts if d.problems] == []


@needs_texts
@pytest.mark.parametrize("name", FILES)
def test_every_source_names_an_article_of_its_text(name):
    _, title, names = FILES[name]
    text = _reference(name)
    bad = {
        q["key"]: unknown
        for q in _questions(name)
        if (unknown := _unknown_parts_of_source(q["source"], title, names, text))
    }
    assert bad == {}


@needs_texts
@pytest.mark.parametrize("name", FILES)
def test_every_explanation_quotes_the_text_word_for_word(name):
    text = _flat(_reference(name))
    bad, unquoted = {}, []
    for q in _questions(name):
        quotes = QUOTE.findall(q["explanation"])
        if not quotes:
            unquoted.append(q["key"])
        for quote in quotes:
            missing = [p for p in _flat(quote).split("……") if p and p not in text]
            if missing:
                bad.setdefault(q["key"], []).extend(missing)
    assert bad == {}
    assert unquoted == []


@needs_texts
@pytest.mark.parametrize("name", FILES)
def test_every_fill_in_answer_is_a_phrase_of_the_text(name):
    text = _flat(_reference(name))
    bad = []
    for q in _questions(name):
        if q["type"] != "填空":
            continue
        for blank in q["answer"]:
            first = blank[0] if isinstance(blank, list) else blank
            if _flat(str(first)) not in text:
                bad.append((q["key"], first))
    assert bad == []


@pytest.mark.parametrize("name", FILES)
def test_multiple_choice_keys_vary_and_leave_two_wrong_options(name):
    multiple = [q for q in _questions(name) if q["type"] == "多选"]
    assert multiple
    with_a = [q["key"] for q in multiple if "A" in q["answer"]]
    assert len(with_a) <= 0.7 * len(multiple), with_a
    thin = [q["key"] for q in multiple if len(q["options"]) - len(q["answer"]) < 2]
    assert thin == []


@pytest.mark.parametrize("name", FILES)
def test_a_quarter_of_the_questions_are_hard(name):
    questions = _questions(name)
    hard = [q for q in questions if q.get("difficulty", 2) >= 4]
    assert len(hard) >= 0.25 * len(questions), f"{len(hard)} of {len(questions)}"


@pytest.mark.parametrize("name", FILES)
def test_keys_carry_the_file_prefix_and_are_unique_in_the_bank(name):
    keys = [q["key"] for q in _questions(name)]
    prefixes = {key.rsplit("-", 1)[0] for key in keys}
    assert len(prefixes) == 1, prefixes
    everywhere = [q["key"] for f in sorted(BANK.glob("*.yaml")) for q in _questions(f.name)]
    assert [k for k in keys if everywhere.count(k) > 1] == []


def _similar(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() <= 0.9 or matcher.quick_ratio() <= 0.9:
        return 0.0
    return matcher.ratio()


@pytest.mark.parametrize("name", FILES)
def test_no_stem_is_a_near_copy_of_another_in_the_bank(name):
    mine = [(q["key"], q["stem"]) for q in _questions(name)]
    others = [
        (q["key"], q["stem"]) for f in sorted(BANK.glob("*.yaml")) for q in _questions(f.name)
    ]
    pairs = [
        (key, other, round(ratio, 2))
        for key, stem in mine
        for other, other_stem in others
        if other != key and (ratio := _similar(stem, other_stem)) > 0.9
    ]
    assert pairs == []


def test_the_similarity_check_sees_a_near_copy():
    stem = "根据《中国共产党纪律处分条例》，留党察看期限最长不得超过（  ）。"
    assert _similar(stem, stem.replace("根据", "按照")) > 0.9
    assert _similar(stem, "党员受到开除党籍处分，（  ）内不得重新入党。") == 0.0


def test_the_source_check_refuses_an_article_the_text_lacks():
    text = "第一条 甲。\n第二条 乙。\n一、坚定理想信念\n"
    assert _unknown_parts_of_source("《条例》第二条", "《条例》", set(), text) == []
    assert _unknown_parts_of_source("《条例》第三条", "《条例》", set(), text) == ["第三条"]
    assert _unknown_parts_of_source("《准则》“一、坚定理想信念”", "《准则》", set(), text) == []
    assert _unknown_parts_of_source("《准则》“二、坚持党的基本路线”", "《准则》", set(), text)
    assert _unknown_parts_of_source("《章程》第二条", "《条例》", set(), text)
    assert _unknown_parts_of_source("《条例》附录", "《条例》", set(), text) == ["附录"]
    report = "一、甲\n（一）子。\n（二）丑。\n二、乙\n（一）寅。\n"
    assert _unknown_parts_of_source("《报告》“一、甲”（二）", "《报告》", set(), report) == []
    assert _unknown_parts_of_source("《报告》“二、乙”（二）", "《报告》", set(), report) == [
        "二、乙（二）"
    ]


def test_the_starter_bank_files_import_through_the_cli(org, runner, tmp_path):
    folder = tmp_path / "questions"
    folder.mkdir()
    total = 0
    for name in FILES:
        (folder / name).write_bytes((BANK / name).read_bytes())
        total += len(_questions(name))
    result = runner.invoke(args=["questions", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"{len(FILES)} files: {total} created, 0 updated, 0 unchanged, 0 rejected" in (
        result.output
    )
