"""Question types: reading answers as people write them, checking, parsing responses, grading."""

from __future__ import annotations

import pytest

from quizapp.bank.types import (
    AnswerFormatError,
    count_blanks,
    display_text,
    get_type,
    normalise_text,
    printable,
    split_blanks,
    type_from_label,
)

SINGLE, MULTIPLE = get_type("single"), get_type("multiple")
TRUEFALSE, FILL = get_type("truefalse"), get_type("fill")
OPTIONS = ["警告", "严重警告", "记过", "开除党籍"]
TWO_BLANKS = "党员受到警告处分____内、受到严重警告处分____内，不得在党内提拔职务。"


# ---------------------------------------------------------------- grading


def test_single_choice_scores_the_right_option_only():
    assert SINGLE.grade(2, 2, 5) == 5.0
    assert SINGLE.grade(2, 1, 5) == 0.0
    assert SINGLE.grade(2, None, 5) == 0.0
    assert SINGLE.grade(0, 0, 2.5) == 2.5


def test_multiple_choice_is_all_or_nothing_by_default():
    assert MULTIPLE.grade([0, 1, 3], [3, 1, 0], 4) == 4.0
    assert MULTIPLE.grade([0, 1, 3], [0, 1], 4) == 0.0
    assert MULTIPLE.grade([0, 1, 3], [0, 1, 2, 3], 4) == 0.0
    assert MULTIPLE.grade([0, 1, 3], [], 4) == 0.0
    assert MULTIPLE.grade([0, 1, 3], None, 4) == 0.0


def test_multiple_choice_partial_credit_gives_a_share_for_right_choices_only():
    assert MULTIPLE.grade([0, 1, 3], [0, 1], 3, partial=True) == 2.0
    assert MULTIPLE.grade([0, 1, 3], [3], 4, partial=True) == 1.33
    assert MULTIPLE.grade([0, 1, 3], [0, 1, 3], 4, partial=True) == 4.0
    # One wrong choice loses everything, however many right ones come with it.
    assert MULTIPLE.grade([0, 1, 3], [0, 1, 2], 3, partial=True) == 0.0
    assert MULTIPLE.grade([0, 1, 3], [], 3, partial=True) == 0.0


def test_true_false_compares_booleans_exactly():
    assert TRUEFALSE.grade(True, True, 2) == 2.0
    assert TRUEFALSE.grade(False, False, 2) == 2.0
    assert TRUEFALSE.grade(True, False, 2) == 0.0
    assert TRUEFALSE.grade(False, None, 2) == 0.0
    assert TRUEFALSE.grade(True, 1, 2) == 0.0  # 1 is not an answer of a true/false question


def test_fill_in_gives_each_blank_an_equal_share_and_accepts_alternatives():
    answer = [["一年", "1年"], ["一年半"]]
    assert FILL.grade(answer, ["一年", "一年半"], 4) == 4.0
    assert FILL.grade(answer, ["1年", "一年半"], 4) == 4.0
    assert FILL.grade(answer, ["两年", "一年半"], 4) == 2.0
    assert FILL.grade(answer, ["一年半", "一年"], 4) == 0.0  # blanks are matched in order
    assert FILL.grade([["a"], ["b"], ["c"]], ["a", "x", "c"], 1) == 0.67
    assert FILL.grade(answer, None, 4) == 0.0


@pytest.mark.parametrize(
    "given",
    [
        "ABC1",
        "ＡＢＣ１",  # full-width letters and digits
        "  ABC1 ",  # surrounding spaces
        "abc1",  # case
        "\u3000ＡＢＣ1\t",  # an ideographic space, mixed widths
    ],
)
def test_fill_in_ignores_width_surrounding_spaces_and_case(given):
    assert FILL.grade([["ABC1"]], [given], 2) == 2.0


def test_fill_in_does_not_accept_a_different_text():
    assert FILL.grade([["惩前毖后"]], ["惩前毖"], 2) == 0.0
    assert FILL.grade([["ABC1"]], ["AB C1"], 2) == 0.0


