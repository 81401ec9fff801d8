"""Import every feature's models so the metadata is complete (for Alembic and tests)."""

from quizapp.audiences.models import Audience, AudienceBranch, AudienceMember
from quizapp.auth.models import RateLimitCounter
from quizapp.bank.models import Category, Question, ReservedQuestion
from quizapp.bank.versions import QuestionVersion
from quizapp.campaigns.models import Campaign, CampaignMaterial, CampaignQuiz
from quizapp.certificates.models import Certificate, CertificatePlan
from quizapp.db import Base
from quizapp.deferrals.models import QuizException
from quizapp.marking.models import QuizMarker
from quizapp.members.models import Member, Membership
from quizapp.notices.models import Notice
from quizapp.offline.models import OfflineAttendance, OfflineSession
from quizapp.org.models import Branch
from quizapp.participation.models import ParticipationSnapshot
from quizapp.points.models import PointEntry, PointRule, PointSettings
from quizapp.practice.models import DailyQuestion
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, PreparedPaper
from quizapp.quizzes.models import DrawRule, Quiz, QuizQuestion
from quizapp.regrade.models import Regrade, RegradeChange
from quizapp.reports.models import QuestionReport
from quizapp.study.models import Material, Reflection, StudyMinute
from quizapp.wrongbook.models import WrongAnswer

metadata = Base.metadata

__all__ = [
    "Attempt",
    "AttemptAnswer",
    "Audience",
    "AudienceBranch",
    "AudienceMember",
    "Base",
    "Branch",
    "Campaign",
    "CampaignMaterial",
    "CampaignQuiz",
    "Category",
    "Certificate",
    "CertificatePlan",
    "DailyQuestion",
    "DrawRule",
    "Material",
    "Member",
    "Membership",
    "Notice",
    "OfflineAttendance",
    "OfflineSession",
    "ParticipationSnapshot",
    "PointEntry",
    "PointRule",
    "PointSettings",
    "PreparedPaper",
    "Question",
    "QuestionReport",
    "QuestionVersion",
    "Quiz",
    "QuizException",
    "QuizMarker",
    "QuizQuestion",
    "RateLimitCounter",
    "Reflection",
    "Regrade",
    "RegradeChange",
    "ReservedQuestion",
    "StudyMinute",
    "WrongAnswer",
    "metadata",
]
