"""Accounts API: exchange a password for a token, who am I, list and revoke my tokens."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from pic_events.accounts import limits, services
from pic_events.api.auth import login_required
from pic_events.core.problems import ApiError
from pic_events.core.schemas import InputSchema, Int32, Text
from pic_events.core.validation import ServiceValidationError
from pic_events.extensions import limiter

blp = Blueprint("accounts_api", __name__, description="Accounts")


class TokenRequestSchema(InputSchema):
    email = Text(254, required=True)
    password = Text(1000, required=True, load_only=True)
    name = Text(100, load_default="API", metadata={"description": "What the token is for"})
    expires_in_days = Int32(
        load_default=None,
        allow_none=True,
        minimum=services.TOKEN_DAYS_MIN,
        maximum=services.TOKEN_DAYS_MAX,
        metadata={"description": "Days until the token stops working; none: until revoked"},
    )


class NewTokenSchema(Schema):
    token = fields.String(metadata={"description": "Shown once: store it now"})
    expires_at = fields.DateTime(allow_none=True)


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    calendar_url = fields.Method("get_calendar_url")

    def get_calendar_url(self, user) -> str:
        return services.calendar_url(user)


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)


class TokenListSchema(Schema):
    items = fields.List(fields.Nested(TokenSchema))
    total = fields.Integer()


@blp.route("/tokens", methods=["POST"])
@limiter.limit(services.login_rate_limit)
@limiter.limit(services.account_rate_limit, key_func=limits.json_email)
@blp.arguments(TokenRequestSchema)
@blp.response(201, NewTokenSchema)
@blp.alt_response(401, description="Wrong e-mail or password")
def create_token(body: dict):
    """Exchange an e-mail and password for a personal API token."""
    user = services.authenticate(body["email"], body["password"])
    if user is None:
        raise ApiError(401, _("Wrong e-mail or password."))
    try:
        token, plaintext = services.create_api_token(user, body["name"], body["expires_in_days"])
    except ServiceValidationError as error:
        raise ApiError(422, _("Invalid token settings."), errors=error.errors) from None
    return {"token": plaintext, "expires_at": token.expires_at}


@blp.route("/tokens", methods=["GET"])
@login_required
@blp.response(200, TokenListSchema)
def list_tokens():
    """My API tokens (never their secret)."""
    tokens = list(current_user.api_tokens)
    return {"items": tokens, "total": len(tokens)}


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def revoke_token(token_id: int):
    """Revoke one of my tokens."""
    if services.revoke_api_token(current_user, token_id) is None:
        raise ApiError(404, _("No such token of yours."))


@blp.route("/me", methods=["GET"])
@login_required
@blp.response(200, MeSchema)
def me():
    """Who the token or session belongs to, with the personal calendar feed's address."""
    return current_user._get_current_object()
