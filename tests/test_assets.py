"""Static files as a phone on 4G wants them (quizapp/assets.py): every static URL the pages
write carries its content hash and is cached for a year; anything else is revalidated; the
favicon answers at /favicon.ico; the offline service worker is served from /sw.js."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from flask import url_for

from quizapp import db
from quizapp.assets import StaticVersions
from quizapp.clock import utcnow
from tests.factories import make_questions, make_quiz

STATIC = Path(__file__).resolve().parent.parent / "static"
LINKS = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _static_links(html: str) -> list[str]:
    return LINKS.findall(html)


def test_every_static_url_of_the_base_templates_carries_its_content_hash(client, auth, org):
    bank = make_questions(org.admin, n_each=1)
    quiz = make_quiz(
        org.admin, [org.u1], questions=[bank["single"][0], bank["fill"][0]], now=utcnow()
    )
    pages = {"login (no one)": client.get("/login"), "error page": client.get("/no-such-page")}
    auth.login("m1")
    pages["member home"] = client.get("/")
    start = client.post(f"/quizzes/{quiz.id}/start")
    assert re.fullmatch(r"/attempts/\d+", start.headers["Location"])
    pages["attempt page"] = client.get(start.headers["Location"])
    auth.switch_to("admin")
    pages["management"] = client.get("/manage/")

    seen = set()
    for name, response in pages.items():
        links = _static_links(response.get_data(as_text=True))
        assert any("css/app.css" in link for link in links), name
        assert any("favicon.ico" in link for link in links), name  # <link rel="icon">
        for link in links:
            path, _, query = link.partition("?")
            assert re.fullmatch(r"v=[0-9a-f]{12}", query), (name, link)
            assert query == f"v={_content_hash(STATIC / path.removeprefix('/static/'))}", link
            seen.add(path)
    # The pages' own scripts too: the attempt page's question types and attempt.js.
    assert {
        "/static/js/attempt.js",
        "/static/js/types/fill.js",
        "/static/js/sw-register.js",
    } <= seen


def test_a_current_version_is_cached_for_a_year_anything_else_revalidated(app, client):
    with app.test_request_context():
        current = url_for("static", filename="js/app.js")
    assert re.search(r"\?v=[0-9a-f]{12}$", current)
    with client.get(current) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Without a version, or with one the file no longer has (a page from before a deployment):
    # asked again every time, so a file never outlives its content.
    for url in ("/static/js/app.js", "/static/js/app.js?v=000000000000"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "no-cache", url
    # A revalidation keeps the immutable lifetime for the current version.
    with client.get(current) as first:
        etag = first.headers["ETag"]
    with client.get(current, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_version_changes_when_the_file_does_and_is_hashed_once_per_version(
    tmp_path, monkeypatch
):
    versions = StaticVersions()
    style = tmp_path / "css" / "site.css"
    style.parent.mkdir()
    style.write_text("body { color: red; }")
    first = versions.version(str(tmp_path), "css/site.css")
    assert first == _content_hash(style)

    reads = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: reads.append(a[0]) or real_open(*a, **k))
    assert versions.version(str(tmp_path), "css/site.css") == first
    assert reads == []  # unchanged file: a stat, no read

    style.write_text("body { color: blue; }")
    os.utime(style, ns=(style.stat().st_atime_ns, style.stat().st_mtime_ns + 1_000_000))
    second = versions.version(str(tmp_path), "css/site.css")
    assert second != first and second == _content_hash(style)
    assert len(reads) == 1

    assert versions.version(str(tmp_path), "css/none.css") is None
    assert versions.version(str(tmp_path), "../outside.css") is None
    assert versions.version(str(tmp_path), "css") is None  # a folder


def test_the_apps_static_urls_follow_a_changed_file(app, tmp_path, monkeypatch):
    (tmp_path / "app.css").write_text("a {}")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    with app.test_request_context():
        before = url_for("static", filename="app.css")
        (tmp_path / "app.css").write_text("a { color: red; }")
        os.utime(tmp_path / "app.css", ns=(0, 10**18))
        after = url_for("static", filename="app.css")
        missing = url_for("static", filename="none.css")
    assert before != after and after.endswith(f"?v={_content_hash(tmp_path / 'app.css')}")
    assert missing == "/static/none.css"  # nothing to hash: no version


def test_favicon_answers_at_the_root_for_anyone(client, auth, org, make_member):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
        assert response.data == (STATIC / "favicon.ico").read_bytes()
        assert response.headers["Cache-Control"] == "public, max-age=86400"
    # A member who must still change the first password gets it too (no redirect).
    make_member("fresh", org.b11, must_change=True)
    db.session.commit()
    auth.login("fresh")
    assert client.get("/").headers["Location"] == "/password"
    for path in ("/favicon.ico", "/sw.js"):
        with client.get(path) as response:
            assert response.status_code == 200, path


def test_the_service_worker_is_served_from_the_root_for_the_attempt_pages(app, client):
    with client.get("/sw.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Service-Worker-Allowed"] == "/attempts/"
        assert response.headers["Cache-Control"] == "no-store"  # an update reaches phones
        script = response.get_data(as_text=True)
    # The worker's idea of the attempt and result pages is the app's.
    attempt = re.compile(re.search(r"var ATTEMPT_PAGE = /(.+)/;", script)[1])
    result = re.compile(re.search(r"var RESULT_PAGE = /(.+)/;", script)[1])
    with app.test_request_context():
        take = url_for("attempts.take", attempt_id=42)
        shown = url_for("attempts.result", attempt_id=42)
        save = url_for("api.save_answer", attempt_id=42, question_id=7)
    assert attempt.fullmatch(take) and not attempt.fullmatch(shown)
    assert result.fullmatch(shown) and not result.fullmatch(take)
    assert not attempt.fullmatch(save) and not result.fullmatch(save)
    assert take.startswith("/attempts/") and shown.startswith("/attempts/")  # in its scope
