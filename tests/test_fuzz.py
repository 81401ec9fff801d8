"""No input may produce a 500 (issue 12 §3).

A deterministic table of hostile inputs goes to every JSON endpoint of the app and to every
upload form: each must answer below 500 with a Chinese message, and a refused request must
leave the tables it writes (and the upload folder) as they were. The JSON and upload
endpoints are found in the app (its URL map, its forms with a file field), so a new one fails
here until it is added to the tables below. Also: every ``<int:…>`` route with ids beyond the
id columns, and stored text that can't be encoded as UTF-8 on every page that shows it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from quizapp import db
from quizapp.attempts import services as attempt_services
from quizapp.bank.services import QuestionData, save_question
from quizapp.json_input import MAX_DEPTH, loads_strict
from quizapp.practice import services as practice_services
from quizapp.practice.models import DailyQuestion
from quizapp.quizzes.attempt_models import AttemptAnswer
from quizapp.routing import MAX_ID, IdConverter
from quizapp.study import minutes
from tests.conftest import PASSWORD
from tests.factories import NOW, make_campaign, make_questions, make_quiz

CHINESE = re.compile(r"[\u4e00-\u9fff]")
JSON_HEADERS = {"Accept": "application/json"}


def _login(app, login_id):
    client = app.test_client()
    response = client.post("/login", data={"login_id": login_id, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def _snapshot(tables: tuple[str, ...]) -> dict[str, list[str]]:
    """Every row of ``tables``, as text, in a stable order."""
    db.session.rollback()  # see what other connections committed
    return {
        table: sorted(
            repr(tuple(row)) for row in db.session.execute(text(f"SELECT * FROM {table}"))
        )
        for table in tables
    }


# ---------------------------------------------------------------------- ids in the URL


def _int_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IdConverter) for c in rule._converters.values())
    ]


def _url(rule, value) -> str:
    """The rule's path with every int argument ``value`` and the others something valid."""

    def fill(match: re.Match) -> str:
        converter, args = match.group(1) or "default", match.group(2) or ""
        if converter == "int":
            return str(value)
        if converter == "any":
            return args.split(",")[0].strip(" '\"")
        return "x"

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>", fill, rule.rule)


def test_every_int_converter_is_the_bounded_one(app):
    assert app.url_map.converters["int"] is IdConverter
    rules = [r for r in app.url_map.iter_rules() if "<int" in r.rule]
    assert len(rules) >= 60 and len(_int_rules(app)) == len(rules)


@pytest.mark.parametrize("value", [2**63, 2**31, 2**64 + 5, 10**40])
def test_ids_beyond_the_id_columns_are_404_on_every_route(app, org, value):
    """As an admin, so that without the bounded converter every view would run its query."""
    client = _login(app, "admin")
    failures = []
    for rule in _int_rules(app):
        url = _url(rule, value)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, headers=JSON_HEADERS)
            if response.status_code != 404:
                failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_largest_id_is_an_ordinary_missing_object(app, org):
    client = _login(app, "admin")
    failures = []
    for rule in _int_rules(app):
        url = _url(rule, MAX_ID)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = client.open(url, method=method, headers=JSON_HEADERS).status_code
            if status >= 500:
                failures.append(f"{method} {url}: {status}")
    assert not failures, "\n".join(failures)


#: Query strings every page reads in some form: huge numbers, bad dates, NUL, surrogates.
QUERIES = [
    "page="
    + "9" * 30
    + "&branch="
    + "9" * 30
    + "&category="
    + "9" * 30
    + "&member="
    + "9" * 30
    + "&difficulty="
    + "9" * 30
    + "&quiz="
    + "9" * 30
    + "&campaign="
    + "9" * 30,
    "q=%00%ED%A0%80&topic=%00&type=%00&state=%00&show=%00&kind=%00&status=%00",
    "page=-5&month=0&first=x&last=y&day=x",
    "month=9999-99&first=0000-00-00&last=9999-12-31",
    "month=2026-1&first=2026-11-01&last=2020-01-01",
    "recent=" + "-".join(["9" * 25] * 30),
]


def test_every_page_answers_hostile_query_strings_without_a_500(app, org):
    client = _login(app, "admin")
    failures = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "auth.logout"):
            continue
        for query in QUERIES:
            url = f"{_url(rule, 1)}?{query}"
            status = client.get(url, headers=JSON_HEADERS).status_code
            if status >= 500:
                failures.append(f"{url[:120]}: {status}")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------- the JSON reader


def _nested(depth: int, kind: str = "list") -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    "body",
    [
        _nested(MAX_DEPTH + 1),
        _nested(MAX_DEPTH + 1, "dict"),
        _nested(100_000),
        _nested(100_000, "dict"),
        '"\\ud800"',
        '["\\udfff"]',
        '{"\\ud800": 1}',
        "NaN",
        '{"seq": Infinity}',
        "[-Infinity]",
        b'"\xed\xa0\x80"',
        '["\ud800"]',
        b"\xff\xfe[",
    ],
)
def test_the_json_reader_refuses_what_no_view_could_store(body):
    with pytest.raises(ValueError):
        loads_strict(body)


