"""The Inspect web application."""

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

from inspect_app.core import migrations
from inspect_app.core.config import DEV_SECRET_KEY, PROJECT_ROOT, Config
from inspect_app.core.converters import IdConverter
from inspect_app.core.extensions import babel, csrf, db, login_manager
from inspect_app.core.requests import AppRequest
from inspect_app.core.sqlite import use_write_ahead_log

# A built package carries the templates inside (setup.py); a checkout keeps them at its top (templates/). The copy
# inside comes first: beside an installed package, "templates" could be another distribution's folder.
TEMPLATES_DIR = next(
    (path for path in (Path(__file__).parent / "templates", PROJECT_ROOT / "templates") if path.is_dir()),
    PROJECT_ROOT / "templates",
)


class ConfigurationError(RuntimeError):
    """The app cannot start with the settings it was given."""


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI and error handlers."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.request_class = AppRequest
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    _refuse_unsafe_production(app)
    _trust_proxies(app)
    _without_jit_on_postgresql(app)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    from inspect_app.core.logging import configure_logging

    configure_logging(app)
    # The embedded SQLite database and the uploads live here by default; make them work on a fresh clone.
    Path(app.instance_path).mkdir(exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    use_write_ahead_log(app)
    migrations.register(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    from inspect_app.core import library_messages

    library_messages.install(app)

    from inspect_app import (
        api,
        audit,
        auth,
        cases,
        cli,
        criteria,
        evidence,
        inspections,
        main,
        notifications,
        par,
        processes,
        tasks,
    )
    from inspect_app.checklists import bp as checklists_bp
    from inspect_app.core import errors, security_headers, static_files, templating, unit_of_work

    app.register_blueprint(auth.bp)
    app.register_blueprint(main.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(processes.bp)
    app.register_blueprint(checklists_bp)
    app.register_blueprint(criteria.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(inspections.bp)
    app.register_blueprint(evidence.bp)
    app.register_blueprint(par.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(audit.bp)
    errors.register(app)
    security_headers.register(app)
    static_files.register(app)
    templating.register(app)
    cli.register(app)
    register_process_hooks(app)
    register_event_kinds(app)
    _refuse_bad_timer_limit(app)
    unit_of_work.install(app)
    return app


def register_process_hooks(app: Flask) -> None:
    """The step handlers, task forms, task page contexts, timer handlers and start data BPMN files may use, from each
    feature's tables."""
    from inspect_app.inspections import forms as inspection_forms
    from inspect_app.inspections import services as inspection_services
    from inspect_app.inspections import steps as inspection_steps
    from inspect_app.inspections import task_context as inspection_contexts
    from inspect_app.par import forms as par_forms
    from inspect_app.par import services as par_services
    from inspect_app.par import steps as par_steps
    from inspect_app.par import task_context as par_contexts
    from inspect_app.tasks import forms as task_forms
    from inspect_app.tasks import registry
    from inspect_app.tasks import services as task_services
    from inspect_app.tasks import steps as task_steps

    registry.install(
        app,
        steps=[task_steps.STEPS, inspection_steps.STEPS, par_steps.STEPS],
        forms=[task_forms.FORMS, inspection_forms.TASK_FORMS, par_forms.FORMS],
        contexts=[inspection_contexts.CONTEXTS, par_contexts.CONTEXTS],
        timer_handlers=[par_steps.TIMER_HANDLERS],
        start_samples=[task_services.START_SAMPLES, inspection_services.START_SAMPLES, par_services.START_SAMPLES],
    )


def register_event_kinds(app: Flask) -> None:
    """How each history action reads, from each feature's table (see audit/describe.py)."""
    from inspect_app.audit import describe
    from inspect_app.cases import event_kinds as case_kinds
    from inspect_app.evidence import event_kinds as evidence_kinds
    from inspect_app.inspections import event_kinds as inspection_kinds
    from inspect_app.par import event_kinds as par_kinds
    from inspect_app.tasks import event_kinds as task_kinds

    describe.install(
        app,
        [
            case_kinds.EVENT_KINDS,
            task_kinds.EVENT_KINDS,
            inspection_kinds.EVENT_KINDS,
            evidence_kinds.EVENT_KINDS,
            par_kinds.EVENT_KINDS,
        ],
    )


def _refuse_bad_timer_limit(app: Flask) -> None:
    from inspect_app import workflow_bridge

    problem = workflow_bridge.timer_limit_problem(app.config["MAX_TIMER_DURATION"])
    if problem:
        raise ConfigurationError(
            f"INSPECT_MAX_TIMER_DURATION must be an ISO 8601 duration such as P5Y, of at most 100 years: {problem}."
        )


def _refuse_unsafe_production(app: Flask) -> None:
    if app.config["ENV"] == "production" and app.config.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY):
        raise ConfigurationError(
            "INSPECT_SECRET_KEY is missing or still the development default; "
            "set it to a long random value before running in production "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )


def _trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the headers INSPECT_TRUSTED_PROXIES proxies in front added.

    Each proxy appends the address it was called from to X-Forwarded-For: the client's is the one the outermost
    trusted proxy appended. Whatever the client wrote there itself comes before it and is ignored."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _without_jit_on_postgresql(app: Flask) -> None:
    """Ask PostgreSQL not to JIT-compile the app's queries (in the connection's start-up, no extra round trip).

    The app's queries are short lookups that take a few milliseconds, but the planner's cost estimate of some (the
    inbox's lane checks, at 100k cases) passes jit_above_cost, and compiling then takes 50-100 ms: most of the page."""
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args["options"] = f"{connect_args.get('options', '')} -c jit=off".strip()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def select_locale() -> str:
    """The signed-in user's language, else the one chosen this session, else the browser's best match."""
    from flask import current_app

    supported = current_app.config["SUPPORTED_LOCALES"]
    if not has_request_context():  # the CLI and workers speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in supported:
        return current_user.language
    if session.get("language") in supported:
        return session["language"]
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str | None:
    """The signed-in user's time zone, else the default (Asia/Ho_Chi_Minh)."""
    if has_request_context() and current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return None
