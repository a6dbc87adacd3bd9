"""Project ideas and consortia: the rules, once, for pages, API and CLI.

Who: a registered (confirmed) participant posts an idea and leads it; only the lead edits it,
adds roles, answers interest and invites. Ideas are seen by the event's confirmed
participants and organisers; a confidential idea shows its title and call to all, its details
to its lead, partners, invitees and organisers.

Joining: interest in a role is unique per role and person (the database says so); accepting
fills the role under a row lock on the role, so two accepts for one role at once give one
partner and one 409. A consortium meeting is booked by matchmaking's booking service (the one
writer of meetings) with origin "consortium", and linked to its idea here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from pic_events.accounts.models import User
from pic_events.agenda.services import registration_of
from pic_events.consortia import mails
from pic_events.consortia.matching import (
    ORGANISATION_KIND_TO_ROLE,
    IdeaFacts,
    Match,
    OpenRole,
    Seeker,
    fold,
    rank,
    words,
)
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
    ConsortiumMeeting,
    ConsortiumScheduleRequest,
    Idea,
    IdeaStatus,
    Interest,
    InterestStatus,
    Role,
    ScheduleRequestStatus,
    role_kind_label,
)
from pic_events.core.countries import country_name, is_country
from pic_events.core.limits import in_year_range
from pic_events.core.types import utcnow
from pic_events.core.validation import (
    Conflict,
    NotFoundError,
    PermissionDenied,
    ServiceValidationError,
)
from pic_events.directory.models import Organisation
from pic_events.directory.sectors import SECTORS, sector_name
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking import mails as meeting_mails
from pic_events.matchmaking.models import (
    MatchProfile,
    Meeting,
    MeetingOrigin,
    MeetingOutcome,
    Slot,
)
from pic_events.matchmaking.settings import requests_carry_a_slot, settings_of
from pic_events.registration.models import Registration, RegistrationStatus

MEETING_MIN = 3
MEETING_MAX = 8


class ConsortiumConflict(Conflict):
    """Valid input that clashes with the state; `code` names the rule (the API's 409)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


# People -----------------------------------------------------------------------------------


def person_country(registration: Registration | None) -> str | None:
    """The person's country: their own, else their organisation's."""
    if registration is None or registration.user is None:
        return None
    user = registration.user
    if user.country:
        return user.country.upper()
    if user.organisation is not None and user.organisation.country:
        return user.organisation.country.upper()
    return None


def person_organisation(registration: Registration | None) -> str:
    user = registration.user if registration is not None else None
    return user.organisation.name if user and user.organisation else ""


def person_kind(registration: Registration | None) -> str | None:
    """The role kind of the person's organisation (sme, research ...), if known."""
    user = registration.user if registration is not None else None
    if user is None or user.organisation is None:
        return None
    return ORGANISATION_KIND_TO_ROLE.get(user.organisation.kind)


def confirmed_registration(event: Event, user: User | None) -> Registration | None:
    registration = registration_of(event, user)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return None
    return registration


def _is_organiser(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_organiser)


def may_see_ideas(event: Event, user: User | None) -> bool:
    """The event's confirmed participants and the organisers."""
    return _is_organiser(user) or confirmed_registration(event, user) is not None


def require_ideas_visible(event: Event, user: User | None) -> Registration | None:
    """The viewer's confirmed registration (None for an organiser who is not registered);
    refused to anyone else."""
    registration = confirmed_registration(event, user)
    if registration is None and not _is_organiser(user):
        raise PermissionDenied(
            {"registration": [_("Project ideas are shown to the event's registered participants.")]}
        )
    return registration


@dataclass(frozen=True)
class Access:
    """What the viewer may see and do with one idea."""

    registration: Registration | None
    organiser: bool
    lead: bool
    partner: bool
    invited: bool

    @property
    def details(self) -> bool:
        return self.organiser or self.lead or self.partner or self.invited

    @property
    def may_edit(self) -> bool:
        return self.lead

    @property
    def may_book(self) -> bool:
        return self.lead or self.organiser


def access_to(idea: Idea, user: User | None) -> Access:
    """The viewer's access; NotFoundError when they may not see the idea at all."""
    registration = confirmed_registration(idea.event, user)
    organiser = _is_organiser(user)
    if registration is None and not organiser:
        raise NotFoundError(_("No such project idea."))
    me = registration.id if registration is not None else None
    lead = me is not None and idea.lead_id == me
    partner = me is not None and any(role.filled_by_id == me for role in idea.roles)
    invited = me is not None and bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Interest)
            .join(Role, Role.id == Interest.role_id)
            .where(Role.idea_id == idea.id, Interest.registration_id == me, Interest.invited)
        )
    )
    return Access(registration, organiser, lead, partner, invited)


def shows_details(idea: Idea, access: Access) -> bool:
    return not idea.confidential or access.details


def _require_lead(idea: Idea, user: User | None) -> Registration:
    access = access_to(idea, user)
    if not access.lead:
        raise PermissionDenied({"lead": [_("Only the idea's lead may do this.")]})
    return access.registration


def _require_booker(idea: Idea, user: User | None) -> Access:
    """The idea's lead or an organiser: who may book or ask for its consortium meeting."""
    access = access_to(idea, user)
    if not access.may_book:
        raise PermissionDenied({"lead": [_("Only the idea's lead or an organiser may do this.")]})
    return access