@pytest.mark.parametrize(
    "body, value",
    [
        (_nested(MAX_DEPTH), json.loads(_nested(MAX_DEPTH))),
        ('"\\ud83d\\ude00 \\u4e2d"', "\U0001f600 中"),  # a surrogate pair is one character
        ('"\\\\ud800"', "\\ud800"),  # an escaped backslash, not a surrogate
        ('["' + "[{" * 100 + '"]', ["[{" * 100]),  # brackets in a string are no nesting
        ('{"seq": 123, "response": [0, 2]}', {"seq": 123, "response": [0, 2]}),
        ("\ufeff[1]".encode("utf-8-sig")[3:], [1]),
        ('["惩前毖后"]'.encode("utf-16"), ["惩前毖后"]),
    ],
)
def test_the_json_reader_reads_everything_else_as_before(body, value):
    assert loads_strict(body) == value


# ---------------------------------------------------------------------- the world


@dataclass
class World:
    attempt_id: int
    quiz_id: int
    fill_id: int  # a fill-in question on the attempt's paper
    single_id: int  # a single choice on the attempt's paper
    practice_id: int  # a fill-in question m1 may practise
    daily_id: int  # one of m1's daily questions today
    token: str  # m1's study token of the material
    campaign_id: int  # a training class of U1
    material_id: int


@pytest.fixture()
def world(org, material, time_machine) -> World:
    time_machine.move_to(NOW, tick=False)
    bank = make_questions(org.admin, n_each=1)
    quiz = make_quiz(org.admin, [org.u1], questions=[bank[t][0] for t in bank])
    attempt, _ = attempt_services.start_attempt(org.m1, quiz, NOW)
    practice = save_question(
        org.admin,
        QuestionData(
            type="fill",
            stem="练习题：坚持____、治病救人。",
            options=[],
            answer=[["惩前毖后"]],
            category_path="测试/练习",
            key="p-fill",
        ),
    )
    save_question(
        org.admin,
        QuestionData(
            type="single",
            stem="练习题：党的最高领导机关是（  ）。",
            options=["全国代表大会", "中央委员会"],
            answer=0,
            category_path="测试/练习",
            key="p-single",
        ),
    )
    daily = practice_services.draw_daily_questions(org.m1, NOW)
    db.session.commit()
    campaign = make_campaign(
        org.org1,
        "入党积极分子培训班",
        NOW.date(),
        NOW.date(),
        kind="training_class",
        minutes=60,
    )
    db.session.commit()
    assert daily, "the daily draw needs practisable questions"
    return World(
        attempt.id,
        quiz.id,
        bank["fill"][0].id,
        bank["single"][0].id,
        practice.id,
        daily[0].question_id,
        minutes.issue_token(org.m1.id, material),
        campaign.id,
        material.id,
    )


# ---------------------------------------------------------------------- hostile JSON bodies

HUGE = 10**30
SEQS = [
    None,
    True,
    False,
    0,
    -1,
    -(2**31),
    2**31,
    2**31 - 1,
    2**53 + 1,
    2**63,
    2**63 - 1,
    2**64,
    -(2**63) - 1,
    HUGE,
    1.5,
    1.0,
    -0.0,
    1e308,
    5e-324,
    "1",
    "",
    "一",
    "５",
    "0x10",
    "1e3",
    " 5",
    "NaN",
    "Infinity",
    "9" * 5000,
    [],
    [1],
    {},
    {"a": 1},
    [[[1]]],
]
RESPONSES = [
    None,
    True,
    False,
    0,
    -1,
    7,
    2**31,
    2**63,
    2**64,
    -(2**63) - 1,
    HUGE,
    1.5,
    1e308,
    "",
    "A",
    "0",
    "惩前毖后",
    [],
    [0, 0],
    [-1],
    [2**63],
    [1.5],
    [True],
    [None],
    [[0]],
    [{}],
    {"0": 1},
    list(range(1000)),
    [0] * 10_000,
    [""] * 300,
    ["惩前毖后", "多余"],
    ["\x00"],
    ["a\x00b"],
    ["\x07\x1b[31m"],
    ["\u202e反转"],
    ["\ufeff"],
    ["\uffff"],
    ["x" * 201],
    ["x" * 1_000_000],
    ["<script>x</script>"],
    ["' OR 1=1 --"],
    ["{{7*7}}"],
    ["\U0001f600"],
    [" "],
    ["\t\n"],
    "true",
    {"": ""},
    [[]],
    [["x"]],
    ["x", None],
    [1, "x"],
    [-0.0],
    [5e-324],
    ["%00"],
    ["../../etc/passwd"],
    ["\r\n"],
    ["\u2028"],
    ["\u0085"],
    ["\U0010ffff"],
    ["\ufdd0"],
    ["\u0301"],
    ["Ａ"],
    ["中" * 200],
    ["中" * 201],
    [" " * 201],
    ["\x7f"],
    ["\x1f"],
    [""],
    [[], []],
    {"response": ["x"]},
    [{"seq": 1}],
]