def test_normalise_text_collapses_inner_spaces_and_folds_punctuation():
    assert normalise_text("  中国  共产党 ") == "中国 共产党"
    assert normalise_text("（一）") == "(一)"


# ---------------------------------------------------------------- responses


def test_choice_responses_must_be_existing_option_indexes():
    assert SINGLE.parse_response(3, OPTIONS, "") == 3
    for raw in (4, -1, "1", True, None, 1.0, [1]):
        with pytest.raises(AnswerFormatError):
            SINGLE.parse_response(raw, OPTIONS, "")


def test_multiple_responses_are_sorted_and_deduplicated():
    assert MULTIPLE.parse_response([3, 0, 3], OPTIONS, "") == [0, 3]
    assert MULTIPLE.parse_response([], OPTIONS, "") == []
    for raw in ("0,3", 2, [0, 4], [0, True], None):
        with pytest.raises(AnswerFormatError):
            MULTIPLE.parse_response(raw, OPTIONS, "")


def test_true_false_responses_must_be_booleans():
    assert TRUEFALSE.parse_response(False, [], "") is False
    for raw in ("true", 1, 0, None, "对"):
        with pytest.raises(AnswerFormatError, match="对"):
            TRUEFALSE.parse_response(raw, [], "")


def test_fill_responses_need_one_text_per_blank():
    assert FILL.parse_response([" 一年 ", "一年半"], [], TWO_BLANKS) == ["一年", "一年半"]
    for raw in (["一年"], ["a", "b", "c"], "一年", [1, 2], None):
        with pytest.raises(AnswerFormatError, match="2 个空"):
            FILL.parse_response(raw, [], TWO_BLANKS)
    with pytest.raises(AnswerFormatError, match="200"):
        FILL.parse_response(["字" * 201, "b"], [], TWO_BLANKS)


def test_response_to_text_shows_unanswered_and_empty_blanks():
    assert SINGLE.response_to_text(None, OPTIONS) == "未作答"
    assert MULTIPLE.response_to_text([0, 3], OPTIONS) == "AD"
    assert TRUEFALSE.response_to_text(False, []) == "错"
    assert FILL.response_to_text(["一年", ""], []) == "一年；（空）"


# ---------------------------------------------------------------- answers as people write them


@pytest.mark.parametrize(
    "text, expected",
    [
        ("C", 2),
        ("c", 2),
        (" Ｃ ", 2),
    ],
)
def test_single_answer_from_text(text, expected):
    assert SINGLE.answer_from_text(text, OPTIONS, "") == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("AB", "只能有一个答案"),
        ("E", "不在选项中"),
        ("1", "选项字母"),
        ("", "选项字母"),
    ],
)
def test_single_answer_from_text_errors(text, message):
    with pytest.raises(ValueError, match=message):
        SINGLE.answer_from_text(text, OPTIONS, "")


@pytest.mark.parametrize("text", ["ABD", "DBA", "A,B,D", "A、B、D", "a b d", "ＡＢＤ", "ABDD"])
def test_multiple_answer_from_text(text):
    assert MULTIPLE.answer_from_text(text, OPTIONS, "") == [0, 1, 3]


def test_multiple_answer_needs_two_letters_among_the_options():
    with pytest.raises(ValueError, match="至少应有两个"):
        MULTIPLE.answer_from_text("A", OPTIONS, "")
    with pytest.raises(ValueError, match="不在选项中"):
        MULTIPLE.answer_from_text("AF", OPTIONS, "")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("对", True),
        ("正确", True),
        ("√", True),
        ("TRUE", True),
        ("t", True),
        ("错", False),
        ("错误", False),
        ("×", False),
        ("false", False),
        ("F", False),
    ],
)
def test_true_false_answer_from_text(text, expected):
    assert TRUEFALSE.answer_from_text(text, [], "") is expected


def test_true_false_answer_from_text_rejects_other_words():
    with pytest.raises(ValueError, match=r"对.*错"):
        TRUEFALSE.answer_from_text("也许", [], "")


