"""Member pages of B2B matchmaking: my meetings, requests, slots and availability."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("matchmaking", __name__)