def _raw_bodies() -> list[tuple[str, bytes, str]]:
    """(name, body, content type) of bodies no serializer would write."""
    j = "application/json"
    cases = [
        ("empty", b"", j),
        ("space", b"   ", j),
        ("null", b"null", j),
        ("true", b"true", j),
        ("zero", b"0", j),
        ("string", b'"seq"', j),
        ("list", b"[]", j),
        ("object", b"{}", j),
        ("open brace", b"{", j),
        ("open bracket", b"[", j),
        ("close", b"}", j),
        ("single quotes", b"{'seq': 1, 'response': 0}", j),
        ("bare keys", b"{seq: 1}", j),
        ("trailing comma", b'{"seq": 1, "response": 0,}', j),
        ("comment", b'{"seq": 1 /* x */, "response": 0}', j),
        ("NaN seq", b'{"seq": NaN, "response": 0}', j),
        ("Infinity seq", b'{"seq": Infinity, "response": 0}', j),
        ("-Infinity seq", b'{"seq": -Infinity, "response": 0}', j),
        ("NaN response", b'{"seq": 5, "response": NaN}', j),
        ("Infinity response", b'{"seq": 5, "response": [Infinity]}', j),
        ("1e999 seq", b'{"seq": 1e999, "response": 0}', j),
        ("-1e999 seq", b'{"seq": -1e999, "response": 0}', j),
        ("4301 digits", b'{"seq": ' + b"9" * 4301 + b', "response": 0}', j),
        ("100k digits", b'{"seq": ' + b"9" * 100_000 + b', "response": 0}', j),
        ("long fraction", b'{"seq": 1.' + b"5" * 100_000 + b', "response": 0}', j),
        ("hex number", b'{"seq": 0x10, "response": 0}', j),
        ("leading zero", b'{"seq": 010, "response": 0}', j),
        ("plus sign", b'{"seq": +1, "response": 0}', j),
        ("duplicate keys", b'{"seq": 1, "seq": 2, "response": 0, "response": ["x"]}', j),
        ("lone high surrogate", b'{"seq": 5, "response": ["\\ud800"]}', j),
        ("lone low surrogate", b'{"seq": 5, "response": ["\\udc00"]}', j),
        ("reversed pair", b'{"seq": 5, "response": ["\\udc00\\ud800"]}', j),
        ("surrogate key", b'{"seq": 5, "response": ["x"], "\\ud800": 1}', j),
        ("surrogate token", b'{"token": "\\ud800", "resume": true}', j),
        ("encoded surrogate bytes", b'{"seq": 5, "response": ["\xed\xa0\x80"]}', j),
        ("invalid utf-8", b'{"seq": 5, "response": ["\xff\xfe"]}', j),
        ("overlong utf-8", b'{"seq": 5, "response": ["\xc0\xaf"]}', j),
        ("latin-1", '{"seq": 5, "response": ["é"]}'.encode("latin-1"), j),
        ("gbk", '{"seq": 5, "response": ["惩前毖后"]}'.encode("gbk"), j),
        ("utf-16", '{"seq": 5, "response": ["惩前毖后"]}'.encode("utf-16"), j),
        ("utf-32", '{"seq": 5, "response": ["惩前毖后"]}'.encode("utf-32"), j),
        ("bom", b'\xef\xbb\xbf{"seq": 5, "response": ["x"]}', j),
        ("raw null byte", b'{"seq": 5, "response": ["a\x00b"]}', j),
        ("raw control char", b'{"seq": 5, "response": ["a\x01b"]}', j),
        ("raw newline in string", b'{"seq": 5, "response": ["a\nb"]}', j),
        ("null byte outside", b'{"seq": 5,\x00 "response": ["x"]}', j),
        ("only null bytes", b"\x00" * 64, j),
        ("binary", bytes(range(256)) * 4, j),
        ("two documents", b'{"seq": 5, "response": ["x"]} {"seq": 6}', j),
        ("garbage after", b'{"seq": 5, "response": ["x"]}garbage', j),
        ("deep list 33", b'{"seq": 5, "response": ' + _nested(33).encode() + b"}", j),
        ("deep dict 33", b'{"seq": 5, "response": ' + _nested(33, "dict").encode() + b"}", j),
        ("deep list 1000", _nested(1000).encode(), j),
        ("deep dict 1000", _nested(1000, "dict").encode(), j),
        ("deep list 100k", _nested(100_000).encode(), j),
        ("deep dict 100k", _nested(100_000, "dict").encode(), j),
        ("deep response 100k", b'{"seq": 5, "response": ' + _nested(100_000).encode() + b"}", j),
        ("unclosed deep", b"[" * 200_000, j),
        ("deep token", b'{"token": ' + _nested(5000, "dict").encode() + b"}", j),
        ("wide list", b'{"seq": 5, "response": [' + b"0," * 500_000 + b"0]}", j),
        ("wide object", b"{" + b",".join(b'"k%d": 0' % i for i in range(50_000)) + b"}", j),
        ("huge string", b'{"seq": 5, "response": ["' + b"x" * 5_000_000 + b'"]}', j),
        ("huge key", b'{"' + b"k" * 1_000_000 + b'": 1, "seq": 5, "response": ["x"]}', j),
        ("many escapes", b'{"seq": 5, "response": ["' + b"\\u4e2d" * 100_000 + b'"]}', j),
        ("bad escape", b'{"seq": 5, "response": ["\\x41"]}', j),
        ("short unicode escape", b'{"seq": 5, "response": ["\\u12"]}', j),
        ("form body", b"seq=5&response=0", "application/x-www-form-urlencoded"),
        ("form token", b"token=%00%ff&resume=1", "application/x-www-form-urlencoded"),
        ("form surrogate", b"token=%ED%A0%80", "application/x-www-form-urlencoded"),
        ("form huge", b"token=" + b"a" * 2_000_000, "application/x-www-form-urlencoded"),
        (
            "form many fields",
            b"&".join(b"f%d=1" % i for i in range(20_000)),
            "application/x-www-form-urlencoded",
        ),
        ("text/plain json", b'{"seq": 5, "response": ["x"]}', "text/plain"),
        ("no content type", b'{"seq": 5, "response": ["x"]}', ""),
        ("json charset utf-16", '{"seq": 5}'.encode("utf-16"), "application/json; charset=utf-16"),
        ("json bogus charset", b'{"seq": 5}', "application/json; charset=klingon"),
        ("vendor json", b'{"seq": 5, "response": ["x"]}', "application/vnd.api+json"),
        (
            "multipart garbage",
            b"--x\r\nContent-Disposition: form-data\r\n\r\n",
            "multipart/form-data; boundary=x",
        ),
        ("multipart no boundary", b"garbage", "multipart/form-data"),
        ("xml", b"<?xml version='1.0'?><seq>5</seq>", "application/xml"),
        ("unclosed object", b'{"seq": 5, "response": ["x"]', j),
        ("unclosed string", b'{"seq": 5, "response": ["x', j),
        ("list trailing comma", b'{"seq": 5, "response": [1,]}', j),
        ("exponent seq", b'{"seq": 1E400, "response": ["x"]}', j),
        ("negative zero seq", b'{"seq": -0, "response": ["x"]}', j),
        ("nbsp before", '\u00a0{"seq": 5, "response": ["x"]}'.encode(), j),
        ("megabyte of spaces", b" " * 1_000_000 + b'{"seq": 5, "response": ["x"]}', j),
        ("true/false words", b'{"seq": True, "response": False}', j),
        ("python none", b'{"seq": 5, "response": None}', j),
        ("undefined", b'{"seq": 5, "response": undefined}', j),
    ]
    cases += [(f"junk {i}", bytes((i * 37 + k * 11) % 256 for k in range(97)), j) for i in range(8)]
    return cases


