"""Deliver the outbox: by SMTP when MAIL_SERVER is set, to the log otherwise.

Each due message is claimed on its own by one conditional UPDATE, committed before
anything is sent: its attempt is counted and its ``next_attempt_at`` moved a lease
(MAIL_CLAIM_SECONDS) ahead, only if it is still pending and due. Two workers, or a
worker and the request's inline delivery, cannot both win that UPDATE (on PostgreSQL
and SQLite alike), so no message is sent twice. A worker killed while sending leaves
the row pending: once the lease has run out the next run sends it (never lost). Only a
kill between the SMTP server's "250 accepted" and the commit that follows can repeat a
message; its Message-ID stays the same, so receivers can tell.

A failure keeps the message pending with an exponential back-off; after
MAIL_MAX_ATTEMPTS it is marked failed. When the server cannot be reached the run stops
and every due message waits: an outage is not the message's fault, so it never makes a
message fail for good, however long it lasts (the back-off stays at most an hour). The
first message sent after an outage makes every message that waits only for the server
due at once (their last error says "Server unreachable"; a claimed message has none, so a
message being sent by another run is left alone). Without MAIL_SERVER messages are written
to the log and kept with the status ``logged``.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)
if logger.level == logging.NOTSET:
    logger.setLevel(logging.INFO)  # the logged mails must show without any logging set-up

RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600
CLAIM_SECONDS = 300  # longer than any one send can take (MAIL_TIMEOUT per SMTP step)
ERROR_MAX_LENGTH = 2000


UNREACHABLE_PREFIX = "Server unreachable: "


class ServerUnreachable(Exception):
    """The SMTP server could not be reached or refused us: stop this run, retry later."""


class Transport(Protocol):
    def send(self, email: EmailMessage) -> None: ...

    def close(self) -> None: ...


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    logged: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    next_attempt_at: datetime | None = None  # the earliest pending message left, if any

    def record(self, message: OutboxMessage) -> None:
        lists = {
            OutboxStatus.SENT: self.sent,
            OutboxStatus.LOGGED: self.logged,
            OutboxStatus.PENDING: self.retrying,
            OutboxStatus.FAILED: self.failed,
        }
        lists[OutboxStatus(message.status)].append(message.id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": len(self.sent),
            "logged": len(self.logged),
            "retrying": len(self.retrying),
            "failed": len(self.failed),
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
        }


class SmtpTransport:
    """One SMTP connection per run, opened on first use (STARTTLS and login as configured)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        try:
            smtp = smtplib.SMTP(
                config["MAIL_SERVER"],
                config.get("MAIL_PORT") or 25,
                timeout=config.get("MAIL_TIMEOUT", 10),
            )
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except (OSError, smtplib.SMTPException) as error:
            raise ServerUnreachable(describe_error(error)) from error
        return smtp

    def send(self, email: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(email)
        except (OSError, smtplib.SMTPException):
            self.close()  # the connection may be in any state: start afresh next time
            raise

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._smtp.close()
        self._smtp = None


class LogTransport:
    """Without MAIL_SERVER the mail goes to the log: links and all in development, only its
    recipient and subject where MAIL_LOG_BODIES is off (production: a reset link in a log
    is a password)."""

    def __init__(self, with_bodies: bool = True) -> None:
        current_app.logger  # noqa: B018  Flask adds its stderr handler to "pic_events" on first use
        self.with_bodies = with_bodies

    def send(self, email: EmailMessage) -> None:
        if not self.with_bodies:
            logger.info(
                "Mail not sent (MAIL_SERVER is not set), logged instead.\nTo: %s\nSubject: %s\n\n"
                "(body withheld: it may hold links that act as passwords)",
                email["To"],
                email["Subject"],
            )
            return
        logger.info(
            "Mail not sent (MAIL_SERVER is not set), logged instead.\nTo: %s\nSubject: %s\n\n%s",
            email["To"],
            email["Subject"],
            email.get_body(("plain",)).get_content(),
        )

    def close(self) -> None:
        pass


def describe_error(error: BaseException) -> str:
    return f"{error.__class__.__name__}: {error}"[:ERROR_MAX_LENGTH]


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, then doubling, at most an hour apart."""
    base = current_app.config.get("MAIL_RETRY_BASE_SECONDS", RETRY_BASE_SECONDS)
    cap = current_app.config.get("MAIL_RETRY_MAX_SECONDS", RETRY_MAX_SECONDS)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at or utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    # Stable across retries: a receiver can recognise a message delivered twice.
    email["Message-ID"] = f"<outbox-{message.id}@{domain}>"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for part in message.attachments or ():
        _attach(email, part)
    return email


def _attach(email: EmailMessage, part: dict[str, str]) -> None:
    """A "text/calendar; method=..." part is an iMIP invitation (RFC 6047): an alternative of
    the text that calendars act on, and the same bytes as a file (invite.ics) for the mail
    programs that only look at attachments. Anything else is a file. The bytes are sent as
    they are (base64), so a calendar keeps its CRLF line ends."""
    content = base64.b64decode(part["content"])
    mimetype, _, rest = part["mimetype"].partition(";")
    maintype, _, subtype = mimetype.strip().lower().partition("/")
    params = {}
    for param in rest.split(";"):
        key, _, value = param.partition("=")
        if key.strip() and value.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    filename = part.get("filename") or "attachment"
    if (maintype, subtype) == ("text", "calendar") and "method" in params:
        params["method"] = params["method"].upper()
        params.setdefault("charset", "utf-8")
        _alternatives(email).add_alternative(
            content, maintype="text", subtype="calendar", params=params, cte="base64"
        )
        email.add_attachment(
            content, maintype="application", subtype="ics", filename=filename, cte="base64"
        )
        return
    email.add_attachment(
        content,
        maintype=maintype or "application",
        subtype=subtype or "octet-stream",
        filename=filename,
        cte="base64",
        params={k: v for k, v in params.items() if k != "name"},
    )


def _alternatives(email: EmailMessage) -> EmailMessage:
    """The multipart/alternative part holding the text (the message itself until a file is
    attached, which makes it multipart/mixed)."""
    if email.get_content_type() == "multipart/mixed":
        for part in email.iter_parts():
            if part.get_content_type() in ("multipart/alternative", "text/plain"):
                return part
    return email


def _is_permanent(error: BaseException) -> bool:
    """Every recipient refused with a 5xx code: retrying will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


def _next_due_id(session: Session, now: datetime, skip: set[int]) -> int | None:
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if skip:
        query = query.where(OutboxMessage.id.not_in(skip))
    return session.scalar(query)


def _claim(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    """Take the message for this run, or None if another run took it first.

    The UPDATE re-checks status and due time on the row it locks, so of two concurrent
    claims exactly one changes a row; the claim is committed before sending."""
    lease = timedelta(seconds=current_app.config.get("MAIL_CLAIM_SECONDS", CLAIM_SECONDS))
    claimed = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + lease, last_error=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if claimed != 1:
        return None
    return session.get(OutboxMessage, message_id, populate_existing=True)


def _mark_delivered(message: OutboxMessage, status: OutboxStatus, now: datetime) -> None:
    message.status = status.value
    message.sent_at = now
    message.last_error = None


def _mark_attempt_failed(
    message: OutboxMessage,
    error: str,
    now: datetime,
    *,
    permanent: bool = False,
    server_down: bool = False,
) -> None:
    message.last_error = error  # the attempt was counted when the message was claimed
    used_up = message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"] and not server_down
    if permanent or used_up:
        message.status = OutboxStatus.FAILED.value
        logger.error("Mail %s to %s failed for good: %s", message.id, message.recipient, error)
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
        logger.warning(
            "Mail %s to %s not delivered (attempt %s), next try at %s: %s",
            message.id,
            message.recipient,
            message.attempts,
            message.next_attempt_at.isoformat(),
            error,
        )


def _deliver_one(message: OutboxMessage, transport: Transport, now: datetime) -> bool:
    """Send one message and mark it. False when the server is unreachable (stop the run)."""
    config = current_app.config
    try:
        transport.send(build_email(message, config["MAIL_DEFAULT_SENDER"]))
    except ServerUnreachable as error:
        _mark_attempt_failed(message, UNREACHABLE_PREFIX + str(error), now, server_down=True)
        return False
    except Exception as error:  # a bad address, a refused recipient, a dropped connection
        _mark_attempt_failed(message, describe_error(error), now, permanent=_is_permanent(error))
        return True
    status = OutboxStatus.SENT if config.get("MAIL_SERVER") else OutboxStatus.LOGGED
    _mark_delivered(message, status, now)
    return True


def make_transport() -> Transport:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    return LogTransport(with_bodies=config.get("MAIL_LOG_BODIES", True))


def next_attempt_at(session: Session | None = None) -> datetime | None:
    session = session or db.session
    return session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING.value
        )
    )