# Reading ----------------------------------------------------------------------------------


def _idea_query():
    person = (
        joinedload(Registration.user)
        .joinedload(User.organisation)
        .joinedload(Organisation.cluster),
    )
    return sa.select(Idea).options(
        joinedload(Idea.event),
        joinedload(Idea.lead).options(*person),
        selectinload(Idea.roles).joinedload(Role.filled_by).options(*person),
    )


def get_idea(idea_id: int) -> Idea:
    idea = db.session.scalar(_idea_query().where(Idea.id == idea_id))
    if idea is None:
        raise NotFoundError(_("No such project idea."))
    return idea


def get_role(role_id: int) -> Role:
    role = db.session.get(Role, role_id)
    if role is None:
        raise NotFoundError(_("No such role."))
    return role


def get_interest(interest_id: int) -> Interest:
    interest = db.session.get(Interest, interest_id)
    if interest is None:
        raise NotFoundError(_("No such interest."))
    return interest


def countries_covered(idea: Idea) -> list[str]:
    """The countries of the lead and the partners, as sorted ISO codes."""
    people = [idea.lead, *idea.partners]
    return sorted({c for c in (person_country(p) for p in people) if c})


def missing_countries(idea: Idea) -> list[str]:
    """Countries the open roles ask for that the consortium does not cover yet."""
    covered = set(countries_covered(idea))
    wanted = {c for role in idea.open_roles for c in role.countries}
    return sorted(wanted - covered)


