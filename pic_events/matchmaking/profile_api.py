"""B2B API: the participant catalogue, my profile, recommendations."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("b2b_profiles_api", __name__, description="B2B catalogue and profiles")
