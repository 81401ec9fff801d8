"""The starter bank in questions/, every file of it checked against its reference text
(../shared/reference/, issue 16).

Every source names a document that has a text there and parts of it that the text holds (an
article, an item such as 第十条（三）, a range 第一条至第四条, a section of the 准则 or the
report by its heading, optionally one numbered part （三） of it, the 党章's 总纲, the
廉洁自律准则's 导语). Every explanation quotes: each “quotation” is the cited document's own
wording, and one at least comes from the part the source cites. Every fill-in answer is a
phrase of the cited part. Per file: all four types, 多选 whose key includes A at most 70 % and
two or more wrong options in every 多选, no 单选 letter above 40 %, at least 25 % at levels 4–5,
sub-categories, one key prefix. Across the bank: unique keys, no stem a near-copy of another,
and the whole bank imports. The README's example is made up and passes the same checks.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter

import pytest
import yaml

from quizapp import PROJECT_ROOT
from quizapp.bank.formats import yaml_files
from quizapp.demo.quizzes import load_starter_bank

QUESTIONS = PROJECT_ROOT / "questions"
REFERENCE = PROJECT_ROOT.parent / "shared" / "reference"
FILES = sorted(path.name for path in QUESTIONS.glob("*.yaml"))

#: Documents a source (出处) may cite, as 《title》, and their reference text.
DOCUMENTS = {
    "中国共产党章程": "party-constitution-2022.txt",
    "中国共产党党员教育管理工作条例": "member-education-regulations-2019.txt",
    "中国共产党纪律处分条例": "disciplinary-regulations-2023.txt",
    "关于新形势下党内政治生活的若干准则": "political-life-guidelines-2016.txt",
    "中国共产党廉洁自律准则": "integrity-self-discipline-2015.txt",
    "党的二十大报告": "twentieth-congress-report-2022.txt",
}
#: The part before the first article that a document's sources may cite by name.
PREAMBLES = {"中国共产党章程": "总纲", "中国共产党廉洁自律准则": "导语"}

NUMBER = "[一二三四五六七八九十百零]+"
#: an article, optionally one of its items: 第十条, 第十条（三）
ARTICLE = re.compile(rf"(第{NUMBER}条)((?:（[一二三四五六七八九十]+）)?)")
#: a range of articles: 第一条至第四条
RANGE = re.compile(rf"(第{NUMBER}条)至(第{NUMBER}条)")
#: a section by its heading, optionally one numbered part of it: “七、坚持全面依法治国…”（三）
SECTION = re.compile(r"“([一二三四五六七八九十]+、[^”]+)”((?:（[一二三四五六七八九十]+）)?)")
#: a quotation in an explanation: “…”, possibly holding ‘…’ or “…” (the text's own quotes)
QUOTE = re.compile(r"“((?:[^“”‘’]|‘[^‘’]*’|“[^“”]*”)+)”")

needs_texts = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason="the reference texts (../shared/reference/) are not here"
)


@functools.cache
def _questions(name: str) -> list[dict]:
    """The questions of one bank file (read once; tests only read them)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((QUESTIONS / name).read_text(encoding="utf-8"), Loader=loader)["questions"]


def _bank() -> list[dict]:
    return [q for name in FILES for q in _questions(name)]


def _body(text: str) -> str:
    """A reference file without its header (a block between ==== lines, else the lines up to
    the first blank one): quotations must come from the document, not from the notes on it."""
    if text.startswith("===="):
        return re.split(r"(?m)^=+\s*$", text, maxsplit=2)[2]
    return text.split("\n\n", 1)[1]


@functools.cache
def _texts() -> dict[str, str]:
    """Document title -> the body of its reference text."""
    return {
        title: _body((REFERENCE / name).read_text(encoding="utf-8"))
        for title, name in DOCUMENTS.items()
    }


def _flat(text: str) -> str:
    """Compare wording, not layout: no whitespace, inner quotes folded to outer ones."""
    return re.sub(r"\s+", "", text).replace("‘", "“").replace("’", "”")


