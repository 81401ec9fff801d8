"""Login limits kept in Redis (RATELIMIT_STORAGE_URI=redis://…), for bureaus with several app
hosts that already run Redis. The default keeps the counters in the app's database.

The app is built in a subprocess, with a configuration of its own: this suite's app keeps its
counters in the database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import uuid

import pytest

from quizapp import PROJECT_ROOT

REDIS = os.environ.get("QUIZAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    host_port = REDIS.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=2):
            return True
    except OSError:
        return False


SCRIPT = textwrap.dedent("""
    import sys
    from quizapp import create_app, db, migrate
    from quizapp.members.models import Member
    from quizapp.members.services import create_first_admin
    from quizapp.org.services import create_root

    url, redis_url, prefix = sys.argv[1:4]
    statuses = []
    for host in ("A", "B"):  # two app instances, as two hosts behind one proxy
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "s",
                          "WTF_CSRF_ENABLED": False, "ARGON2_TIME_COST": 1,
                          "ARGON2_MEMORY_KIB": 64, "RATELIMIT_STORAGE_URI": redis_url,
                          "RATELIMIT_KEY_PREFIX": prefix,
                          "LOGIN_LIMIT_PER_ADDRESS": "5 per 15 minutes"})
        with app.app_context():
            if host == "A":
                migrate.upgrade(app)
                create_first_admin(create_root("JU", "测试局"), "admin", "管理员", "Passw0rd!x")
                db.session.commit()
            client = app.test_client()
            for n in range(3):
                # Unknown login ids: only the per-address limit (in Redis) counts them.
                response = client.post("/login", data={"login_id": f"nobody{host}{n}",
                                                        "password": "wrong-pass1"})
                statuses.append(response.status_code)
    print(" ".join(map(str, statuses)))
""")


@pytest.mark.skipif(not _redis_reachable(), reason=f"no Redis server at {REDIS}")
def test_login_limit_is_shared_through_redis(tmp_path):
    prefix = f"quizapp-test-{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path}/db.sqlite3", REDIS, prefix],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )
    assert done.returncode == 0, done.stderr
    statuses = done.stdout.split()
    # Five failures per address in 15 minutes: host B refuses the sixth try, although it
    # saw only two failures itself.
    assert statuses == ["200", "200", "200", "200", "200", "429"], done.stdout