def interests_of(idea: Idea) -> list[Interest]:
    """Every interest in the idea's roles, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Interest)
            .join(Role, Role.id == Interest.role_id)
            .where(Role.idea_id == idea.id)
            .options(
                joinedload(Interest.registration)
                .joinedload(Registration.user)
                .joinedload(User.organisation),
                joinedload(Interest.role),
            )
            .order_by(Interest.created_at, Interest.id)
        )
    )


def my_interests(idea: Idea, registration: Registration | None) -> dict[int, Interest]:
    """{role id: my interest in it}."""
    if registration is None:
        return {}
    rows = db.session.scalars(
        sa.select(Interest)
        .join(Role, Role.id == Interest.role_id)
        .where(Role.idea_id == idea.id, Interest.registration_id == registration.id)
    )
    return {interest.role_id: interest for interest in rows}


@dataclass
class IdeaFilters:
    q: str = ""
    call: str = ""
    sector: str = ""
    role_kind: str = ""
    country: str = ""  # still missing: no one from there yet, and an open role takes it
    status: str = ""  # empty: every status but withdrawn


@dataclass
class IdeaRow:
    idea: Idea
    details: bool
    match: Match | None = None
    reason: str = ""


@dataclass
class IdeaListing:
    recommended: list[IdeaRow] = field(default_factory=list)
    others: list[IdeaRow] = field(default_factory=list)

    @property
    def all(self) -> list[IdeaRow]:
        return [*self.recommended, *self.others]


def _matches(idea: Idea, filters: IdeaFilters, details: bool) -> bool:
    if filters.status:
        if idea.status != filters.status:
            return False
    elif idea.status == IdeaStatus.WITHDRAWN:
        return False
    if filters.call and fold(filters.call) not in fold(idea.call):
        return False
    if filters.sector and filters.sector not in (idea.sectors or []):
        return False
    if filters.role_kind and not any(r.kind == filters.role_kind for r in idea.open_roles):
        return False
    if filters.country:
        code = filters.country.upper()
        if code in countries_covered(idea):
            return False
        if not any(not r.countries or code in r.countries for r in idea.open_roles):
            return False
    if filters.q:
        text = [idea.title, idea.call, *(idea.keywords or [])]
        if details:
            text += [idea.summary, *(r.description for r in idea.roles)]
        haystack = fold(" ".join(text))
        if not all(term in haystack for term in fold(filters.q).split()):
            return False
    return True


def seeker_for(registration: Registration | None) -> Seeker:
    """The reader as the scorer sees them: kind, country and matchmaking profile."""
    if registration is None:
        return Seeker(registration_id=None)
    profile = db.session.scalar(
        sa.select(MatchProfile).where(MatchProfile.registration_id == registration.id)
    )
    sectors = frozenset(profile.sectors or []) if profile else frozenset()
    offer_words = (
        words(profile.offers, profile.summary, profile.keywords or []) if profile else frozenset()
    )
    calls = frozenset(fold(c).strip() for c in (profile.calls or [])) if profile else frozenset()
    return Seeker(
        registration_id=registration.id,
        kind=person_kind(registration),
        country=person_country(registration),
        sectors=sectors,
        offer_words=offer_words,
        calls=calls,
    )


def idea_facts(idea: Idea, details: bool) -> IdeaFacts:
    return IdeaFacts(
        id=idea.id,
        lead_id=idea.lead_id,
        sectors=frozenset(idea.sectors or []),
        keyword_words=words(idea.keywords or [], idea.title) if details else frozenset(),
        call=idea.call or "",
        open_roles=tuple(
            OpenRole(
                id=role.id,
                kind=role.kind,
                countries=tuple(role.countries or ()),
                description_words=words(role.description) if details else frozenset(),
            )
            for role in idea.open_roles
        ),
        countries_covered=frozenset(countries_covered(idea)),
        member_ids=frozenset([idea.lead_id, *(r.filled_by_id for r in idea.filled_roles)]),
    )


def reason_text(match: Match, idea: Idea) -> str:
    """The match's reasons in one sentence, in the reader's language."""
    parts = []
    for code, value in match.reasons:
        if code == "kind":
            parts.append(
                _("it needs a partner of your kind (%(kind)s)", kind=role_kind_label(value))
            )
        elif code == "country_wanted":
            parts.append(_("it wants a partner from %(country)s", country=country_name(value)))
        elif code == "new_country":
            parts.append(
                _("you would add %(country)s to its countries", country=country_name(value))
            )
        elif code == "words":
            parts.append(
                _("your profile mentions %(words)s", words=", ".join(f"“{w}”" for w in value))
            )
        elif code == "sectors":
            parts.append(
                _("same sectors: %(sectors)s", sectors=", ".join(sector_name(s) for s in value))
            )
        elif code == "call":
            parts.append(_("it targets %(call)s, a call you follow", call=value))
    if not parts:
        return ""
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def list_ideas(event: Event, user: User | None, filters: IdeaFilters | None = None) -> IdeaListing:
    """The event's ideas for this viewer, filtered; those that need someone like the viewer
    first (best first, each with its reason), then the others, newest first.

    Filters run in Python over the event's ideas (an event has dozens, and sectors and
    countries are JSON lists, filtered the same way on SQLite and PostgreSQL)."""
    registration = require_ideas_visible(event, user)
    filters = filters or IdeaFilters()
    ideas = db.session.scalars(
        _idea_query()
        .where(Idea.event_id == event.id)
        .order_by(Idea.created_at.desc(), Idea.id.desc())
    ).unique()
    organiser = _is_organiser(user)
    me = registration.id if registration is not None else None
    invited_ideas = _invited_idea_ids(event, me)
    rows = []
    for idea in ideas:
        access = Access(
            registration,
            organiser,
            lead=me is not None and idea.lead_id == me,
            partner=me is not None and any(r.filled_by_id == me for r in idea.roles),
            invited=idea.id in invited_ideas,
        )
        details = shows_details(idea, access)
        if _matches(idea, filters, details):
            rows.append(IdeaRow(idea, details))
    listing = IdeaListing()
    if registration is None:
        listing.others = rows
        return listing
    by_id = {row.idea.id: row for row in rows}
    open_rows = [row for row in rows if row.idea.is_open]
    ranked = rank(seeker_for(registration), [idea_facts(r.idea, r.details) for r in open_rows])
    for facts, match in ranked:
        row = by_id[facts.id]
        row.match = match
        row.reason = reason_text(match, row.idea)
        listing.recommended.append(row)
    chosen = {row.idea.id for row in listing.recommended}
    listing.others = [row for row in rows if row.idea.id not in chosen]
    return listing


def _invited_idea_ids(event: Event, registration_id: int | None) -> set[int]:
    if registration_id is None:
        return set()
    return set(
        db.session.scalars(
            sa.select(Role.idea_id)
            .join(Interest, Interest.role_id == Role.id)
            .join(Idea, Idea.id == Role.idea_id)
            .where(
                Idea.event_id == event.id,
                Interest.registration_id == registration_id,
                Interest.invited,
            )
        )
    )


def ideas_of(registration: Registration) -> list[Idea]:
    """Ideas the person leads or is a partner of."""
    partner_of = sa.select(Role.idea_id).where(Role.filled_by_id == registration.id)
    return list(
        db.session.scalars(
            _idea_query()
            .where(sa.or_(Idea.lead_id == registration.id, Idea.id.in_(partner_of)))
            .order_by(Idea.created_at)
        ).unique()
    )


# Input ------------------------------------------------------------------------------------


@dataclass
class IdeaInput:
    title: str
    summary: str = ""
    call: str = ""
    call_deadline: date | None = None
    sectors: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    confidential: bool = False


@dataclass
class RoleInput:
    kind: str
    description: str = ""
    countries: list[str] = field(default_factory=list)


def clean_keywords(keywords: Iterable[str]) -> list[str]:
    """Stripped, without blanks or repeats (whatever their case), in the order given."""
    seen: set[str] = set()
    cleaned = []
    for keyword in keywords:
        keyword = " ".join(str(keyword).split())
        if keyword and keyword.casefold() not in seen:
            seen.add(keyword.casefold())
            cleaned.append(keyword)
    return cleaned


def _idea_errors(data: IdeaInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.title.strip():
        add("title", _("Give the idea a title."))
    elif len(data.title.strip()) > TITLE_MAX:
        add("title", _("At most %(n)d characters.", n=TITLE_MAX))
    if len(data.summary) > SUMMARY_MAX:
        add("summary", _("At most %(n)d characters.", n=SUMMARY_MAX))
    if len(data.call.strip()) > CALL_MAX:
        add("call", _("At most %(n)d characters.", n=CALL_MAX))
    if data.call_deadline is not None and not in_year_range(data.call_deadline):
        add("call_deadline", _("Give a real date."))
    unknown = [s for s in data.sectors if s not in SECTORS]
    if unknown:
        add("sectors", _("Unknown sector: %(codes)s.", codes=", ".join(map(str, unknown))))
    keywords = clean_keywords(data.keywords)
    if len(keywords) > KEYWORDS_MAX:
        add("keywords", _("At most %(n)d keywords.", n=KEYWORDS_MAX))
    if any(len(k) > KEYWORD_MAX for k in keywords):
        add("keywords", _("A keyword has at most %(n)d characters.", n=KEYWORD_MAX))
    return errors


def _role_errors(data: RoleInput, prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in ROLE_KINDS:
        errors[f"{prefix}kind"] = [_("Choose the kind of partner.")]
    if len(data.description) > DESCRIPTION_MAX:
        errors[f"{prefix}description"] = [_("At most %(n)d characters.", n=DESCRIPTION_MAX)]
    bad = [c for c in data.countries if not is_country(c)]
    if bad:
        errors[f"{prefix}countries"] = [
            _("Unknown country code: %(codes)s.", codes=", ".join(map(str, bad)))
        ]
    elif len(set(data.countries)) > COUNTRIES_MAX:
        errors[f"{prefix}countries"] = [_("At most %(n)d countries.", n=COUNTRIES_MAX)]
    return errors


def _apply_idea(idea: Idea, data: IdeaInput) -> None:
    idea.title = data.title.strip()
    idea.summary = data.summary.strip()
    idea.call = data.call.strip()
    idea.call_deadline = data.call_deadline
    idea.sectors = [s for s in SECTORS if s in set(data.sectors)]
    idea.keywords = clean_keywords(data.keywords)
    idea.confidential = bool(data.confidential)


def _new_role(data: RoleInput) -> Role:
    countries = sorted({c.upper() for c in data.countries})
    return Role(kind=data.kind, description=data.description.strip(), countries=countries)


def _commit() -> None:
    """Commit; a unique index's refusal (a race lost) becomes a conflict saying which."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        text = str(error.orig)
        if "consortium_interest" in text:
            raise ConsortiumConflict(
                _("You have already asked to join in this role."), "already_asked"
            ) from None
        if "consortium_role" in text:
            raise ConsortiumConflict(
                _("This person is already a partner of this idea."), "already_partner"
            ) from None
        raise
    except BaseException:
        db.session.rollback()
        raise


