"""Notification e-mail. Sent after the change has committed, by `inspect send-mail`, `run-timers` or the worker,
through the SMTP server in the settings (smtplib, STARTTLS or SSL); with no INSPECT_SMTP_HOST (development, tests)
each message is written to the app log instead, and counts as sent."""

import smtplib
import ssl
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from inspect_app.core import clock
from inspect_app.core.extensions import db
from inspect_app.core.unit_of_work import unit_of_work
from inspect_app.models import Notification, User
from inspect_app.notifications.services import describe

SECURITY_CHOICES = ("starttls", "ssl", "none")


def send_pending_emails() -> int:
    """E-mail every notification not yet sent to a user with an address; commits after each message.

    Workers share the queue (FOR UPDATE SKIP LOCKED on PostgreSQL). An SMTP failure stops the run and leaves the rest
    for the next one; an address the server refuses is logged and not tried again. Returns how many were sent."""
    sent = 0
    with Outbox() as outbox:
        while True:
            with unit_of_work():  # one message is one worker item
                notification = _claim_unsent()
                if notification is None:
                    break
                outcome = _deliver(outbox, notification)
            if outcome == "unreachable":
                break
            sent += outcome == "sent"
    return sent


def _deliver(outbox: "Outbox", notification: Notification) -> str:
    """Send one notification's e-mail: "sent", "refused" (never tried again) or "unreachable" (tried next run)."""
    try:
        outbox.send(build_message(notification))
        outcome = "sent"
    except (smtplib.SMTPRecipientsRefused, MessageError, ValueError) as refusal:
        # Not an address, or one the server refuses: retrying would only block the queue behind it.
        current_app.logger.error("E-mail for notification %s not sent: %s", notification.id, refusal)
        outcome = "refused"
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("Sending e-mail failed; unsent messages are tried again next time.")
        return "unreachable"
    notification.emailed_at = clock.now()
    return outcome


def _claim_unsent() -> Notification | None:
    query = (
        select(Notification)
        .join(User, Notification.user_id == User.id)
        .where(
            Notification.emailed_at.is_(None),
            User.email.is_not(None),
            User.email != "",
            User.is_active.is_(True),
        )
        .order_by(Notification.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Notification)
    )
    return db.session.scalar(query)


def build_message(notification: Notification) -> EmailMessage:
    """The e-mail for one notification, worded in the recipient's language (Vietnamese unless they chose another)."""
    user, config = notification.user, current_app.config
    language = user.language if user.language in config["SUPPORTED_LOCALES"] else config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        notice = describe(notification)
        case = notification.case
        lines = [
            _("Hello %(name)s,", name=user.full_name),
            "",
            notice.text,
            *([_("Case: %(title)s", title=case.title)] if case else []),
            "",
            _("Open it in Inspect: %(url)s", url=external_url(notice.endpoint, **notice.values)),
            "",
            "-- ",
            _("You receive this e-mail because you have an account in Inspect."),
        ]
    message = EmailMessage()
    message["Subject"] = f"{notice.title} – {case.reference}" if case else notice.title
    message["From"] = config["MAIL_FROM"]
    message["To"] = Address(user.full_name, addr_spec=user.email.strip())
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost")
    message.set_content("\n".join(lines))
    return message


def external_url(endpoint: str, **values) -> str:
    """An absolute link into the app (INSPECT_BASE_URL), built without a request."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


class Outbox:
    """One SMTP connection for a batch of messages, opened at the first one; the log when no host is set."""

    def __init__(self):
        self.config = current_app.config
        self.smtp: smtplib.SMTP | None = None
        if self.config["SMTP_HOST"] and self.config["SMTP_SECURITY"] not in SECURITY_CHOICES:
            raise RuntimeError(f"INSPECT_SMTP_SECURITY must be one of {', '.join(SECURITY_CHOICES)}")

    def __enter__(self) -> "Outbox":
        return self

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()

    def send(self, message: EmailMessage) -> None:
        """Hand the message to the SMTP server (or write it to the log)."""
        if not self.config["SMTP_HOST"]:
            current_app.logger.warning(
                "INSPECT_SMTP_HOST is not set; this e-mail was written here instead of sent.\n"
                "To: %s\nSubject: %s\n\n%s",
                message["To"],
                message["Subject"],
                message.get_content(),
            )
            return
        if self.smtp is None:
            self.smtp = connect(self.config)
        self.smtp.send_message(message)


def connect(config) -> smtplib.SMTP:
    """Open a connection to the configured SMTP server, secured as INSPECT_SMTP_SECURITY says, and sign in."""
    security = config["SMTP_SECURITY"]
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    if security == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if config["SMTP_USERNAME"]:
        smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
    return smtp
