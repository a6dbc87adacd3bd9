"""Organiser pages of B2B matchmaking: set-up, scheduling, grid, statistics."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("b2b_admin", __name__)
