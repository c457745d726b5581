"""One logging configuration for the web app, the CLI and workers: lines on stderr, and Sentry when configured.

Log with a module logger, or `case_logger` for what happens to a case, and name the case with `extra=`:

    case_logger.info("task completed", extra={"case": case.reference, "task": task.bpmn_id})

Every `extra=` key becomes a field of the JSON line (INSPECT_LOG_FORMAT=json) or `key=value` after the message
(plain). A key must not be a LogRecord attribute (`message`, `name`, `process`, `module`, ...): logging refuses it.
"""

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask
from flask.logging import default_handler

from inspect_app import ConfigurationError

# What happens to cases (engine steps, decisions); pass the case reference as extra={"case": ...}.
case_logger = logging.getLogger("inspect.case")

FORMATS = ("plain", "json")
# Libraries that log routine work at INFO: every SQL statement (SQLALCHEMY_ECHO is the switch for that), every
# engine task's state change with its data (what a case records; the bridge logs each step), every PDF step.
_CHATTY_LOGGERS = ("sqlalchemy.engine", "spiff", "weasyprint.progress")
# Attributes every record has; whatever else a record carries came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def configure_logging(app: Flask) -> None:
    """Send all records at INSPECT_LOG_LEVEL to stderr in INSPECT_LOG_FORMAT; start Sentry when a DSN is set."""
    level = _level(app.config["LOG_LEVEL"])
    log_format = app.config["LOG_FORMAT"].lower()
    if log_format not in FORMATS:
        raise ConfigurationError(f"INSPECT_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}.")
    handler = _StderrHandler()
    handler.setFormatter(JsonLinesFormatter() if log_format == "json" else PlainFormatter())
    root = logging.getLogger()
    # create_app may run more than once in a process (tests, CLI): replace our handler, never stack a second.
    for old in [old for old in root.handlers if isinstance(old, _StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    app.logger.removeHandler(default_handler)
    if app.config["SENTRY_DSN"]:
        _init_sentry(app)


class PlainFormatter(logging.Formatter):
    """`2026-11-28T10:15:00.123Z INFO inspect.case: task completed case=KT-2026-001 task=review`"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_time(record)

    def formatMessage(self, record: logging.LogRecord) -> str:
        fields = "".join(f" {key}={value}" for key, value in _extra_fields(record).items())
        return super().formatMessage(record) + fields


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time (ISO, UTC), level, logger, message, the `extra=` fields, any exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _utc_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_extra_fields(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    # Writes to sys.stderr as it is at each record, so a runner that swaps the stream (pytest, gunicorn) still works.
    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _level(name: str) -> int:
    levels = logging.getLevelNamesMapping()
    if name.upper() not in levels:
        choices = "DEBUG, INFO, WARNING, ERROR, CRITICAL"
        raise ConfigurationError(f"INSPECT_LOG_LEVEL must be one of {choices}, not {name!r}.")
    return levels[name.upper()]


def _utc_time(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _extra_fields(record: logging.LogRecord) -> dict:
    return {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES}


def _init_sentry(app: Flask) -> None:
    try:  # an optional extra: the app runs without it until a DSN asks for it
        import sentry_sdk
        from sentry_sdk.integrations.flask import FlaskIntegration
    except ImportError as error:
        raise ConfigurationError(
            "INSPECT_SENTRY_DSN is set but sentry-sdk is not installed: pip install 'inspect_app[sentry]'."
        ) from error
    sentry_sdk.init(
        dsn=app.config["SENTRY_DSN"],
        environment=app.config["ENV"],
        integrations=[FlaskIntegration()],
        # Cases name people and units: send no user, cookies, request bodies or local variables.
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
    )