def _structured_bodies() -> list[tuple[str, bytes, str]]:
    """(name, body, content type) of well-formed JSON with values of every wrong kind."""
    cases = []
    for seq in SEQS:
        cases.append((f"seq={seq!r:.30}", {"seq": seq, "response": ["x"]}))
    for response in RESPONSES:
        cases.append((f"response={response!r:.30}", {"seq": 7, "response": response}))
    cases += [
        ("no seq", {"response": ["x"]}),
        ("no response", {"seq": 7}),
        ("extra keys", {"seq": 7, "response": ["x"], "member_id": 1, "score": 100}),
        ("token int", {"token": 1}),
        ("token list", {"token": ["x"]}),
        ("token null", {"token": None}),
        ("token empty", {"token": ""}),
        ("token forged", {"token": "eyJhbGciOi.forged.sig"}),
        ("token huge", {"token": "x" * 1_000_000}),
        ("token null byte", {"token": "a\x00b"}),
        ("resume string", {"token": "x", "resume": "yes"}),
        ("resume object", {"token": "x", "resume": {"a": 1}}),
        ("list body", [{"seq": 7, "response": ["x"]}]),
        ("string body", "seq"),
        ("number body", 7),
        ("true body", True),
        ("null body", None),
    ]
    return [(name, json.dumps(body).encode(), "application/json") for name, body in cases]


BODIES = _raw_bodies() + _structured_bodies()
#: Path ids that are not ids: each must be 404 (or 405), never a 500.
BAD_IDS = [
    "-1",
    "1.5",
    "true",
    "1e3",
    "0x1",
    "+1",
    " 1",
    "%00",
    "%ED%A0%80",
    "9" * 20,
    "9" * 5000,
    "null",
    "undefined",
    "..%2F..%2Fetc",
    "1;",
    "NaN",
    "1%0A",
    "[1]",
]
#: Odd spellings of numbers Werkzeug reads as ids (Unicode digits): they just mustn't fail.
ODD_IDS = ["0", "01", "0001", "２", "٣", str(MAX_ID)]


@dataclass(frozen=True)
class Endpoint:
    """A JSON endpoint: how to reach it in the world, and the tables it writes."""

    name: str
    method: str
    path: str  # formatted with the world's fields; "{id}" is where BAD_IDS go
    tables: tuple[str, ...]


ACTIVITY = (
    "attempts",
    "attempt_answers",
    "prepared_papers",
    "wrong_answers",
    "daily_questions",
    "study_minutes",
)
JSON_ENDPOINTS = [
    Endpoint("api.start", "POST", "/api/quizzes/{id}/attempts", ACTIVITY),
    Endpoint("api.save_answer", "PUT", "/api/attempts/{attempt_id}/answers/{id}", ACTIVITY),
    Endpoint("api.submit", "POST", "/api/attempts/{id}/submit", ACTIVITY),
    Endpoint("api.show", "GET", "/api/attempts/{id}", ACTIVITY),
    Endpoint("api.leave", "POST", "/api/attempts/{id}/leave", ACTIVITY),
    Endpoint("study_api.heartbeat", "POST", "/api/study/heartbeat", ACTIVITY),
    Endpoint("practice.answer_question", "POST", "/practice/api/questions/{id}/answer", ACTIVITY),
    Endpoint("practice.answer_daily", "POST", "/practice/api/daily/{id}/answer", ACTIVITY),
]
#: The id each endpoint's "{id}" takes in the world.
IDS = {
    "api.start": "quiz_id",
    "api.save_answer": "fill_id",
    "api.submit": "attempt_id",
    "api.show": "attempt_id",
    "api.leave": "attempt_id",
    "practice.answer_question": "practice_id",
    "practice.answer_daily": "daily_id",
}


