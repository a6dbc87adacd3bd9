"""Project idea JSON as CONTRACT.md names it. Schemas parse types; services hold the rules."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from pic_events.consortia import services
from pic_events.consortia.models import (
    CALL_MAX,
    COUNTRIES_MAX,
    DESCRIPTION_MAX,
    KEYWORD_MAX,
    KEYWORDS_MAX,
    MESSAGE_MAX,
    ROLE_KINDS,
    ROLES_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    Idea,
    IdeaStatus,
    Interest,
    Role,
)
from pic_events.core.schemas import Id, IdList, InputSchema, Text
from pic_events.core.templating import local_datetime
from pic_events.core.timezones import to_zone
from pic_events.directory.sectors import SECTORS
from pic_events.extensions import db
from pic_events.matchmaking import schemas as b2b_schemas
from pic_events.matchmaking.models import MatchProfile, Meeting
from pic_events.matchmaking.profile_schemas import ParticipantSchema
from pic_events.registration.models import Registration

SECTOR_CODES = list(SECTORS)
STATUSES = [s.value for s in IdeaStatus]


class RoleSchema(Schema):
    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(ROLE_KINDS))
    description = fields.String()
    countries = fields.List(fields.String(), metadata={"description": "Wanted; empty: any"})
    filled_by = fields.Nested(ParticipantSchema, allow_none=True)


class IdeaSchema(Schema):
    id = fields.Integer()
    event = fields.String(metadata={"description": "The event's slug"})
    title = fields.String()
    summary = fields.String()
    call = fields.String()
    call_deadline = fields.Date(allow_none=True)
    sectors = fields.List(fields.String())
    keywords = fields.List(fields.String())
    confidential = fields.Boolean()
    details_hidden = fields.Boolean(
        metadata={
            "description": "A confidential idea seen by someone outside it: summary, keywords, "
            "role descriptions and partners are left out"
        }
    )
    status = fields.String(validate=validate.OneOf(STATUSES))
    lead = fields.Nested(ParticipantSchema)
    roles = fields.List(fields.Nested(RoleSchema))
    partners = fields.List(fields.Nested(ParticipantSchema))
    countries = fields.List(fields.String(), metadata={"description": "Covered so far"})
    carried_from = fields.Integer(allow_none=True)
    score = fields.Float(
        allow_none=True, metadata={"description": "How well the idea needs someone like me"}
    )
    reason = fields.String(metadata={"description": "Why, in words (empty: no match)"})


class IdeaListSchema(Schema):
    items = fields.List(fields.Nested(IdeaSchema))
    total = fields.Integer()


class IdeaListArgsSchema(InputSchema):
    q = Text(200)
    call = Text(CALL_MAX)
    sector = fields.String(validate=validate.OneOf(SECTOR_CODES))
    role_kind = fields.String(validate=validate.OneOf(ROLE_KINDS))
    country = fields.String(
        validate=validate.Length(equal=2), metadata={"description": "Still missing"}
    )
    status = fields.String(validate=validate.OneOf(STATUSES))


class RoleInputSchema(InputSchema):
    kind = fields.String(required=True, validate=validate.OneOf(ROLE_KINDS))
    description = Text(DESCRIPTION_MAX, load_default="")
    countries = fields.List(Text(2), load_default=list, validate=validate.Length(max=COUNTRIES_MAX))


class IdeaInputSchema(InputSchema):
    title = Text(TITLE_MAX, required=True, min_length=1)
    summary = Text(SUMMARY_MAX, load_default="")
    call = Text(CALL_MAX, load_default="")
    call_deadline = fields.Date(allow_none=True, load_default=None)
    sectors = fields.List(
        fields.String(validate=validate.OneOf(SECTOR_CODES)),
        load_default=list,
        validate=validate.Length(max=len(SECTOR_CODES)),
    )
    keywords = fields.List(
        Text(KEYWORD_MAX), load_default=list, validate=validate.Length(max=KEYWORDS_MAX)
    )
    confidential = fields.Boolean(load_default=False)
    roles = fields.List(
        fields.Nested(RoleInputSchema), load_default=list, validate=validate.Length(max=ROLES_MAX)
    )


class IdeaPatchSchema(InputSchema):
    title = Text(TITLE_MAX, min_length=1)
    summary = Text(SUMMARY_MAX)
    call = Text(CALL_MAX)
    call_deadline = fields.Date(allow_none=True)
    sectors = fields.List(
        fields.String(validate=validate.OneOf(SECTOR_CODES)),
        validate=validate.Length(max=len(SECTOR_CODES)),
    )
    keywords = fields.List(Text(KEYWORD_MAX), validate=validate.Length(max=KEYWORDS_MAX))
    confidential = fields.Boolean()
    status = fields.String(validate=validate.OneOf(STATUSES))


class InterestInputSchema(InputSchema):
    message = Text(MESSAGE_MAX, load_default="")


class InvitationInputSchema(InputSchema):
    role_id = Id(required=True)
    registration_id = Id(required=True)
    message = Text(MESSAGE_MAX, load_default="")


class InterestSchema(Schema):
    id = fields.Integer()
    role_id = fields.Integer()
    idea_id = fields.Integer()
    registration_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(["pending", "accepted", "declined"]))
    invited = fields.Boolean(metadata={"description": "The lead's invitation"})
    message = fields.String()


class MeetingInputSchema(InputSchema):
    registration_ids = IdList(
        16,
        required=True,
        metadata={"description": "The partners and candidates who join the lead (2 to 7)"},
    )
    slot_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "None: the first slot that suits everyone"},
    )
    table_id = Id(allow_none=True, load_default=None)


class ConsortiumMeetingSchema(b2b_schemas.MeetingSchema):
    """A B2B Meeting (CONTRACT.md) with what a consortium meeting adds."""

    seats = fields.Integer(metadata={"description": "Seats at the table"})
    when = fields.String(metadata={"description": "In words, in the event's zone"})
    origin = fields.String()
    idea_id = fields.Integer()


# JSON builders ------------------------------------------------------------------------------


def _profiles(registrations: list[Registration]) -> dict[int, MatchProfile]:
    ids = [r.id for r in registrations if r is not None]
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(MatchProfile).where(MatchProfile.registration_id.in_(ids)))
    return {row.registration_id: row for row in rows}


def participant_json(
    registration: Registration | None, profiles: dict[int, MatchProfile]
) -> dict[str, Any] | None:
    if registration is None:
        return None
    user = registration.user
    organisation = user.organisation if user else None
    profile = profiles.get(registration.id)
    return {
        "registration_id": registration.id,
        "name": registration.display_name,
        "organisation": organisation.name if organisation else None,
        "country": services.person_country(registration),
        "cluster": organisation.cluster.name if organisation and organisation.cluster else None,
        "sectors": list(profile.sectors or []) if profile else [],
        "offers": profile.offers if profile else "",
        "seeks": profile.seeks if profile else "",
    }


def idea_json(
    idea: Idea,
    details: bool,
    row: services.IdeaRow | None = None,
    profiles: dict[int, MatchProfile] | None = None,
) -> dict[str, Any]:
    if profiles is None:
        profiles = _profiles([idea.lead, *idea.partners])
    return {
        "id": idea.id,
        "event": idea.event.slug,
        "title": idea.title,
        "summary": idea.summary if details else "",
        "call": idea.call,
        "call_deadline": idea.call_deadline,
        "sectors": list(idea.sectors or []),
        "keywords": list(idea.keywords or []) if details else [],
        "confidential": idea.confidential,
        "details_hidden": not details,
        "status": idea.status,
        "lead": participant_json(idea.lead, profiles),
        "roles": [role_json(role, details, profiles) for role in idea.roles],
        "partners": [participant_json(p, profiles) for p in idea.partners] if details else [],
        "countries": services.countries_covered(idea) if details else [],
        "carried_from": idea.carried_from_id,
        "score": row.match.score if row is not None and row.match is not None else None,
        "reason": row.reason if row is not None else "",
    }


def ideas_json(rows: list[services.IdeaRow]) -> list[dict[str, Any]]:
    """A listing's ideas, with the profiles of all their people read in one query."""
    profiles = _profiles([p for row in rows for p in (row.idea.lead, *row.idea.partners)])
    return [idea_json(row.idea, row.details, row, profiles) for row in rows]