def _articles(text: str) -> dict[str, str]:
    """Article heading (第X条) -> the article's text, in the order of the text."""
    parts = re.split(rf"(?m)^(第{NUMBER}条)[\s　]", text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _item(body: str, item: str) -> str | None:
    """The numbered item or part （三） of an article's or a section's text, if it has one."""
    found = re.search(rf"(?m)^{item}", body)
    if not found:
        return None
    return re.split(r"(?m)^（[一二三四五六七八九十]+）", body[found.end() :], maxsplit=1)[0]


def _section(text: str, heading: str) -> str | None:
    """The text of the section whose heading line is ``heading`` (一、…), if there is one."""
    found = re.search(rf"(?m)^{re.escape(heading)}\s*$", text)
    if not found:
        return None
    return re.split(r"(?m)^[一二三四五六七八九十]+、", text[found.end() :], maxsplit=1)[0]


def _cite(source: str, texts: dict[str, str]) -> tuple[str, str, list[str]]:
    """What a source cites: (the document's text, the cited part's text, the pieces of the
    source that the text does not hold)."""
    match = re.match(r"《(.+?)》", source)
    if not match or match.group(1) not in texts:
        return "", "", [source]
    document = match.group(1)
    text = texts[document]
    articles = _articles(text)
    rest = source[match.end() :]
    scope, unknown = [], []
    for first, last in RANGE.findall(rest):
        order = list(articles)
        if first in order and last in order and order.index(first) < order.index(last):
            scope += [articles[a] for a in order[order.index(first) : order.index(last) + 1]]
        else:
            unknown.append(f"{first}至{last}")
    rest = RANGE.sub("", rest)
    # Articles (第十三条), then sections (“七、…”), each maybe narrowed to a part (（三）).
    for pattern, body_of in ((ARTICLE, articles.get), (SECTION, lambda h: _section(text, h))):
        for name, item in pattern.findall(rest):
            body = body_of(name)
            part = body if body is None or not item else _item(body, item)
            if part is None:
                unknown.append(name + item)
            else:
                scope.append(part)
        rest = pattern.sub("", rest)
    preamble = PREAMBLES.get(document)
    if preamble and rest.startswith(preamble):
        scope.append(re.split(r"(?m)^第一章|^第一条[\s　]", text, maxsplit=1)[0])
        rest = rest[len(preamble) :]
    if re.sub(r"[、和]", "", rest):
        unknown.append(rest)
    elif not scope and not unknown:
        unknown.append("(no article or section)")
    return text, "".join(scope), unknown


def _source_problems(question: dict, texts: dict[str, str]) -> list[str]:
    return _cite(question["source"], texts)[2]


def _quote_problems(question: dict, texts: dict[str, str]) -> list[str]:
    """Quotations that are not the cited document's wording, or none from the cited part."""
    text, scope, unknown = _cite(question["source"], texts)
    if unknown:
        return ["(source not found)"]
    quotes = QUOTE.findall(question["explanation"])
    if not quotes:
        return ["(the explanation quotes nothing)"]
    parts = [p for quote in quotes for p in _flat(quote).split("……") if p]
    problems = [p for p in parts if p not in _flat(text)]
    if not any(p in _flat(scope) for p in parts):
        problems.append("(no quotation from the cited part)")
    return problems


def _fill_problems(question: dict, texts: dict[str, str]) -> list[str]:
    """The fill-in answers (first accepted wording of each blank) not in the cited part."""
    if question["type"] != "填空":
        return []
    scope = _flat(_cite(question["source"], texts)[1])
    firsts = [blank[0] if isinstance(blank, list) else blank for blank in question["answer"]]
    return [str(first) for first in firsts if _flat(str(first)) not in scope]


def _mix_problems(questions: list[dict]) -> list[str]:
    """How a file's mix of types, answers and difficulties falls short of the audit's rules."""
    problems = []
    types = Counter(q["type"] for q in questions)
    # A file of questions marked by hand (简答, 论述: essay-questions.yaml) has no mix of
    # graded types; a topic file has all four.
    graded = set(types) - {"简答", "论述"}
    if graded and graded != {"单选", "多选", "判断", "填空"}:
        problems.append(f"types {dict(types)}")
    multiple = [q for q in questions if q["type"] == "多选"]
    with_a = sum("A" in q["answer"] for q in multiple)
    if with_a > 0.7 * len(multiple):
        problems.append(f"{with_a} of {len(multiple)} 多选 include A")
    thin = [q["key"] for q in multiple if len(q["options"]) - len(q["answer"]) < 2]
    if thin:
        problems.append(f"多选 with fewer than two wrong options: {thin}")
    single = Counter(q["answer"] for q in questions if q["type"] == "单选")
    if single and max(single.values()) > 0.4 * sum(single.values()):
        problems.append(f"单选 answers {dict(single)}")
    hard = sum(q.get("difficulty", 2) >= 4 for q in questions)
    if hard < 0.25 * len(questions):
        problems.append(f"only {hard} of {len(questions)} at levels 4-5")
    flat = [q["key"] for q in questions if "/" not in q.get("category", "")]
    if flat:
        problems.append(f"no sub-category by chapter: {flat}")
    return problems


# ---------------------------------------------------------------- every file


@pytest.mark.parametrize("name", FILES)
def test_the_file_reads_without_a_problem(name):
    drafts, skipped = yaml_files.read(name, (QUESTIONS / name).read_bytes())
    assert not skipped
    assert [(d.location, d.problems) for d in drafts if d.problems] == []


#: What every question must hold against the texts it cites: the check listing where it does not.
TEXT_CHECKS = {
    "every_source_names_parts_its_text_holds": _source_problems,
    "every_explanation_quotes_the_cited_text_word_for_word": _quote_problems,
    "every_fill_in_answer_is_a_phrase_of_the_cited_text": _fill_problems,
}


@needs_texts
@pytest.mark.parametrize("check", TEXT_CHECKS.values(), ids=TEXT_CHECKS.keys())
@pytest.mark.parametrize("name", FILES)
def test_the_questions_agree_with_the_cited_texts(name, check):
    texts = _texts()
    bad = {q["key"]: p for q in _questions(name) if (p := check(q, texts))}
    assert bad == {}


@pytest.mark.parametrize("name", FILES)
def test_the_mix_of_types_answers_and_difficulties(name):
    assert _mix_problems(_questions(name)) == []


@pytest.mark.parametrize("name", FILES)
def test_keys_carry_one_prefix_per_file(name):
    prefixes = {q["key"].rsplit("-", 1)[0] for q in _questions(name)}
    assert len(prefixes) == 1, prefixes


# ---------------------------------------------------------------- the whole bank


def test_keys_and_prefixes_are_unique_in_the_bank():
    keys = [q["key"] for q in _bank()]
    assert [k for k, n in Counter(keys).items() if n > 1] == []
    prefixes = [{q["key"].rsplit("-", 1)[0] for q in _questions(name)} for name in FILES]
    assert len(set().union(*prefixes)) == len(FILES)


def _similar(a: str, b: str) -> float:
    """difflib's ratio of two stems, 0.0 when a cheap bound already says it is 0.9 or less."""
    if 2 * min(len(a), len(b)) <= 0.9 * (len(a) + len(b)):
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.quick_ratio() <= 0.9:
        return 0.0
    return matcher.ratio()


def test_no_stem_is_a_near_copy_of_another_in_the_bank():
    stems = [(q["key"], q["stem"]) for q in _bank()]
    pairs = [
        (key, other, round(ratio, 2))
        for i, (key, stem) in enumerate(stems)
        for other, other_stem in stems[i + 1 :]
        if (ratio := _similar(stem, other_stem)) > 0.9
    ]
    assert pairs == []


def test_the_whole_bank_imports_through_the_cli_and_the_demo(org, runner):
    total = len(_bank())
    result = runner.invoke(args=["questions", "import", str(QUESTIONS)])
    assert result.exit_code == 0, result.output
    assert f"{len(FILES)} files: {total} created, 0 updated, 0 unchanged, 0 rejected" in (
        result.output
    )
    # The demo loads the same files: every question is there already, none twice.
    assert load_starter_bank(org.bureau) == total


@needs_texts
def test_the_example_in_the_readme_is_made_up_and_passes_the_checks():
    readme = (QUESTIONS / "README.md").read_text(encoding="utf-8")
    example = yaml.safe_load(readme.split("```yaml")[1].split("```")[0])["questions"]
    assert not {q["key"] for q in example} & {q["key"] for q in _bank()}
    texts = _texts()
    for check in (_source_problems, _quote_problems, _fill_problems):
        assert {q["key"]: p for q in example if (p := check(q, texts))} == {}


# ---------------------------------------------------------------- the checks can fail

TEXTS = {
    "条例": "第一条 甲乙丙。\n第二条 原则：\n（一）丁戊己；\n（二）庚辛。\n第三条 壬癸。\n",
    "中国共产党章程": "总纲\n先锋队。\n第一章 党员\n第一条 年满十八岁。\n",
    "报告": "一、甲\n（一）子丑。\n（二）寅卯。\n二、乙\n（一）辰巳。\n",
}


def test_the_source_check_refuses_what_the_text_lacks():
    def unknown(source):
        return _cite(source, TEXTS)[2]

    assert unknown("《条例》第二条") == unknown("《条例》第二条（二）") == []
    assert unknown("《条例》第一条、第三条") == unknown("《条例》第一条至第三条") == []
    assert unknown("《条例》第四条") == ["第四条"]
    assert unknown("《条例》第二条（三）") == ["第二条（三）"]
    assert unknown("《条例》第一条（一）") == ["第一条（一）"]
    assert unknown("《条例》第三条至第一条") == ["第三条至第一条"]
    assert unknown("《条例》附录") == ["附录"]
    assert unknown("《条例》") == ["(no article or section)"]
    assert unknown("《条例》总纲") == ["总纲"]
    assert unknown("《中国共产党章程》总纲") == []
    assert unknown("《章程》第一条") == ["《章程》第一条"]
    assert unknown("《报告》“一、甲”（二）") == []
    assert unknown("《报告》“二、乙”（二）") == ["二、乙（二）"]
    assert unknown("《报告》“三、丙”") == ["三、丙"]


def test_the_quotation_and_fill_checks_refuse_other_wording_and_other_parts():
    def question(explanation, source="《条例》第二条（二）", answer=None):
        return {"type": "填空", "explanation": explanation, "source": source, "answer": answer}

    assert _quote_problems(question("原文：“庚辛”。"), TEXTS) == []
    assert _quote_problems(question("要求“庚……辛”，“甲乙”。"), TEXTS) == []
    assert _quote_problems(question("原文：“庚癸”。"), TEXTS) == [
        "庚癸",
        "(no quotation from the cited part)",
    ]
    assert _quote_problems(question("原文：“丁戊己”。"), TEXTS) == [
        "(no quotation from the cited part)"
    ]
    assert _quote_problems(question("原文：庚辛。"), TEXTS) == ["(the explanation quotes nothing)"]
    assert _quote_problems(question("“子丑”", "《报告》“一、甲”（一）"), TEXTS) == []
    assert _quote_problems(question("“先锋队”", "《中国共产党章程》总纲"), TEXTS) == []
    assert _quote_problems(question("“年满十八岁”", "《中国共产党章程》总纲"), TEXTS)
    assert _fill_problems(question("", answer=[["庚辛", "庚、辛"]]), TEXTS) == []
    assert _fill_problems(question("", answer=["丁戊"]), TEXTS) == ["丁戊"]


def test_the_mix_check_refuses_a_lopsided_file():
    def q(type_, answer, difficulty=4, options="ABCD"):
        return {
            "key": f"x-{answer}",
            "type": type_,
            "answer": answer,
            "options": dict.fromkeys(options, "…"),
            "difficulty": difficulty,
            "category": "甲/乙",
        }

    good = [q("单选", "A"), q("单选", "B"), q("单选", "C"), q("多选", "BC")]
    good += [q("判断", "对", 1), q("填空", ["甲"], 1)]
    assert _mix_problems(good) == []
    assert _mix_problems([*good, q("多选", "ABC")]) == [
        "多选 with fewer than two wrong options: ['x-ABC']"
    ]
    with_a = [q("多选", "AB"), q("多选", "AC"), q("多选", "AD")]
    assert _mix_problems([*good, *with_a]) == ["3 of 4 多选 include A"]
    assert _mix_problems([*good, q("单选", "A"), q("单选", "A")]) == [
        "单选 answers {'A': 3, 'B': 1, 'C': 1}"
    ]
    easy = [{**x, "difficulty": 3} for x in good]
    assert _mix_problems(easy) == ["only 0 of 6 at levels 4-5"]
    assert _mix_problems(good[:3]) == ["types {'单选': 3}"]


def test_the_similarity_check_sees_a_near_copy():
    stem = "根据《中国共产党纪律处分条例》，留党察看期限最长不得超过（  ）。"
    assert _similar(stem, stem.replace("根据", "按照")) > 0.9
    assert _similar(stem, "党员受到开除党籍处分，（  ）内不得重新入党。") == 0.0
