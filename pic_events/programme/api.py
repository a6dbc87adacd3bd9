from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("programme_api", __name__, description="Programme")