# Writing: ideas and roles -----------------------------------------------------------------


def create_idea(
    event: Event,
    user: User,
    data: IdeaInput,
    roles: Sequence[RoleInput] = (),
    *,
    carried_from: Idea | None = None,
) -> Idea:
    """A registered participant posts an idea and becomes its lead."""
    registration = confirmed_registration(event, user)
    if registration is None:
        raise PermissionDenied(
            {"registration": [_("Only the event's registered participants may post an idea.")]}
        )
    errors = _idea_errors(data)
    if len(roles) > ROLES_MAX:
        errors["roles"] = [_("At most %(n)d roles.", n=ROLES_MAX)]
    for i, role in enumerate(roles):
        errors.update(_role_errors(role, prefix=f"roles.{i}."))
    if carried_from is not None and carried_from.lead.user_id != user.id:
        errors["carried_from"] = [_("Only an idea you led can be carried over.")]
    if errors:
        raise ServiceValidationError(errors)
    idea = Idea(event_id=event.id, lead=registration, status=IdeaStatus.OPEN.value)
    idea.event = event
    _apply_idea(idea, data)
    idea.roles = [_new_role(role) for role in roles]
    idea.carried_from = carried_from
    db.session.add(idea)
    _commit()
    return idea


STATUS_CHANGES = {
    IdeaStatus.OPEN: {IdeaStatus.SUBMITTED, IdeaStatus.WITHDRAWN},
    IdeaStatus.SUBMITTED: {IdeaStatus.FUNDED, IdeaStatus.OPEN, IdeaStatus.WITHDRAWN},
    IdeaStatus.FUNDED: {IdeaStatus.SUBMITTED},
    IdeaStatus.WITHDRAWN: {IdeaStatus.OPEN},
}


def update_idea(idea: Idea, user: User, data: IdeaInput | None, status: str | None = None) -> Idea:
    """The lead edits the idea, or marks it submitted, funded, withdrawn or open again."""
    _require_lead(idea, user)
    errors = _idea_errors(data) if data is not None else {}
    if status is not None and status != idea.status:
        try:
            target = IdeaStatus(status)
        except ValueError:
            target = None
        if target is None:
            errors["status"] = [_("Unknown status.")]
        elif target not in STATUS_CHANGES[IdeaStatus(idea.status)]:
            errors["status"] = [
                _(
                    "An idea that is “%(now)s” cannot become “%(then)s”.",
                    now=idea.status_label,
                    then=str(target),
                )
            ]
    if errors:
        raise ServiceValidationError(errors)
    if data is not None:
        _apply_idea(idea, data)
    if status is not None and status != idea.status:
        idea.status = status
        idea.status_changed_at = utcnow()
        if status == IdeaStatus.WITHDRAWN:
            told = _people_to_tell(idea, exclude=idea.lead_id)
            _close_pending(idea)
            mails.idea_withdrawn(idea, told)
    _commit()
    return idea


def _close_pending(idea: Idea) -> None:
    for interest in interests_of(idea):
        if interest.is_pending:
            interest.status = InterestStatus.DECLINED.value
            interest.responded_at = utcnow()


def _people_to_tell(idea: Idea, exclude: int | None = None) -> list[Registration]:
    """The partners and the people with a pending interest (once each)."""
    people: dict[int, Registration] = {}
    for partner in idea.partners:
        people[partner.id] = partner
    for interest in interests_of(idea):
        if interest.is_pending:
            people.setdefault(interest.registration_id, interest.registration)
    people.pop(exclude, None)
    return list(people.values())


