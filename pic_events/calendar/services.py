"""Calendar services: the personal feed's token, loading what the feeds show (a fixed number
of queries), their ETag and Last-Modified, the files mails carry, and the reminder mail.

What a person sees comes from the modules that own the rules: the programme's
(`programme.services.visible_sessions`, `session_entries`) and matchmaking's (`meetings_of`).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, selectinload

from pic_events.accounts.models import User, new_calendar_token
from pic_events.accounts.services import calendar_url
from pic_events.agenda.services import registration_of
from pic_events.calendar import builders
from pic_events.calendar.builders import MeetingItem, Site
from pic_events.calendar.models import FeedState
from pic_events.core import page_cache
from pic_events.core.conditional import Validators
from pic_events.core.timezones import start_of_day
from pic_events.core.types import utcnow
from pic_events.directory.models import Cluster, Organisation
from pic_events.events.models import Event, EventStatus
from pic_events.extensions import db
from pic_events.matchmaking.meetings import meetings_of_each
from pic_events.matchmaking.models import MatchProfile, Meeting, MeetingStatus
from pic_events.programme import services as programme
from pic_events.programme.models import ProgrammeSession
from pic_events.registration.models import HOLDING_STATUSES, Registration

FEED_MAX_AGE = 300  # seconds a client may keep a feed before asking again (304 then)
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def site() -> Site:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return Site(base_url=base, host=urlsplit(base).hostname or "localhost", organizer=organizer())


# --- the personal feed's address ---------------------------------------------------------


def feed_url(user: User) -> str:
    """https://…/calendar/TOKEN.ics (the same as /api/v1/me's calendar_url)."""
    return calendar_url(user)


def webcal_url(user: User) -> str:
    """The same feed for a calendar app to subscribe to (webcal://)."""
    return "webcal://" + feed_url(user).split("://", 1)[1]


def user_for_token(token: str) -> User | None:
    """The feed's owner; None for anything else (malformed, unknown, or reset)."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    return db.session.scalar(sa.select(User).where(User.calendar_token == token))


def reset_token(user: User) -> str:
    """A new random token: the old address stops working at once. Commits."""
    user.calendar_token = new_calendar_token()
    db.session.commit()
    return user.calendar_token


# --- what the feeds hold ---------------------------------------------------------------------


def event_has_ended(event: Event, now: datetime) -> bool:
    return has_ended(event.ends_on, event.timezone, now)


def has_ended(ends_on: date, timezone: str, now: datetime) -> bool:
    """The event's last day is over in its own zone."""
    return now >= start_of_day(ends_on + timedelta(days=1), timezone)


def profile_summaries(registration_ids: Iterable[int]) -> dict[int, str]:
    """Registration id -> the profile's summary (one query)."""
    ids = set(registration_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(MatchProfile.registration_id, MatchProfile.summary).where(
            MatchProfile.registration_id.in_(ids)
        )
    )
    return {registration_id: summary or "" for registration_id, summary in rows}


def meeting_item(meeting: Meeting, registration: Registration) -> MeetingItem:
    """One meeting as this registration's calendar shows it (the others' summaries: one
    query)."""
    others = [other.id for other in meeting.others(registration.id)]
    return MeetingItem(meeting, registration, profile_summaries(others))


@dataclass
class PersonalFeed:
    sessions: list[ProgrammeSession]
    meetings: list[MeetingItem]
    timezone: str | None


def _feed_registrations(user: User) -> list[Registration]:
    """The person's registrations that hold a place, in events that are not drafts."""
    query = (
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.user_id == user.id,
            Registration.status.in_(HOLDING_STATUSES),
            Event.status != EventStatus.DRAFT.value,
        )
        .options(contains_eager(Registration.event), selectinload(Registration.session_choices))
        .order_by(Event.starts_on, Event.id)
    )
    return list(db.session.scalars(query).unique())


