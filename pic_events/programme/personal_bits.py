"""Rendering the cached programme: the timetable once (its HTML is cached), then each
visitor's bits (places left, Choose / Drop, notes, the notice above) into its slots.

The bits are rendered by the same macros as My agenda's, from the state
`public_page.programme_page` computed; a visitor without choices gets no macro call at all.
"""

from __future__ import annotations

from flask import get_template_attribute, render_template
from flask_babel import get_locale
from markupsafe import Markup

from pic_events.core import page_cache
from pic_events.core.slots import fill_slots
from pic_events.programme.models import SESSION_KIND_LABELS
from pic_events.programme.public_page import ProgrammePage, TimetableContent

MACROS = "programme/_macros.html"


def render_timetable(content: TimetableContent) -> str:
    return render_template(
        "programme/_timetable.html",
        event=content.event,
        days=content.days,
        kinds=content.kinds,
        kind=content.kind,
        kind_labels=SESSION_KIND_LABELS,
    )


def fill(page: ProgrammePage) -> Markup:
    """The timetable with this visitor's bits in its slots."""
    bits = dict(_places_bits(page))
    bits["notice"] = str(get_template_attribute("programme/_personal.html", "notice")(page))
    notes = get_template_attribute(MACROS, "session_notes")
    for session_id, lines in page.notes.items():
        bits[f"notes:{session_id}"] = str(notes(lines))
    if page.chosen or page.choosable:
        controls = get_template_attribute(MACROS, "choice_controls")
        for session in page.sessions:
            if session.must_choose:
                bits[f"controls:{session.id}"] = str(
                    controls(
                        page.event,
                        session,
                        page.places.left,
                        page.chosen,
                        page.choosable,
                        "programme",
                        page.kind,
                    )
                )
    return fill_slots(page.timetable.html, bits)


def _places_bits(page: ProgrammePage) -> dict[str, str]:
    """The places badges: the same for everyone, cached per seats version and language."""
    event = page.event
    key = page_cache.cache_key(
        "places-html", event.id, event.content_version, event.seats_version, str(get_locale())
    )
    return page_cache.cached(key, lambda: _render_places(page.places.left))


def _render_places(left: dict[int, int | None]) -> dict[str, str]:
    """Every session with a capacity (whichever filter or audience asks)."""
    badge = get_template_attribute(MACROS, "places_badge")
    return {f"places:{session_id}": str(badge(_Limited(session_id), left)) for session_id in left}


class _Limited:
    """What `places_badge` reads of a session that has a capacity."""

    capacity = True

    def __init__(self, session_id: int) -> None:
        self.id = session_id
