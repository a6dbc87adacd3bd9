"""Demo programme of the PIC Annual Meeting in Angers: rooms, three days of sessions.

Idempotent: rooms are found by name and sessions by title and day, so a second run
changes nothing. Times are wall-clock times in the event's zone (Europe/Paris).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession, Room, SessionKind, Speaker

ROOMS = (
    # name, floor or building, seats
    ("Auditorium", "Ground floor, main building", 250),
    ("Salle Anjou", "1st floor, main building", 40),
    ("Salle Loire", "1st floor, main building", 35),
    ("Salle Maine", "2nd floor, main building", 30),
    ("Espace B2B", "Hall B", 120),
    ("Terrasse", "Garden level", 200),
    ("Greniers Saint-Jean", "Angers city centre", 180),
)

K = SessionKind
# day index, start, end, kind, title, room, capacity, must choose, restricted, speakers
SESSIONS = (
    (0, "08:30", "09:00", K.BREAK, "Welcome coffee and badges", "Terrasse", None, False, False, ()),
    (
        0,
        "09:00",
        "10:30",
        K.STEERING,
        "Steering committee (closed session)",
        "Salle Anjou",
        None,
        False,
        True,
        (("Claire Moreau", "VEGEPOLYS VALLEY", "Chair"), ("Pieter de Vries", "Greenport", "")),
    ),
    (0, "10:30", "11:00", K.BREAK, "Coffee break", "Terrasse", None, False, False, ()),
    (
        0,
        "11:00",
        "12:30",
        K.PLENARY,
        "Welcome plenary: the PIC network in 2027",
        "Auditorium",
        None,
        False,
        False,
        (
            ("Claire Moreau", "VEGEPOLYS VALLEY", "Host"),
            ("Elena Rossi", "European Commission, DG GROW", "Keynote"),
        ),
    ),
    (0, "12:30", "14:00", K.BREAK, "Lunch", "Terrasse", None, False, False, ()),
    (
        0,
        "14:00",
        "15:30",
        K.WORKSHOP,
        "Horizon Europe: building a winning consortium",
        "Salle Anjou",
        40,
        True,
        False,
        (("Markus Weber", "Cluster Agrar Bayern", "Moderator"),),
    ),
    (
        0,
        "14:00",
        "15:30",
        K.WORKSHOP,
        "Digital tools for horticulture",
        "Salle Loire",
        35,
        True,
        False,
        (("Ana García", "Agrotech Valley Almería", "Moderator"),),
    ),
    (
        0,
        "14:00",
        "15:30",
        K.WORKSHOP,
        "Cider and perry: innovation in orchards",
        "Salle Maine",
        30,
        True,
        False,
        (("Siobhán Kelly", "Irish Cider Cluster", "Moderator"),),
    ),
    (0, "15:30", "16:00", K.BREAK, "Coffee break", "Terrasse", None, False, False, ()),
    (
        0,
        "16:00",
        "17:30",
        K.WORKSHOP,
        "Biocontrol and plant health",
        "Salle Anjou",
        40,
        True,
        False,
        (("Luca Bianchi", "Distretto Florovivaistico", "Moderator"),),
    ),
    (
        0,
        "16:00",
        "17:30",
        K.WORKSHOP,
        "Seeds: breeding partnerships across borders",
        "Salle Loire",
        35,
        True,
        False,
        (("Jan Novák", "Czech Seed Cluster", "Moderator"),),
    ),
    (
        0,
        "16:00",
        "17:30",
        K.WORKSHOP,
        "Erasmus+: skills for the plant sector",
        "Salle Maine",
        30,
        True,
        False,
        (("Maria Nowak", "Polish Horticulture Cluster", "Moderator"),),
    ),
    (
        0,
        "19:30",
        "23:00",
        K.SOCIAL,
        "Meeting dinner",
        "Greniers Saint-Jean",
        None,
        False,
        False,
        (),
    ),
    (1, "09:00", "12:30", K.B2B, "B2B one-to-one meetings", "Espace B2B", None, False, False, ()),
    (1, "12:30", "14:00", K.BREAK, "Lunch", "Terrasse", None, False, False, ()),
    (
        1,
        "14:00",
        "17:30",
        K.VISIT,
        "Site visit: VEGEPOLYS VALLEY innovation centre",
        None,
        25,
        True,
        False,
        (("Claire Moreau", "VEGEPOLYS VALLEY", "Guide"),),
    ),
    (1, "14:00", "17:30", K.VISIT, "Site visit: Terre des Sciences", None, 25, True, False, ()),
    (
        1,
        "14:00",
        "17:30",
        K.VISIT,
        "Site visit: an ornamental nursery in the Loire valley",
        None,
        25,
        True,
        False,
        (),
    ),
    (
        2,
        "09:00",
        "10:30",
        K.PLENARY,
        "Project ideas: pitches for European calls",
        "Auditorium",
        None,
        False,
        False,
        (("Elena Rossi", "European Commission, DG GROW", "Jury"),),
    ),
    (2, "10:30", "11:00", K.BREAK, "Coffee break", "Terrasse", None, False, False, ()),
    (
        2,
        "11:00",
        "12:00",
        K.PLENARY,
        "Closing plenary and next meeting",
        "Auditorium",
        None,
        False,
        False,
        (("Claire Moreau", "VEGEPOLYS VALLEY", "Host"),),
    ),
)


def _rooms(event: Event) -> dict[str, Room]:
    existing = {
        r.name: r for r in db.session.scalars(select(Room).where(Room.event_id == event.id))
    }
    for position, (name, location, capacity) in enumerate(ROOMS):
        if name not in existing:
            existing[name] = Room(
                event_id=event.id,
                name=name,
                location=location,
                capacity=capacity,
                position=position,
            )
            db.session.add(existing[name])
    db.session.flush()
    return existing


def _at(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zone)


def seed_programme(event: Event) -> None:
    """Rooms and a two-to-three-day programme for `event`, published. Commits."""
    zone = ZoneInfo(event.timezone)
    rooms = _rooms(event)
    days = (event.ends_on - event.starts_on).days + 1
    existing = {
        (s.title, s.starts_at)
        for s in db.session.scalars(
            select(ProgrammeSession).where(ProgrammeSession.event_id == event.id)
        )
    }
    for (
        day_index,
        start,
        end,
        kind,
        title,
        room,
        capacity,
        choose,
        restricted,
        speakers,
    ) in SESSIONS:
        if day_index >= max(days, 2):
            continue
        day = event.starts_on + timedelta(days=day_index)
        starts_at = _at(day, start, zone)
        if (title, starts_at) in existing:
            continue
        db.session.add(
            ProgrammeSession(
                event_id=event.id,
                kind=kind.value,
                title=title,
                starts_at=starts_at,
                ends_at=_at(day, end, zone),
                room_id=rooms[room].id if room else None,
                capacity=capacity,
                must_choose=choose,
                restricted=restricted,
                speakers=[
                    Speaker(name=n, organisation=o, role=r, position=i)
                    for i, (n, o, r) in enumerate(speakers)
                ],
            )
        )
    event.programme_published = True
    db.session.commit()
