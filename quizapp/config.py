"""Configuration read from the environment, with safe defaults for a single machine."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_secret_key(instance_path: str) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept in instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    # Write a complete file under a temporary name, then link it into place: when several
    # gunicorn workers start at once, exactly one key wins and nobody reads a half-written one.
    temporary = key_file.with_name(f".secret_key.{os.getpid()}")
    temporary.write_text(key)
    os.chmod(temporary, 0o600)
    try:
        os.link(temporary, key_file)
    except FileExistsError:
        key = key_file.read_text().strip()
    finally:
        temporary.unlink()
    return key


def default_database_url(instance_path: str) -> str:
    """Return the SQLite database inside instance/."""
    return f"sqlite:///{Path(instance_path) / 'quizapp.sqlite3'}"


def normalise_database_url(url: str) -> str:
    """Make postgres:// and postgresql:// URLs use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables."""
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "DATABASE_URL": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_database_url(instance_path)
        ),
        # Seconds a SQLite writer waits for another writer before giving up.
        "SQLITE_BUSY_TIMEOUT": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "15")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Intranet deployments often run plain HTTP; set SESSION_COOKIE_SECURE=1 behind HTTPS.
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        # "在本机保持登录" lasts this many days (Flask-Login's default would be a year).
        "REMEMBER_COOKIE_DURATION": int(os.environ.get("REMEMBER_DAYS", "14")) * 86400,
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_HOURS", "12")) * 3600,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_I18N_ENABLED": False,  # see quizapp.forms.BaseForm: WTForms' own zh messages
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "16")) * 1024 * 1024,
        # Only the study-material forms take videos this large (see create_app).
        "MAX_VIDEO_UPLOAD_MB": int(os.environ.get("MAX_VIDEO_UPLOAD_MB", "210")),
        # The login limit's counters (quizapp.extensions.LoginLimit): in the app's database by
        # default (shared by every worker and host; quizapp.auth.limits_storage), or
        # redis://host:6379.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "quizapp-db://"),
        # Per account (quizapp.auth.services): this many wrong passwords in a row are free;
        # each further one pauses the account's password checks 1, 2, 4, … minutes, at most
        # LOGIN_DELAY_MAX_MINUTES.
        "LOGIN_FAILURES_BEFORE_DELAY": int(os.environ.get("LOGIN_FAILURES_BEFORE_DELAY", "5")),
        "LOGIN_DELAY_MAX_MINUTES": int(os.environ.get("LOGIN_DELAY_MAX_MINUTES", "60")),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "50 per 15 minutes"),
        # Number of reverse proxies in front of the app whose X-Forwarded-For is trusted.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "MEMBERS_PER_PAGE": 30,
        # Study minutes (quizapp/study/minutes.py): the page's heartbeat interval, the most
        # one heartbeat may earn, the silence after which nothing is credited, the daily cap.
        "STUDY_HEARTBEAT_SECONDS": int(os.environ.get("STUDY_HEARTBEAT_SECONDS", "30")),
        "STUDY_MAX_CREDIT_SECONDS": int(os.environ.get("STUDY_MAX_CREDIT_SECONDS", "40")),
        "STUDY_GAP_SECONDS": int(os.environ.get("STUDY_GAP_SECONDS", "90")),
        "STUDY_DAILY_CAP_MINUTES": int(os.environ.get("STUDY_DAILY_CAP_MINUTES", "240")),
        # The scheduler reminds members behind a campaign's targets this many days before it ends.
        # Error reports (quizapp/reports): this many open reports of a question suspend it
        # from quiz draws (暂停抽题) until they are closed; 0 never suspends.
        "QUESTION_REPORTS_SUSPEND_AT": int(os.environ.get("QUESTION_REPORTS_SUSPEND_AT", "3")),
        "CAMPAIGN_REMINDER_DAYS": int(os.environ.get("CAMPAIGN_REMINDER_DAYS", "3")),
    }
