"""The application factory: extensions, blueprints, CLI, error handlers."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, refuse_development_secret
from pic_events.core import answer_cache, page_cache, requests
from pic_events.extensions import (
    babel,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
    rest_api,
    talisman,
)

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": ["'self'", "data:"],
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    config_name = config_name or os.environ.get("PIC_CONFIG", "development")
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    app.config.from_object(CONFIGS[config_name]())
    app.config.update(overrides or {})
    refuse_development_secret(app.config, _flask_run_hosts())
    requests.install(app)
    answer_cache.install(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _connect_signals()
    _track_event_versions()

    from pic_events.core import errors, static_files, templating
    from pic_events.notifications import services as notifications

    errors.register(app)
    templating.register(app)
    static_files.register(app)
    notifications.init_app(app)  # deliver the outbox after each commit that wrote to it
    return app


def _flask_run_hosts() -> list[str]:
    """The address `flask run --host` (or FLASK_RUN_HOST) is about to serve on, if any.

    gunicorn checks its own bind addresses in gunicorn.conf.py (on_starting)."""
    import click

    context = click.get_current_context(silent=True)
    if context is not None and context.info_name == "run" and context.params.get("host"):
        return [context.params["host"]]
    return []


def _init_extensions(app: Flask) -> None:
    from pic_events.accounts import auth

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    auth.configure(login_manager)
    babel.init_app(app, locale_selector=auth.select_locale)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )
    rest_api.init_app(app)
    page_cache.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from pic_events.accounts.views import bp as accounts_bp
    from pic_events.api import register_api
    from pic_events.calendar.views import bp as calendar_bp
    from pic_events.consortia.views import bp as consortia_bp
    from pic_events.directory.views import bp as directory_bp
    from pic_events.documents.job_views import bp as document_jobs_bp
    from pic_events.documents.views import bp as documents_bp
    from pic_events.events.views import bp as events_bp
    from pic_events.main import bp as main_bp
    from pic_events.matchmaking.organiser_views import bp as b2b_admin_bp
    from pic_events.matchmaking.profile_views import bp as b2b_profiles_bp
    from pic_events.matchmaking.views import bp as matchmaking_bp
    from pic_events.programme.views import bp as programme_bp
    from pic_events.registration.organiser_views import bp as registration_admin_bp
    from pic_events.registration.views import bp as registration_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(registration_admin_bp)
    app.register_blueprint(matchmaking_bp)
    app.register_blueprint(b2b_profiles_bp)
    app.register_blueprint(b2b_admin_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(document_jobs_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(consortia_bp)
    register_api(app)


def _connect_signals() -> None:
    """Every module that reacts to another's change connects here (pic_events.core.signals).

    Connecting twice is harmless: blinker keeps one connection per receiver."""
    from pic_events.accounts import privacy as account_privacy
    from pic_events.calendar import privacy as calendar_privacy
    from pic_events.calendar import services as calendar
    from pic_events.consortia import pitches
    from pic_events.consortia import privacy as consortia_privacy
    from pic_events.consortia import scheduling as consortia_scheduling
    from pic_events.consortia import services as consortia_services
    from pic_events.core import signals
    from pic_events.documents import badge_jobs
    from pic_events.matchmaking import booking, meeting_privacy, meetings
    from pic_events.matchmaking import editions as b2b_editions
    from pic_events.matchmaking import mails as meeting_mails
    from pic_events.matchmaking import profile_privacy as b2b_profile_privacy
    from pic_events.notifications import privacy as mail_privacy
    from pic_events.programme import services as programme
    from pic_events.registration import audit
    from pic_events.registration import mails as registration_mails
    from pic_events.registration import services as registration
    from pic_events.registration import settings as registration_settings

    signals.capacity_changed.connect(registration.fill_free_seats)
    signals.edition_created.connect(registration_settings.copy_questions)
    signals.edition_created.connect(b2b_editions.copy_b2b_setup)
    signals.session_notes_collecting.connect(pitches.pitch_notes)
    signals.agenda_collecting.connect(programme.session_entries)
    signals.agenda_collecting.connect(meetings.meeting_entries)
    signals.registration_released.connect(booking.release_registration)
    signals.personal_data_exported.connect(meeting_privacy.export_meetings)
    signals.registration_anonymising.connect(meeting_privacy.forget_meetings)
    signals.personal_data_exported.connect(account_privacy.export_api_tokens)
    signals.personal_data_exported.connect(mail_privacy.export_mail)
    signals.registration_anonymising.connect(registration_mails.forget_mail)
    signals.account_deleting.connect(mail_privacy.forget_mail_to)
    signals.personal_data_exported.connect(calendar_privacy.export_calendar)
    signals.account_deleting.connect(calendar_privacy.forget_feed)
    signals.steering_standing_changed.connect(audit.record_standing_change)
    # Calendar files in mails: the invitation of a meeting, the chosen sessions.
    meeting_mails.attach_to_meeting_mails(calendar.meeting_invite_parts)
    registration_mails.attach_to_confirmation_mails(calendar.chosen_sessions_parts)
    signals.personal_data_exported.connect(consortia_privacy.export_ideas)
    signals.account_deleting.connect(consortia_privacy.forget_on_account_deletion)
    signals.registration_anonymising.connect(consortia_privacy.forget_messages)
    signals.schedule_collecting.connect(consortia_scheduling.schedule_wishes)
    meetings.add_meeting_title_provider(consortia_services.meeting_title)  # agenda, feed
    signals.personal_data_exported.connect(b2b_profile_privacy.export_profiles)
    signals.registration_anonymising.connect(b2b_profile_privacy.forget_profile)
    signals.account_deleting.connect(b2b_profile_privacy.forget_profiles_of)
    signals.registration_anonymising.connect(badge_jobs.forget_event_files)
    signals.retention_purging.connect(badge_jobs.purge_expired_files)


def _track_event_versions() -> None:
    """What an event's public pages show, and so what changes its content version (rows
    of these models) or its seats version (places taken): pic_events.events.versions."""
    from pic_events.events import versions
    from pic_events.programme.models import ProgrammeSession, Room, Speaker, speaker_event_ids
    from pic_events.registration.models import Registration, SessionChoice

    versions.install()
    versions.track_content(ProgrammeSession, lambda session: [session.event_id])
    versions.track_content(Room, lambda room: [room.event_id])
    versions.track_content(Speaker, speaker_event_ids)
    versions.track_seats(Registration, lambda r: [r.event_id], fields=("status", "session_choices"))
    versions.track_seats(
        SessionChoice,
        lambda choice: [choice.registration.event_id if choice.registration else None],
    )
    _track_b2b_versions(versions)


def _track_b2b_versions(versions) -> None:
    """What the B2B pages and the personal calendar show, beyond the programme: the
    meetings and what leads to them, and people's names and organisations (an
    organisation's kind too: the catalogue's ?kind= filter and the ranking read it)."""
    from pic_events.accounts.models import User
    from pic_events.consortia.models import Idea
    from pic_events.directory.models import Cluster, Organisation
    from pic_events.matchmaking import models as b2b
    from pic_events.matchmaking.versions import own_event, registration_event, slot_event
    from pic_events.registration.models import Registration

    for model in (b2b.Meeting, b2b.MeetingRequest, b2b.Slot, b2b.B2BTable, b2b.B2BSettings):
        versions.track_b2b(model, own_event)
    versions.track_b2b(b2b.MeetingSeat, slot_event)
    versions.track_b2b(b2b.Unavailability, slot_event)
    versions.track_b2b(b2b.MatchProfile, registration_event)
    # user_id: anonymising a registration turns its name into "Anonymised participant".
    versions.track_b2b(Registration, own_event, fields=("status", "listed", "category", "user_id"))
    versions.track_b2b(Idea, own_event, fields=("title",))  # a consortium meeting's title
    versions.track_people(User, fields=("name", "organisation_id", "country"))
    versions.track_people(Organisation, fields=("name", "kind", "country", "cluster_id"))
    versions.track_people(Cluster, fields=("name", "country"))


def _register_cli(app: Flask) -> None:
    from pic_events.cli import register

    register(app)


from pic_events import models  # noqa: E402,F401  (every model registered with the metadata)