def add_role(idea: Idea, user: User, data: RoleInput) -> Role:
    _require_lead(idea, user)
    errors = _role_errors(data)
    if len(idea.roles) >= ROLES_MAX:
        errors["kind"] = [_("An idea has at most %(n)d roles.", n=ROLES_MAX)]
    if errors:
        raise ServiceValidationError(errors)
    _require_open(idea)
    role = _new_role(data)
    idea.roles.append(role)
    _commit()
    return role


def remove_role(role: Role, user: User) -> None:
    """The lead removes a role nobody fills (its pending interests go with it)."""
    idea = role.idea
    _require_lead(idea, user)
    role = _lock_role(role.id)
    if role.filled_by_id is not None:
        db.session.rollback()
        raise ConsortiumConflict(
            _("A partner fills this role: it cannot be removed."), "role_filled"
        )
    idea.roles.remove(role)
    _commit()


def _require_open(idea: Idea) -> None:
    if not idea.is_open:
        raise ConsortiumConflict(
            _(
                "This idea is no longer looking for partners (%(status)s).",
                status=idea.status_label,
            ),
            "idea_closed",
        )


# Writing: joining -------------------------------------------------------------------------


def _lock_role(role_id: int) -> Role:
    """The role, reloaded and locked until the transaction ends (SQLite: a no-op UPDATE
    takes the database's write lock at once)."""
    table = Role.__table__
    query = sa.select(Role).where(Role.id == role_id)
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(table.c.id == role_id).values(id=table.c.id))
    else:
        query = query.with_for_update(of=Role)
    role = db.session.scalar(query.execution_options(populate_existing=True))
    if role is None:
        db.session.rollback()
        raise NotFoundError(_("No such role."))
    return role


def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ServiceValidationError({"message": [_("At most %(n)d characters.", n=MESSAGE_MAX)]})
    return message


def express_interest(role: Role, user: User, message: str = "") -> Interest:
    """A participant asks to fill a role; the lead is told. 409 when already asked, when the
    role is filled, or when the person already is in the consortium."""
    idea = role.idea
    access = access_to(idea, user)
    registration = access.registration
    if registration is None:
        raise PermissionDenied(
            {"registration": [_("Only the event's registered participants may join an idea.")]}
        )
    message = _clean_message(message)
    if access.lead:
        raise ConsortiumConflict(_("You lead this idea."), "own_idea")
    if access.partner:
        raise ConsortiumConflict(_("You are already a partner of this idea."), "already_partner")
    _require_open(idea)
    if role.filled_by_id is not None:
        raise ConsortiumConflict(_("This role has been filled."), "role_filled")
    if role.countries and person_country(registration) not in role.countries:
        wanted = ", ".join(country_name(c) for c in role.countries)
        raise ConsortiumConflict(
            _("This role is for partners from %(countries)s.", countries=wanted), "wrong_country"
        )
    existing = db.session.scalar(
        sa.select(Interest).where(
            Interest.role_id == role.id, Interest.registration_id == registration.id
        )
    )
    if existing is not None:
        if existing.invited and existing.is_pending:
            raise ConsortiumConflict(
                _("The lead has invited you to this role: accept the invitation."), "invited"
            )
        raise ConsortiumConflict(_("You have already asked to join in this role."), "already_asked")
    interest = Interest(role=role, registration=registration, message=message)
    db.session.add(interest)
    db.session.flush()
    mails.interest_received(interest)
    _commit()
    return interest


def invite(role: Role, user: User, registration_id: int, message: str = "") -> Interest:
    """The lead invites a participant (from the catalogue) to fill a role; they are told."""
    idea = role.idea
    _require_lead(idea, user)
    message = _clean_message(message)
    _require_open(idea)
    person = db.session.get(Registration, registration_id)
    if (
        person is None
        or person.event_id != idea.event_id
        or person.status != RegistrationStatus.CONFIRMED
        or person.user_id is None
    ):
        raise ServiceValidationError(
            {"registration_id": [_("Choose one of the event's registered participants.")]}
        )
    if person.id == idea.lead_id:
        raise ConsortiumConflict(_("You lead this idea."), "own_idea")
    if any(r.filled_by_id == person.id for r in idea.roles):
        raise ConsortiumConflict(
            _("%(name)s is already a partner of this idea.", name=person.display_name),
            "already_partner",
        )
    if role.filled_by_id is not None:
        raise ConsortiumConflict(_("This role has been filled."), "role_filled")
    existing = db.session.scalar(
        sa.select(Interest).where(
            Interest.role_id == role.id, Interest.registration_id == person.id
        )
    )
    if existing is not None:
        raise ConsortiumConflict(
            _("%(name)s has already been asked about this role.", name=person.display_name),
            "already_asked",
        )
    interest = Interest(role=role, registration=person, message=message, invited=True)
    db.session.add(interest)
    db.session.flush()
    mails.invited(interest)
    _commit()
    return interest


def _may_answer(interest: Interest, user: User | None) -> bool:
    """The lead answers a request; the invitee answers an invitation."""
    idea = interest.role.idea
    registration = confirmed_registration(idea.event, user)
    if registration is None:
        return False
    if interest.invited:
        return interest.registration_id == registration.id
    return idea.lead_id == registration.id


