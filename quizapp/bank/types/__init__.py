"""Question types: each validates, reads, grades and shows its own answers.

One module per type holds its class; it is registered once, below. Its input macro lives in
``templates/questions/types/<code>.html`` and its client behaviour in
``static/js/types/<code>.js``. Everything else asks the registry: ``get_type(code)``,
``all_types()``, ``type_choices()``, ``default_points()``. Option indexes always refer to
the authored order; shuffling changes only the display.
"""

from quizapp.bank.types.base import (
    FORM_PARTS,
    LETTERS,
    MAX_OPTIONS,
    SURROGATES,
    AnswerFormatError,
    ChoiceType,
    QuestionType,
    normalise_text,
    printable,
)
from quizapp.bank.types.essay import Essay
from quizapp.bank.types.fill import FillInBlank, count_blanks, split_blanks
from quizapp.bank.types.multiple import MultipleChoice
from quizapp.bank.types.registry import (
    UnknownQuestionType,
    all_types,
    answer_text,
    default_points,
    display_text,
    find_type,
    get_type,
    graded,
    marked_type_codes,
    register,
    response_text,
    type_choices,
    type_from_label,
    type_names,
    unregister,
)
from quizapp.bank.types.single import SingleChoice
from quizapp.bank.types.truefalse import TrueFalse

# The built-in types, each registered once, in the order forms offer them.
for _type in (SingleChoice(), MultipleChoice(), TrueFalse(), FillInBlank(), Essay()):
    register(_type)
del _type

__all__ = [
    "FORM_PARTS",
    "LETTERS",
    "MAX_OPTIONS",
    "SURROGATES",
    "AnswerFormatError",
    "ChoiceType",
    "QuestionType",
    "UnknownQuestionType",
    "all_types",
    "answer_text",
    "count_blanks",
    "default_points",
    "display_text",
    "find_type",
    "get_type",
    "graded",
    "marked_type_codes",
    "normalise_text",
    "printable",
    "register",
    "response_text",
    "split_blanks",
    "type_choices",
    "type_from_label",
    "type_names",
    "unregister",
]
