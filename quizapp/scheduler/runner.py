"""The scheduler process: an APScheduler 3 BlockingScheduler running the jobs of
:mod:`quizapp.scheduler.jobs`, started by ``flask --app wsgi scheduler`` and nowhere else.

APScheduler 3 keeps its jobs in the memory of one process and cannot share a job store
between processes: started inside the web app, every gunicorn worker would run every job.
It remembers nothing across restarts either, so on start every job runs once at once and
does whatever the downtime left owed (the jobs are idempotent).
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import datetime
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from quizapp import db
from quizapp.clock import CHINA, utcnow
from quizapp.scheduler.jobs import JOBS
from quizapp.scheduler.lock import AlreadyRunning, SchedulerLock

log = logging.getLogger(__name__)

#: Seconds a run may start late (the process was busy or paused) and still run; with
#: ``coalesce`` several missed runs become one.
GRACE_SECONDS = {"submit_overdue_attempts": 30}
DEFAULT_GRACE_SECONDS = 6 * 3600


def triggers() -> dict[str, BaseTrigger]:
    """Return when each job runs, in China time."""
    return {
        "submit_overdue_attempts": IntervalTrigger(minutes=1, timezone=CHINA),
        # Every member's paper is drawn well before a quiz opens (AHEAD: two days).
        "prepare_papers": IntervalTrigger(minutes=10, timezone=CHINA),
        # A review that opens when its quiz closes: the wrong answers follow within minutes.
        "book_reviewed_wrong_answers": IntervalTrigger(minutes=5, timezone=CHINA),
        # Results published at a quiz's close reach the members within minutes, after the
        # overdue papers were submitted (a paper still running waits for the next run).
        "notify_published_results": IntervalTrigger(minutes=5, timezone=CHINA),
        # A 缓考 or 补考 window that opens: its member hears within minutes.
        "notify_personal_windows": IntervalTrigger(minutes=5, timezone=CHINA),
        # A paper to mark: the quiz's named markers hear within minutes (once a day per quiz).
        "notify_markers": IntervalTrigger(minutes=5, timezone=CHINA),
        "greet_party_anniversaries": CronTrigger(hour=8, minute=0, timezone=CHINA),
        "weekly_summary_for_organisers": CronTrigger(
            day_of_week="mon", hour=8, minute=30, timezone=CHINA
        ),
        "remind_campaign_members": CronTrigger(hour=9, minute=0, timezone=CHINA),
        # Just after midnight: yesterday is over, and its campaign figures are still fresh.
        "snapshot_participation": CronTrigger(hour=0, minute=20, timezone=CHINA),
        # Every half hour, first at 00:10: yesterday's minutes and daily questions are final.
        "award_points": CronTrigger(minute="10,40", timezone=CHINA),
        # Early morning: yesterday's study counts, and members find theirs when they wake.
        "issue_certificates": CronTrigger(hour=6, minute=30, timezone=CHINA),
    }


def run_job(app: Flask, name: str, now: datetime | None = None) -> str:
    """Run one job in an application context of its own; log and return its summary.

    On an error the job's uncommitted work is rolled back and the error raised again.
    """
    job = JOBS[name]
    with app.app_context():
        try:
            summary = job(now or utcnow())
        except Exception:
            db.session.rollback()
            raise
    log.info("%s: %s", name, summary)
    return summary


def _guarded(app: Flask, name: str) -> Callable[[], None]:
    def run() -> None:
        try:
            run_job(app, name)
        except Exception:
            # The scheduler goes on; the next run does what this one didn't.
            log.exception("%s failed; it runs again at its next time", name)

    return run


def build_scheduler(app: Flask, *, catch_up: bool = True) -> BlockingScheduler:
    """Build the scheduler with every job (not started); ``catch_up`` runs each once first."""
    # One job at a time: they never compete for SQLite's write lock.
    scheduler = BlockingScheduler(
        timezone=CHINA, executors={"default": ThreadPoolExecutor(max_workers=1)}
    )
    start = datetime.now(CHINA)
    for name, trigger in triggers().items():
        options = {"next_run_time": start} if catch_up else {}
        scheduler.add_job(
            _guarded(app, name),
            trigger,
            id=name,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=GRACE_SECONDS.get(name, DEFAULT_GRACE_SECONDS),
            **options,
        )
    return scheduler


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def _keep_lock(lock: SchedulerLock, scheduler: BlockingScheduler, lost: list) -> Callable:
    def check() -> None:
        try:
            lock.check()
        except AlreadyRunning as exc:
            lost.append(exc)
            scheduler.shutdown(wait=False)
        except Exception:
            # The database is unreachable: no job can run either; try again next minute.
            log.exception("could not check the scheduler lock; trying again in a minute")

    return check


def run_forever(app: Flask) -> None:
    """Run the scheduler in the foreground until SIGTERM or Ctrl-C, logging to stderr.

    Raises :class:`~quizapp.scheduler.lock.AlreadyRunning` when another scheduler runs
    against the same database, at the start or (PostgreSQL, after a lost connection) later.
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not every run's start
    lock = SchedulerLock(db.get_engine(app)).acquire()
    lost: list[AlreadyRunning] = []
    try:
        scheduler = build_scheduler(app)
        scheduler.add_job(
            _keep_lock(lock, scheduler, lost),
            IntervalTrigger(minutes=1, timezone=CHINA),
            id="keep_lock",
            name="keep_lock",
            coalesce=True,
            max_instances=1,
        )
        signal.signal(signal.SIGTERM, _stop)  # systemd, supervisor and `make run` stop with it
        log.info("scheduler started (Asia/Shanghai): %s", ", ".join(JOBS))
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            log.info("scheduler stopping; waiting for a running job to finish")
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=True)
    finally:
        lock.release()
    if lost:
        raise lost[0]