def accept_interest(interest: Interest, user: User) -> Interest:
    """Fill the role with the interested person, under a lock on the role: 409 when it was
    filled meanwhile. The other pending candidates for the role are told it is filled."""
    interest_id = interest.id
    idea = interest.role.idea
    access_to(idea, user)
    if not _may_answer(interest, user):
        raise PermissionDenied({"interest": [_("Only the idea's lead may answer this.")]})
    role = _lock_role(interest.role_id)
    interest = db.session.scalar(
        sa.select(Interest)
        .where(Interest.id == interest_id)
        .execution_options(populate_existing=True)
    )
    db.session.refresh(idea)
    try:
        if not interest.is_pending:
            raise ConsortiumConflict(
                _("This interest was already answered (%(status)s).", status=interest.status_label),
                "answered",
            )
        _require_open(idea)
        if role.filled_by_id is not None:
            raise ConsortiumConflict(
                _("This role was filled meanwhile by %(name)s.", name=role.filled_by.display_name),
                "role_filled",
            )
        if any(r.filled_by_id == interest.registration_id for r in idea.roles):
            raise ConsortiumConflict(
                _(
                    "%(name)s is already a partner of this idea.",
                    name=interest.registration.display_name,
                ),
                "already_partner",
            )
        if interest.registration.status != RegistrationStatus.CONFIRMED:
            raise ConsortiumConflict(
                _(
                    "%(name)s is no longer registered for this meeting.",
                    name=interest.registration.display_name,
                ),
                "not_registered",
            )
    except ConsortiumConflict:
        db.session.rollback()
        raise
    now = utcnow()
    role.filled_by_id = interest.registration_id
    role.filled_at = now
    interest.status = InterestStatus.ACCEPTED.value
    interest.responded_at = now
    db.session.flush()
    mails.interest_answered(interest)
    others = db.session.scalars(
        sa.select(Interest).where(
            Interest.role_id == role.id,
            Interest.id != interest.id,
            Interest.status == InterestStatus.PENDING,
        )
    ).all()
    for other in others:
        other.status = InterestStatus.DECLINED.value
        other.responded_at = now
        mails.role_filled(other)
    _commit()
    return interest


def decline_interest(interest: Interest, user: User) -> Interest:
    idea = interest.role.idea
    access_to(idea, user)
    if not _may_answer(interest, user):
        raise PermissionDenied({"interest": [_("Only the idea's lead may answer this.")]})
    if not interest.is_pending:
        raise ConsortiumConflict(
            _("This interest was already answered (%(status)s).", status=interest.status_label),
            "answered",
        )
    interest.status = InterestStatus.DECLINED.value
    interest.responded_at = utcnow()
    db.session.flush()
    mails.interest_answered(interest)
    _commit()
    return interest


# Consortium meetings ----------------------------------------------------------------------


def meeting_candidates(idea: Idea) -> list[Registration]:
    """Who may sit in the idea's consortium meeting besides the lead: the partners and the
    people with a pending interest (confirmed registrations only), once each."""
    people: dict[int, Registration] = {}
    for partner in idea.partners:
        people[partner.id] = partner
    for interest in interests_of(idea):
        if interest.is_pending:
            people.setdefault(interest.registration_id, interest.registration)
    people.pop(idea.lead_id, None)
    return [p for p in people.values() if p.status == RegistrationStatus.CONFIRMED]


def meetings_of_idea(idea: Idea, *, include_cancelled: bool = False) -> list[Meeting]:
    query = (
        sa.select(Meeting)
        .join(ConsortiumMeeting, ConsortiumMeeting.meeting_id == Meeting.id)
        .where(ConsortiumMeeting.idea_id == idea.id)
    )
    if not include_cancelled:
        query = query.where(Meeting.status == "confirmed")
    return sorted(db.session.scalars(query).unique(), key=lambda m: (m.slot.starts_at, m.id))


def meeting_title(meeting: Meeting, registration: Registration | None = None) -> str | None:
    """A consortium meeting's title on agendas, feeds and invitations ("Consortium meeting:
    <idea title>"): matchmaking.meetings asks through its title hook (connected in the app
    factory); None for any other meeting."""
    if meeting.origin != "consortium":
        return None
    title = db.session.scalar(
        sa.select(Idea.title)
        .join(ConsortiumMeeting, ConsortiumMeeting.idea_id == Idea.id)
        .where(ConsortiumMeeting.meeting_id == meeting.id)
    )
    if title is None:  # its idea was deleted: the people's names say it
        return None
    return _("Consortium meeting: %(title)s", title=title)


def bookable_slots(event: Event) -> list[Slot]:
    return list(
        db.session.scalars(
            sa.select(Slot)
            .where(Slot.event_id == event.id, Slot.ends_at > utcnow())
            .order_by(Slot.starts_at)
        )
    )


def _meeting_people(idea: Idea, registration_ids: Sequence[int]) -> list[int]:
    """The lead and the chosen partners or candidates (three to eight), or a field error."""
    allowed = {p.id for p in meeting_candidates(idea)}
    chosen = [i for i in dict.fromkeys(registration_ids) if i != idea.lead_id]
    if any(i not in allowed for i in chosen):
        raise ServiceValidationError(
            {
                "registration_ids": [
                    _("Only the idea's partners and the people interested in it can be invited.")
                ]
            }
        )
    people = [idea.lead_id, *chosen]
    if not MEETING_MIN <= len(people) <= MEETING_MAX:
        raise ServiceValidationError(
            {
                "registration_ids": [
                    _(
                        "A consortium meeting has %(low)d to %(high)d people with the lead "
                        "(%(n)d chosen).",
                        low=MEETING_MIN,
                        high=MEETING_MAX,
                        n=len(people),
                    )
                ]
            }
        )
    return people


