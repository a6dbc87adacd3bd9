from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import logout_user

bp = Blueprint("accounts", __name__)


@bp.get("/login")
def login():
    return "login", 200


@bp.get("/signup")
def signup():
    return "signup", 200


@bp.get("/profile")
def profile():
    return "profile", 200


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("main.home"))
