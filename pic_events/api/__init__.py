"""The JSON API under /api/v1, documented by flask-smorest's generated OpenAPI.

Each domain module keeps its endpoints in its own ``api.py`` (a flask-smorest
Blueprint named ``blp``); this function mounts them all under /api/v1.
"""

from __future__ import annotations

from flask import Flask, request

from pic_events.api.auth import check_session_csrf
from pic_events.core.problems import problem_from_http_exception
from pic_events.extensions import csrf, rest_api

API_PREFIX = "/api/v1"


def register_api(app: Flask) -> None:
    from pic_events.accounts.api import blp as accounts_blp
    from pic_events.consortia.api import blp as consortia_blp
    from pic_events.events.api import blp as events_blp
    from pic_events.matchmaking.api import blp as matchmaking_blp
    from pic_events.matchmaking.profile_api import blp as b2b_profiles_blp
    from pic_events.programme.api import blp as programme_blp
    from pic_events.registration.api import blp as registration_blp
    from pic_events.registration.checkin_api import blp as checkin_blp

    # flask-smorest answers errors itself; make them RFC 9457 problems.
    rest_api.handle_http_exception = staticmethod(problem_from_http_exception)
    rest_api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "flask create-token"}
    )
    for blueprint in (
        accounts_blp,
        events_blp,
        programme_blp,
        registration_blp,
        matchmaking_blp,
        b2b_profiles_blp,
        checkin_blp,
        consortia_blp,
    ):
        csrf.exempt(blueprint)
        rest_api.register_blueprint(blueprint, url_prefix=API_PREFIX)

    @app.before_request
    def api_csrf():
        if request.path.startswith(API_PREFIX + "/"):
            check_session_csrf()