def book_meeting(
    idea: Idea,
    user: User,
    registration_ids: Sequence[int],
    slot_id: int | None = None,
    *,
    table_id: int | None = None,
) -> Meeting:
    """The lead (or an organiser) books a meeting of the lead and the chosen partners and
    candidates, three to eight people, in a B2B slot at a table that seats them. Without a
    slot, the first slot where everyone is free and a table seats them. 409 names the clash."""
    access = _require_booker(idea, user)
    event = idea.event
    people = _meeting_people(idea, registration_ids)
    if not settings_of(event).enabled:
        raise ConsortiumConflict(_("B2B meetings are not open at this event."), "b2b_off")
    by_organiser = access.organiser and not access.lead
    if not access.organiser and not requests_carry_a_slot(settings_of(event)):
        raise ConsortiumConflict(
            _(
                "At this event the organisers schedule the meetings: ask them to place your "
                "consortium meeting."
            ),
            "organiser_schedules",
        )
    if slot_id is not None:
        with booking.transaction():
            meeting = _book(idea, user, people, slot_id, table_id, by_organiser)
        return meeting
    last: booking.BookingConflict | None = None
    for slot in bookable_slots(event):
        try:
            with booking.transaction():
                return _book(idea, user, people, slot.id, table_id, by_organiser)
        except booking.BookingConflict as conflict:
            if conflict.code == "frozen":
                raise
            last = conflict
    if last is None:
        raise ConsortiumConflict(_("This event has no B2B slot left."), "no_slot")
    raise ConsortiumConflict(
        _(
            "No B2B slot suits all %(n)d people at a table that seats them (the last one "
            "tried: %(reason)s)",
            n=len(people),
            reason=last.message,
        ),
        "no_common_slot",
    )


def _book(idea, user, people, slot_id, table_id, by_organiser) -> Meeting:
    meeting = booking.book_in_transaction(
        idea.event,
        people,
        slot_id,
        table_id=table_id,
        origin=MeetingOrigin.CONSORTIUM,
        by_organiser=by_organiser,
        notify=False,
    )
    db.session.add(ConsortiumMeeting(meeting_id=meeting.id, idea_id=idea.id, booked_by_id=user.id))
    db.session.flush()
    meeting_mails.meeting_booked(meeting)  # once the idea is linked: the mail names it
    waiting = pending_schedule_request(idea)
    if waiting is not None:  # booked by hand: the scheduling run has nothing left to place
        waiting.status = ScheduleRequestStatus.SCHEDULED.value
        waiting.meeting_id = meeting.id
    return meeting


# Statistics -------------------------------------------------------------------------------


@dataclass
class ConsortiaStats:
    ideas: int = 0
    open: int = 0
    submitted: int = 0
    funded: int = 0
    withdrawn: int = 0
    roles: int = 0
    roles_filled: int = 0
    multinational: int = 0  # consortia with people from three or more countries
    meetings: int = 0
    outcomes: int = 0  # reports after consortium meetings ("took place", rating)
    cooperation: int = 0  # of which rated "cooperation possible"
    carried_over: int = 0


def statistics(event: Event) -> ConsortiaStats:
    ideas = list(db.session.scalars(_idea_query().where(Idea.event_id == event.id)).unique())
    stats = ConsortiaStats(ideas=len(ideas))
    for idea in ideas:
        setattr(stats, idea.status, getattr(stats, idea.status) + 1)
        stats.roles += len(idea.roles)
        stats.roles_filled += len(idea.filled_roles)
        if len(countries_covered(idea)) >= 3:
            stats.multinational += 1
        if idea.carried_from_id is not None:
            stats.carried_over += 1
    stats.meetings = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ConsortiumMeeting)
        .join(Meeting, Meeting.id == ConsortiumMeeting.meeting_id)
        .join(Idea, Idea.id == ConsortiumMeeting.idea_id)
        .where(Idea.event_id == event.id, Meeting.status == "confirmed")
    )
    outcomes = db.session.execute(
        sa.select(MeetingOutcome.rating)
        .join(ConsortiumMeeting, ConsortiumMeeting.meeting_id == MeetingOutcome.meeting_id)
        .join(Idea, Idea.id == ConsortiumMeeting.idea_id)
        .where(Idea.event_id == event.id)
    ).all()
    stats.outcomes = len(outcomes)
    stats.cooperation = sum(1 for (rating,) in outcomes if rating == "cooperation")
    return stats


# Pitch session ----------------------------------------------------------------------------


def set_pitch(idea: Idea, position: int | None, minutes: int | None) -> Idea:
    """The organiser puts the idea in the pitch session's running order (None: out of it)."""
    idea.pitch_position = position
    idea.pitch_minutes = minutes if position is not None else None
    _commit()
    return idea


@dataclass
class Pitch:
    idea: Idea
    number: int
    starts_after: int  # minutes after the session's start
    minutes: int


DEFAULT_PITCH_MINUTES = 5