def _wait_for_server(session: Session, now: datetime, probe: OutboxMessage) -> None:
    """The server is unreachable: every due message waits as long as the one that found out
    (its back-off), instead of each run trying the server again straight away."""
    if probe.status != OutboxStatus.PENDING.value:
        return
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=probe.next_attempt_at, last_error=probe.last_error)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _release_outage_waits(session: Session, now: datetime) -> None:
    """The server answers again: what waited only for it is due now."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.next_attempt_at > now,
            OutboxMessage.last_error.startswith(UNREACHABLE_PREFIX, autoescape=True),
        )
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def deliver_due(
    now: datetime | None = None, limit: int = 100, *, session: Session | None = None
) -> DeliveryReport:
    """Deliver up to `limit` pending messages whose time has come; commit each one."""
    session = session or db.session
    now = now or utcnow()
    report = DeliveryReport()
    transport = make_transport()
    lost_races: set[int] = set()
    handled = 0
    try:
        while handled < limit and len(lost_races) <= limit:
            message_id = _next_due_id(session, now, lost_races)
            if message_id is None:
                break
            message = _claim(session, message_id, now)
            if message is None:  # another worker has it
                lost_races.add(message_id)
                continue
            reachable = _deliver_one(message, transport, now)
            session.commit()
            report.record(message)
            handled += 1
            if message.status == OutboxStatus.SENT.value and len(report.sent) == 1:
                _release_outage_waits(session, now)
            if not reachable:
                _wait_for_server(session, now, message)
                break
    finally:
        session.rollback()  # an unexpected error: the claimed message waits for its lease
        transport.close()
    report.next_attempt_at = next_attempt_at(session)
    session.commit()
    return report


def requeue_failed(now: datetime | None = None) -> int:
    """Give failed messages a fresh set of attempts (after fixing the mail settings)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED.value)
        .values(status=OutboxStatus.PENDING.value, attempts=0, next_attempt_at=now or utcnow())
    )
    db.session.commit()
    return result.rowcount
