"""The shipped deployment files (deploy/) agree with the app: the environment file sets only
settings the app reads, and both systemd units read it, restart, and run what exists."""

from __future__ import annotations

import configparser
import re

from quizapp import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text().replace("\\\n", " "))
    return parser


def test_the_environment_file_sets_only_what_the_app_reads():
    text = (DEPLOY / "quizapp.env").read_text()
    names = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.M))
    assert {"DATABASE_URL", "SECRET_KEY", "TRUSTED_PROXIES", "QUIZAPP_INSTANCE"} <= names
    source = (PROJECT_ROOT / "quizapp" / "config.py").read_text()
    source += (PROJECT_ROOT / "quizapp" / "__init__.py").read_text()
    for name in names:
        assert f'"{name}"' in source, f"{name} is not read by the app"


def test_both_units_read_the_environment_file_and_restart():
    for name, command in [
        ("quizapp.service", "/srv/quizapp/.venv/bin/gunicorn "),
        ("quizapp-scheduler.service", "/srv/quizapp/.venv/bin/flask --app wsgi scheduler"),
    ]:
        service = _unit(name)["Service"]
        assert service["EnvironmentFile"] == "/etc/quizapp/env"
        assert service["Restart"] == "always"
        assert service["WorkingDirectory"] == "/srv/quizapp"
        assert service["ExecStart"].startswith(command)
    web = _unit("quizapp.service")["Service"]["ExecStart"]
    # gunicorn on the address the shipped nginx site's upstream names.
    assert "--bind 127.0.0.1:8000" in web
    assert "server 127.0.0.1:8000 " in (DEPLOY / "nginx" / "quizapp.conf").read_text()


def test_the_nightly_backup_runs_the_backup_command_in_china_time():
    service = _unit("quizapp-backup.service")["Service"]
    assert service["EnvironmentFile"] == "/etc/quizapp/env"
    assert "/srv/quizapp/.venv/bin/flask --app wsgi backup " in service["ExecStart"]
    timer = _unit("quizapp-backup.timer")["Timer"]
    assert timer["OnCalendar"].endswith(" Asia/Shanghai") and timer["Persistent"] == "true"