def test_the_table_is_big_enough_and_covers_every_json_endpoint(app):
    assert len(BODIES) >= 200
    found = {rule.endpoint for rule in app.url_map.iter_rules() if "/api/" in rule.rule}
    assert found == {e.name for e in JSON_ENDPOINTS}


def _error_of(response) -> str:
    if response.is_json:
        return (response.get_json(silent=True) or {}).get("message") or ""
    return response.get_data(as_text=True)


def _check(response, label, tables, before, failures) -> dict:
    """Record what is wrong with one answer; return the snapshot to compare the next with."""
    status = response.status_code
    if status >= 500:
        failures.append(f"{label}: {status}")
        return _snapshot(tables)
    if status >= 400:
        message = _error_of(response)
        if not CHINESE.search(message):
            failures.append(f"{label}: {status} without a Chinese message: {message[:80]!r}")
        after = _snapshot(tables)
        if after != before:
            failures.append(
                f"{label}: refused ({status}) but wrote "
                f"{[t for t in tables if after[t] != before[t]]}"
            )
        return after
    return _snapshot(tables)  # taken: the next case compares with the new state


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS, ids=lambda e: e.name)
def test_json_endpoints_answer_hostile_bodies_without_a_500(app, org, world, endpoint):
    client = _login(app, "m1")
    fields = vars(world) | {"id": getattr(world, IDS.get(endpoint.name, "attempt_id"))}
    url = endpoint.path.format(**fields)
    failures: list[str] = []
    before = _snapshot(endpoint.tables)
    for name, body, content_type in BODIES:
        headers = dict(JSON_HEADERS)
        if content_type:
            headers["Content-Type"] = content_type
        response = client.open(url, method=endpoint.method, data=body, headers=headers)
        before = _check(response, f"{endpoint.name} [{name}]", endpoint.tables, before, failures)
    if "{id}" in endpoint.path:
        for bad in BAD_IDS + ODD_IDS:
            bad_url = endpoint.path.format(**(fields | {"id": bad}))
            response = client.open(
                bad_url,
                method=endpoint.method,
                headers=JSON_HEADERS,
                json={"seq": 5, "response": ["x"], "token": world.token},
            )
            if bad in BAD_IDS and response.status_code not in (404, 405):
                failures.append(f"{endpoint.name} [id {bad[:20]}]: {response.status_code}")
            before = _check(
                response, f"{endpoint.name} [id {bad[:20]}]", endpoint.tables, before, failures
            )
    assert not failures, "\n".join(failures)


def test_deep_nesting_is_refused_on_the_hot_endpoints_with_the_usual_message(app, org, world):
    client = _login(app, "m1")
    deep = b'{"seq": 5, "token": "x", "response": ' + _nested(5000).encode() + b"}"
    for url in (
        f"/api/attempts/{world.attempt_id}/answers/{world.fill_id}",
        f"/practice/api/questions/{world.practice_id}/answer",
        f"/practice/api/daily/{world.daily_id}/answer",
        "/api/study/heartbeat",
    ):
        method = "PUT" if "/answers/" in url else "POST"
        response = client.open(
            url,
            method=method,
            data=deep,
            headers=JSON_HEADERS | {"Content-Type": "application/json"},
        )
        assert response.status_code == 400, url
        assert "提交的内容无法识别" in response.get_json()["message"], url
        assert response.get_json()["error"] == "bad_request", url


