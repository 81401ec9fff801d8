"""Tolerant 填空: what members type on phones is marked right when it means the key, and a
different answer stays wrong whatever it is folded by."""

from __future__ import annotations

import pytest

from quizapp.bank.types import get_type
from quizapp.bank.types.fill_match import chinese_number, comparison_key

FILL = get_type("fill")


# (the key as the author wrote it, what a member typed on a phone)
RIGHT = [
    ("红红脸出出汗", "红红脸 出出汗"),  # a space between two parts: the commonest phone input
    ("红红脸出出汗", "红红脸\u3000出出汗"),  # an ideographic space from a Chinese keyboard
    ("红红脸出出汗", "红红脸、出出汗"),
    ("红红脸、出出汗", "红红脸，出出汗"),
    ("红红脸、出出汗", "红红脸；出出汗"),
    ("红红脸、出出汗", "红红脸,出出汗"),
    ("红红脸、出出汗", "红红脸; 出出汗"),
    ("红红脸、出出汗", "红红脸出出汗"),
    ("惩前毖后", "惩前毖后。"),  # a trailing full stop
    ("惩前毖后", "惩前毖后."),
    ("惩前毖后", "“惩前毖后”"),  # typed inside quotes
    ("惩前毖后", "「惩前毖后」"),
    ("惩前毖后", "‘惩前毖后’。"),
    ("中国共产党章程", "《中国共产党章程》"),
    ("惩前毖后", "懲前毖後"),  # traditional characters
    ("五年", "5年"),
    ("5年", "五年"),
    ("十", "10"),
    ("十八", "18"),
    ("二十", "20"),
    ("九十九", "99"),
    ("一百", "100"),
    ("百", "100"),
    ("第十八次", "第 18 次"),
    ("两年", "2年"),
    ("两年", "二年"),
    ("一年半", "1年半"),
    ("ABC1", "ａｂｃ１"),  # full width and case
    ("三会一课", "3会1课"),
    ("三会一课", " 三会一课 "),
]

# (the key, a different answer that must stay wrong)
WRONG = [
    ("五年", "三年"),
    ("5年", "3年"),
    ("不得", "得"),  # nothing is ever dropped from inside an answer
    ("不", ""),
    ("惩前毖后", "惩前毖"),
    ("12", "1、2"),  # a separator between digits is kept
    ("1、2", "12"),
    ("ABC1", "AB C1"),  # a space between Latin letters is kept
    ("十一", "十"),
    ("二十一", "21年"),
    ("一二九", "129"),  # not a well-formed number: left as it is
    ("0.5", "5"),
    ("百分之五", "百分之五十"),
    ("党员", "党委"),
    ("红红脸出出汗", "红脸出汗"),
    ("“”", ""),  # a blank that folds to nothing is never right
    ("。", "。"),
]


@pytest.mark.parametrize(("key", "typed"), RIGHT)
def test_what_members_type_on_phones_is_right(key, typed):
    assert FILL.grade([[key]], [typed], 2) == 2.0
    assert FILL.part_marks([[key]], [typed]) == [True]


@pytest.mark.parametrize(("key", "typed"), WRONG)
def test_a_different_answer_stays_wrong(key, typed):
    assert FILL.grade([[key]], [typed], 2) == 0.0


def test_each_blank_is_folded_on_its_own_and_the_response_is_kept_as_typed():
    stem = "党员受到警告处分____内、受到严重警告处分____内，不得在党内提拔职务。"
    answer = [["一年"], ["一年半"]]
    response = FILL.parse_response(["1 年。", "“1年半”"], [], stem)
    assert response == ["1 年。", "“1年半”"]  # stored as typed
    assert FILL.grade(answer, response, 4) == 4.0
    assert FILL.response_to_text(response, []) == "1 年。；“1年半”"
    assert FILL.grade(answer, ["三年", "一年半"], 4) == 2.0


def test_alternatives_the_author_adds_are_still_accepted():
    answer = FILL.answer_from_text("一年|12个月", [], "开除党籍后____内不得重新入党。")
    assert answer == [["一年", "12个月"]]
    assert FILL.grade(answer, ["十二个月"], 2) == 2.0
    assert FILL.grade(answer, ["1年。"], 2) == 2.0
    assert FILL.display_answer(answer, []) == "一年 或 12个月"


@pytest.mark.parametrize(
    ("run", "number"),
    [
        ("零", 0),
        ("〇", 0),
        ("五", 5),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("九十九", 99),
        ("百", 100),
        ("一百", 100),
        ("一二九", None),
        ("十十", None),
        ("零十", None),
        ("十零", None),
        ("两十", None),
        ("二百", None),
        ("一百零一", None),
    ],
)
def test_chinese_numbers_in_the_safe_range(run, number):
    assert chinese_number(run) == number


def test_comparison_key_examples():
    assert comparison_key("“红红脸 出出汗。”") == "红红脸出出汗"
    assert comparison_key("1、2") == comparison_key("1，2") == "1、2"
    assert comparison_key("Party member") == "party member"
    assert comparison_key(".5") == ".5"


def test_a_lone_surrogate_is_compared_not_raised():
    # UTF-8 can't encode "\ud800": OpenCC would raise on it; the key folds it to U+FFFD.
    assert comparison_key("惩前\ud800毖后") == "惩前\ufffd毖后"
    assert get_type("fill").part_marks(["惩前毖后"], ["惩前\ud800毖后"]) == [False]
