"""iCalendar builders: model objects in, bytes out; the icalendar library does the writing.

No database access here: the caller loads what is needed (sessions with rooms and speakers,
meetings with slot, table, room and people) and passes it in, with the texts that need the
database (profile summaries).

Times: every DTSTART/DTEND carries the event's IANA zone as TZID, and the calendar holds the
matching VTIMEZONE, built by the library from the IANA data (`add_missing_timezones`) over a
window around the calendar's own dates; DTSTAMP, LAST-MODIFIED are in UTC. No floating time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from pic_events.events.models import Event as PicEvent
from pic_events.matchmaking.meetings import meeting_title
from pic_events.matchmaking.models import Meeting, MeetingStatus
from pic_events.programme.models import ProgrammeSession
from pic_events.registration.models import Registration

PRODID = "-//PIC Meetings//Calendar 1.0//EN"
REFRESH = timedelta(hours=1)  # REFRESH-INTERVAL and X-PUBLISHED-TTL (PT1H): fetch hourly
GOOGLE_URL = "https://calendar.google.com/calendar/render"
# Agendas and programmes show a Google Calendar link per line: each is encoded once per worker.
GOOGLE_LINK_CACHE_SIZE = 4096


@dataclass(frozen=True)
class Site:
    """Where the calendar comes from: the host in UIDs, the base of the links, and the
    ORGANIZER (name, address) every event names (RFC 5546 asks for one in PUBLISH too)."""

    base_url: str
    host: str
    organizer: tuple[str, str] = ("PIC Meetings", "noreply@pic.example")


@dataclass(frozen=True)
class MeetingItem:
    """A meeting as one person sees it: their registration, and the profile summaries of the
    others (registration id -> summary) for the description."""

    meeting: Meeting
    registration: Registration
    summaries: Mapping[int, str]


# --- pieces ----------------------------------------------------------------------------------


def _zone(event: PicEvent) -> ZoneInfo:
    return ZoneInfo(event.timezone)


def _local(instant: datetime, event: PicEvent) -> datetime:
    return instant.astimezone(_zone(event))


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def session_uid(session: ProgrammeSession, site: Site) -> str:
    return f"session-{session.id}@{site.host}"


def meeting_uid(meeting: Meeting, site: Site) -> str:
    return f"meeting-{meeting.id}@{site.host}"


def _place(*parts: str | None) -> str:
    return ", ".join(part.strip() for part in parts if part and part.strip())


def session_location(session: ProgrammeSession) -> str:
    event = session.event
    room = session.room
    room_text = ""
    if room is not None:
        room_text = f"{room.name} ({room.location})" if room.location else room.name
    return _place(room_text, event.venue, event.city)


def session_url(session: ProgrammeSession, site: Site) -> str:
    return f"{site.base_url}/events/{session.event.slug}/programme#session-{session.id}"


def session_description(session: ProgrammeSession, site: Site) -> str:
    lines = []
    if session.speakers:
        lines.append(_("Speakers:"))
        for speaker in session.speakers:
            text = speaker.name
            if speaker.organisation:
                text += f", {speaker.organisation}"
            if speaker.role:
                text += f" ({speaker.role})"
            lines.append(f"- {text}")
        lines.append("")
    if session.description:
        lines += [session.description.strip(), ""]
    lines.append(session_url(session, site))
    return "\n".join(lines)


def meeting_location(meeting: Meeting) -> str:
    table = meeting.table
    event = meeting.event
    room = table.room
    room_text = ""
    if room is not None:
        room_text = f"{room.name} ({room.location})" if room.location else room.name
    return _place(_("Table %(table)s", table=table.label), room_text, event.venue, event.city)


def meeting_url(meeting: Meeting, site: Site) -> str:
    return f"{site.base_url}/events/{meeting.event.slug}/b2b/meetings"


def _with_whom(person: Registration) -> str:
    user = person.user
    organisation = user.organisation.name if user and user.organisation else ""
    return f"{person.display_name} ({organisation})" if organisation else person.display_name


def meeting_description(item: MeetingItem, site: Site) -> str:
    meeting = item.meeting
    lines = []
    for other in meeting.others(item.registration.id):
        lines.append(_("With: %(who)s", who=_with_whom(other)))
        summary = (item.summaries.get(other.id) or "").strip()
        if summary:
            lines.append(summary)
        lines.append("")
    request = meeting.request
    if request is not None and request.message:
        lines += [_("Message: %(message)s", message=request.message.strip()), ""]
    if meeting.status == MeetingStatus.CANCELLED:
        lines += [_("This meeting is cancelled."), ""]
    lines.append(meeting_url(meeting, site))
    return "\n".join(lines)


def session_event(session: ProgrammeSession, site: Site, *, stamp: datetime) -> Event:
    event = session.event
    vevent = Event()
    vevent.add("uid", session_uid(session, site))
    vevent.add("dtstamp", _utc(stamp))
    vevent.add("dtstart", _local(session.starts_at, event))
    vevent.add("dtend", _local(session.ends_at, event))
    vevent.add("summary", session.title)
    location = session_location(session)
    if location:
        vevent.add("location", location)
    vevent.add("description", session_description(session, site))
    vevent.add("url", session_url(session, site))
    vevent.add("categories", [session.kind_label])
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    vevent.add("organizer", _address(site.organizer[1], site.organizer[0]))
    return vevent


def meeting_event(
    item: MeetingItem,
    site: Site,
    *,
    stamp: datetime,
    attendees: bool = False,
) -> Event:
    """One meeting: the same UID in the feed and in every mail, SEQUENCE from the meeting;
    with `attendees` (invitations) an ATTENDEE per person."""
    meeting = item.meeting
    event = meeting.event
    vevent = Event()
    vevent.add("uid", meeting_uid(meeting, site))
    vevent.add("dtstamp", _utc(stamp))
    vevent.add("sequence", meeting.sequence)
    vevent.add("dtstart", _local(meeting.slot.starts_at, event))
    vevent.add("dtend", _local(meeting.slot.ends_at, event))
    vevent.add("summary", meeting_title(meeting, item.registration))
    vevent.add("location", meeting_location(meeting))
    vevent.add("description", meeting_description(item, site))
    vevent.add("url", meeting_url(meeting, site))
    vevent.add("categories", [_("B2B meeting")])
    cancelled = meeting.status == MeetingStatus.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if meeting.updated_at is not None:
        vevent.add("last-modified", _utc(meeting.updated_at))
    vevent.add("organizer", _address(site.organizer[1], site.organizer[0]))
    if attendees:
        for seat in meeting.seats:
            person = seat.registration
            if person.user is None:
                continue  # an anonymised participant has no address
            attendee = _address(person.user.email, person.display_name)
            attendee.params["ROLE"] = "REQ-PARTICIPANT"
            attendee.params["CUTYPE"] = "INDIVIDUAL"
            if not cancelled:
                attendee.params["PARTSTAT"] = "ACCEPTED"  # both agreed: nothing to answer
            attendee.params["RSVP"] = "FALSE"
            vevent.add("attendee", attendee, encode=0)
    return vevent


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def _calendar(
    components: Sequence[Event],
    *,
    method: str,
    name: str | None = None,
    timezone: str | None = None,
    refresh: bool = False,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    if timezone:
        calendar.add("x-wr-timezone", timezone)
    if refresh:
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for component in components:
        calendar.add_component(component)
    first, last = _window(components)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def _window(components: Iterable[Event]) -> tuple[date, date]:
    """The VTIMEZONE covers a year either side of the calendar's events (kept short)."""
    days = [c.decoded("dtstart").date() for c in components if "dtstart" in c]
    if not days:
        today = date.today()
        return today - timedelta(days=366), today + timedelta(days=366)
    return min(days) - timedelta(days=366), max(days) + timedelta(days=366)


