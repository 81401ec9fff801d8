"""The demo bureau loaded by `make run`."""

from __future__ import annotations

from sqlalchemy import func, select

from quizapp import db
from quizapp.members.models import Member, Membership, Role
from quizapp.org.models import Branch, BranchKind


def test_demo_builds_the_bureau_and_its_logins(app, runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo loaded" in result.output

    branches = db.session.scalar(select(func.count()).where(Branch.kind == BranchKind.BRANCH.value))
    units = db.session.scalar(select(func.count()).where(Branch.kind == BranchKind.UNIT.value))
    members = db.session.scalar(select(func.count()).select_from(Member))
    assert 28 <= branches <= 32 and 3 <= units <= 5
    assert 250 <= members <= 600

    org01 = db.session.scalar(select(Member).where(Member.police_no == "org01"))
    m0001 = db.session.scalar(select(Member).where(Member.police_no == "m0001"))
    first_unit = db.session.scalar(
        select(Branch).where(Branch.kind == BranchKind.UNIT.value).order_by(Branch.sort_order)
    )
    assert org01.role == Role.ORGANISER and org01.scope_branch_id == first_unit.id
    assert first_unit.contains(m0001.branch)

    # Every demo login works with demo123456 and no forced password change.
    for login_id, home in (("admin", "/"), ("org01", "/"), ("m0001", "/")):
        response = client.post("/login", data={"login_id": login_id, "password": "demo123456"})
        assert response.headers["Location"] == home, login_id
        assert client.get("/").status_code == 200
        client.post("/logout")

    # org01 finds the results of the bureau's quizzes (read-only) and of the unit's own.
    client.post("/login", data={"login_id": "org01", "password": "demo123456"})
    dashboard = client.get("/manage/").get_data(as_text=True)
    assert "“学党纪、明规矩”知识竞赛" in dashboard and "城关分局党规党纪周测" in dashboard
    quizzes = client.get("/manage/quizzes/").get_data(as_text=True)
    assert "局级 · 只读" in quizzes
    assert 'aria-label="“学党纪、明规矩”知识竞赛的成绩"' in quizzes
    assert 'aria-label="城关分局党规党纪周测的成绩"' in quizzes
    client.post("/logout")

    # The demo has history: members who moved branch and members who left.
    moved = db.session.scalar(
        select(func.count()).select_from(
            select(Membership.member_id)
            .group_by(Membership.member_id)
            .having(func.count() > 1)
            .subquery()
        )
    )
    left = db.session.scalar(select(func.count()).where(Member.is_active.is_(False)))
    assert moved > 0 and left > 0


def test_demo_refuses_a_database_that_has_data(app, runner, org):
    assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0
    assert "already has data" in runner.invoke(args=["demo", "--if-empty"]).output
    assert runner.invoke(args=["demo"]).exit_code != 0


#: The command that starts an installation: the bureau and its first admin, 王局 (boss01).
CREATE_ADMIN = [
    "create-admin",
    "--bureau-name",
    "某市公安局",
    "--login-id",
    "boss01",
    "--name",
    "王局",
]


def test_create_admin_command_starts_an_installation(app, runner):
    result = runner.invoke(args=CREATE_ADMIN, input="Secret2026\nSecret2026\n")
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(Member).where(Member.police_no == "boss01"))
    assert admin.role == Role.ADMIN and admin.branch.kind == BranchKind.BUREAU


def test_demo_has_quizzes_study_material_and_campaigns(app, runner):
    from quizapp.campaigns.models import Campaign
    from quizapp.offline.models import OfflineSession
    from quizapp.quizzes.models import Quiz
    from quizapp.study.models import Material, StudyMinute

    assert runner.invoke(args=["demo"]).exit_code == 0
    kinds = sorted(db.session.scalars(select(Quiz.kind)))
    assert kinds.count("competition") == 1 and kinds.count("exam") >= 2
    # The competition draws half its 20 questions from the hard ones (levels 4-5).
    from quizapp.bank.models import Question
    from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer

    contest = db.session.scalar(select(Quiz).where(Quiz.kind == "competition"))
    hard_per_paper = db.session.scalars(
        select(func.count())
        .select_from(AttemptAnswer)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .join(Question, Question.id == AttemptAnswer.question_id)
        .where(Attempt.quiz_id == contest.id, Question.difficulty >= 4)
        .group_by(Attempt.id)
    ).all()
    assert len(hard_per_paper) > 100 and set(hard_per_paper) == {10}
    assert db.session.scalar(select(func.count()).select_from(Material)) >= 4
    campaigns = {c.kind for c in db.session.scalars(select(Campaign))}
    assert campaigns == {"campaign", "training_class"}
    assert db.session.scalar(select(func.count()).select_from(OfflineSession)) == 1
    m0001 = db.session.scalar(select(Member).where(Member.police_no == "m0001"))
    seconds = db.session.scalar(
        select(func.sum(StudyMinute.seconds)).where(StudyMinute.member_id == m0001.id)
    )
    assert seconds and seconds > 0
    # The finished training class issued certificates to those who completed it, m0001 too.
    from quizapp.certificates.models import Certificate

    holders = set(db.session.scalars(select(Certificate.member_id)))
    assert m0001.id in holders and len(holders) >= 5


def test_the_demo_audiences_say_what_their_descriptions_say(app, runner):
    from quizapp.audiences.services import includes
    from quizapp.campaigns.models import Campaign
    from quizapp.quizzes.models import Quiz

    assert runner.invoke(args=["demo"]).exit_code == 0
    party = {"full", "probationary"}
    members = list(db.session.scalars(select(Member).where(Member.is_active.is_(True))))
    # "本分局党员参加": its audience leaves out the unit's activists and 群众.
    weekly = db.session.scalar(select(Quiz).where(Quiz.title == "城关分局党规党纪周测"))
    assert "党员参加" in weekly.description and set(weekly.audience.status_list) == party
    unit = weekly.audience.branches[0]
    outside = [m for m in members if unit.contains(m.branch) and m.political_status not in party]
    assert outside and not any(includes(weekly.audience, m) for m in outside)
    for quiz in db.session.scalars(select(Quiz).where(Quiz.description.contains("党员参加"))):
        assert set(quiz.audience.status_list) == party, quiz.title
    # Classes: the activists' hold no party member, the party members' class no one else.
    for campaign in db.session.scalars(select(Campaign)):
        if "全体党员" in campaign.description:
            assert set(campaign.audience.status_list) == party, campaign.title
        roster = {m.political_status for m in campaign.audience.roster}
        if "积极分子" in campaign.title:
            assert roster and not roster & party, campaign.title
        elif "党员" in campaign.title:
            assert roster <= party, campaign.title
