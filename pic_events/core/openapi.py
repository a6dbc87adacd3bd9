"""The OpenAPI document's error answers: RFC 9457 problems, as the API sends them."""

from __future__ import annotations

from flask_smorest import Api
from marshmallow import Schema, fields

from pic_events.core.problems import PROBLEM_MIMETYPE


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Field name -> messages (422); nested for answers"},
    )


class ProblemApi(Api):
    """flask-smorest's Api, documenting its default error answers as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_MIMETYPE
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE  # back to the class's application/json
