from tests.factories import make_event


def test_home_lists_published_events_only(client):
    make_event(title="PIC Annual Meeting 2027", slug="pic-2027")
    from pic_events.events.models import EventStatus

    make_event(title="Secret draft", slug="draft", status=EventStatus.DRAFT)
    page = client.get("/").get_data(as_text=True)
    assert "PIC Annual Meeting 2027" in page
    assert "Secret draft" not in page


def test_healthz_answers_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "cdn" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
