"""Rounding of shown and exported figures: decimal 四舍五入 in one helper, and its filters."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import render_template_string

from quizapp.numbers import half_up, minutes, minutes_text, number_text, percent_text, rounded


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (1.125, 2, "1.13"),  # round() and "%.2f" give 1.12
        (0.725, 2, "0.73"),  # binary 0.72499…: round() gives 0.72
        (0.25, 1, "0.3"),  # "%.1f" gives 0.2
        (2.675, 2, "2.68"),
        (-1.125, 2, "-1.13"),  # a tie goes away from zero
        (7, 1, "7.0"),
    ],
)
def test_half_up_rounds_ties_up_as_chinese_reports_do(value, places, expected):
    assert str(half_up(value, places)) == expected
    assert rounded(value, places) == float(expected)


def test_number_text_drops_zeros_unless_fixed():
    assert number_text(1.125) == "1.13"
    assert number_text(12.5) == "12.5"
    assert number_text(6.0) == "6"
    assert number_text(0.25, 1, fixed=True) == "0.3"
    assert number_text(3, 1, fixed=True) == "3.0"
    assert number_text(-0.001) == "0"
    assert number_text(None) == "—"
    assert rounded(None, 1) is None


def test_percent_text_rounds_the_percentage_half_up():
    assert percent_text(0.0125) == "1.3%"  # "%.1f%%" % 1.25 gives 1.2%
    assert percent_text(0.00725, 2) == "0.73%"
    assert percent_text(2 / 7) == "28.6%"
    assert percent_text(1) == "100.0%"
    assert percent_text(0) == "0.0%"
    assert percent_text(None) == "—"
    assert percent_text(Decimal("0.5")) == "50.0%"


def test_minutes_keep_one_decimal_so_rows_add_up():
    assert minutes(90) == 1.5  # was cut to 1
    assert minutes(1470) == 24.5
    assert minutes(15) == 0.3  # 0.25 min, half up
    assert minutes(0) == 0.0
    assert minutes(None) is None
    assert minutes_text(90) == "1.5"
    assert minutes_text(120) == "2"
    assert minutes_text(None) == "—"
    assert sum(minutes(s) for s in (90, 30, 600)) == minutes(90 + 30 + 600)


def test_whole_seconds_give_the_minutes_the_decimal_rounding_gives():
    for seconds in [*range(0, 100_000), 10**9 + 3, 10**12 + 9]:
        expected = float(half_up(Decimal(seconds) / 60, 1))
        assert minutes(seconds) == expected and str(minutes(seconds)) == str(expected)
    assert minutes(-3) == -0.1 and str(minutes(-1)) == "-0.0"  # away from zero, as before
    assert minutes(90.0) == 1.5 and minutes(Decimal("15")) == 0.3


def test_templates_round_through_the_same_helper(app):
    with app.test_request_context():
        text = render_template_string(
            "{{ 0.0125 | pct }} {{ 1.125 | num }} {{ 0.25 | num(1, fixed=True) }} "
            "{{ 90 | minutes }} {{ none | pct }}"
        )
    assert text == "1.3% 1.13 0.3 1.5 —"