def role_json(role: Role, details: bool = True, profiles=None) -> dict[str, Any]:
    profiles = profiles if profiles is not None else _profiles([role.filled_by])
    return {
        "id": role.id,
        "kind": role.kind,
        "description": role.description if details else "",
        "countries": list(role.countries or []),
        "filled_by": participant_json(role.filled_by, profiles) if details else None,
    }


def interest_json(interest: Interest) -> dict[str, Any]:
    return {
        "id": interest.id,
        "role_id": interest.role_id,
        "idea_id": interest.role.idea_id,
        "registration_id": interest.registration_id,
        "status": interest.status,
        "invited": interest.invited,
        "message": interest.message,
    }


def meeting_json(meeting: Meeting, idea: Idea, viewer_id: int | None) -> dict[str, Any]:
    tz = idea.event.timezone
    others = [s.registration for s in meeting.seats if s.registration_id != viewer_id]
    profiles = _profiles(others)
    return {
        "id": meeting.id,
        "slot": {
            "id": meeting.slot.id,
            "start": to_zone(meeting.slot.starts_at, tz),
            "end": to_zone(meeting.slot.ends_at, tz),
        },
        "table": meeting.table.label,
        "seats": meeting.table.seats,
        "room": meeting.table.room.name if meeting.table.room else None,
        "when": local_datetime(meeting.slot.starts_at, tz, "EEEE d MMMM, HH:mm"),
        "with_": [participant_json(p, profiles) for p in others],
        "status": meeting.status,
        "origin": meeting.origin,
        "request_id": meeting.request_id,
        "idea_id": idea.id,
    }


class ScheduleRequestInputSchema(InputSchema):
    registration_ids = IdList(
        16,
        required=True,
        metadata={"description": "The partners and candidates who join the lead (2 to 7)"},
    )


class ScheduleRequestSchema(Schema):
    id = fields.Integer()
    idea_id = fields.Integer()
    registration_ids = fields.List(fields.Integer(), metadata={"description": "The lead first"})
    priority = fields.Integer()
    status = fields.String(validate=validate.OneOf(["pending", "scheduled", "cancelled"]))
    meeting_id = fields.Integer(allow_none=True)


def schedule_request_json(request) -> dict[str, Any]:
    return {
        "id": request.id,
        "idea_id": request.idea_id,
        "registration_ids": list(request.registration_ids),
        "priority": request.priority,
        "status": request.status,
        "meeting_id": request.meeting_id,
    }