# --- whole calendars ------------------------------------------------------------------------


def programme_calendar(
    event: PicEvent, sessions: Iterable[ProgrammeSession], site: Site, *, stamp: datetime
) -> bytes:
    """The published programme (METHOD:PUBLISH), to import or subscribe to."""
    return _calendar(
        [session_event(s, site, stamp=stamp) for s in sessions],
        method="PUBLISH",
        name=event.title,
        timezone=event.timezone,
        refresh=True,
    )


def sessions_calendar(
    event: PicEvent, sessions: Iterable[ProgrammeSession], site: Site, *, stamp: datetime
) -> bytes:
    """A few sessions (one to add to a calendar, or those chosen, attached to a mail)."""
    return _calendar(
        [session_event(s, site, stamp=stamp) for s in sessions],
        method="PUBLISH",
        timezone=event.timezone,
    )


def personal_calendar(
    name: str,
    sessions: Iterable[ProgrammeSession],
    meetings: Iterable[MeetingItem],
    site: Site,
    *,
    stamp: datetime,
    timezone: str | None = None,
) -> bytes:
    """A person's feed: sessions (DTSTAMP: `stamp`, stable between fetches) and meetings
    (DTSTAMP: when the meeting last changed; cancelled ones with STATUS:CANCELLED)."""
    components = [session_event(s, site, stamp=s.event.updated_at or stamp) for s in sessions]
    components += [
        meeting_event(item, site, stamp=item.meeting.updated_at or stamp) for item in meetings
    ]
    components.sort(key=lambda c: (c.decoded("dtstart"), str(c["uid"])))
    return _calendar(components, method="PUBLISH", name=name, timezone=timezone, refresh=True)


def meeting_calendar(item: MeetingItem, site: Site, *, stamp: datetime) -> bytes:
    """One meeting to download (METHOD:PUBLISH, no attendees: nothing to answer)."""
    event = item.meeting.event
    return _calendar(
        [meeting_event(item, site, stamp=item.meeting.updated_at or stamp)],
        method="PUBLISH",
        timezone=event.timezone,
    )


def meeting_invite(
    item: MeetingItem,
    site: Site,
    *,
    method: str,
    stamp: datetime,
) -> bytes:
    """An iTIP message (RFC 5546) for a mail: REQUEST when booked or moved, CANCEL when
    cancelled; ORGANIZER the event's address, an ATTENDEE per person."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unknown iTIP method {method!r}")
    vevent = meeting_event(item, site, stamp=stamp, attendees=True)
    if method == "CANCEL":
        vevent["status"] = "CANCELLED"
    return _calendar([vevent], method=method)


# --- links ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=GOOGLE_LINK_CACHE_SIZE)
def google_calendar_url(
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    timezone: str,
    details: str = "",
    location: str = "",
) -> str:
    """A link that opens Google Calendar's "new event" form filled in (times in UTC, the
    event's zone as ctz so that it shows them in local time)."""
    fmt = "%Y%m%dT%H%M%SZ"
    params = {
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{_utc(starts_at).strftime(fmt)}/{_utc(ends_at).strftime(fmt)}",
        "ctz": timezone,
    }
    if details:
        params["details"] = details
    if location:
        params["location"] = location
    return f"{GOOGLE_URL}?{urlencode(params)}"
