"""The starter bank in questions/: it imports as a whole, and the files checked
against a reference text (../shared/reference/) cite articles that exist there,
quote it exactly and keep the mix of question types and difficulties the audit asked for.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from quizapp import PROJECT_ROOT
from quizapp.demo.quizzes import load_starter_bank

QUESTIONS = PROJECT_ROOT / "questions"
REFERENCE = PROJECT_ROOT.parent / "shared" / "reference"

# Documents a source (出处) may cite, and their reference text.
DOCUMENTS = {
    "中国共产党章程": "party-constitution-2022.txt",
    "中国共产党党员教育管理工作条例": "member-education-regulations-2019.txt",
    "中国共产党纪律处分条例": "disciplinary-regulations-2023.txt",
}
# Files whose every source and quotation is checked here.
CHECKED_FILES = ["party-constitution.yaml", "activist-basics.yaml"]

ARTICLE = re.compile(r"第[一二三四五六七八九十百零]+条")
ITEM = re.compile(r"(第[一二三四五六七八九十百零]+条)（([一二三四五六七八九十]+)）")
# A quotation in an explanation: “…”, possibly holding ‘…’ (the text's own “…”).
QUOTE = re.compile(r"“((?:[^“”‘’]|‘[^’]*’)+)”")


def _reference(name: str) -> str:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"reference text {path} not present")
    return path.read_text(encoding="utf-8")


def _flat(text: str) -> str:
    """Whitespace removed and inner quotes folded, for comparing quotations."""
    return re.sub(r"\s+", "", text).replace("‘", "“").replace("’", "”")


def _articles(text: str) -> dict[str, str]:
    """Article heading (第X条) -> the article's text, for a reference file."""
    parts = re.split(r"(?m)^(第[一二三四五六七八九十百零]+条)[\s　]", text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _questions(name: str) -> list[dict]:
    return yaml.safe_load((QUESTIONS / name).read_text(encoding="utf-8"))["questions"]


def test_the_whole_starter_bank_imports_with_unique_keys(org):
    keys = [q["key"] for f in sorted(QUESTIONS.glob("*.yaml")) for q in _questions(f.name)]
    assert len(keys) == len(set(keys)), [k for k, n in Counter(keys).items() if n > 1]
    assert load_starter_bank(org.bureau) == len(keys)


def _check_sources(questions: list[dict]) -> None:
    """Each source names a known document and articles (and items) that exist in it."""
    for q in questions:
        source = q["source"]
        match = re.match(r"《(.+?)》", source)
        assert match and match.group(1) in DOCUMENTS, (q["key"], source)
        text = _reference(DOCUMENTS[match.group(1)])
        articles = _articles(text)
        cited = ARTICLE.findall(source)
        assert cited or source.endswith("》总纲"), (q["key"], source)
        for article in cited:
            assert article in articles, (q["key"], article)
        for article, item in ITEM.findall(source):
            assert f"（{item}）" in articles[article], (q["key"], source)


def _check_quotes(questions: list[dict]) -> None:
    """Each quotation is in the cited document, and one at least in the cited article."""
    for q in questions:
        document = re.match(r"《(.+?)》", q["source"]).group(1)
        text = _reference(DOCUMENTS[document])
        cited = ARTICLE.findall(q["source"])
        articles = _articles(text)
        if cited:
            scope = _flat("".join(articles[a] for a in cited))
        else:  # 总纲: the text before 第一章
            scope = _flat(text.split("第一章")[0])
        quotes = QUOTE.findall(q["explanation"])
        assert quotes, (q["key"], "the explanation should quote the text")
        parts = [p for quote in quotes for p in _flat(quote).split("……") if p]
        for part in parts:
            assert part in _flat(text), (q["key"], part)
        assert any(part in scope for part in parts), (q["key"], "no quotation from", cited)


@pytest.mark.parametrize("name", CHECKED_FILES)
def test_every_source_names_an_article_or_item_that_exists(name):
    _check_sources(_questions(name))


@pytest.mark.parametrize("name", CHECKED_FILES)
def test_every_quotation_in_an_explanation_is_in_the_cited_text(name):
    _check_quotes(_questions(name))


@pytest.mark.parametrize("name", CHECKED_FILES)
def test_the_mix_of_types_answers_and_difficulties(name):
    questions = _questions(name)
    types = Counter(q["type"] for q in questions)
    assert set(types) == {"单选", "多选", "判断", "填空"}, types
    multiple = [q for q in questions if q["type"] == "多选"]
    with_a = sum("A" in q["answer"] for q in multiple)
    assert with_a <= 0.7 * len(multiple), f"{with_a} of {len(multiple)} 多选 include A"
    few_wrong = [q["key"] for q in multiple if len(q["options"]) - len(q["answer"]) < 2]
    assert len(few_wrong) <= 0.2 * len(multiple), few_wrong
    single = Counter(q["answer"] for q in questions if q["type"] == "单选")
    assert max(single.values()) <= 0.4 * sum(single.values()), single
    hard = sum(q.get("difficulty", 2) >= 4 for q in questions)
    assert hard >= 0.25 * len(questions), f"only {hard} of {len(questions)} at levels 4-5"
    assert all("/" in q.get("category", "") for q in questions), "sub-category by chapter"


def test_the_example_in_the_readme_is_made_up_and_cites_the_right_article():
    readme = (QUESTIONS / "README.md").read_text(encoding="utf-8")
    example = yaml.safe_load(readme.split("```yaml")[1].split("```")[0])
    real = {q["key"] for f in QUESTIONS.glob("*.yaml") for q in _questions(f.name)}
    assert not {q["key"] for q in example["questions"]} & real
    _check_sources(example["questions"])
    _check_quotes(example["questions"])
