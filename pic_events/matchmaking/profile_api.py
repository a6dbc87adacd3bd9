"""B2B API: the participant catalogue, my profile, recommendations."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from pic_events.api.auth import login_required
from pic_events.core.pagination import paginate_api_list
from pic_events.core.problems import ApiError
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.matchmaking import catalogue, profiles
from pic_events.matchmaking.profile_schemas import (
    CatalogueArgsSchema,
    ParticipantPageSchema,
    ProfileInputSchema,
    ProfileSchema,
    RecommendationListSchema,
)

blp = Blueprint("b2b_profiles_api", __name__, description="B2B catalogue and profiles")


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


@blp.route("/events/<slug>/participants", methods=["GET"])
@login_required
@blp.arguments(CatalogueArgsSchema, location="query")
@blp.response(200, ParticipantPageSchema)
@blp.alt_response(403, description="Not a confirmed participant, or matchmaking is off")
def list_participants(args: dict, slug: str):
    """The B2B catalogue: listed participants with a profile, by name. `q` finds words in
    names, organisations, countries, clusters and profiles, ignoring case and accents."""
    event = _event(slug)
    me = profiles.check_may_browse(event, current_user)
    filters = profiles.CatalogueFilters(
        q=args["q"].strip(),
        sector=args.get("sector", ""),
        country=args.get("country", "").upper(),
        cluster=args.get("cluster"),
        kind=args.get("kind", ""),
        common_free=args["common_free"],
    )
    # The catalogue page's list, filters, search and order: one rule for both.
    people = catalogue.matching(event, catalogue.snapshot(event), filters, me)
    page = paginate_api_list(people, args)
    return {"items": [profiles.participant_json(p) for p in page.pop("rows")], **page}


@blp.route("/events/<slug>/profile", methods=["GET"])
@login_required
@blp.response(200, ProfileSchema)
@blp.alt_response(404, description="No profile yet")
def get_profile(slug: str):
    """My matchmaking profile."""
    event = _event(slug)
    registration = profiles.my_registration_for_profile(event, current_user)
    profile = profiles.profile_of(registration)
    if profile is None:
        raise ApiError(404, _("You have no matchmaking profile yet."))
    return _profile_json(registration, profile)


@blp.route("/events/<slug>/profile", methods=["PUT"])
@login_required
@blp.arguments(ProfileInputSchema)
@blp.response(200, ProfileSchema)
@blp.alt_response(403, description="Not a confirmed participant, or matchmaking is off")
@blp.alt_response(422, description="Unknown sector or partner kind, text too long")
def put_profile(body: dict, slug: str):
    """Write my profile (all fields; `listed` left out keeps the registration's choice)."""
    event = _event(slug)
    registration = profiles.my_registration_for_profile(event, current_user)
    data = profiles.ProfileInput(
        summary=body["summary"],
        offers=body["offers"],
        seeks=body["seeks"],
        sectors=body["sectors"],
        keywords=body["keywords"],
        calls=body["calls"],
        partner_kinds=body["partner_kinds"],
        listed=body.get("listed"),
    )
    profile = profiles.save_profile(registration, data)
    return _profile_json(registration, profile)


def _profile_json(registration, profile) -> dict:
    return {
        **profiles.participant_json(profiles.participant(registration, profile)),
        "listed": registration.listed,
    }


@blp.route("/events/<slug>/recommendations", methods=["GET"])
@login_required
@blp.response(200, RecommendationListSchema)
@blp.alt_response(403, description="Not a confirmed participant, or matchmaking is off")
def list_recommendations(slug: str):
    """People I should meet, best first, each with a score and a one-line reason (empty
    until I have a profile)."""
    event = _event(slug)
    me = profiles.check_may_browse(event, current_user)
    ranked = catalogue.recommendations(event, me) if me is not None else []
    items = [
        {**profiles.participant_json(r.person), "score": r.score, "reason": r.reason}
        for r in ranked
    ]
    return {"items": items, "total": len(items)}
