"""Organiser pages of the PIC network: clusters and organisations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pic_events.accounts import standing
from pic_events.accounts.auth import organiser_required
from pic_events.accounts.models import User
from pic_events.core.forms import save_form
from pic_events.core.pagination import paginate
from pic_events.directory import services
from pic_events.directory.forms import (
    PARTNER,
    STEERING,
    ClusterForm,
    OrganisationForm,
    kind_choices,
)
from pic_events.directory.models import Cluster, Organisation
from pic_events.extensions import db

bp = Blueprint("directory", __name__, url_prefix="/organiser")


def _steering_filter() -> bool | None:
    return {STEERING: True, PARTNER: False}.get(request.args.get("steering", ""))


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int)


def _filters_active(*names: str) -> bool:
    return any(request.args.get(name) for name in names)


@bp.get("/clusters")
@organiser_required
def clusters():
    query = services.clusters_query(
        q=request.args.get("q", ""),
        country=request.args.get("country", ""),
        steering=_steering_filter(),
    )
    page = paginate(query)
    return render_template(
        "directory/clusters.html",
        page=page,
        counts=services.organisation_counts([c.id for c in page.items]),
        countries=services.used_countries(Cluster),
        filtered=_filters_active("q", "country", "steering"),
    )


@bp.route("/clusters/new", methods=["GET", "POST"])
@organiser_required
def create_cluster():
    form = ClusterForm()
    cluster = save_form(form, lambda: services.create_cluster(form.values()))
    if cluster is not None:
        flash(_("Cluster “%(name)s” added.", name=cluster.name), "success")
        return redirect(url_for("directory.clusters"))
    return render_template("directory/cluster_form.html", form=form, cluster=None)


@bp.route("/clusters/<int:cluster_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_cluster(cluster_id: int):
    cluster = services.get_cluster(cluster_id) or abort(404)
    form = ClusterForm(obj=cluster)
    form.fill_from(cluster)
    if save_form(form, lambda: services.update_cluster(cluster, form.values())) is not None:
        flash(_("Changes to “%(name)s” saved.", name=cluster.name), "success")
        return redirect(url_for("directory.clusters"))
    return render_template("directory/cluster_form.html", form=form, cluster=cluster)


@bp.get("/organisations")
@organiser_required
def organisations():
    query = services.organisations_query(
        q=request.args.get("q", ""),
        country=request.args.get("country", ""),
        cluster_id=_int_arg("cluster"),
        kind=request.args.get("kind", ""),
        steering=_steering_filter(),
    )
    page = paginate(query)
    return render_template(
        "directory/organisations.html",
        page=page,
        countries=services.used_countries(Organisation),
        clusters=services.cluster_choices(),
        kinds=kind_choices(),
        filtered=_filters_active("q", "country", "cluster", "kind", "steering"),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@organiser_required
def create_organisation():
    form = OrganisationForm()
    if not form.is_submitted() and request.args.get("cluster"):
        form.cluster_id.data = request.args["cluster"]
    organisation = save_form(form, lambda: services.create_organisation(form.values()))
    if organisation is not None:
        flash(_("Organisation “%(name)s” added.", name=organisation.name), "success")
        return redirect(url_for("directory.organisations"))
    return render_template("directory/organisation_form.html", form=form, organisation=None)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_organisation(organisation_id: int):
    organisation = services.get_organisation(organisation_id) or abort(404)
    form = OrganisationForm(obj=organisation)
    form.fill_from(organisation)
    saved = save_form(form, lambda: services.update_organisation(organisation, form.values()))
    if saved is not None:
        flash(_("Changes to “%(name)s” saved.", name=organisation.name), "success")
        return redirect(url_for("directory.organisations"))
    return render_template(
        "directory/organisation_form.html",
        form=form,
        organisation=organisation,
        people=[standing.standing_state(p) for p in standing.organisation_people(organisation)],
    )


@bp.post("/organisations/<int:organisation_id>/people/<int:user_id>/<decision>")
@organiser_required
def standing_decision(organisation_id: int, user_id: int, decision: str):
    """Confirm that a person belongs to this organisation, or mark them (accounts.standing)."""
    organisation = services.get_organisation(organisation_id) or abort(404)
    person = db.session.get(User, user_id)
    if person is None or person.organisation_id != organisation.id:
        abort(404)
    if decision not in standing.DECISIONS:
        abort(404)
    standing.decide(person, decision, actor=current_user)  # CSRFProtect checked the token
    flash(_("Saved: the steering-committee standing of %(name)s.", name=person.name), "success")
    return redirect(
        url_for("directory.edit_organisation", organisation_id=organisation.id, _anchor="people")
    )
