"""What the organiser's scheduling run needs from consortia (matchmaking/scheduling.py calls
these; consortia never calls the scheduler itself).

- `group_meeting_wishes(event)`: the pending consortium meetings as scheduler meetings: a key,
  the participants (three to eight registration ids, the lead first), the priority set by the
  organiser, the seats they need.
- `schedule_wishes(event)`: the same, as the `schedule_collecting` receiver hands them to the
  run (connected in the app factory), each publishing through `place_in_transaction`.
- `place_in_transaction(event, request_id, slot_id, table_id=None)`: publish one placement
  through matchmaking's booking service (the one writer of meetings), inside the caller's
  transaction, linked to its idea. Without a table id, booking picks the smallest free
  table that seats them all (the scheduler's tables are interchangeable; seats are not).

Once published, a consortium meeting is a live Meeting like the others: the run passes it as
`fixed`, and it keeps its slot and table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import sqlalchemy as sa
from flask_babel import gettext as _

from pic_events.consortia.models import (
    ConsortiumMeeting,
    ConsortiumScheduleRequest,
    Idea,
    IdeaStatus,
    ScheduleRequestStatus,
)
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking import mails as meeting_mails
from pic_events.matchmaking.models import Meeting, MeetingOrigin
from pic_events.matchmaking.scheduling import ExtraMeeting
from pic_events.registration.models import Registration, RegistrationStatus

KEY_PREFIX = "consortium:"


@dataclass(frozen=True)
class GroupMeetingWish:
    key: str  # "consortium:<request id>"
    request_id: int
    idea_id: int
    registration_ids: tuple[int, ...]
    priority: int

    @property
    def seats(self) -> int:
        return len(self.registration_ids)


def group_meeting_wishes(event: Event) -> list[GroupMeetingWish]:
    """Pending requests of ideas still looking for partners, with only the people still
    confirmed; a request left with fewer than three people is skipped."""
    rows = db.session.scalars(
        sa.select(ConsortiumScheduleRequest)
        .join(Idea, Idea.id == ConsortiumScheduleRequest.idea_id)
        .where(
            Idea.event_id == event.id,
            Idea.status == IdeaStatus.OPEN,
            ConsortiumScheduleRequest.status == ScheduleRequestStatus.PENDING,
        )
        .order_by(ConsortiumScheduleRequest.id)
    ).all()
    ids = {i for row in rows for i in row.registration_ids}
    confirmed = set(
        db.session.scalars(
            sa.select(Registration.id).where(
                Registration.id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED
            )
        )
    )
    wishes = []
    for row in rows:
        people = tuple(i for i in row.registration_ids if i in confirmed)
        if len(people) >= 3:
            wishes.append(
                GroupMeetingWish(f"{KEY_PREFIX}{row.id}", row.id, row.idea_id, people, row.priority)
            )
    return wishes


def place_in_transaction(
    event: Event, request_id: int, slot_id: int, table_id: int | None = None
) -> Meeting:
    """Book the requested consortium meeting in the slot (the caller commits); raises
    booking.BookingConflict naming the clash."""
    request = db.session.get(ConsortiumScheduleRequest, request_id)
    if request is None or request.idea.event_id != event.id or not request.is_pending:
        raise booking.BookingConflict("This consortium meeting request is not pending.", "gone")
    wish = next((w for w in group_meeting_wishes(event) if w.request_id == request_id), None)
    if wish is None:
        raise booking.BookingConflict("Too few people left for this meeting.", "too_few")
    meeting = booking.book_in_transaction(
        event,
        list(wish.registration_ids),
        slot_id,
        table_id=table_id,
        origin=MeetingOrigin.CONSORTIUM,
        by_organiser=True,
        notify=False,
    )
    db.session.add(ConsortiumMeeting(meeting_id=meeting.id, idea_id=request.idea_id))
    request.status = ScheduleRequestStatus.SCHEDULED.value
    request.meeting_id = meeting.id
    db.session.flush()
    meeting_mails.meeting_booked(meeting)  # once the idea is linked: the mail names it
    return meeting


def schedule_wishes(event: Event, **_kw: object) -> list[ExtraMeeting]:
    """schedule_collecting: the pending consortium meetings for the organiser's run."""
    wishes = group_meeting_wishes(event)
    titles = dict(
        db.session.execute(
            sa.select(Idea.id, Idea.title).where(Idea.id.in_({w.idea_id for w in wishes}))
        ).all()
    )
    return [
        ExtraMeeting(
            key=wish.key,
            registration_ids=wish.registration_ids,
            priority=wish.priority,
            seats=wish.seats,
            title=_("Consortium meeting: %(title)s", title=titles.get(wish.idea_id, "")),
            publish=partial(_publish, event, wish.request_id),
        )
        for wish in wishes
    ]


def _publish(event: Event, request_id: int, slot_id: int, table_id: int | None) -> Meeting:
    return place_in_transaction(event, request_id, slot_id, table_id)
