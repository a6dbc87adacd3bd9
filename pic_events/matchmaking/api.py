"""B2B API: slots, availability, meeting requests, meetings, outcomes."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("matchmaking_api", __name__, description="B2B meetings")
