"""Mail survives faults: two deliverers at once, a killed worker, Redis down, SMTP down.

The outbox row is the truth: every message is sent exactly once, none is lost."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.notifications import sender
from pic_events.notifications.models import OutboxMessage, OutboxStatus
from pic_events.notifications.sender import deliver_due
from pic_events.notifications.services import queue_mail
from tests.factories import make_user
from tests.notifications.conftest import SmtpServer, free_port


def _rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _received(server: SmtpServer) -> Counter:
    return Counter(r for envelope in server.inbox.envelopes for r in envelope.rcpt_tos)


def _queue(count: int) -> None:
    for n in range(count):
        queue_mail(f"member{n:02}@example.org", f"Message {n}", "Hello.")
    db.session.commit()


def test_concurrent_deliverers_send_each_message_exactly_once(mail_app, smtp_server):
    """On PostgreSQL and on an SQLite file: three runs at once, 30 messages."""
    mail_app.config["MAIL_DELIVER_INLINE"] = False
    _queue(30)
    start = threading.Barrier(3)
    errors = []

    def worker() -> None:
        with mail_app.app_context():
            try:
                start.wait()
                deliver_due(now=utcnow() + timedelta(seconds=1))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    received = _received(smtp_server)
    assert len(received) == 30 and set(received.values()) == {1}
    assert {(row.status, row.attempts) for row in _rows()} == {(OutboxStatus.SENT, 1)}


class _KilledWhileSending(BaseException):
    """What a SIGKILL looks like from the job's side: nothing after it runs."""


def test_a_worker_killed_while_sending_loses_nothing_and_repeats_nothing(
    mail_app, smtp_server, monkeypatch
):
    mail_app.config["MAIL_DELIVER_INLINE"] = False
    _queue(3)
    real_send = sender.SmtpTransport.send
    calls = []

    def send_then_die(self, email):
        calls.append(email["To"])
        if len(calls) == 2:
            raise _KilledWhileSending  # the second message is in flight when the worker dies
        real_send(self, email)

    monkeypatch.setattr(sender.SmtpTransport, "send", send_then_die)
    now = utcnow()
    with pytest.raises(_KilledWhileSending):
        deliver_due(now=now)
    monkeypatch.setattr(sender.SmtpTransport, "send", real_send)

    rows = _rows()
    assert [row.status for row in rows] == ["sent", "pending", "pending"]
    assert rows[1].next_attempt_at > now  # claimed: leased to the dead worker

    # The restarted worker runs at once: the third goes out, the leased one waits.
    deliver_due(now=now + timedelta(seconds=1))
    assert [row.status for row in _rows()] == ["sent", "pending", "sent"]

    # Once the lease is over, it is sent; nothing was sent twice.
    lease = mail_app.config.get("MAIL_CLAIM_SECONDS", sender.CLAIM_SECONDS)
    report = deliver_due(now=now + timedelta(seconds=lease + 1))
    assert report.as_dict()["sent"] == 1
    assert [row.status for row in _rows()] == ["sent"] * 3
    received = _received(smtp_server)
    assert len(received) == 3 and set(received.values()) == {1}


def test_redis_down_the_request_succeeds_and_the_mail_is_kept(app):
    """Without inline delivery (MAIL_DELIVER_INLINE=0) the outbox keeps it for cron."""
    app.config.update(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", MAIL_DELIVER_INLINE=False)
    user = make_user("zoe@example.org")
    db.session.commit()

    with app.test_client().post("/forgot-password", data={"email": user.email}) as response:
        assert response.status_code == 302
    rows = _rows()
    assert [(row.recipient, row.status) for row in rows] == [(user.email, "pending")]
    # Without the queue, `flask send-mail` (cron) delivers it.
    app.config["REDIS_URL"] = None
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert [row.status for row in _rows()] == ["logged"]


def test_smtp_down_for_an_hour_then_every_message_goes_out_once(app):
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DELIVER_INLINE=False)
    start = utcnow()
    # An hour of mail, one every two minutes, each followed by a delivery run that fails.
    for minute in range(0, 60, 2):
        now = start + timedelta(minutes=minute)
        queue_mail(f"member{minute:02}@example.org", f"Minute {minute}", "Hello.")
        db.session.commit()
        db.session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.subject == f"Minute {minute}")
            .values(created_at=now, next_attempt_at=now)
        )
        db.session.commit()
        report = deliver_due(now=now)
        assert report.as_dict()["sent"] == 0

    rows = _rows()
    assert len(rows) == 30
    assert all(row.status in ("pending", "failed") for row in rows)
    # A run that finds the server down stops: 30 runs, one attempt each, not one per message.
    assert sum(row.attempts for row in rows) == 30
    assert all(row.next_attempt_at > row.created_at for row in rows if row.status == "pending")

    server = SmtpServer(port=port).start()
    try:
        later = start + timedelta(hours=2)
        runner = app.test_cli_runner()
        first = runner.invoke(args=["send-mail", "--retry-failed"])
        assert first.exit_code == 0, first.output
        for _ in range(2):  # more runs send nothing more
            assert runner.invoke(args=["send-mail"]).exit_code == 0
        deliver_due(now=later)
    finally:
        server.stop()

    assert [row.status for row in _rows()] == ["sent"] * 30
    received = _received(server)
    assert len(received) == 30 and set(received.values()) == {1}


HOUR_OF_MAIL = 200  # a busy hour: registrations, confirmations, meeting requests


def test_smtp_down_for_an_hour_of_200_mails_all_go_out_once_with_no_hand_on_it(app):
    """Unlike a refused message, an unreachable server never makes a message fail: after an
    hour's outage the ordinary delivery runs (the worker's retries) send everything, without
    `send-mail --retry-failed`, each message once, more than one run's limit of them."""
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DELIVER_INLINE=False)
    start = utcnow() - timedelta(hours=2)
    step = timedelta(hours=1) / HOUR_OF_MAIL
    for n in range(HOUR_OF_MAIL):  # each commit starts a delivery run, which fails
        now = start + n * step
        queue_mail(f"member{n:03}@example.org", f"Message {n}", "Hello.")
        db.session.commit()
        db.session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.subject == f"Message {n}")
            .values(created_at=now, next_attempt_at=now)
        )
        db.session.commit()
        assert deliver_due(now=now).as_dict()["sent"] == 0

    rows = _rows()
    assert {row.status for row in rows} == {"pending"}  # kept, none given up
    assert sum(row.attempts for row in rows) == HOUR_OF_MAIL  # one probe per run

    server = SmtpServer(port=port).start()
    runs = 0
    try:
        now = start + timedelta(hours=1)
        while any(row.status == "pending" for row in _rows()) and runs < 120:
            report = deliver_due(now=now)  # as the scheduled retry job does
            runs += 1
            now = max(now + timedelta(minutes=1), report.next_attempt_at or now)
    finally:
        server.stop()

    assert {row.status for row in _rows()} == {"sent"}
    received = _received(server)
    assert len(received) == HOUR_OF_MAIL and set(received.values()) == {1}
    assert runs == 2  # at once: 100 a run, not in another half hour