def personal_feed(user: User, now: datetime | None = None) -> PersonalFeed:
    """Every event the person holds a place in: the sessions of their agenda (the
    programme's rule), their meetings, and the meetings cancelled while the event lasts
    (STATUS:CANCELLED, so that subscribed calendars drop them). One feed for all events:
    one subscription, and a new event appears in it by itself.

    Queries: a fixed number for the meetings, and per event for its sessions, whatever the
    number of sessions and meetings."""
    now = now or utcnow()
    sessions: list[ProgrammeSession] = []
    found: list[tuple[Registration, Meeting]] = []
    registrations = _feed_registrations(user)
    meetings = meetings_of_each(registrations, include_cancelled=True)
    for registration in registrations:
        event = registration.event
        entries = programme.session_entries(registration, event=event)
        sessions += [entry.session for entry in entries if entry.session is not None]
        ended = event_has_ended(event, now)
        for meeting in meetings[registration.id]:
            if meeting.status == MeetingStatus.CONFIRMED or not ended:
                found.append((registration, meeting))
    others = {
        other.id for registration, meeting in found for other in meeting.others(registration.id)
    }
    summaries = profile_summaries(others)
    items = [MeetingItem(meeting, registration, summaries) for registration, meeting in found]
    upcoming = [r.event for r in registrations if not event_has_ended(r.event, now)]
    zone_event = (upcoming or [r.event for r in registrations] or [None])[0]
    return PersonalFeed(sessions, items, zone_event.timezone if zone_event else None)


def personal_calendar(user: User, now: datetime | None = None) -> bytes:
    feed = personal_feed(user, now)
    with force_locale(user.locale or "en"):  # the owner's language, whoever fetches it
        return builders.personal_calendar(
            _("PIC Meetings: %(name)s", name=user.name),
            feed.sessions,
            feed.meetings,
            site(),
            stamp=user.created_at or utcnow(),
            timezone=feed.timezone,
        )


# --- the personal feed, cached --------------------------------------------------------------


@dataclass(frozen=True)
class FeedOwner:
    """What one query finds from a feed's token: whose feed it is, everything its body
    depends on (`parts`, the cache key), and its state as last served (None the first time)."""

    user_id: int
    parts: tuple
    etag: str | None
    changed_at: datetime | None

    @property
    def state_key(self) -> str:
        return f"user:{self.user_id}"


@dataclass(frozen=True)
class FeedBody:
    body: bytes
    etag: str  # fingerprint(body)


class _OwnerGone(Exception):
    """The account was deleted between the token's query and building its feed."""


def feed_owner(token: str, now: datetime | None = None) -> FeedOwner | None:
    """The feed's owner and what their feed depends on, in one query: the person's shown
    fields and standing (restricted sessions), and per registration that holds a place in
    an event that is not a draft, its status, the event's versions (programme, places and
    choices, meetings and names), and whether the event has ended (cancelled meetings drop
    out then), in the feed's order. None for a malformed, unknown or reset token."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    now = now or utcnow()
    rows = db.session.execute(_owner_query(), {"token": token}).all()
    if not rows:
        return None
    held = tuple(
        (
            row.registration_id,
            row.registration_status,
            row.event_id,
            row.content_version,
            row.seats_version,
            row.b2b_version,
            row.updated_at,
            has_ended(row.ends_on, row.timezone, now),
        )
        for row in rows
        if row.event_id is not None
    )
    first = rows[0]
    here = site()
    parts = (
        "personal.ics",
        first.id,
        first.name,
        first.locale,
        first.calendar_token,
        first.role,
        first.steering_member_since,
        first.organisation_confirmed_at,
        first.steering_committee,
        here.base_url,
        here.host,
        here.organizer,
        held,
    )
    return FeedOwner(first.id, parts, first.etag, first.changed_at)


@functools.cache
def _owner_query() -> sa.Select:
    """feed_owner's statement, built once (building it costs more than running it)."""
    state_key = sa.literal("user:") + sa.cast(User.id, sa.String)
    return (
        sa.select(
            User.id,
            User.name,
            User.locale,
            User.calendar_token,
            User.role,
            User.steering_member_since,
            User.organisation_confirmed_at,
            Cluster.steering_committee,
            FeedState.etag,
            FeedState.changed_at,
            Registration.id.label("registration_id"),
            Registration.status.label("registration_status"),
            Event.id.label("event_id"),
            Event.content_version,
            Event.seats_version,
            Event.b2b_version,
            Event.updated_at,
            Event.ends_on,
            Event.timezone,
        )
        .select_from(User)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(Cluster, Cluster.id == Organisation.cluster_id)
        .outerjoin(FeedState, FeedState.key == state_key)
        .outerjoin(
            Registration,
            sa.and_(Registration.user_id == User.id, Registration.status.in_(HOLDING_STATUSES)),
        )
        .outerjoin(
            Event,
            sa.and_(Event.id == Registration.event_id, Event.status != EventStatus.DRAFT.value),
        )
        .where(User.calendar_token == sa.bindparam("token"))
        .order_by(Event.starts_on, Event.id)
    )


