"""Signals: how a lower module lets the modules above it react, without importing them.

Each signal is sent by the module that owns the change; receivers are connected in the app
factory (`pic_events.app._connect_signals`), so a module that fails to import stops the app
from starting instead of being skipped silently. Blinker is what Flask itself uses.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Event whose capacity was saved with a new value (after the commit).
capacity_changed = _signals.signal("capacity-changed")

# sender: the source Event; kwargs: event (the new edition, not committed), days (the shift
# in days). Receivers copy their own per-event rows (slots, tables ...) into the new edition.
edition_created = _signals.signal("edition-created")

# sender: a User; receivers return {"section name": JSON-able data} for the data export.
personal_data_exported = _signals.signal("personal-data-exported")

# sender: a Registration about to be anonymised (purge or account deletion); receivers forget
# the personal data they keep about it, in the same transaction.
registration_anonymising = _signals.signal("registration-anonymising")

# sender: the moment (UTC) of a `flask purge-expired` run. Receivers delete what they keep
# only until a time now past, commit, and return a line for the command's output.
retention_purging = _signals.signal("retention-purging")

# sender: a User whose account is about to be deleted; receivers delete or unlink what they
# keep about the person, in the same transaction.
account_deleting = _signals.signal("account-deleting")

# sender: a Registration that holds a place; kwargs: event. Receivers return the
# agenda.services.AgendaEntry list they add to the person's agenda (sessions, meetings ...).
agenda_collecting = _signals.signal("agenda-collecting")
# sender: a User whose steering-committee standing changed (pic_events.accounts.standing);
# kwargs: actor (the User who changed it), changes ({field: [before, after]}). Receivers
# record it in the same transaction (the caller commits).
steering_standing_changed = _signals.signal("steering-standing-changed")

# sender: a Registration that stopped being confirmed (cancelled, declined, waitlisted ...),
# in the transaction that changed it. Receivers release what it held (B2B meetings, requests).
registration_released = _signals.signal("registration-released")

# sender: an Event whose B2B meetings the organiser's scheduling run is about to place
# (pic_events.matchmaking.scheduling). Receivers return a list of
# matchmaking.scheduling.ExtraMeeting: meetings of their own (consortium meetings ...) for the
# run to place beside the accepted requests, each with a callable that publishes it.
schedule_collecting = _signals.signal("schedule-collecting")

# sender: an Event; kwargs: sessions (the programme sessions shown: objects with at least
# `id` and `starts_at`, as the cached programme keeps them), user (the viewer or None).
# Receivers return {session id: [SessionNote]} to show under those sessions (the running
# order of the pitches ...), computed per viewer (never cached). See
# pic_events.programme.services.SessionNote.
session_notes_collecting = _signals.signal("session-notes-collecting")
