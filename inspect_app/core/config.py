"""Every INSPECT_* setting, read from the environment, each with a one-line comment."""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_DIR = PROJECT_ROOT / "instance"
DEV_SECRET_KEY = "dev-only-not-secret"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"INSPECT_{name}", default)


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings for every environment; subclasses change only what differs."""

    # development, production or testing; production refuses to start without a real secret key.
    ENV = _env("ENV", "development")
    # Signs sessions and CSRF tokens; must be set (and secret) in production.
    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)
    # SQLAlchemy URL; SQLite under instance/ by default, postgresql+psycopg://... in production.
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'inspect.sqlite3'}")
    # Where evidence files are stored, named by their content hash.
    UPLOAD_DIR = _env("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Largest request body accepted, in bytes (uploads included).
    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
    # Largest single evidence file (photo or PDF) accepted, in bytes.
    MAX_FILE_BYTES = _env_int("MAX_FILE_BYTES", 10 * 1024 * 1024)
    # Language used when neither the user nor the browser names a supported one.
    BABEL_DEFAULT_LOCALE = _env("DEFAULT_LOCALE", "vi")
    # Time zone used to show times when the user has not chosen one.
    BABEL_DEFAULT_TIMEZONE = _env("DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    # Failed sign-ins in a row for one username from one client address, within the window, before that username
    # is refused to that address for a while (the owner signing in from elsewhere is not locked out).
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    # Failed sign-ins from one client address, whatever the usernames, within the window, before it is refused.
    LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    # Length of the failed sign-in window and of the lock-out, in minutes.
    LOGIN_LOCKOUT_MINUTES = _env_int("LOGIN_LOCKOUT_MINUTES", 15)
    # Hours sign-in attempts are kept before the worker deletes them (never less than the window).
    LOGIN_ATTEMPTS_KEEP_HOURS = _env_int("LOGIN_ATTEMPTS_KEEP_HOURS", 24)
    # Proxies in front of the app that add X-Forwarded-For and X-Forwarded-Proto (nginx: 1). The client address,
    # which sign-in throttling counts by, is read from those headers only when set; 0 ignores them, as a client
    # could write them to pose as another address.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    # Place named on the date line of printed documents ("Hải Dương, ngày ... tháng ... năm ...").
    DOCUMENT_PLACE = _env("DOCUMENT_PLACE", "Hải Dương")
    # Days a unit gets to remediate a finding when the conclusion sets no other deadline.
    REMEDIATION_DAYS = _env_int("REMEDIATION_DAYS", 30)
    # Attempts to fire a timer whose process step fails (retried after 1, 2, 4 ... minutes) before it is marked failed.
    TIMER_MAX_ATTEMPTS = _env_int("TIMER_MAX_ATTEMPTS", 5)
    # Longest timer a process may set, as an ISO 8601 duration: deploying refuses a later one, a case stops on one.
    MAX_TIMER_DURATION = _env("MAX_TIMER_DURATION", "P5Y")
    # Rows per page in lists.
    PAGE_SIZE = _env_int("PAGE_SIZE", 25)
    # SMTP server for notification e-mail; empty: each e-mail is written to the app log instead (development).
    SMTP_HOST = _env("SMTP_HOST", "")
    # Port of the SMTP server: 587 for STARTTLS, 465 for SSL, 25 for none.
    SMTP_PORT = _env_int("SMTP_PORT", 587)
    # How the SMTP connection is secured: starttls, ssl (TLS from the start) or none.
    SMTP_SECURITY = _env("SMTP_SECURITY", "starttls")
    # User name to sign in to the SMTP server; empty: no sign-in.
    SMTP_USERNAME = _env("SMTP_USERNAME", "")
    # Password to sign in to the SMTP server (a secret, like INSPECT_SECRET_KEY).
    SMTP_PASSWORD = _env("SMTP_PASSWORD", "")
    # Seconds to wait for the SMTP server; unsent e-mail is tried again on the next run.
    SMTP_TIMEOUT = _env_int("SMTP_TIMEOUT", 30)
    # Sender of notification e-mails, "Name <address>".
    MAIL_FROM = _env("MAIL_FROM", "Inspect <inspect@localhost>")
    # The app's address as users reach it, for links in e-mails.
    BASE_URL = _env("BASE_URL", "http://localhost:5000")
    # Send session cookies over HTTPS only; on by default in production.
    SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", ENV == "production")
    # Lowest level logged to stderr: DEBUG, INFO, WARNING, ERROR or CRITICAL.
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    # plain: readable lines; json: one JSON object per line (time, level, logger, message, case, ...) for collectors.
    LOG_FORMAT = _env("LOG_FORMAT", "plain")
    # Sentry DSN for error reports (needs the `sentry` extra); empty: none. No personal data is sent.
    SENTRY_DSN = _env("SENTRY_DSN", "")

    SUPPORTED_LOCALES = ("vi", "en")
    # How passwords are hashed (a werkzeug method): scrypt, slow on purpose. Not an INSPECT_ setting: only the
    # test suite, whose passwords protect nothing, lowers it.
    PASSWORD_HASH_METHOD = "scrypt"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, so a long field visit does not expire a form


class TestConfig(Config):
    """Settings for the test suite: fast hashing off, a database chosen by the fixtures."""

    ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-only"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # Sign-ins are most of what the suite does; scrypt would make them most of its time.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
    # Never mail real people from tests, whatever the environment says; tests that send set their own server.
    SMTP_HOST = ""
