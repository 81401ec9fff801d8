"""Backups of an installation, and restoring one into an empty installation.

``flask --app wsgi backup PATH`` writes a folder (first as ``PATH.partial``, renamed to PATH
when complete, so a folder named PATH is always a whole backup):

- ``manifest.json``: when, which database, the schema revision, how many files;
- ``database.sqlite3`` (SQLite: Python's ``sqlite3`` online backup API, in one step, i.e. one
  read transaction: a consistent snapshot, taken while the app keeps writing, since in WAL
  mode a reader never blocks a writer) or ``database.pgdump`` (PostgreSQL: ``pg_dump
  --format=custom``, itself one consistent snapshot);
- ``uploads/``: the instance's uploaded files (study PDFs and videos), copied after the
  database, so every file the copied rows name was on disk before the copy began (a file
  replaced in between is the one thing that can be missing);
- ``secret_key``: the instance's generated key, only when ``SECRET_KEY`` is not set in the
  environment. The one-time login codes on printed slips are derived from the key.

``flask --app wsgi restore PATH`` puts them back into an installation whose database has no
tables and whose upload folder is empty, and refuses anything else.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from quizapp.db import get_engine

FORMAT = 1
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that could not be done; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _url(app: Flask) -> URL:
    return make_url(app.config["DATABASE_URL"])


def _is_postgres(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return the libpq URL without its password, and the environment carrying it (never on a
    command line, where other users of the machine could read it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"找不到 {name}：请安装与数据库服务器版本相同或更新的 PostgreSQL 客户端"
            f"（Debian：apt-get install postgresql-client）。"
        )
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{done.stderr.strip()[-800:]}")


def _revision(app: Flask) -> str | None:
    with get_engine(app).connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def backup(app: Flask, target: Path, uploads: Path) -> str:
    """Write a backup of the app's database and ``uploads`` to the folder ``target``."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} 已存在：请为每次备份指定一个新的目录名。")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)  # left by an interrupted backup
    partial.mkdir(parents=True)
    url = _url(app)
    revision = _revision(app)
    if _is_postgres(url):
        libpq, env = _libpq(url)
        dump = [_tool("pg_dump"), "--format=custom", f"--file={partial / POSTGRES_FILE}"]
        _run([*dump, f"--dbname={libpq}"], env)
    else:
        _copy_sqlite(Path(url.database), partial / SQLITE_FILE, app.config["SQLITE_BUSY_TIMEOUT"])
    files = 0
    if uploads.is_dir():
        shutil.copytree(uploads, partial / "uploads")
        files = sum(1 for p in (partial / "uploads").rglob("*") if p.is_file())
    key_file = Path(app.instance_path) / "secret_key"
    if not os.environ.get("SECRET_KEY") and key_file.exists():
        shutil.copy2(key_file, partial / "secret_key")
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if _is_postgres(url) else "sqlite",
        "revision": revision,
        "uploaded_files": files,
    }
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    os.chmod(partial, 0o700)  # password hashes and members' data: for the operator only
    partial.rename(target)
    return (
        f"backup written to {target}: {manifest['database']} database "
        f"(revision {revision}), {files} uploaded files"
    )


def _copy_sqlite(source: Path, destination: Path, busy_timeout: float) -> None:
    if not source.exists():
        raise BackupError(f"数据库文件 {source} 不存在。")
    with sqlite3.connect(source, timeout=busy_timeout) as reader:
        copy = sqlite3.connect(destination)
        try:
            reader.backup(copy)  # pages=-1: everything in one step, one read transaction
            status = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    reader.close()
    if status != "ok":
        raise BackupError(f"备份文件校验失败：{status}")


def read_manifest(source: Path) -> dict:
    """Return a backup folder's manifest, or raise BackupError naming what is wrong."""
    try:
        manifest = json.loads((Path(source) / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} 不是完整的备份目录（manifest.json 无法读取）。") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} 的备份格式（{manifest.get('format')}）无法识别。")
    return manifest


def restore(app: Flask, source: Path, uploads: Path) -> str:
    """Restore the backup folder ``source`` into the app's empty database and upload folder."""
    source = Path(source)
    manifest = read_manifest(source)
    url = _url(app)
    kind = "postgresql" if _is_postgres(url) else "sqlite"
    if manifest["database"] != kind:
        raise BackupError(f"这是 {manifest['database']} 数据库的备份，不能恢复到 {kind} 数据库。")
    engine = get_engine(app)
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    if tables:
        raise BackupError(
            f"目标数据库不是空的（已有 {len(tables)} 张表）：只能恢复到新建的空数据库，"
            "请先新建一个空数据库（不要运行 db upgrade），并在 DATABASE_URL 中指定它。"
        )
    if uploads.is_dir() and any(uploads.iterdir()):
        raise BackupError(f"上传文件目录 {uploads} 不是空的：只能恢复到新的空实例目录。")
    engine.dispose()
    if kind == "postgresql":
        libpq, env = _libpq(url)
        restore_command = [_tool("pg_restore"), "--no-owner", "--no-privileges"]
        restore_command += ["--exit-on-error", "--single-transaction", f"--dbname={libpq}"]
        _run([*restore_command, str(source / POSTGRES_FILE)], env)
    else:
        with sqlite3.connect(source / SQLITE_FILE) as backup_copy:
            target = sqlite3.connect(url.database)
            try:
                backup_copy.backup(target)
            finally:
                target.close()
        backup_copy.close()
    files = 0
    if (source / "uploads").is_dir():
        shutil.copytree(source / "uploads", uploads, dirs_exist_ok=True)
        files = sum(1 for p in uploads.rglob("*") if p.is_file())
    note = ""
    if (source / "secret_key").exists():
        if os.environ.get("SECRET_KEY"):
            note = "; the backup's instance key was not restored (SECRET_KEY is set)"
        else:
            shutil.copy2(source / "secret_key", Path(app.instance_path) / "secret_key")
            note = "; instance key restored"
    return (
        f"restored {manifest['database']} backup of {manifest['created_at']} "
        f"(revision {manifest['revision']}), {files} uploaded files{note}; "
        "next: flask --app wsgi db upgrade"
    )
