"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import text

from pic_events.core.errors import RETRY_AFTER_SECONDS
from pic_events.events import services as event_services
from pic_events.extensions import db, limiter, talisman

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    upcoming, past = event_services.public_events_split()
    return render_template("main/home.html", upcoming=upcoming, past=past)


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/healthz")
@limiter.exempt
@talisman(force_https=False)  # load balancers and orchestrators ask over plain HTTP
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # the database is down or unreachable
        db.session.rollback()
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return {"status": "error", "database": str(error.__class__.__name__)}, 503, retry
    return {"status": "ok", "database": "ok"}