def test_a_lone_surrogate_in_a_fill_answer_is_refused_and_not_stored(app, org, world):
    client = _login(app, "m1")
    url = f"/api/attempts/{world.attempt_id}/answers/{world.fill_id}"
    response = client.put(
        url,
        data=b'{"seq": 5, "response": ["\\ud800"]}',
        headers=JSON_HEADERS | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "提交的内容无法识别" in response.get_json()["message"]
    answer = db.session.get(AttemptAnswer, (world.attempt_id, world.fill_id))
    assert answer.response is None


# ---------------------------------------------------------------------- hostile uploads


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace_in_zip(content: bytes, name: str, chunks) -> bytes:
    """``content`` (a zip) with entry ``name`` written from the byte chunks ``chunks``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for item in source.infolist():
            if item.filename == name:
                with target.open(name, "w", force_zip64=True) as entry:
                    for chunk in chunks:
                        entry.write(chunk)
            else:
                target.writestr(item, source.read(item.filename))
    return out.getvalue()


def _zip_bomb() -> bytes:
    """A small .xlsx whose sheet XML inflates to 120 MB (blank rows, so it compresses ~1000:1)."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns='
        b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    blank = b"<row/>" * (1024 * 1024 // 6)
    chunks = [head, *[blank] * 120, b"</sheetData></worksheet>"]
    return _replace_in_zip(_xlsx([["题型", "题干", "答案"]]), "xl/worksheets/sheet1.xml", chunks)


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


_CACHE: dict[str, list[tuple[str, bytes]]] = {}


def _hostile_files() -> list[tuple[str, bytes]]:
    """(name, content) of files that are no good whatever their extension says."""
    if "files" in _CACHE:
        return _CACHE["files"]
    good_xlsx = _xlsx([["姓名", "警号", "题型", "题干", "答案"], ["张三", "001", "单选", "x", "A"]])
    with_text = io.BytesIO()
    with zipfile.ZipFile(with_text, "w") as archive:
        archive.writestr("a.txt", "not a workbook")
    far_cells = _replace_in_zip(
        good_xlsx,
        "xl/worksheets/sheet1.xml",
        [
            b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="XFD1" t="inlineStr"><is><t>'
            b'\xe5\xa7\x93\xe5\x90\x8d</t></is></c></row><row r="1048576"><c r="A1048576">'
            b"<v>1e308</v></c></row></sheetData></worksheet>"
        ],
    )
    entity_bomb = _replace_in_zip(
        good_xlsx,
        "xl/worksheets/sheet1.xml",
        [
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
            b'&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;'
            b'&c;&c;&c;&c;&c;&c;&c;&c;">]><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&d;'
            b"</t></is></c></row></sheetData></worksheet>"
        ],
    )
    external_entity = _replace_in_zip(
        good_xlsx,
        "xl/worksheets/sheet1.xml",
        [
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
            b"</sheetData></worksheet>"
        ],
    )
    files = [
        ("empty", b""),
        ("whitespace", b"  \r\n\t "),
        ("null bytes", b"\x00" * 4096),
        ("binary", bytes((i * 131 + 7) % 256 for i in range(8192))),
        ("png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("pdf", b"%PDF-1.7\n%garbage"),
        ("mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64),
        ("bom only", b"\xef\xbb\xbf"),
        ("invalid utf-8", b"\xff\xfe\xfd\xfc" * 100),
        ("encoded surrogate", b"\xed\xa0\x80\n"),
        ("control chars", b"\x01\x02\x03\x1b[31m\x7f\n"),
        ("one long line", b"x" * 3_000_000),
        ("many lines", b"x\n" * 200_000),
        ("gb18030 garbage", "姓名，警号\n".encode("gb18030") + b"\x81\x30\x81\x30\xfe"),
        ("utf-16", "姓名,警号\n张三,001\n".encode("utf-16")),
        ("html", b"<html><script>alert(1)</script></html>"),
        ("truncated xlsx", good_xlsx[: len(good_xlsx) // 2]),
        ("xlsx head only", good_xlsx[:100]),
        ("zip without workbook", with_text.getvalue()),
        ("xlsx zip bomb", _zip_bomb()),
        ("xlsx far cells", far_cells),
        ("xlsx entity bomb", entity_bomb),
        ("xlsx external entity", external_entity),
        (
            "xlsx formulas and errors",
            _xlsx(
                [
                    ["姓名", "警号", "题型", "题干", "答案"],
                    ["=1/0", '=HYPERLINK("x")', 1e308, -1e308, ""],
                ]
            ),
        ),
        (
            "xlsx 32767 chars",
            _xlsx(
                [
                    ["姓名", "警号", "题型", "题干", "答案"],
                    ["中" * 32767, "9" * 32767, "单选", "x" * 32767, "Z"],
                ]
            ),
        ),
        ("csv 1e6 columns", b"\xe5\xa7\x93\xe5\x90\x8d," + b"x," * 1_000_000 + b"\n"),
        ("csv huge field", b'"' + b"x" * 300_000 + b'"\n'),
        ("csv unbalanced quote", b'\xe5\xa7\x93\xe5\x90\x8d,"abc\n1,2\n'),
        ("csv nul", b"\xe5\xa7\x93\xe5\x90\x8d,\x00\n\x00,\x00\n"),
        (
            "csv 20000 rows",
            _csv(
                [["姓名", "警号", "手机号", "所属支部", "政治面貌"]]
                + [[f"人{i}", f"x{i}", "", "无此支部", "党员"] for i in range(20_000)]
            ),
        ),
        (
            "csv formula",
            _csv(
                [
                    ["姓名", "警号", "手机号", "所属支部", "政治面貌"],
                    ["=cmd|' /C calc'!A0", "@SUM(1)", "+1", "-1", "党员"],
                ]
            ),
        ),
        (
            "yaml alias bomb",
            b"a: &a [x,x,x,x,x,x,x,x,x]\n"
            + b"".join(
                b"%c: &%c [%s]\n" % (98 + i, 98 + i, b",".join([b"*%c" % (97 + i)] * 9))
                for i in range(8)
            )
            + b"questions: *i\n",
        ),
        ("yaml deep flow", b"questions: " + b"[" * 100_000 + b"]" * 100_000),
        ("yaml deep block", b"".join(b"  " * i + b"k%d:\n" % i for i in range(600))),
        ("yaml deep mapping", b"questions: " + b"{a: " * 50_000 + b"1" + b"}" * 50_000),
        ("yaml python tag", b"questions: !!python/object/apply:os.system ['true']\n"),
        ("yaml bad date", b"questions:\n- key: 2024-02-30\n"),
        ("yaml huge int", b"questions: [" + b"9" * 5000 + b"]\n"),
        ("yaml sexagesimal", b"questions: [1" + b":0" * 200_000 + b"]\n"),
        ("yaml surrogate escape", b'questions: ["\\ud800"]\n'),
        ("yaml many values", b"questions: [" + b"1," * 300_000 + b"1]\n"),
        ("yaml wrong shapes", b"questions:\n- [1, 2]\n- {type: [x], stem: {a: 1}}\n- ~\n"),
        ("yaml odd tags", "questions:\n- {type: 判断, stem: 题干, answer: 对, tags: 5}\n".encode()),
        ("gift braces", b"::t::" + b"{" * 100_000 + b"\n"),
        ("gift nested answers", b"::t:: q {" + b"=a ~b " * 100_000 + b"}\n"),
        ("gift escapes", b"::t:: q {" + b"\\" * 100_000 + b"}\n"),
        (
            "aiken many options",
            b"Q?\n" + b"".join(b"%c. x\n" % (65 + i % 26) for i in range(100_000)) + b"ANSWER: A\n",
        ),
        ("aiken answer only", b"ANSWER: Z\n" * 10_000),
        ("over 5 MB", b"x" * (5 * 1024 * 1024 + 1)),
    ]
    _CACHE["files"] = files
    return files


@dataclass(frozen=True)
class UploadForm:
    """An upload form: where to post, the other fields, the file field and its extensions."""

    name: str
    path: str  # formatted with the world's fields
    fields: dict
    file_field: str
    extensions: tuple[str, ...]
    form_class: str  # the form (module.Class) this covers


UPLOAD_FORMS = [
    UploadForm(
        "bank.import_questions",
        "/manage/bank/import",
        {},
        "file",
        ("xlsx", "csv", "docx", "gift", "txt", "yaml", "yml"),
        "quizapp.bank.forms.ImportForm",
    ),
    UploadForm(
        "bank.import_questions[preview]",
        "/manage/bank/import",
        {"preview": "y"},
        "file",
        ("docx",),
        "quizapp.bank.forms.ImportForm",
    ),
    UploadForm(
        "members.import_roster",
        "/manage/members/import",
        {},
        "file",
        ("xlsx", "csv"),
        "quizapp.members.forms.ImportForm",
    ),
    UploadForm(
        "members.import_roster[dry run]",
        "/manage/members/import",
        {"dry_run": "y"},
        "file",
        ("xlsx",),
        "quizapp.members.forms.ImportForm",
    ),
    UploadForm(
        "campaigns.roster",
        "/manage/campaigns/{campaign_id}/roster",
        {"action": "add", "entries": ""},
        "file",
        ("xlsx", "csv", "txt"),
        "quizapp.campaigns.forms.RosterForm",
    ),
    *[
        UploadForm(
            f"materials.{view}[{field}]",
            path,
            {
                "title": "党纪学习",
                "topic": "党纪学习教育",
                "body_markdown": "正文",
                "estimated_minutes": "10",
                "sort_order": "0",
                "branch_ids": "{u1_id}",
            },
            field,
            exts,
            "quizapp.study.forms.MaterialForm",
        )
        for view, path in (
            ("create", "/manage/materials/new"),
            ("edit", "/manage/materials/{material_id}/edit"),
        )
        for field, exts in (("pdf", ("pdf",)), ("video", ("mp4", "webm")))
    ],
]
#: (form feature, case) that fit the form's own rules and may be saved: a file of the right
#: kind by its first bytes, or no file on an otherwise valid material.
TAKEN = {
    ("materials", "pdf"),
    ("materials", "mp4"),
    ("materials", "no file"),
    ("materials", "file as text"),
    ("materials", "filename ''"),
}
#: Names that a browser may send for an uploaded file.
FILENAMES = [
    "",
    "../../../etc/passwd.{ext}",
    "a" * 5000 + ".{ext}",
    "x\x00.{ext}",
    "名单.{EXT}",
    ".{ext}",
    "x.{ext}.exe",
    "x.xls",
    "CON.{ext}",
    "x .{ext} ",
]


def _file_forms() -> set[str]:
    """Every form class of the app with a file field."""
    from flask_wtf import FlaskForm
    from flask_wtf.file import FileField

    found, stack = set(), [FlaskForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if any(
            isinstance(getattr(value, "field_class", None), type)
            and issubclass(value.field_class, FileField)
            for value in vars(cls).values()
        ):
            found.add(f"{cls.__module__}.{cls.__qualname__}")
    return found


def test_the_upload_table_covers_every_form_with_a_file_field(app):
    assert _file_forms() == {form.form_class for form in UPLOAD_FORMS}


def _page_errors(html: str) -> list[str]:
    """The error messages a page shows: flashes, field errors, an import's rejection."""
    found = re.findall(r'class="notice notice-error"[^>]*>(.*?)</div>', html, re.S)
    found += re.findall(r'class="field-error"[^>]*>(.*?)</p>', html, re.S)
    found += re.findall(r"<h2>([^<]*未导入[^<]*)</h2>", html)
    return [re.sub(r"<[^>]+>", "", message) for message in found]


def _outcome(client, response) -> tuple[int, list[str]]:
    """The status and the messages of a form post, following one redirect (a flash)."""
    status = response.status_code
    if status in (302, 303):
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        return status, re.findall(
            r'class="notice notice-(?:error|success)"[^>]*>(.*?)</div>', page, re.S
        )
    if status >= 400:
        return status, [_error_of(response)]
    html = response.get_data(as_text=True)
    # An import that found nothing to import says why (skipped questions, with reasons).
    return status, _page_errors(html) + re.findall(r"跳过 \d+ 道[^<]*", html)


def _uploaded_files(app) -> list[str]:
    root = Path(app.instance_path) / "uploads"
    return sorted(str(p) for p in root.rglob("*")) if root.exists() else []


@pytest.mark.parametrize("form", UPLOAD_FORMS, ids=lambda f: f.name)
def test_upload_forms_refuse_hostile_files_without_a_500(app, org, world, form):
    from quizapp.models import metadata

    tables = tuple(sorted(set(metadata.tables) - {"rate_limit_counters"}))
    client = _login(app, "org1")
    fields = vars(world) | {"u1_id": org.u1.id}
    url = form.path.format(**fields)
    data = {k: v.format(**fields) for k, v in form.fields.items()}
    feature = form.name.split(".")[0]
    cases = [
        (name, f"x.{ext}", content, ext)
        for name, content in _hostile_files()
        for ext in form.extensions
    ]
    cases += [
        (
            f"filename {n!r:.20}",
            n.format(ext=form.extensions[0], EXT=form.extensions[0].upper()),
            b"\x00garbage",
            form.extensions[0],
        )
        for n in FILENAMES
    ]
    cases += [
        ("no file", None, None, form.extensions[0]),
        ("file as text", "text", None, form.extensions[0]),
        ("two files", "two", b"x", form.extensions[0]),
    ]
    failures: list[str] = []
    before, files_before = _snapshot(tables), _uploaded_files(app)
    for name, filename, content, ext in cases:
        body = dict(data)
        if filename == "text":
            body[form.file_field] = "not a file"
        elif filename == "two":
            body[form.file_field] = [
                FileStorage(io.BytesIO(b"a"), f"a.{ext}"),
                FileStorage(io.BytesIO(b"b"), f"b.{ext}"),
            ]
        elif filename is not None:
            body[form.file_field] = FileStorage(io.BytesIO(content), filename)
        # Encoded here, in memory: the test client spools big bodies to files it never closes.
        boundary, payload = encode_multipart(body)
        response = client.post(
            url, data=payload, content_type=f"multipart/form-data; boundary={boundary}"
        )
        label = f"{form.name} [{name} as .{ext}]"
        status, messages = _outcome(client, response)
        if status >= 500:
            failures.append(f"{label}: {status}")
            continue
        if not any(CHINESE.search(m) for m in messages):
            failures.append(f"{label}: {status} without a Chinese message")
        after, files_after = _snapshot(tables), _uploaded_files(app)
        if (feature, name) not in TAKEN and (after != before or files_after != files_before):
            failures.append(f"{label}: {status}, wrote {messages}")
        before, files_before = after, files_after
    assert not failures, "\n".join(failures)


def test_a_nul_character_the_database_refuses_is_a_400(app, org, world):
    """PostgreSQL refuses NUL in text: a form or file that carries one is refused, not a 500."""
    client = _login(app, "org1")
    for url, data in (
        (f"/manage/campaigns/{world.campaign_id}/roster", {"action": "add", "entries": "a\x00b"}),
        ("/manage/members/?q=a%00b", None),
    ):
        response = client.post(url, data=data) if data else client.get(url)
        assert response.status_code < 500, url
        assert CHINESE.search(response.get_data(as_text=True))
    anonymous = app.test_client()
    response = anonymous.post("/login", data={"login_id": "m1\x00", "password": "x\x00"})
    assert response.status_code < 500


# ---------------------------------------------------------------------- zip bombs


@pytest.mark.parametrize(
    "read",
    [
        lambda content: __import__("quizapp.bank.formats.xlsx", fromlist=["read"]).read(
            "题目.xlsx", content
        ),
        lambda content: __import__("quizapp.members.roster_files", fromlist=["x"]).read_roster(
            "名单.xlsx", content
        ),
        lambda content: __import__("quizapp.campaigns.forms", fromlist=["x"]).read_entries(
            "名单.xlsx", content
        ),
        lambda content: __import__("quizapp.bank.formats.word", fromlist=["read"]).read(
            "题目.docx", content
        ),
    ],
    ids=["question import", "roster import", "training class list", "Word question import"],
)
def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated(app, read):
    from quizapp.errors import DomainError

    bomb = _zip_bomb()
    assert len(bomb) < 300_000
    with pytest.raises(DomainError, match="解压后超过 64 MB"):
        read(bomb)


# ---------------------------------------------------------------------- stored bad text

BAD_TEXT = "\ud800坏\udfff"


def test_pages_show_stored_text_utf8_cannot_encode(app, org, world):
    """A lone surrogate stored before the API refused it (bypassing it here) breaks no page."""
    answer = db.session.get(AttemptAnswer, (world.attempt_id, world.fill_id))
    answer.response, answer.seq = [BAD_TEXT], 5
    daily = next(
        row
        for row in db.session.query(DailyQuestion).filter_by(member_id=org.m1.id)
        if row.question.type == "fill"
    )
    daily.response, daily.is_correct, daily.answered_at = [BAD_TEXT], False, NOW
    db.session.commit()
    member = _login(app, "m1")
    for url in (
        f"/attempts/{world.attempt_id}",
        f"/api/attempts/{world.attempt_id}",
        "/practice/daily",
        "/practice/wrong",
    ):
        response = member.get(url)
        assert response.status_code == 200, url
    page = member.get(f"/attempts/{world.attempt_id}").get_data(as_text=True)
    assert "\ufffd坏\ufffd" in page

    attempt = attempt_services.get_attempt(org.m1, world.attempt_id, NOW)
    attempt_services.submit_attempt(attempt, NOW)
    db.session.commit()
    result = member.get(f"/attempts/{world.attempt_id}/result")
    assert result.status_code == 200 and "\ufffd坏\ufffd" in result.get_data(as_text=True)
    organiser = _login(app, "admin")
    for url in (
        f"/manage/results/quizzes/{world.quiz_id}",
        f"/manage/results/quizzes/{world.quiz_id}/items",
        f"/manage/results/quizzes/{world.quiz_id}/export.xlsx",
        f"/manage/members/{org.m1.id}",
    ):
        assert organiser.get(url).status_code == 200, url
