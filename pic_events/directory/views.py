from __future__ import annotations

from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/organiser")


@bp.get("/clusters")
def clusters():
    return "clusters", 200


@bp.get("/organisations")
def organisations():
    return "organisations", 200
