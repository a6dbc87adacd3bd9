"""The account's part of the data export: API tokens, described but never their secret."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pic_events.accounts.models import User


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_api_tokens(user: User, **_: Any) -> dict[str, Any]:
    """personal_data_exported: name, prefix and dates of each token (no hash, no secret)."""
    return {
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": _iso(token.created_at),
                "last_used_at": _iso(token.last_used_at),
                "revoked_at": _iso(token.revoked_at),
                # tokens with an expiry date: issue 8 adds the column alongside this export
                "expires_at": _iso(getattr(token, "expires_at", None)),
            }
            for token in sorted(user.api_tokens, key=lambda t: (t.created_at, t.id))
        ]
    }
