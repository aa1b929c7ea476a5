"""Application factory."""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api
from werkzeug.routing import IntegerConverter

from backend.config import load_config
from backend.core.db import end_read_transaction, expire_state_on_commit, keep_state_after_commit
from backend.core.errors import http_exception_response, register_error_handlers
from backend.core.json_body import register_json_guard
from backend.core.schemas import MAX_ID
from backend.core.shared_state import init_shared_state
from backend.extensions import db, jwt, limiter, migrate

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in URLs: ids beyond what a table can hold simply match nothing (404)."""

    def __init__(self, url_map, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, **kwargs)


class EnvelopeApi(Api):
    """flask-smorest with API.md's error envelope instead of its own."""

    def handle_http_exception(self, error):
        return http_exception_response(error)


def _blueprints() -> tuple:
    from backend.accounts.api import bp as auth
    from backend.accounts.api import users_bp as users
    from backend.complaints.api import bp as complaints
    from backend.complaints.api import public_bp as public_complaints
    from backend.credit.api import bp as credit
    from backend.devicefile.api import bp as devicefile
    from backend.devices.api import bp as devices
    from backend.devices.api import ledgers as device_ledgers
    from backend.devices.api import sheets as label_sheets
    from backend.hazards.api import bp as hazards
    from backend.hazards.api import ledgers as hazard_ledgers
    from backend.inspections.api import bp as inspections
    from backend.jobs.api import bp as jobs
    from backend.maintenance.api import bp as maintenance
    from backend.measures.api import bp as measures
    from backend.measures.api import public_bp as public_listings
    from backend.notices.api import bp as notices
    from backend.notifications.api import bp as notifications
    from backend.org.api import bp as org
    from backend.photos.api import bp as photos
    from backend.plans.api import bp as plans
    from backend.plans.api import public_bp as public_plans
    from backend.public.api import bp as public
    from backend.reports.api import bp as reports
    from backend.sync.api import bp as sync
    from backend.system.api import bp as system
    from backend.workqueue.api import bp as workqueue

    return (
        system,
        auth,
        users,
        org,
        devices,
        devicefile,
        device_ledgers,
        label_sheets,
        photos,
        hazards,
        hazard_ledgers,
        inspections,
        notices,
        maintenance,
        complaints,
        sync,
        public,
        public_complaints,
        credit,
        plans,
        public_plans,
        measures,
        public_listings,
        reports,
        notifications,
        jobs,
        workqueue,
    )


def _subscribe_event_handlers(app: Flask) -> None:
    """The higher domains' handlers of the lower domains' events (core.events)."""
    from backend.core import events
    from backend.credit.handlers import register_credit_handlers
    from backend.evidence.history import register_history_chaining
    from backend.jobs.handlers import register_notification_handlers

    events.init_app(app)
    register_history_chaining(app)
    register_credit_handlers(app)
    register_notification_handlers(app)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=None, static_folder=None)
    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.update(load_config(overrides))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    import backend.models  # noqa: F401 - register every table

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    jwt.init_app(app)
    limiter.init_app(app)
    init_shared_state(app)
    with app.app_context():
        from backend.core.db import configure_sqlite

        configure_sqlite(db.engine, app.config["SQLITE_SYNCHRONOUS"])
    _session_per_request(app)

    from backend.accounts.tokens import register_jwt_callbacks

    register_jwt_callbacks(jwt)
    api = EnvelopeApi(app)
    for blueprint in _blueprints():
        api.register_blueprint(blueprint)
    _subscribe_event_handlers(app)
    register_error_handlers(app)
    register_json_guard(app)

    from backend.apidocs import register_api_docs
    from backend.cli import register_cli
    from backend.web import register_web

    register_api_docs(app)
    register_web(app)
    register_cli(app)
    _trust_proxies(app)
    if app.config["JOBS_SCHEDULER"]:
        from backend.jobs.scheduler import start_scheduler

        start_scheduler(app)
    return app


def _session_per_request(app: Flask) -> None:
    """A request's objects outlive its one commit; a request that only read ends with COMMIT."""
    app.before_request(lambda: keep_state_after_commit(db.session(), hold_loaded=request.method in WRITES))
    app.teardown_request(lambda _exc: expire_state_on_commit(db.session()))
    app.teardown_request(lambda exc: None if exc else end_read_transaction(db.session()))


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take client address and scheme from X-Forwarded-*.

    Without it those headers are ignored: a client cannot fake its address (rate limits) or https (HSTS).
    """
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _migrations_dir():
    from backend.config import ROOT

    return ROOT / "migrations"
