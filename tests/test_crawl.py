"""Every page a role may use is reached by a link, and no link breaks.

A small bureau like the demo's (tests/conftest.py's tree: the bureau, U1 with B11 and B12, U2
with B21) with the bureau's and the units' quizzes, results, materials, campaigns, a training
class, offline study, a reflection, points and notices. Logged in as the admin, as U1's
organiser and as a member, the crawl starts from the home page and the management front page
and follows every same-origin ``<a href>`` breadth first (GET only; never logout; downloads
are fetched and their status checked, not parsed; each path with at most
:data:`QUERIES_PER_PATH` of its query strings). Then:

- no page answers 5xx, and (for the unit organiser) no link leads to a 404;
- every HTML page endpoint of the role (the GET rules of ``app.url_map`` under /manage for
  organisers, the others for members, less :data:`NOT_PAGES`) was reached by some link: a
  page nobody links to fails here (the results page did, until issue 14).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from quizapp import db
from quizapp.attempts import autosave
from quizapp.attempts import services as attempts
from quizapp.auth.session_ref import SessionRef
from quizapp.bank import services as bank_services
from quizapp.campaigns import services as campaign_services
from quizapp.certificates import services as certificate_services
from quizapp.deferrals import services as deferrals
from quizapp.marking import services as marking_services
from quizapp.notices.services import NoticeDraft, send_notice
from quizapp.quizzes.models import QuizKind, RankingWhen
from quizapp.reflections import services as reflection_services
from quizapp.regrade import services as regrade_services
from quizapp.reports import services as report_services
from quizapp.study import files
from quizapp.study.models import StudyMinute
from tests.conftest import TODAY
from tests.factories import (
    add_points,
    add_study,
    grant_makeup,
    make_campaign,
    make_material,
    make_questions,
    make_quiz,
    make_session,
)

#: Endpoints that are not pages a link must lead to, and why.
NOT_PAGES = {
    "static": "stylesheets, scripts and images, loaded by the pages themselves",
    "healthz": "for load balancers",
    "favicon": "the icon browsers ask for by themselves (and <link rel=icon>)",
    "service_worker": "the attempt page's offline shell, registered by sw-register.js",
    "auth.login": "the page of someone not logged in",
    "api.show": "JSON an attempt page's script reads",
    # Downloads: fetched when linked (their status is checked), but not pages.
    "bank.download_template": "a download (.xlsx)",
    "bank.download_word_template": "a download (.docx)",
    "bank.export": "a download (.xlsx)",
    "members.import_template": "a download (.csv/.xlsx)",
    "members.credentials_xlsx": "a download (.xlsx)",
    "results.export": "a download (.xlsx)",
    "participation.export": "a download (.xlsx/.csv)",
    "materials.download": "a file (PDF, video) shown on the material's page",
    "study.pdf": "a file (PDF) opened from the material's page",
    "study.video": "a file (video) played on the material's page",
}
#: Pages only admins use; a unit organiser gets 403 there.
ADMIN_ONLY = {"points.settings"}
#: Links never followed: they end the session.
NEVER_FOLLOW = ("/logout",)
#: Every path is visited, but only its first few query strings: filters multiply (a ranking
#: by month × branch × scope is hundreds of links to one page) while objects are in the path.
QUERIES_PER_PATH = 3


class _Links(HTMLParser):
    """Collect the ``href`` of every ``<a>``."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


@dataclass
class Crawl:
    """What a crawl found: each URL's status and endpoint, and where it was linked from."""

    status: dict[str, int] = field(default_factory=dict)
    endpoint: dict[str, str] = field(default_factory=dict)
    found_on: dict[str, str] = field(default_factory=dict)
    #: Endpoint -> the endpoints its pages link to.
    links: dict[str, set[str]] = field(default_factory=dict)

    def reached(self) -> set[str]:
        return {self.endpoint[url] for url, code in self.status.items() if code < 400}

    def broken(self, codes: set[int]) -> list[str]:
        return [
            f"{url} ({self.status[url]}, linked from {self.found_on.get(url)})"
            for url in self.status
            if self.status[url] in codes
        ]


def crawl(client, app, starts: list[str], per_endpoint: int | None = None) -> Crawl:
    """Follow every same-origin link breadth first from ``starts``; return what was found.

    ``per_endpoint`` caps the URLs visited per endpoint (links are still recorded).
    """
    adapter = app.url_map.bind("localhost")

    def endpoint_of(path: str) -> str:
        try:
            return adapter.match(path, method="GET")[0]
        except HTTPException:
            return "?"

    found = Crawl()
    queue = deque(starts)
    queued = set(starts)
    variants: dict[str, int] = {}
    visits: dict[str, int] = {}
    while queue:
        url = queue.popleft()
        response = client.get(url)
        source = found.endpoint[url] = endpoint_of(urlsplit(url).path)
        found.status[url] = response.status_code
        links: list[str] = []
        if response.status_code in (301, 302, 303) and response.location:
            links = [response.location]
        elif response.mimetype == "text/html" and "attachment" not in response.headers.get(
            "Content-Disposition", ""
        ):
            parser = _Links()
            parser.feed(response.get_data(as_text=True))
            links = parser.hrefs
        response.close()
        for href in links:
            target = urljoin(f"http://localhost{url}", href)
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or parts.netloc != "localhost":
                continue  # another site, mailto:, javascript:
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            target_endpoint = endpoint_of(parts.path)
            found.links.setdefault(source, set()).add(target_endpoint)
            if link.startswith(NEVER_FOLLOW) or link.startswith("/static/") or link in queued:
                continue
            if variants.get(parts.path, 0) >= QUERIES_PER_PATH:
                continue
            if per_endpoint is not None and visits.get(target_endpoint, 0) >= per_endpoint:
                continue
            variants[parts.path] = variants.get(parts.path, 0) + 1
            visits[target_endpoint] = visits.get(target_endpoint, 0) + 1
            queued.add(link)
            found.found_on[link] = url
            queue.append(link)
    return found


