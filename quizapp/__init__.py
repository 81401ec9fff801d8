"""quizapp: a study and quiz platform for the party members of a police bureau."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, flash, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_login.utils import login_url
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from quizapp import assets, clock, db, errors, numbers, signing
from quizapp.bank.types import web as question_types
from quizapp.config import from_environment, normalise_database_url
from quizapp.deferrals.terms import on_close_moved
from quizapp.extensions import csrf, login_limit, login_manager
from quizapp.json_input import StrictJSONProvider
from quizapp.org import labels as branch_labels
from quizapp.quizzes.services import close_moved
from quizapp.routing import IdConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Forms that take study videos, allowed MAX_VIDEO_UPLOAD_MB instead of MAX_UPLOAD_MB.
LARGE_UPLOAD_ENDPOINTS = {"materials.create", "materials.edit"}

#: Endpoints a member who must change the password may still reach.
PASSWORD_CHANGE_EXEMPT = {
    "auth.change_password",
    "auth.logout",
    "static",
    "favicon",
    "service_worker",
    "healthz",
}


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session (the same cookie, signature and checks), with its
    serializer built once per key set instead of once per request, and each cookie's
    signature verified once (quizapp/signing.py): a phone sends the same cookie all day."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        fallbacks = tuple(app.config.get("SECRET_KEY_FALLBACKS") or ())
        key = (app.secret_key, fallbacks)
        found = self._serializers.get(key)
        if found is None:
            found = self._serializers[key] = signing.serializer(
                [*fallbacks, app.secret_key],  # itsdangerous wants the current key last
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
        return found


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the application (never starts the scheduler)."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("QUIZAPP_INSTANCE", str(PROJECT_ROOT / "instance")),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # Hostile input answers 4xx, never 500: ids beyond the id columns are 404 in every
    # <int:…> route (registered before the blueprints), bodies are read strictly.
    app.url_map.converters["int"] = IdConverter
    app.json = StrictJSONProvider(app)
    app.config.from_mapping(from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    app.config["DATABASE_URL"] = normalise_database_url(app.config["DATABASE_URL"])

    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)

    app.session_interface = _SessionInterface()
    db.init_app(app)

    @app.before_request
    def _allow_video_uploads():
        # Registered before CSRFProtect, which reads the form: every other request keeps
        # MAX_UPLOAD_MB, so an anonymous POST can't send hundreds of megabytes.
        if request.endpoint in LARGE_UPLOAD_ENDPOINTS:
            request.max_content_length = int(app.config["MAX_VIDEO_UPLOAD_MB"] * 1024 * 1024)

    csrf.init_app(app)
    login_limit.init_app(app)
    login_manager.init_app(app)
    errors.init_app(app)
    assets.init_app(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_hooks(app)

    from quizapp import cli

    cli.init_app(app)

    @app.get("/healthz")
    def healthz():
        """Answer 200 without touching the database (load balancers, benchmarks)."""
        return {"status": "ok"}

    return app


def _register_blueprints(app: Flask) -> None:
    from quizapp.attempts.api import bp as api_bp
    from quizapp.attempts.routes import bp as attempts_bp
    from quizapp.auth.routes import bp as auth_bp
    from quizapp.bank.manage import bp as bank_bp
    from quizapp.campaigns.manage import bp as campaigns_bp
    from quizapp.certificates.manage import bp as certificates_bp
    from quizapp.dashboard.manage import bp as dashboard_bp
    from quizapp.deferrals.manage import bp as deferrals_bp  # member /quizzes/<id>/deferral
    from quizapp.home.routes import bp as home_bp
    from quizapp.ledger.manage import bp as ledger_bp
    from quizapp.marking.manage import bp as marking_bp
    from quizapp.members.branches import bp as org_bp
    from quizapp.members.manage import bp as members_bp
    from quizapp.notices.routes import bp as notices_bp
    from quizapp.offline.manage import bp as offline_bp
    from quizapp.participation.manage import bp as participation_bp
    from quizapp.points.manage import bp as points_bp
    from quizapp.practice.routes import bp as practice_bp
    from quizapp.quizzes.manage import bp as quizzes_bp
    from quizapp.reflections.manage import bp as reflections_bp
    from quizapp.regrade.manage import bp as regrade_bp
    from quizapp.reports.manage import bp as reports_bp
    from quizapp.results.manage import bp as results_bp
    from quizapp.study.api import bp as study_api_bp
    from quizapp.study.learners import bp as materials_bp  # manage.py's, with learners' pages
    from quizapp.study.routes import bp as study_bp

    # campaigns, certificates, reflections, points: one bp each, made in routes.py (member pages); importing it
    # from manage.py adds the organiser pages.
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(attempts_bp)
    app.register_blueprint(api_bp, url_prefix="/api")
    app.register_blueprint(practice_bp, url_prefix="/practice")
    app.register_blueprint(study_bp, url_prefix="/study")
    app.register_blueprint(study_api_bp, url_prefix="/api/study")
    app.register_blueprint(campaigns_bp)  # member pages /campaigns, organiser /manage/campaigns
    app.register_blueprint(certificates_bp)  # member /certificates, organiser under campaigns
    app.register_blueprint(reflections_bp)  # member /reflections, organiser /manage/reflections
    app.register_blueprint(notices_bp)  # member /notices
    app.register_blueprint(deferrals_bp)  # member /quizzes/<id>/deferral, /manage/deferrals
    app.register_blueprint(marking_bp)  # markers /marking, organiser /manage/marking
    app.register_blueprint(points_bp)  # member /points, organiser /manage/points
    # member /questions/<id>/report, organiser /manage/question-reports
    app.register_blueprint(reports_bp)
    app.register_blueprint(regrade_bp, url_prefix="/manage/regrade")
    app.register_blueprint(dashboard_bp, url_prefix="/manage")
    app.register_blueprint(org_bp, url_prefix="/manage")
    app.register_blueprint(members_bp, url_prefix="/manage/members")
    app.register_blueprint(bank_bp, url_prefix="/manage/bank")
    app.register_blueprint(results_bp, url_prefix="/manage/results")
    app.register_blueprint(quizzes_bp, url_prefix="/manage/quizzes")
    app.register_blueprint(materials_bp, url_prefix="/manage/materials")
    app.register_blueprint(offline_bp, url_prefix="/manage/offline")
    app.register_blueprint(participation_bp, url_prefix="/manage/participation")
    app.register_blueprint(ledger_bp, url_prefix="/manage/ledger")


def _register_template_helpers(app: Flask) -> None:

    app.jinja_env.filters["china_datetime"] = clock.format_datetime
    app.jinja_env.filters["china_month_day_time"] = clock.format_month_day_time
    app.jinja_env.filters["china_date"] = clock.format_date
    app.jinja_env.filters["pct"] = numbers.percent_text
    app.jinja_env.filters["num"] = numbers.number_text
    app.jinja_env.filters["minutes"] = numbers.minutes_text
    question_types.init_app(app)
    branch_labels.init_app(app)
    # A quiz's close moved: the deadlines of its running attempts follow (a layer above).
    close_moved.connect(on_close_moved)


def _register_hooks(app: Flask) -> None:
    @login_manager.user_loader
    def _load_member(user_id: str):
        from quizapp.auth.session_ref import remember
        from quizapp.members.models import Member

        member_id, _, version = user_id.partition(".")
        if not member_id.isdigit() or not version.isdigit():
            return None
        member = db.session.get(Member, int(member_id))
        if member is None or not member.is_active or member.session_version != int(version):
            return None
        remember(user_id)  # a remember cookie, or a session from before the app kept its own
        return member

    @login_manager.unauthorized_handler
    def _unauthorized():
        if errors.wants_json():
            return errors.error_response(401)
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(login_url(login_manager.login_view, request.url))

    @app.before_request
    def _force_password_change():
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "skips_member_loading", False):
            return None  # hot endpoints check the password state in their own SQL
        if (
            request.endpoint not in PASSWORD_CHANGE_EXEMPT
            and current_user.is_authenticated
            and current_user.must_change_password
        ):
            if errors.wants_json():
                return errors.error_response(403, "请先修改初始密码。", "password_change_required")
            return redirect(url_for("auth.change_password"))
        return None

    secure_headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("Referrer-Policy", "same-origin"),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'",
        ),
        # Browser features no page uses, refused to any script that might ask for them.
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    ]
    hsts = ("Strict-Transport-Security", "max-age=31536000")
    names = {name.lower() for name, _ in [*secure_headers, hsts]} | {"cache-control"}

    @app.after_request
    def _security_headers(response):
        # One pass over the response's few headers instead of one lookup per header: this
        # runs on every request, the hot ones included. A header the view set is kept.
        present = {key.lower(): value for key, value in response.headers if key.lower() in names}
        wanted = secure_headers
        if app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS
            wanted = [*secure_headers, hsts]
        for name, value in wanted:
            if name.lower() not in present:
                response.headers.add(name, value)
        # Pages and JSON carry a member's data: no browser or proxy may keep a copy (a shared
        # phone, the back button after logout). Decided per endpoint, never per login, so
        # the hot endpoints load nobody for it. Static files and the favicon stay cacheable
        # (quizapp/assets.py), and so do files a view chose to let the member's own browser
        # keep (study PDFs and videos: private).
        if request.endpoint not in assets.CACHEABLE_ENDPOINTS and "private" not in present.get(
            "cache-control", ""
        ):
            response.headers["Cache-Control"] = "no-store"
        return response
