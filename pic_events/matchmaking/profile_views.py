"""Member pages: my matchmaking profile, the participant catalogue, recommendations."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("b2b_profiles", __name__)
