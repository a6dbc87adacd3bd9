from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from pic_events.accounts.auth import organiser_required
from pic_events.core.conditional import conditional_response
from pic_events.core.forms import save_form
from pic_events.core.pagination import paginate
from pic_events.events import public_page, services
from pic_events.events.forms import EventForm
from pic_events.events.models import EventStatus

bp = Blueprint("events", __name__)


def _event_for_viewer(slug: str):
    return services.visible_event(slug, current_user)


@bp.get("/events/<slug>")
def show(slug: str):
    event = _event_for_viewer(slug)
    user = current_user if current_user.is_authenticated else None

    def render() -> str:
        return render_template("events/_aside.html", event=event)

    personal = public_page.visitor_part(event, render) if user is None else render()
    page = public_page.event_page(event, user, personal, _render_public)
    shared = user is None and not request.args
    return conditional_response(page.validators, lambda: _show_html(page), shared_body=shared)


def _render_public(event) -> dict[str, str]:
    return {
        name: str(get_template_attribute("events/_public.html", name)(event))
        for name in ("about", "facts")
    }


def _show_html(page: public_page.EventPage) -> str:
    public = {name: Markup(html) for name, html in page.public.items()}
    return render_template(
        "events/show.html", event=page.event, public=public, aside=Markup(page.personal)
    )


@bp.get("/organiser/events")
@organiser_required
def organiser_list():
    page = paginate(services.all_events_query())
    return render_template("events/organiser_list.html", page=page)


@bp.route("/organiser/events/new", methods=["GET", "POST"])
@organiser_required
def create():
    form = EventForm()
    event = save_form(form, lambda: services.create_event(form.values()))
    if event is not None:
        flash(_("Event “%(title)s” created as a draft.", title=event.title), "success")
        return redirect(url_for("events.show", slug=event.slug))
    return render_template("events/form.html", form=form, event=None)


@bp.route("/organiser/events/<slug>/edit", methods=["GET", "POST"])
@organiser_required
def edit(slug: str):
    event = _event_for_viewer(slug)
    form = EventForm(obj=event)
    form.fill_from(event)
    if save_form(form, lambda: services.update_event(event, form.values())) is not None:
        flash(_("Changes saved."), "success")
        return redirect(url_for("events.show", slug=event.slug))
    return render_template("events/form.html", form=form, event=event)


@bp.post("/organiser/events/<slug>/status/<status>")
@organiser_required
def change_status(slug: str, status: str):
    event = _event_for_viewer(slug)
    try:
        new_status = EventStatus(status)
    except ValueError:
        abort(404)
    services.set_status(event, new_status)
    messages = {
        EventStatus.PUBLISHED: _("The event is published: members can see it."),
        EventStatus.ARCHIVED: _("The event is archived."),
        EventStatus.DRAFT: _("The event is back to draft: only organisers see it."),
    }
    flash(messages[new_status], "success")
    return redirect(url_for("events.show", slug=event.slug))
