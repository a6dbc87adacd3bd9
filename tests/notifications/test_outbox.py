"""The outbox: rows written with the change, delivered by SMTP after commit, retried."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage, OutboxStatus
from pic_events.notifications.sender import deliver_due
from pic_events.notifications.services import queue_mail
from tests.notifications.conftest import SmtpServer, accept_only, free_port

SUBJECT = "Votre inscription à la réunion PIC — Angers, été 2027"
BODY = "Bonjour Zoé,\n\nBienvenue à Angers : à très bientôt !\n"


def text(message, kind: str = "plain") -> str:
    """A part's text, with the line ends SMTP gave it (CRLF) back to Python's."""
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_mail_is_delivered_after_commit_with_accents_intact(mail_app, smtp_server):
    queue_mail("Zoé Lefèvre <zoe@example.org>", SUBJECT, BODY)
    queue_mail(
        "jan@example.nl", "Your badge", "See you in Angers.", "<p>See you in <b>Angers</b>.</p>"
    )
    assert smtp_server.inbox.messages == []  # nothing leaves before the commit
    db.session.commit()

    first, second = smtp_server.inbox.messages
    assert smtp_server.inbox.envelopes[0].rcpt_tos == ["zoe@example.org"]
    assert first["To"].addresses[0].display_name == "Zoé Lefèvre"
    assert first["Subject"] == SUBJECT
    assert text(first) == BODY
    assert first["From"].addresses[0].addr_spec == "noreply@pic.example"
    assert smtp_server.inbox.envelopes[1].rcpt_tos == ["jan@example.nl"]
    assert "<b>Angers</b>" in text(second, "html")
    assert text(second).strip() == "See you in Angers."

    rows = outbox()
    assert [row.status for row in rows] == [OutboxStatus.SENT, OutboxStatus.SENT]
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)


def test_rolled_back_change_sends_nothing(mail_app, smtp_server):
    queue_mail("zoe@example.org", "Not meant to leave", "Rolled back.")
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert outbox() == []
    assert smtp_server.inbox.messages == []


def test_line_breaks_cannot_inject_headers(mail_app, smtp_server):
    queue_mail("zoe@example.org", "Hello\r\nBcc: victim@example.org", "Body")
    db.session.commit()
    (message,) = smtp_server.inbox.messages
    assert message["Bcc"] is None
    assert smtp_server.inbox.envelopes[0].rcpt_tos == ["zoe@example.org"]


def test_without_inline_delivery_rows_wait_for_the_sender(mail_app, smtp_server):
    mail_app.config["MAIL_DELIVER_INLINE"] = False
    queue_mail("zoe@example.org", SUBJECT, BODY)
    db.session.commit()
    assert smtp_server.inbox.messages == []
    assert outbox()[0].status == OutboxStatus.PENDING

    report = deliver_due()

    assert len(report.sent) == 1
    assert report.next_attempt_at is None
    assert smtp_server.inbox.messages[0]["Subject"] == SUBJECT
    assert outbox()[0].status == OutboxStatus.SENT


def test_server_down_keeps_the_message_and_delivers_it_once_back(app, caplog):
    down = SmtpServer(port=free_port())
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=down.port)
    before = utcnow()

    queue_mail("zoe@example.org", SUBJECT, BODY)
    db.session.commit()  # the inline delivery fails: the commit still succeeds

    (row,) = outbox()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    assert row.next_attempt_at >= before + timedelta(seconds=30)
    assert "not delivered" in caplog.text

    server = down.start()
    try:
        assert deliver_due().sent == []  # not due yet: back-off is respected
        report = deliver_due(now=utcnow() + timedelta(seconds=31))
        assert report.sent == [row.id]
        assert [m["Subject"] for m in server.inbox.messages] == [SUBJECT]
        (row,) = outbox()
        assert row.status == OutboxStatus.SENT
        assert row.attempts == 2
        assert row.last_error is None
        assert deliver_due(now=utcnow() + timedelta(hours=2)).sent == []  # sent once only
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


class _AlwaysLater:
    """An SMTP server that answers every message with a temporary failure (4xx)."""

    async def handle_DATA(self, server, session, envelope):
        return "451 4.3.0 Try again later"


def test_back_off_doubles_then_fails_after_max_attempts(app):
    server = SmtpServer()
    server.inbox = _AlwaysLater()
    server.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_MAX_ATTEMPTS=4,
        MAIL_DELIVER_INLINE=False,
    )
    queue_mail("zoe@example.org", SUBJECT, BODY)
    db.session.commit()

    now = utcnow()
    delays = []
    try:
        for _ in range(3):
            deliver_due(now=now)
            (row,) = outbox()
            delays.append((row.next_attempt_at - now).total_seconds())
            now = row.next_attempt_at
        assert delays == [30, 60, 120]
        assert row.status == OutboxStatus.PENDING
        assert "451" in row.last_error

        report = deliver_due(now=now)
    finally:
        server.stop()
    (row,) = outbox()
    assert report.failed == [row.id]
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 4
    assert deliver_due(now=now + timedelta(days=1)).failed == []  # left alone from now on


def test_an_unreachable_server_never_makes_a_message_fail(app):
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=free_port(),
        MAIL_MAX_ATTEMPTS=2,
        MAIL_DELIVER_INLINE=False,
    )
    queue_mail("zoe@example.org", SUBJECT, BODY)
    db.session.commit()

    now = utcnow()
    for _ in range(5):
        deliver_due(now=now)
        (row,) = outbox()
        now = row.next_attempt_at
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 5)


def test_recipient_refused_for_good_fails_at_once_others_still_sent(mail_app, smtp_server):
    smtp_server.inbox.refused.add("nobody@example.org")
    queue_mail("nobody@example.org", "Lost", "Nobody reads this.")
    queue_mail("zoe@example.org", SUBJECT, BODY)
    db.session.commit()

    refused, delivered = outbox()
    assert refused.status == OutboxStatus.FAILED
    assert "550" in refused.last_error
    assert delivered.status == OutboxStatus.SENT
    assert [e.rcpt_tos for e in smtp_server.inbox.envelopes] == [["zoe@example.org"]]


def test_smtp_login_with_the_configured_account(app):
    server = SmtpServer(authenticator=accept_only("pic", "s3cret"), auth_require_tls=False).start()
    try:
        app.config.update(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=server.port,
            MAIL_USERNAME="pic",
            MAIL_PASSWORD="wrong",
            MAIL_DELIVER_INLINE=False,
        )
        queue_mail("zoe@example.org", SUBJECT, BODY)
        db.session.commit()

        deliver_due()
        (row,) = outbox()
        assert row.status == OutboxStatus.PENDING
        assert "Authentication" in row.last_error
        assert server.inbox.messages == []

        app.config["MAIL_PASSWORD"] = "s3cret"
        deliver_due(now=utcnow() + timedelta(minutes=1))
        assert outbox()[0].status == OutboxStatus.SENT
        assert server.inbox.messages[0]["Subject"] == SUBJECT
    finally:
        server.stop()


def test_without_mail_server_mail_is_logged_and_kept(app, caplog):
    caplog.set_level(logging.INFO, logger="pic_events.notifications")
    assert app.config["MAIL_SERVER"] is None
    queue_mail("zoe@example.org", SUBJECT, BODY)
    db.session.commit()

    (row,) = outbox()
    assert row.status == OutboxStatus.LOGGED
    assert row.sent_at is not None
    assert "MAIL_SERVER is not set" in caplog.text
    assert SUBJECT in caplog.text
    assert "Bienvenue à Angers" in caplog.text
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