def test_fill_answer_from_text_splits_blanks_and_alternatives():
    expected = [["一年", "1年"], ["一年半"]]
    assert FILL.answer_from_text("一年|1年；一年半", [], TWO_BLANKS) == expected
    assert FILL.answer_from_text(" a | b ;c", [], "") == [["a", "b"], ["c"]]
    with pytest.raises(ValueError, match="空白"):
        FILL.answer_from_text("一年；", [], TWO_BLANKS)


@pytest.mark.parametrize(
    "qtype, answer, options",
    [
        (SINGLE, 3, OPTIONS),
        (MULTIPLE, [0, 2], OPTIONS),
        (TRUEFALSE, True, []),
        (TRUEFALSE, False, []),
        (FILL, [["一年", "1年"], ["一年半"]], []),
    ],
)
def test_answer_to_text_is_the_inverse_of_answer_from_text(qtype, answer, options):
    assert qtype.answer_from_text(qtype.answer_to_text(answer, options), options, "") == answer


# ---------------------------------------------------------------- checking a question


def test_choice_checks():
    assert SINGLE.check("题干", OPTIONS, 1) == []
    assert "答案不在选项中" in SINGLE.check("题干", OPTIONS, 4)
    assert "答案不在选项中" in SINGLE.check("题干", OPTIONS, True)
    assert "选项有重复" in SINGLE.check("题干", ["警告", " 警告 "], 0)
    assert "选项应为 2 至 8 个" in SINGLE.check("题干", ["警告"], 0)
    assert "选项应为 2 至 8 个" in SINGLE.check("题干", [f"选项{i}" for i in range(9)], 0)
    assert "题干不能为空" in SINGLE.check("  ", OPTIONS, 0)
    assert MULTIPLE.check("题干", OPTIONS, [0, 1]) == []
    assert "多选题的答案应为至少两个不同的选项" in MULTIPLE.check("题干", OPTIONS, [1])
    assert "多选题的答案应为至少两个不同的选项" in MULTIPLE.check("题干", OPTIONS, [1, 1])


def test_true_false_and_fill_checks():
    assert TRUEFALSE.check("题干", [], False) == []
    assert "判断题不应有选项" in TRUEFALSE.check("题干", ["对", "错"], True)
    assert "判断题的答案应为“对”或“错”" in TRUEFALSE.check("题干", [], "对")
    assert FILL.check(TWO_BLANKS, [], [["一年"], ["一年半"]]) == []
    assert FILL.check("题干", [], [["答案"]]) == []  # no blank drawn: one at the end
    assert any("有 2 个空" in p for p in FILL.check(TWO_BLANKS, [], [["一年"]]))
    assert "填空题每个空至少要有一个答案" in FILL.check(TWO_BLANKS, [], [["一年"], [" "]])


def test_blanks_are_runs_of_three_underscores():
    assert count_blanks(TWO_BLANKS) == 2
    assert count_blanks("a__b") == 1
    assert split_blanks("a____b") == ["a", "b"]
    assert split_blanks("没有空") == ["没有空", ""]


def test_type_from_label():
    assert type_from_label("单选") is SINGLE
    assert type_from_label(" 多选题 ") is MULTIPLE
    assert type_from_label("TrueFalse") is TRUEFALSE
    assert type_from_label("填空题") is FILL
    assert type_from_label("问答") is None


def test_fill_never_takes_or_shows_text_utf8_cannot_encode():
    fill = FILL
    with pytest.raises(AnswerFormatError, match="无法识别的字符"):
        fill.parse_response(["\ud800"], [], "坚持____。")
    assert fill.parse_response(["\U0001f600 惩前毖后"], [], "坚持____。") == ["\U0001f600 惩前毖后"]
    # Stored before the check (or by hand): shown with U+FFFD, encodable as UTF-8.
    shown = fill.response_to_text(["惩前\ud800毖后", ""], [])
    assert shown == "惩前\ufffd毖后；（空）" and shown.encode("utf-8")
    assert display_text("fill", [["惩前\udfff"]], []) == "惩前\ufffd"
    assert printable("a\ud800b\udc00") == "a\ufffdb\ufffd" and printable(None) == ""
