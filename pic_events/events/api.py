from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("events_api", __name__, description="Events")
