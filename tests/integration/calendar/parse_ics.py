"""Parses an iCalendar file with python3-icalendar (a real, independent parser) and prints its
events as JSON, one object per VEVENT, for tests/integration/calendar/test_ics_parser.cpp."""
import json
import sys

import icalendar

with open(sys.argv[1], "rb") as handle:
    calendar = icalendar.Calendar.from_ical(handle.read())

events = []
for component in calendar.walk("VEVENT"):
    events.append({
        "uid": str(component.get("UID")),
        "sequence": int(component.get("SEQUENCE", 0)),
        "start": component.decoded("DTSTART").isoformat(),
        "end": component.decoded("DTEND").isoformat(),
        "status": str(component.get("STATUS", "")),
        "summary": str(component.get("SUMMARY", "")),
        "location": str(component.get("LOCATION", "")),
        "description": str(component.get("DESCRIPTION", "")),
    })
print(json.dumps({
    "method": str(calendar.get("METHOD", "")),
    "version": str(calendar.get("VERSION", "")),
    "timezone": str(calendar.get("X-WR-TIMEZONE", "")),
    "events": events,
}))
