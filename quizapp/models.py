"""Import every feature's models so the metadata is complete (for Alembic and tests)."""

from quizapp.db import Base
from quizapp.members.models import Member, Membership
from quizapp.org.models import Branch

metadata = Base.metadata

__all__ = ["Base", "Branch", "Member", "Membership", "metadata"]
