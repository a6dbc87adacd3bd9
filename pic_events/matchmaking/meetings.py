"""Reading meetings: a person's meetings (for My meetings, My agenda, the feed, the PDF)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from pic_events.accounts.models import User
from pic_events.agenda.services import AgendaEntry
from pic_events.core.validation import NotFoundError
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking.models import Meeting, MeetingSeat, MeetingStatus
from pic_events.registration.models import Registration


def with_people():
    """Loader option: a meeting's seats with their registrations, users and organisations."""
    return (
        selectinload(Meeting.seats)
        .joinedload(MeetingSeat.registration)
        .joinedload(Registration.user)
        .joinedload(User.organisation)
    )


def meeting_for(meeting_id: int, registration: Registration) -> Meeting:
    """A meeting in which `registration` has a seat, else NotFoundError (the same answer as
    for a meeting that does not exist)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or registration.id not in meeting.registration_ids:
        raise NotFoundError(_("No such meeting."))
    return meeting


def meetings_of(registration: Registration, *, include_cancelled: bool = False) -> list[Meeting]:
    """The person's meetings in time order, with their slot, table, room and people loaded
    (a fixed number of queries whatever their number)."""
    return meetings_of_each([registration], include_cancelled=include_cancelled)[registration.id]


def meetings_of_each(
    registrations: list[Registration], *, include_cancelled: bool = False
) -> dict[int, list[Meeting]]:
    """meetings_of for several registrations (one person's at several events) in the same
    fixed number of queries: registration id -> meetings in time order."""
    ids = [r.id for r in registrations]
    query = (
        sa.select(MeetingSeat.registration_id, Meeting)
        .join(MeetingSeat, MeetingSeat.meeting_id == Meeting.id)
        .where(MeetingSeat.registration_id.in_(ids))
        .options(with_people(), selectinload(Meeting.request))
    )
    if not include_cancelled:
        query = query.where(Meeting.status == MeetingStatus.CONFIRMED)
    found: dict[int, list[Meeting]] = {i: [] for i in ids}
    for registration_id, meeting in db.session.execute(query).unique():
        found[registration_id].append(meeting)
    for meetings in found.values():
        meetings.sort(key=lambda m: (m.slot.starts_at, m.id))
    return found


# Titles other modules give the meetings they book (a consortium meeting says its idea): a
# callable (meeting, registration) -> str, or None when the meeting is not theirs; set at
# start-up by the app factory, asked in order.
_title_providers: list[Callable[[Meeting, Registration], str | None]] = []


def add_meeting_title_provider(provider: Callable[[Meeting, Registration], str | None]) -> None:
    if provider not in _title_providers:
        _title_providers.append(provider)


def meeting_title(meeting: Meeting, registration: Registration) -> str:
    """ "B2B meeting: Ana García (Agrobio)", as the agenda, the feed and the PDF say it (or
    what the module that booked it calls it: "Consortium meeting: <idea title>")."""
    for provider in _title_providers:
        title = provider(meeting, registration)
        if title:
            return title
    names = []
    for other in meeting.others(registration.id):
        organisation = (
            other.user.organisation.name if other.user and other.user.organisation else ""
        )
        names.append(
            f"{other.display_name} ({organisation})" if organisation else other.display_name
        )
    return _("B2B meeting: %(names)s", names=", ".join(names))


def meeting_entries(registration: Registration, *, event: Event, **_kw) -> list[AgendaEntry]:
    """agenda_collecting: my live B2B meetings."""
    entries = []
    for meeting in meetings_of(registration):
        table = meeting.table
        entries.append(
            AgendaEntry(
                starts_at=meeting.slot.starts_at,
                ends_at=meeting.slot.ends_at,
                title=meeting_title(meeting, registration),
                kind="b2b_meeting",
                kind_label=_("B2B meeting"),
                room=table.room.name if table.room else None,
                location=_("Table %(table)s", table=table.label),
                meeting=meeting,
            )
        )
    return entries
