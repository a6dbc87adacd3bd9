"""JSON of the catalogue, the profile and the recommendations, as CONTRACT.md names it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pic_events.core.pagination import PageSchema, PaginationArgsSchema
from pic_events.core.schemas import InputSchema, Text
from pic_events.directory.models import OrganisationKind
from pic_events.matchmaking import profiles
from pic_events.matchmaking.models import PartnerKind

SECTOR_DESCRIPTION = "Sector codes: " + ", ".join(profiles.SECTORS)


class ParticipantSchema(Schema):
    registration_id = fields.Integer()
    name = fields.String()
    organisation = fields.String(allow_none=True)
    organisation_kind = fields.String(allow_none=True)
    country = fields.String(allow_none=True, metadata={"description": "ISO 3166 code"})
    cluster = fields.String(allow_none=True)
    sectors = fields.List(fields.String(), metadata={"description": SECTOR_DESCRIPTION})
    summary = fields.String()
    offers = fields.String()
    seeks = fields.String()
    keywords = fields.List(fields.String())
    calls = fields.List(fields.String())
    partner_kinds = fields.List(fields.String())


class ParticipantPageSchema(PageSchema):
    items = fields.List(fields.Nested(ParticipantSchema))


class CatalogueArgsSchema(PaginationArgsSchema):
    q = Text(
        200, load_default="", metadata={"description": "Words to find (case and accents ignored)"}
    )
    sector = fields.String(validate=validate.OneOf(list(profiles.SECTORS)))
    country = fields.String(validate=validate.Length(equal=2))
    cluster = fields.Integer(strict=False, validate=validate.Range(min=1, max=2**31 - 1))
    kind = fields.String(
        validate=validate.OneOf([k.value for k in OrganisationKind]),
        metadata={"description": "Kind of organisation"},
    )
    common_free = fields.Boolean(
        load_default=False,
        metadata={"description": "Only people with a free slot in common with me"},
    )


def _list_of_text(most: int, length: int, **kwargs) -> fields.List:
    return fields.List(Text(length), validate=validate.Length(max=most), **kwargs)


class ProfileInputSchema(InputSchema):
    summary = Text(profiles.TEXT_LIMITS["summary"], load_default="")
    offers = Text(profiles.TEXT_LIMITS["offers"], load_default="")
    seeks = Text(profiles.TEXT_LIMITS["seeks"], load_default="")
    sectors = fields.List(
        fields.String(validate=validate.OneOf(list(profiles.SECTORS))),
        validate=validate.Length(max=len(profiles.SECTORS)),
        load_default=list,
        metadata={"description": SECTOR_DESCRIPTION},
    )
    keywords = _list_of_text(profiles.MAX_KEYWORDS, profiles.KEYWORD_LENGTH, load_default=list)
    calls = _list_of_text(profiles.MAX_CALLS, profiles.CALL_LENGTH, load_default=list)
    partner_kinds = fields.List(
        fields.String(validate=validate.OneOf([k.value for k in PartnerKind])),
        validate=validate.Length(max=len(PartnerKind)),
        load_default=list,
        metadata={"description": "Partner kinds: " + ", ".join(k.value for k in PartnerKind)},
    )
    listed = fields.Boolean(
        metadata={"description": "Appear in the catalogue (and can be asked); left out: unchanged"}
    )


class ProfileSchema(ParticipantSchema):
    listed = fields.Boolean()


class RecommendationSchema(ParticipantSchema):
    score = fields.Float()
    reason = fields.String(metadata={"description": "Why, in one sentence"})


class RecommendationListSchema(Schema):
    items = fields.List(fields.Nested(RecommendationSchema))
    total = fields.Integer()
