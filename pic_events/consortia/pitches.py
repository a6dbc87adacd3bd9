"""The pitch session: which programme session holds the pitches, and the lines the programme
shows under it (session_notes_collecting): each pitch with its time, for those who may see
the ideas."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _

from pic_events.accounts.models import User
from pic_events.consortia.models import PitchSession
from pic_events.consortia.services import may_see_ideas, pitch_order
from pic_events.core.templating import local_time
from pic_events.core.validation import ServiceValidationError
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession
from pic_events.programme.services import SessionNote


def pitch_session_id(event: Event) -> int | None:
    row = db.session.get(PitchSession, event.id)
    return row.session_id if row else None


def set_pitch_session(event: Event, session_id: int | None) -> None:
    """The organiser names the programme session of the pitches (None: none)."""
    if session_id is not None:
        session = db.session.get(ProgrammeSession, session_id)
        if session is None or session.event_id != event.id:
            raise ServiceValidationError({"session_id": [_("No such session.")]})
    row = db.session.get(PitchSession, event.id) or PitchSession(event_id=event.id)
    row.session_id = session_id
    db.session.add(row)
    db.session.commit()


def pitch_notes(
    event: Event, *, sessions: list, user: User | None, **_kw
) -> dict[int, list[SessionNote]]:
    """session_notes_collecting: the running order under the pitch session."""
    if not may_see_ideas(event, user):  # first: a visitor costs no query
        return {}
    session_id = pitch_session_id(event)
    session = next((s for s in sessions if s.id == session_id), None)
    if session is None:
        return {}
    notes = []
    for pitch in pitch_order(event):
        starts = session.starts_at + timedelta(minutes=pitch.starts_after)
        notes.append(
            SessionNote(
                text=_(
                    "%(time)s %(title)s (%(lead)s)",
                    time=local_time(starts, event.timezone),
                    title=pitch.idea.title,
                    lead=pitch.idea.lead.display_name,
                ),
                url=url_for("consortia.show", slug=event.slug, idea_id=pitch.idea.id),
                starts_at=starts,
            )
        )
    return {session.id: notes} if notes else {}
