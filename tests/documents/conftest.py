import pytest


@pytest.fixture(autouse=True)
def _request_context(request):
    """Renderers and services read the request's locale."""
    for name in ("app", "pg_app"):
        if name in request.fixturenames:
            application = request.getfixturevalue(name)
            with application.test_request_context():
                yield
            return
    yield
