"""The demo meeting scaled up for the load benchmark: `python -m benchmarks.load_data OUT_DIR`.

Runs after `flask seed-demo` on the benchmark's scratch database (DATABASE_URL) and adds what
a full meeting has: members up to REGISTRATIONS confirmed registrations (the demo seeder's own
functions: answers, audit rows, B2B profiles), workshop and visit choices within each
session's capacity, extra B2B tables and meetings booked through the booking service, and a
pool of members with API tokens who are not registered yet (the registration POSTs). Every
member shares the demo password. Writes what the load scripts need into OUT_DIR:

  feed_tokens.txt     calendar tokens of registered members (the personal .ics feed)
  login_emails.txt    registered members to log in as (catalogue, My agenda)
  api_tokens.txt      API tokens of the unregistered pool, one a line
  registration.json   the POST body of a registration to the demo meeting
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

REGISTRATIONS = 1000
EXTRA_TABLES = 70  # 100 tables in all: about 1.6 meetings a person over the 8 slots
FEED_USERS = 64
LOGIN_USERS = 8  # under the login rate limit (10 a minute from one address)
SEED = 15


def _add_members(count: int, start: int) -> list:
    """`count` verified members loadNNNN@pic.example, spread over the demo organisations."""
    from pic_events.accounts.models import User
    from pic_events.core.types import utcnow
    from pic_events.demo.network import _member_name
    from pic_events.directory.models import Organisation
    from pic_events.extensions import db

    template = db.session.scalar(sa.select(User).where(User.email == "member01@pic.example"))
    organisations = list(db.session.scalars(sa.select(Organisation).order_by(Organisation.id)))
    users = [
        User(
            email=f"load{n:05d}@pic.example",
            name=_member_name(n),
            role="member",
            password_hash=template.password_hash,
            organisation=organisations[n % len(organisations)],
            country=organisations[n % len(organisations)].country,
            email_verified_at=utcnow(),
        )
        for n in range(start, start + count)
    ]
    db.session.add_all(users)
    db.session.flush()
    return users


def _choose_sessions(event, rng: random.Random) -> int:
    """Each confirmed registration picks one session per time of the sessions to choose,
    where places are left (the capacity the choice service enforces)."""
    from pic_events.extensions import db
    from pic_events.programme.models import ProgrammeSession
    from pic_events.registration.models import Registration, SessionChoice

    sessions = list(
        db.session.scalars(
            sa.select(ProgrammeSession).where(
                ProgrammeSession.event_id == event.id,
                ProgrammeSession.must_choose.is_(True),
                ProgrammeSession.restricted.is_(False),
            )
        )
    )
    taken = Counter(
        dict(
            db.session.execute(
                sa.select(SessionChoice.session_id, sa.func.count()).group_by(
                    SessionChoice.session_id
                )
            ).all()
        )
    )
    chosen = set(db.session.execute(sa.select(SessionChoice.registration_id)).scalars())
    by_time: dict = {}
    for session in sessions:
        by_time.setdefault(session.starts_at, []).append(session)
    registrations = db.session.scalars(
        sa.select(Registration.id).where(
            Registration.event_id == event.id, Registration.status == "confirmed"
        )
    ).all()
    rows = []
    for registration_id in registrations:
        if registration_id in chosen:
            continue
        for parallel in by_time.values():
            open_ = [s for s in parallel if s.capacity is None or taken[s.id] < s.capacity]
            if open_:
                session = rng.choice(open_)
                taken[session.id] += 1
                rows.append({"registration_id": registration_id, "session_id": session.id})
    if rows:
        db.session.execute(sa.insert(SessionChoice), rows)
    db.session.commit()
    return len(rows)


def _add_tables(event) -> None:
    from pic_events.extensions import db
    from pic_events.matchmaking.models import B2BTable

    tables = list(db.session.scalars(sa.select(B2BTable).where(B2BTable.event_id == event.id)))
    room_id = tables[0].room_id if tables else None
    for i in range(len(tables) + 1, len(tables) + EXTRA_TABLES + 1):
        db.session.add(
            B2BTable(event_id=event.id, label=f"T{i}", seats=2, room_id=room_id, position=i)
        )
    db.session.commit()


def _book_meetings(event, rng: random.Random) -> int:
    """In every slot, random pairs of participants meet while tables are free (the booking
    service, as an organiser's scheduling run publishes them; no mail)."""
    from pic_events.extensions import db
    from pic_events.matchmaking import booking
    from pic_events.matchmaking.models import B2BTable, MeetingOrigin, Slot
    from pic_events.registration.models import Registration

    tables = db.session.scalar(
        sa.select(sa.func.count()).select_from(B2BTable).where(B2BTable.event_id == event.id)
    )
    slots = db.session.scalars(sa.select(Slot.id).where(Slot.event_id == event.id)).all()
    people = db.session.scalars(
        sa.select(Registration.id).where(
            Registration.event_id == event.id, Registration.status == "confirmed"
        )
    ).all()
    booked = 0
    for slot_id in slots:
        pool = list(people)
        rng.shuffle(pool)
        for i in range(0, min(len(pool) - 1, 2 * tables), 2):
            booking.book(
                event,
                [pool[i], pool[i + 1]],
                slot_id,
                origin=MeetingOrigin.SCHEDULER,
                by_organiser=True,
                notify=False,
            )
            booked += 1
    return booked


def _api_tokens(users) -> list[str]:
    """One token per user, stored hashed like the token service does, in one statement."""
    import secrets

    from pic_events.accounts.models import ApiToken, hash_token
    from pic_events.extensions import db

    plain = ["pic_" + secrets.token_urlsafe(32) for _ in users]
    db.session.execute(
        sa.insert(ApiToken),
        [
            {"user_id": u.id, "name": "load", "token_hash": hash_token(p), "prefix": p[:10]}
            for u, p in zip(users, plain, strict=True)
        ],
    )
    db.session.commit()
    return plain


def scale(out: Path, *, slug: str, registrations: int, pool: int, capacity: int | None) -> dict:
    """Scale the seeded demo event up (see the module docstring); returns counts."""
    from pic_events.accounts.models import User
    from pic_events.demo.matchmaking import seed_profiles
    from pic_events.demo.registrations import demo_questions, seed_registrations
    from pic_events.events.models import Event
    from pic_events.extensions import db
    from pic_events.registration.models import Registration

    rng = random.Random(SEED)
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    registered = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id)
    )
    members = _add_members(max(0, registrations - registered), start=1000)
    event.capacity = None
    seed_registrations(event, members)
    seed_profiles(event)
    db.session.commit()
    choices = _choose_sessions(event, rng)
    _add_tables(event)
    meetings = _book_meetings(event, rng)
    event.capacity = capacity
    db.session.commit()
    newcomers = _add_members(pool, start=100_000)
    db.session.commit()
    tokens = _api_tokens(newcomers)

    people = db.session.execute(
        sa.select(User.email, User.calendar_token)
        .join(Registration, Registration.user_id == User.id)
        .where(Registration.event_id == event.id, Registration.status == "confirmed")
        .order_by(User.email)
    ).all()
    _, dinner, _ = demo_questions(event)
    out.mkdir(parents=True, exist_ok=True)
    (out / "feed_tokens.txt").write_text("".join(f"{t}\n" for _, t in people[:FEED_USERS]))
    (out / "login_emails.txt").write_text("".join(f"{e}\n" for e, _ in people[:LOGIN_USERS]))
    (out / "api_tokens.txt").write_text("".join(f"{t}\n" for t in tokens))
    body = {"answers": {dinner.key: True}, "consent": True}
    (out / "registration.json").write_text(json.dumps(body))
    confirmed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == "confirmed")
    )
    return {
        "registrations": confirmed,
        "session_choices": choices,
        "meetings": meetings,
        "token_pool": len(tokens),
    }


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--slug", default="pic-2027")
    parser.add_argument("--registrations", type=int, default=REGISTRATIONS)
    parser.add_argument("--pool", type=int, default=5000, help="unregistered members with tokens")
    parser.add_argument("--capacity", type=int, default=None, help="the event's capacity after")
    args = parser.parse_args(argv)

    from pic_events import create_app

    app = create_app()
    with app.app_context():
        counts = scale(
            args.out,
            slug=args.slug,
            registrations=args.registrations,
            pool=args.pool,
            capacity=args.capacity,
        )
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
