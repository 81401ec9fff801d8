"""Login rate-limit counters, kept in the database so every worker and host shares them."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.db import Base


class RateLimitCounter(Base):
    """One fixed-window counter of the login limit (see quizapp.auth.limits_storage)."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    #: When the window ends, in seconds since the epoch (what the limits library uses).
    expires_at: Mapped[float] = mapped_column(index=True)