def cached_personal_feed(
    token: str, now: datetime | None = None
) -> tuple[FeedBody, FeedState] | None:
    """The person's feed and its state (ETag, Last-Modified) for `token`, None for anything
    but a live token. The body is cached under everything it depends on (feed_owner), so a
    fetch that finds it costs one query, and writes only when the body differs from the one
    last served."""
    now = now or utcnow()
    owner = feed_owner(token, now)
    if owner is None:
        return None

    def build() -> FeedBody:
        user = db.session.get(User, owner.user_id)
        if user is None:
            raise _OwnerGone
        body = personal_calendar(user, now)
        return FeedBody(body, fingerprint(body))

    try:
        feed = page_cache.cached(page_cache.cache_key(*owner.parts), build)
    except _OwnerGone:
        return None
    if owner.etag == feed.etag:
        return feed, FeedState(key=owner.state_key, etag=owner.etag, changed_at=owner.changed_at)
    return feed, feed_state(owner.state_key, feed.body, now)


@dataclass(frozen=True)
class ProgrammeFeed:
    """The published programme as one visitor may see it: its validators come from the
    event's content version, so a 304 costs no session query; the body is cached."""

    validators: Validators
    body: Callable[[], bytes]


def programme_feed(event: Event, user: User | None) -> ProgrammeFeed | None:
    """None while the programme is not published."""
    if not event.programme_published:
        return None
    registration = registration_of(event, user)
    variant = "all" if programme.may_see_restricted(event, user, registration) else "open"
    locale = str(get_locale())  # the feed's words (e.g. "Speakers:") are translated
    parts = ("programme.ics", event.id, event.content_version, variant, site().base_url, locale)
    key = page_cache.cache_key(*parts)

    def build() -> bytes:
        sessions = programme.visible_sessions(event, user, registration)
        return builders.programme_calendar(event, sessions, site(), stamp=event.updated_at)

    validators = Validators(
        etag=page_cache.fingerprint(parts),
        last_modified=event.content_changed_at,
        private=user is not None,
        max_age=FEED_MAX_AGE,
    )
    return ProgrammeFeed(validators, lambda: page_cache.cached(key, build))


# --- ETag and Last-Modified ------------------------------------------------------------------


def fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:40]


def feed_state(key: str, body: bytes, now: datetime | None = None) -> FeedState:
    """The feed's ETag and when its content last changed (recorded when it differs from the
    last time it was served). Commits; two first fetches at once both succeed."""
    etag = fingerprint(body)
    state = db.session.get(FeedState, key)
    if state is not None and state.etag == etag:
        return state
    now = (now or utcnow()).replace(microsecond=0)
    if state is None:
        state = FeedState(key=key, etag=etag, changed_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(state)
        except sa.exc.IntegrityError:
            return FeedState(key=key, etag=etag, changed_at=now)
    else:
        state.etag = etag
        state.changed_at = now
    db.session.commit()
    return state


# --- files for mails -------------------------------------------------------------------------


def organizer() -> tuple[str, str]:
    """(name, address) of the ORGANIZER of invitations: CALENDAR_ORGANIZER, else the sender."""
    config = current_app.config
    return _name_and_address(config.get("CALENDAR_ORGANIZER") or config["MAIL_DEFAULT_SENDER"])


@functools.lru_cache(maxsize=16)
def _name_and_address(sender: str) -> tuple[str, str]:
    """Parsed once: site() asks for every link of an agenda."""
    name, address = parseaddr(sender)
    return name or "PIC Meetings", address


def meeting_invite_parts(
    meeting: Meeting, registration: Registration, method: str
) -> list[tuple[str, str, bytes]]:
    """matchmaking.mails hook: the iTIP part of a meeting's mail (REQUEST or CANCEL)."""
    item = meeting_item(meeting, registration)
    with force_locale(_locale(registration)):
        body = builders.meeting_invite(item, site(), method=method, stamp=utcnow())
    filename = "cancel.ics" if method == "CANCEL" else "invite.ics"
    return [(filename, f"text/calendar; method={method}; charset=utf-8", body)]


def chosen_sessions_parts(registration: Registration) -> list[tuple[str, str, bytes]]:
    """registration.mails hook: the sessions the person chose, as one .ics (nothing when none
    or while the programme is unpublished)."""
    event = registration.event
    ids = [choice.session_id for choice in registration.session_choices]
    if not ids or not event.programme_published:
        return []
    sessions = list(
        db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.id.in_(ids))
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
        )
    )
    if not sessions:
        return []
    with force_locale(_locale(registration)):
        body = builders.sessions_calendar(event, sessions, site(), stamp=utcnow())
    return [("my-sessions.ics", "text/calendar; charset=utf-8", body)]


def _locale(registration: Registration) -> str:
    return (registration.user.locale if registration.user else None) or "en"
