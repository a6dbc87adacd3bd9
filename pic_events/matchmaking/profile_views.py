"""Member pages: my matchmaking profile, the participant catalogue, one participant,
recommendations."""

from __future__ import annotations

from typing import NoReturn

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pic_events.core.conditional import conditional_response
from pic_events.core.forms import save_form
from pic_events.core.pagination import paginate_list
from pic_events.core.validation import PermissionDenied
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.matchmaking import catalogue as b2b_catalogue
from pic_events.matchmaking import profiles
from pic_events.matchmaking.profile_forms import ProfileForm
from pic_events.registration.forms import ConfirmForm
from pic_events.registration.models import Registration

bp = Blueprint("b2b_profiles", __name__)

CATALOGUE_PER_PAGE = 24


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def _viewer(event: Event) -> Registration | None:
    """My registration when I may see the participants (None: an organiser), else a 403
    page saying why."""
    try:
        return profiles.check_may_browse(event, current_user)
    except PermissionDenied as refused:
        _refuse(event, refused)


def _my_registration(event: Event) -> Registration:
    try:
        return profiles.my_registration_for_profile(event, current_user)
    except PermissionDenied as refused:
        _refuse(event, refused)


def _refuse(event: Event, error: PermissionDenied) -> NoReturn:
    message = next(m for messages in error.errors.values() for m in messages)
    page = render_template("matchmaking/not_open.html", event=event, message=message)
    abort(make_response(page, 403))


@bp.route("/events/<slug>/b2b/profile", methods=["GET", "POST"])
@login_required
def my_profile(slug: str):
    event = _event(slug)
    registration = _my_registration(event)
    profile = profiles.profile_of(registration)
    form = ProfileForm()
    if request.method == "GET":
        form.fill(profile, registration)
    saved = save_form(form, lambda: profiles.save_profile(registration, form.values()))
    if saved is not None:
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("b2b_profiles.my_profile", slug=slug))
    previous = profiles.previous_profile(registration)
    return render_template(
        "matchmaking/profile.html",
        event=event,
        form=form,
        profile=profile,
        registration=registration,
        previous=previous,
        copy_form=ConfirmForm(prefix="copy"),
    ), (422 if form.errors else 200)


@bp.route("/events/<slug>/b2b/profile/copy", methods=["POST"])
@login_required
def copy_previous(slug: str):
    """Start from my most recent profile at another event."""
    event = _event(slug)
    registration = _my_registration(event)
    form = ConfirmForm(prefix="copy")
    if form.validate_on_submit():
        profiles.copy_previous_profile(registration)
        flash(_("Your profile of your last event is copied here: check it and save."), "success")
    return redirect(url_for("b2b_profiles.my_profile", slug=slug))


@bp.route("/events/<slug>/b2b/participants")
@login_required
def catalogue(slug: str):
    """Built from the cached snapshot of the event's participants; the page itself is kept
    per viewer, query and versions (catalogue.validators), and answered 304 when current."""
    event = _event(slug)
    me = _viewer(event)
    return conditional_response(
        b2b_catalogue.validators(event, me, current_user),
        lambda: _catalogue_html(event, me),
        shared_body=True,  # the ETag names the viewer, their session and the query
    )


def _catalogue_html(event: Event, me: Registration | None) -> str:
    filters = profiles.CatalogueFilters.from_args(request.args)
    snap = b2b_catalogue.snapshot(event)
    page = paginate_list(b2b_catalogue.matching(event, snap, filters, me), CATALOGUE_PER_PAGE)
    suggestions = []
    my_profile = profiles.profile_of(me) if me is not None else None
    if me is not None and my_profile is not None and not filters.active and page.page == 1:
        suggestions = b2b_catalogue.suggestions(event, snap, me, my_profile, limit=3)
    return render_template(
        "matchmaking/catalogue.html",
        event=event,
        page=page,
        people=page.items,
        filters=filters,
        choices=b2b_catalogue.filter_choices(snap),
        me=me,
        my_profile=my_profile,
        suggestions=suggestions,
    )


@bp.route("/events/<slug>/b2b/participants/<int:registration_id>")
@login_required
def participant(slug: str, registration_id: int):
    event = _event(slug)
    me = _viewer(event)
    person = profiles.visible_participant(event, registration_id)
    is_me = me is not None and me.id == person.registration_id
    common = [] if is_me else profiles.common_free_slots(event, me, person.registration_id)
    return render_template(
        "matchmaking/participant.html",
        event=event,
        person=person,
        me=me,
        is_me=is_me,
        common=common,
        request_url=profiles.request_url(event, person.registration_id),
    )


@bp.route("/events/<slug>/b2b/recommendations")
@login_required
def recommendations(slug: str):
    event = _event(slug)
    me = _viewer(event)
    my_profile = profiles.profile_of(me) if me is not None else None
    ranked = []
    if me is not None and my_profile is not None:
        ranked = b2b_catalogue.recommendations(event, me, my_profile=my_profile)
    return render_template(
        "matchmaking/recommendations.html",
        event=event,
        me=me,
        my_profile=my_profile,
        ranked=ranked,
    )