def page_endpoints(app, manage: bool) -> set[str]:
    """The GET endpoints of the organisers' pages (``manage``) or of the members' pages."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.rule.startswith("/manage") is manage
        and rule.endpoint not in NOT_PAGES
    }


# The world.


def _sit(member, quiz, question, now, *, submit=True, answer=1):
    """Answer ``question`` of ``quiz`` with ``answer`` (1: the factory's single choice
    answered rightly), then hand it in unless ``submit`` is false."""
    attempt, _ = attempts.start_attempt(member, quiz, now)
    db.session.commit()
    ref = SessionRef(member.id, member.session_version)
    autosave.save_answer(ref, attempt.id, question.id, answer, 1, now)
    if submit:
        attempts.submit_attempt(attempt, now + timedelta(minutes=5))
    db.session.commit()
    return attempt


@pytest.fixture()
def bureau(org, make_member):
    """The demo-like bureau the crawls walk (committed)."""
    now = datetime.now(UTC)
    u1a = make_member("u1a", org.b11, name="甲同志")
    u2a = make_member("u2a", org.b21, name="丙同志")
    bank = make_questions(org.admin, n_each=2)
    questions = [bank["single"][0], bank["truefalse"][0]]
    # Quizzes: the bureau's closed exam and open test, U1's competition and draft, U2's test.
    exam = make_quiz(
        org.admin,
        [org.bureau],
        questions=questions,
        title="局级考试",
        kind=QuizKind.EXAM,
        now=now - timedelta(days=3),
        lasts=timedelta(days=1),
    )
    test = make_quiz(org.admin, [org.bureau], questions=questions, title="局级测试", now=now)
    contest = make_quiz(
        org.org1,
        [org.u1],
        questions=questions,
        title="一分局知识竞赛",
        kind=QuizKind.COMPETITION,
        now=now,
        attempts_allowed=2,
        ranking_when=RankingWhen.LIVE,
    )
    make_quiz(org.org1, [org.b11], questions=questions, title="一分局草稿", publish=False)
    make_quiz(org.org2, [org.u2], questions=questions, title="二分局测试", now=now)
    # Not an exam's question: answered wrong, it goes to m1's wrong-answer book.
    practice = make_quiz(
        org.org1, [org.u1], questions=[bank["single"][1]], title="一分局测试", now=now
    )
    first = bank["single"][0]
    for member in (org.m1, u1a, u2a):
        _sit(member, exam, first, now - timedelta(days=3) + timedelta(minutes=10))
    _sit(org.m1, contest, first, now, answer=0)
    _sit(org.m1, practice, bank["single"][1], now, answer=0)
    _sit(org.m1, test, first, now, submit=False)  # in progress: 继续答题
    # 简答: U1's test with a written answer waiting (待阅卷); org1 named m1 its marker.
    essay = bank_services.save_question(
        org.org1,
        bank_services.QuestionData(
            type="essay",
            stem="简述严守纪律的要求。",
            options=[],
            answer={"reference": "严守政治纪律和政治规矩。", "points": ["政治纪律"]},
            category_path="警示教育",
        ),
    )
    written = make_quiz(org.org1, [org.u1], questions=[essay], title="一分局简答测试", now=now)
    attempt, _ = attempts.start_attempt(u1a, written, now)
    attempt.answers[0].response = "要严守政治纪律。"
    attempts.submit_attempt(attempt, now)
    # m1 handed in a blank paper first: a named marker marks once nothing is left to sit.
    own, _ = attempts.start_attempt(org.m1, written, now)
    attempts.submit_attempt(own, now)
    marking_services.add_marker(org.org1, written, org.m1, now)
    # 缓考: 甲同志 asks on U1's competition (pending: the organisers' 缓考审批 list); m1 was
    # granted a 补考 on U1's test (its record on the quiz's 缓考与补考 page).
    deferrals.request_deferral(u1a, contest, "call_out", "", now)
    grant_makeup(org.org1, practice, org.m1, "系统故障", now)
    # A question of U1's own, which its organiser may edit: m1 reports it, sits it on U1's
    # quiz, its key is corrected (a version) and U1's quiz regraded (issue 16, part 4).
    own_data = bank_services.QuestionData(
        type="truefalse",
        stem="一分局自编判断题。",
        options=[],
        answer=True,
        category_path="警示教育",
    )
    own = bank_services.save_question(org.org1, own_data)
    report_services.file_report(
        org.m1, own.id, report_services.ReportData("answer", "应为错误", "practice"), now, 3
    )
    own_quiz = make_quiz(org.org1, [org.u1], questions=[own], title="一分局自编测试", now=now)
    _sit(org.m1, own_quiz, own, now, answer=False)
    bank_services.save_question(org.org1, replace(own_data, answer=False), own)
    regrade_services.apply_regrade(org.org1, own, [own_quiz.id], False, 2, now)
    # Materials: the bureau's (with a PDF) and U1's; minutes on both.
    article = make_material(org, "局级学习资料", topic="党纪学习教育")
    files.store_pdf(article, "局级.pdf", b"%PDF-1.4 crawl")
    unit_article = make_material(
        org, "一分局学习资料", branches=[org.u1], owner=org.u1, topic="警示教育"
    )
    for material in (article, unit_article):
        add_study(org.m1, material, TODAY, 600)
    # Campaigns: the bureau's, requiring its material and exam; U1's training class.
    campaign = make_campaign(
        org.admin,
        "局级学习任务",
        TODAY - timedelta(days=5),
        TODAY + timedelta(days=20),
        30,
        branches=[org.bureau],
        materials=[article],
        quizzes=[(exam, False)],
    )
    campaign_services.set_published(org.admin, campaign, True)
    training = make_campaign(
        org.org1,
        "一分局培训班",
        TODAY - timedelta(days=5),
        TODAY + timedelta(days=20),
        10,
        kind="training_class",
        materials=[unit_article],
    )
    campaign_services.enrol_members(org.org1, training, [org.m1, u1a])
    campaign_services.set_published(org.org1, training, True)
    # m1 completed the training class: its 结业证书 (the member's page, the organiser's list).
    certificate_services.save_plan(
        org.org1,
        training,
        replace(certificate_services.default_plan(training), issued_on=TODAY - timedelta(days=1)),
        now,
    )
    assert certificate_services.issue_certificates(org.org1, training, now) == 1
    # Offline study, a reflection, points and a notice for m1.
    make_session(org.org1, org.b11, [org.m1, u1a])
    reflection_services.submit_reflection(
        org.m1, article, reflection_services.ReflectionData("学习心得", "学" * 300), now
    )
    add_points(org.m1, 5, TODAY)
    send_notice(NoticeDraft(org.m1.id, "reminder", "请按时学习", "", f"crawl:{org.m1.id}"), now)
    db.session.commit()
    assert db.session.query(StudyMinute).count() == 2
    return org


ORGANISER_STARTS = ["/", "/manage/"]
#: Where an organiser finds a quiz's results (issue 14), and its item statistics.
RESULTS_LINKED_FROM = {
    "results.quiz": ("dashboard.index", "quizzes.index", "quizzes.show", "participation.report"),
    "results.items": ("results.quiz",),
}


def assert_results_linked(found: Crawl) -> None:
    """Each page that must link to the results (or the item statistics) does."""
    for target, sources in RESULTS_LINKED_FROM.items():
        missing = [source for source in sources if target not in found.links.get(source, ())]
        assert not missing, f"no link to {target} on {missing}"


def test_the_admin_reaches_every_management_page(client, auth, app, bureau):
    auth.login("admin")
    # The whole bureau: a report per subject × node × period; the unit organiser's crawl
    # below follows every link, this one a sample of each endpoint's.
    found = crawl(client, app, ORGANISER_STARTS, per_endpoint=8)
    assert not found.broken(set(range(500, 600)))
    missing = page_endpoints(app, manage=True) - found.reached()
    assert not missing, f"no link leads to: {sorted(missing)}"
    assert_results_linked(found)


def test_a_unit_organiser_reaches_every_page_and_no_link_is_broken(client, auth, app, bureau):
    auth.login("org1")
    found = crawl(client, app, ORGANISER_STARTS)
    assert not found.broken(set(range(500, 600)) | {403, 404})
    missing = page_endpoints(app, manage=True) - ADMIN_ONLY - found.reached()
    assert not missing, f"no link leads to: {sorted(missing)}"
    assert_results_linked(found)
    # The bureau's work is read here; U2's never appears.
    titles = {url for url, endpoint in found.endpoint.items() if endpoint == "results.quiz"}
    assert len(titles) >= 3  # 局级考试, 局级测试, 一分局知识竞赛
    pages = "".join(client.get(url).get_data(as_text=True) for url in ("/manage/quizzes/",))
    assert "局级考试" in pages and "二分局测试" not in pages


def test_a_member_reaches_every_member_page(client, auth, app, bureau):
    auth.login("m1")
    found = crawl(client, app, ["/"])
    assert not found.broken(set(range(500, 600)) | {404})
    missing = page_endpoints(app, manage=False) - found.reached()
    assert not missing, f"no link leads to: {sorted(missing)}"
    assert not any(url.startswith("/manage") for url in found.status)
