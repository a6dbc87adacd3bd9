from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("registration_api", __name__, description="Registration")
