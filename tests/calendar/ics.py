"""Checks every .ics we serve or mail goes through: two parsers nobody here wrote (icalendar,
vobject), CRLF line ends, lines folded at 75 octets, a VTIMEZONE for every TZID, no floating
time, UIDs unique within the calendar."""

from __future__ import annotations

import re

import icalendar
import vobject

# RFC 5546: what each method's VEVENT must carry.
REQUIRED = {
    "PUBLISH": ("DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"),
    "REQUEST": ("ATTENDEE", "DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"),
    "CANCEL": ("ATTENDEE", "DTSTAMP", "ORGANIZER", "SEQUENCE", "UID"),
}
TIME_PROPERTIES = ("DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED", "CREATED", "RECURRENCE-ID")


def unfolded(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def check_ics(body: bytes) -> icalendar.Calendar:
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n")
    # CRLF everywhere: no bare LF or CR.
    assert b"\n" not in body.replace(b"\r\n", b""), "a line ends without CRLF"
    assert b"\r" not in body.replace(b"\r\n", b""), "a bare CR"
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
    calendar = icalendar.Calendar.from_ical(body)
    independent = vobject.readOne(body.decode("utf-8"))
    assert independent.name == "VCALENDAR"
    lines = unfolded(body)
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    # Every TZID has its VTIMEZONE; no floating date-time outside a VTIMEZONE.
    defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    used = set()
    depth_in_tz = 0
    for line in lines:
        if line == "BEGIN:VTIMEZONE":
            depth_in_tz += 1
        elif line == "END:VTIMEZONE":
            depth_in_tz -= 1
        name, _, value = line.partition(":")
        prop, *params = name.split(";")
        for param in params:
            if param.startswith("TZID="):
                used.add(param[5:].strip('"'))
        if depth_in_tz or prop not in TIME_PROPERTIES:
            continue
        if "VALUE=DATE" in params:
            continue
        assert value.endswith("Z") or any(p.startswith("TZID=") for p in params), (
            f"floating time: {line}"
        )
    assert used <= defined, f"TZID without VTIMEZONE: {used - defined}"
    for tzid in used:
        assert "/" in tzid and not tzid.upper().startswith("GMT"), f"not an IANA TZID: {tzid}"
    method = str(calendar["METHOD"])
    for vevent in calendar.walk("VEVENT"):
        missing = [name for name in REQUIRED[method] if name not in vevent]
        assert not missing, f"{method} VEVENT without {missing}"
        assert vevent.decoded("DTEND") > vevent.decoded("DTSTART")
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids)), "UIDs repeat"
    # vobject sees the same events.
    assert len(list(getattr(independent, "vevent_list", []))) == len(uids)
    for vevent in getattr(independent, "vevent_list", []):
        assert vevent.dtstart.value.tzinfo is not None
    return calendar


def events_by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}
