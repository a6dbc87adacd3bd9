"""Queue mail in the caller's transaction; delivery happens after commit (see sender).

``init_app`` watches the session: when a commit carried new outbox rows, delivery is
started at once, by an RQ job when REDIS_URL is set, otherwise inline (in a fresh
session, since the committing one cannot run SQL inside its own ``after_commit``).
Set MAIL_DELIVER_INLINE to False to leave the rows for ``flask send-mail``. Whatever
happens to that start, the rows are committed: ``flask send-mail`` (cron) or the worker
picks them up later, so nothing is lost.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

NEW_MAIL_FLAG = "pic_outbox_has_new_mail"
LINE_BREAKS = re.compile(r"[\r\n]+")


def queue_mail(
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    *,
    topic: str | None = None,
) -> OutboxMessage:
    """Add a message to the outbox. The caller commits it together with the change.

    `recipient` is an address, or a display name and an address ("Zoé Durand <zoe@...>").
    `topic` names what the message is about ("registration:42"): when that is anonymised,
    `notifications.privacy.forget_mail_about(topic)` deletes its mail.
    """
    message = OutboxMessage(
        recipient=LINE_BREAKS.sub(" ", recipient).strip(),
        subject=LINE_BREAKS.sub(" ", subject).strip()[:300],
        body_text=body_text,
        body_html=body_html,
        topic=topic,
    )
    db.session.add(message)
    return message


def init_app(app: Flask) -> None:
    """Start delivery after each commit that wrote outbox rows (listeners installed once)."""
    app.config.setdefault("MAIL_DELIVER_INLINE", True)
    app.after_request(_deliver_after_response)
    for name, listener in (
        ("after_flush", _note_new_mail),
        ("after_commit", _start_delivery),
        ("after_rollback", _forget_new_mail),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _note_new_mail(session: Session, _flush_context) -> None:
    if any(isinstance(instance, OutboxMessage) for instance in session.new):
        session.info[NEW_MAIL_FLAG] = True


def _forget_new_mail(session: Session) -> None:
    session.info.pop(NEW_MAIL_FLAG, None)


def _start_delivery(session: Session) -> None:
    if not session.info.pop(NEW_MAIL_FLAG, False):
        return
    config = current_app.config
    if config.get("REDIS_URL") and _enqueued():
        return
    try:
        if config.get("MAIL_DELIVER_INLINE", True):
            if has_request_context():
                g.deliver_mail_after_response = True
            else:
                deliver_inline()
    except Exception:  # the rows are committed: cron or the worker will deliver them
        logger.exception("Could not start mail delivery; the messages stay in the outbox")


def _enqueued() -> bool:
    """The delivery job is queued; False when Redis does not answer (then the request
    delivers, as without Redis; the outbox claims keep a later worker from sending again)."""
    from pic_events.notifications.jobs import enqueue_delivery

    try:
        enqueue_delivery()
    except Exception:
        logger.exception("Could not start mail delivery on the queue; delivering inline")
        return False
    return True


def _deliver_after_response(response: Response) -> Response:
    """Deliver once the response is sent: the member does not wait for the SMTP server, and
    the request's own database connection is back in the pool by then."""
    if g.pop("deliver_mail_after_response", False):
        app = current_app._get_current_object()

        def deliver() -> None:
            with app.app_context():
                try:
                    deliver_inline()
                except Exception:
                    logger.exception("Mail delivery failed; the messages stay in the outbox")

        response.call_on_close(deliver)
    return response


def deliver_inline() -> None:
    from pic_events.notifications.sender import deliver_due

    with Session(db.engine) as session:
        deliver_due(session=session)
