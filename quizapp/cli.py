"""Command-line tasks: ``flask --app wsgi <command>``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from quizapp import db, migrate
from quizapp.clock import CHINA, utcnow
from quizapp.errors import DomainError
from quizapp.scheduler.jobs import JOBS

db_cli = AppGroup("db", help="数据库迁移 (database migrations).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    migrate.upgrade(current_app, revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION."""
    migrate.downgrade(current_app, revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    migrate.revision(current_app, message)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has a bureau.")
def demo_command(if_empty: bool) -> None:
    """Load the demo bureau (logins admin, org01, m0001; password demo123456)."""
    from quizapp import access, demo

    if access.root_branch() is not None:
        if if_empty:
            click.echo("database already has data; demo not loaded")
            return
        raise click.ClickException("the database already has a bureau; use an empty database")
    summary = demo.build_demo(utcnow())
    db.session.commit()
    click.echo(summary)


@click.command("bench-data")
@click.option("--members", default=10_000, show_default=True, type=click.IntRange(1, 200_000))
@click.option("--branches", default=300, show_default=True, type=click.IntRange(1, 3_000))
@click.option(
    "--days",
    default=365,
    show_default=True,
    type=click.IntRange(14, 1_000),
    help="Days of history, ending today.",
)
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has a bureau.")
def bench_data_command(members: int, branches: int, days: int, seed: int, if_empty: bool) -> None:
    """Generate a realistic bureau for bench/ (units, branches, members, a year of activity)."""
    from quizapp import access
    from quizapp.benchdata import build_bench_bureau, refresh_statistics

    if access.root_branch() is not None:
        if if_empty:
            click.echo("database already has data; bench data not generated")
            return
        raise click.ClickException("the database already has a bureau; use an empty database")
    summary = build_bench_bureau(utcnow(), members=members, branches=branches, days=days, seed=seed)
    db.session.commit()
    refresh_statistics()
    click.echo(summary)


@click.command("create-admin")
@click.option("--bureau-code", default="JU", show_default=True)
@click.option("--bureau-name", default=None, help="Creates the bureau when there is none yet.")
@click.option("--login-id", required=True, help="警号 of the administrator.")
@click.option("--name", required=True)
@click.password_option()
def create_admin_command(
    bureau_code: str, bureau_name: str | None, login_id: str, name: str, password: str
) -> None:
    """Create the first administrator (and the bureau) on a new installation."""
    from quizapp import access
    from quizapp.members.services import create_first_admin
    from quizapp.org.services import create_root

    try:
        root = access.root_branch()
        if root is None:
            if not bureau_name:
                raise DomainError("尚未建立局党委，请用 --bureau-name 指定名称。")
            root = create_root(bureau_code, bureau_name)
        create_first_admin(root, login_id, name, password)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"administrator {login_id} created")


questions_cli = AppGroup("questions", help="题库 (question bank).")


@questions_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--only-valid", is_flag=True, help="Import the good questions, list the bad.")
def questions_import(paths: tuple[str, ...], only_valid: bool) -> None:
    """Import question files into the bank: folders of .yaml files, or single .yaml, .xlsx,
    .docx (Word), .gift or .txt (GIFT or Aiken, told apart by content) files; questions of
    types the bank doesn't have are listed as skipped."""
    from pathlib import Path

    from quizapp import access
    from quizapp.bank.formats import MAX_BYTES, reader_for
    from quizapp.bank.imports import BankImportRejected, import_drafts

    root = access.root_branch()
    if root is None:
        raise click.ClickException("no bureau yet: run `flask --app wsgi create-admin` first")
    files = []
    for path in map(Path, paths):
        files += sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
    drafts, skipped = [], []
    try:
        for file in files:
            with file.open("rb") as handle:  # never more than the readers take, plus one
                content = handle.read(MAX_BYTES + 1)
            read, passed = reader_for(file.name, content)(file.name, content)
            drafts += read
            skipped += passed
        result = import_drafts(root.id, drafts, skipped=skipped, only_valid=only_valid)
    except BankImportRejected as exc:
        for problem in exc.problems:
            click.echo(f"  {problem.location}: {problem.message}", err=True)
        raise click.ClickException(exc.message) from exc
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    for problem in result.rejected:
        click.echo(f"  skipped {problem.location}: {problem.message}", err=True)
    for passed in result.skipped:
        click.echo(f"  unsupported {passed.location}: {passed.reason}", err=True)
    click.echo(
        f"{len(files)} files: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.rejected)} rejected"
        + (f", {len(result.skipped)} skipped (unsupported type)" if result.skipped else "")
    )


@click.group("scheduler", cls=AppGroup, invoke_without_command=True)
@with_appcontext
@click.pass_context
def scheduler_cli(ctx: click.Context) -> None:
    """Run the scheduled jobs in the foreground (one process per installation)."""
    if ctx.invoked_subcommand is None:
        from quizapp.scheduler.lock import AlreadyRunning
        from quizapp.scheduler.runner import run_forever

        try:
            run_forever(current_app._get_current_object())
        except AlreadyRunning as exc:
            raise click.ClickException(exc.message) from exc


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("use ISO 8601, e.g. 2026-11-23T08:30+08:00") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


@scheduler_cli.command("run-once")
@click.argument("job", type=click.Choice(list(JOBS)))
@click.option("--now", "at", help="Run as at this moment (ISO 8601; China time if no zone).")
def scheduler_run_once(job: str, at: str | None) -> None:
    """Run one job now (from cron, or to catch up by hand) and print what it did."""
    from quizapp.scheduler.runner import run_job

    click.echo(f"{job}: {run_job(current_app._get_current_object(), job, _moment(at))}")


@click.command("backup")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back up the database and the uploaded files into the new folder PATH (safe while the
    app is serving; docs/deploy.md)."""
    from quizapp import backups
    from quizapp.study.files import upload_root

    try:
        click.echo(backups.backup(current_app._get_current_object(), path, upload_root()))
    except backups.BackupError as exc:
        raise click.ClickException(exc.message) from exc


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Restore the backup folder PATH into this installation's empty database and instance."""
    from quizapp import backups
    from quizapp.study.files import upload_root

    try:
        click.echo(backups.restore(current_app._get_current_object(), path, upload_root()))
    except backups.BackupError as exc:
        raise click.ClickException(exc.message) from exc


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(db_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(bench_data_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(questions_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
