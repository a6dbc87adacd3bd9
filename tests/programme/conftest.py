import pytest


@pytest.fixture(autouse=True)
def _request_context(request):
    """Service messages are translated, and the locale selector reads the request."""
    for name in ("app", "pg_app"):
        if name in request.fixturenames:
            application = request.getfixturevalue(name)
            with application.test_request_context():
                yield
            return
    yield