def pitch_order(event: Event) -> list[Pitch]:
    """The pitch session's running order, with when each pitch starts (in minutes)."""
    ideas = db.session.scalars(
        _idea_query()
        .where(Idea.event_id == event.id, Idea.pitch_position.is_not(None))
        .order_by(Idea.pitch_position, Idea.id)
    ).unique()
    pitches, elapsed = [], 0
    for number, idea in enumerate(ideas, start=1):
        minutes = idea.pitch_minutes or DEFAULT_PITCH_MINUTES
        pitches.append(Pitch(idea, number, elapsed, minutes))
        elapsed += minutes
    return pitches


# The next edition -------------------------------------------------------------------------


def carry_over_targets(idea: Idea, user: User | None) -> list[Event]:
    """Other events where the idea's lead is registered (confirmed) and that do not hold a
    copy of it yet: where it can be carried over."""
    if user is None or not user.is_authenticated or idea.lead.user_id != user.id:
        return []
    carried = sa.select(Idea.event_id).where(Idea.carried_from_id == idea.id)
    return list(
        db.session.scalars(
            sa.select(Event)
            .join(Registration, Registration.event_id == Event.id)
            .where(
                Registration.user_id == user.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Event.id != idea.event_id,
                Event.id.not_in(carried),
            )
            .order_by(Event.starts_on)
        )
    )


def carry_over(idea: Idea, user: User, event: Event) -> Idea:
    """The lead carries the idea into another edition: a new idea there, led by them, with
    the same text and roles (all open: partners join again), pointing back to this one, so
    the network keeps the thread of a project over the years."""
    if idea.lead.user_id != user.id:
        raise PermissionDenied({"lead": [_("Only the idea's lead may do this.")]})
    if event.id == idea.event_id:
        raise ServiceValidationError({"event": [_("Choose another edition.")]})
    if event not in carry_over_targets(idea, user):
        if confirmed_registration(event, user) is None:
            raise PermissionDenied(
                {"event": [_("Register for %(title)s first.", title=event.title)]}
            )
        raise ConsortiumConflict(
            _("This idea is already carried over to %(title)s.", title=event.title),
            "already_carried",
        )
    data = IdeaInput(
        title=idea.title,
        summary=idea.summary,
        call=idea.call,
        call_deadline=idea.call_deadline,
        sectors=list(idea.sectors or []),
        keywords=list(idea.keywords or []),
        confidential=idea.confidential,
    )
    roles = [RoleInput(r.kind, r.description, list(r.countries or [])) for r in idea.roles]
    return create_idea(event, user, data, roles, carried_from=idea)


# Meetings the organiser's scheduling run places -------------------------------------------


def organisers_schedule(event: Event) -> bool:
    """Whether leads ask the organisers for their consortium meeting instead of booking it."""
    settings = settings_of(event)
    return settings.enabled and not requests_carry_a_slot(settings)


def pending_schedule_request(idea: Idea) -> ConsortiumScheduleRequest | None:
    return db.session.scalar(
        sa.select(ConsortiumScheduleRequest).where(
            ConsortiumScheduleRequest.idea_id == idea.id,
            ConsortiumScheduleRequest.status == ScheduleRequestStatus.PENDING,
        )
    )


def request_scheduling(
    idea: Idea, user: User, registration_ids: Sequence[int]
) -> ConsortiumScheduleRequest:
    """The lead asks the organisers' scheduling run for a consortium meeting of these people
    (the same three-to-eight rule as a booking). One pending request per idea: a new one
    replaces the people of the pending one."""
    _require_booker(idea, user)
    people = _meeting_people(idea, registration_ids)
    if not settings_of(idea.event).enabled:
        raise ConsortiumConflict(_("B2B meetings are not open at this event."), "b2b_off")
    _require_open(idea)
    request = pending_schedule_request(idea)
    if request is None:
        request = ConsortiumScheduleRequest(idea_id=idea.id, requested_by_id=user.id)
        db.session.add(request)
    request.registration_ids = people
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ConsortiumConflict(
            _("A consortium meeting is already asked for this idea."), "already_requested"
        ) from None
    return request


def cancel_schedule_request(request: ConsortiumScheduleRequest, user: User) -> None:
    _require_booker(request.idea, user)
    if request.is_pending:
        request.status = ScheduleRequestStatus.CANCELLED.value
        _commit()


def set_schedule_priority(request: ConsortiumScheduleRequest, user: User, priority: int) -> None:
    """The organiser weighs the request in the scheduling run (1: like a one-to-one)."""
    if not _is_organiser(user):
        raise PermissionDenied({"priority": [_("Only organisers may do this.")]})
    if not 1 <= priority <= 100:
        raise ServiceValidationError({"priority": [_("Give a priority from 1 to 100.")]})
    request.priority = priority
    _commit()


def schedule_requests(event: Event) -> list[ConsortiumScheduleRequest]:
    """The event's pending requests, oldest first (the organiser's page)."""
    return list(
        db.session.scalars(
            sa.select(ConsortiumScheduleRequest)
            .join(Idea, Idea.id == ConsortiumScheduleRequest.idea_id)
            .where(
                Idea.event_id == event.id,
                ConsortiumScheduleRequest.status == ScheduleRequestStatus.PENDING,
            )
            .order_by(ConsortiumScheduleRequest.created_at, ConsortiumScheduleRequest.id)
        )
    )
