"""All badges of an event as a document job: made in the request without Redis, by a worker
with it; progress, download, failure and retry, claims, expiry and privacy."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from redis import Redis
from redis.exceptions import RedisError

from pic_events.core.types import utcnow
from pic_events.documents import badge_jobs, services
from pic_events.documents.models import DocumentJob
from pic_events.extensions import db
from pic_events.registration.models import Registration
from tests.documents import pdf
from tests.factories import (
    login,
    make_cluster,
    make_event,
    make_organisation,
    make_organiser,
    make_registration,
    make_user,
)

REDIS_URL = "redis://127.0.0.1:6379/0"


def _people(event, count: int, **kw) -> list[Registration]:
    organisation = make_organisation(cluster=make_cluster())
    return [
        make_registration(
            event, make_user(name=f"Person{n:02} Family{n:02}", organisation=organisation), **kw
        )
        for n in range(count)
    ]


def _start(client, event, **form):
    form.setdefault("layout", "a6")
    return client.post(f"/organiser/events/{event.slug}/badges/jobs", data=form)


def _jobs() -> list[DocumentJob]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(DocumentJob).order_by(DocumentJob.id)))


def _printed(event) -> int:
    return services.badge_counts(event)["printed"]


def test_without_redis_the_request_makes_the_file_and_goes_straight_to_it(app, client):
    app.config["DOCUMENT_CHUNK_PAGES"] = 2  # four parts, joined in order
    event = make_event()
    people = _people(event, 7)
    login(client, make_organiser())

    response = _start(client, event)

    [job] = _jobs()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/badges/jobs/{job.id}/file")
    assert (job.status, job.pages_done, job.pages_total, job.items) == ("done", 7, 7, 7)
    data = client.get(response.headers["Location"]).data
    assert pdf.page_count(data) == 7
    assert pdf.page_size(data) == pdf.A6_PT
    texts = pdf.page_texts(data)
    assert [f"Family{n:02}" in texts[n] for n in range(7)] == [True] * 7
    assert _printed(event) == len(people)
    page = client.get(f"/organiser/events/{event.slug}/badges/jobs/{job.id}").get_data(True)
    assert "Download the badges" in page and 'http-equiv="refresh"' not in page
    assert job.filename in client.get(f"/organiser/events/{event.slug}/badges").get_data(True)


@pytest.mark.parametrize(("layout", "per_part", "pages"), [("a4-2x2", 1, 3), ("label-4x3", 4, 9)])
def test_every_layout_and_filter_of_the_page(app, client, layout, per_part, pages):
    app.config["DOCUMENT_CHUNK_PAGES"] = per_part
    event = make_event()
    people = _people(event, 9)
    _people(event, 2, category="speaker")
    login(client, make_organiser())

    everyone = _start(client, event, layout=layout, category="participant")

    assert pdf.page_count(client.get(everyone.headers["Location"]).data) == pages
    two = _start(client, event, layout="a6", id=f"{people[0].id}, {people[3].id}")
    assert pdf.page_count(client.get(two.headers["Location"]).data) == 2
    fresh = _start(client, event, layout="a6", not_printed="1", sort="organisation")
    assert pdf.page_count(client.get(fresh.headers["Location"]).data) == 2  # the speakers


def test_a_choice_that_matches_nobody_is_refused_and_the_form_keeps_it(app, client):
    event = make_event()
    _people(event, 2)
    login(client, make_organiser())

    response = _start(client, event, layout="a4-2x2", category="press", sort="organisation")

    assert response.status_code == 422
    page = response.get_data(True)
    assert "No confirmed registration matches this choice" in page
    assert 'value="a4-2x2" checked' in page and 'value="press" selected' in page
    assert 'value="organisation" selected' in page
    assert _start(client, event, layout="a3").status_code == 422
    assert _jobs() == []


def test_members_cannot_start_or_fetch_badge_files(app, client):
    event = make_event()
    _people(event, 1)
    login(client, make_organiser())
    file_url = _start(client, event).headers["Location"]
    member_client = app.test_client()
    login(member_client, make_user())

    assert member_client.get(file_url).status_code == 403
    assert _start(member_client, event).status_code == 403
    assert app.test_client().get(file_url).status_code == 302  # to the log-in page
    assert len(_jobs()) == 1


def test_a_failure_shows_its_message_and_a_retry_makes_the_file(app, client, monkeypatch):
    event = make_event()
    _people(event, 3)
    login(client, make_organiser())
    real = badge_jobs.render_badge_sheets

    def broken(*args, **kwargs):
        raise RuntimeError("the printer font is missing")

    monkeypatch.setattr(badge_jobs, "render_badge_sheets", broken)
    response = _start(client, event)
    [job] = _jobs()
    page = client.get(response.headers["Location"]).get_data(True)

    assert job.status == "failed" and _printed(event) == 0
    assert "could not be made: RuntimeError: the printer font is missing" in page
    assert f"/badges/jobs/{job.id}/retry" in page
    assert (
        client.get(f"/organiser/events/{event.slug}/badges/jobs/{job.id}/file").status_code == 404
    )

    monkeypatch.setattr(badge_jobs, "render_badge_sheets", real)
    retried = client.post(f"/organiser/events/{event.slug}/badges/jobs/{job.id}/retry")

    assert retried.headers["Location"].endswith(f"/badges/jobs/{job.id}/file")
    [job] = _jobs()
    assert (job.status, job.attempts, job.error) == ("done", 2, "")
    assert pdf.page_count(client.get(retried.headers["Location"]).data) == 3


def _queued_job(event, organiser) -> DocumentJob:
    job = DocumentJob(
        event_id=event.id,
        requested_by_id=organiser.id,
        params={"layout": "a6", "selection": {}},
        filename="x.pdf",
        expires_at=utcnow() + timedelta(days=1),
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_a_run_claims_the_job_once_unless_its_lease_is_over(app):
    event = make_event()
    _people(event, 2)
    job = _queued_job(event, make_organiser())

    first = badge_jobs.claim(job.id)
    assert first is not None and first.attempts == 1
    assert badge_jobs.claim(job.id) is None  # held by a live run
    db.session.execute(sa.update(DocumentJob).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert badge_jobs.claim(job.id).attempts == 2  # its worker died: taken over

    badge_jobs.run_badge_job(job.id)  # the job is held (attempt 2): nothing is done
    assert _jobs()[0].status == "running"


def test_runs_at_once_make_the_file_once(app):
    """Threads on their own connections, on an SQLite file and on PostgreSQL."""
    event = make_event()
    _people(event, 4)
    job_id = _queued_job(event, make_organiser()).id
    start = threading.Barrier(3)
    rendered, errors = [], []
    real = badge_jobs.render_badge_sheets

    def counting(*args, **kwargs):
        rendered.append(1)
        return real(*args, **kwargs)

    def run() -> None:
        with app.app_context(), app.test_request_context():
            try:
                start.wait()
                badge_jobs.run_badge_job(job_id)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    badge_jobs.render_badge_sheets = counting
    try:
        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        badge_jobs.render_badge_sheets = real

    assert errors == []
    [job] = _jobs()
    assert (job.status, job.attempts, len(rendered)) == ("done", 1, 1)
    assert pdf.page_count(badge_jobs.job_file(job)) == 4


def test_the_file_expires_and_the_purge_deletes_it(app, client):
    event = make_event()
    _people(event, 1)
    login(client, make_organiser())
    file_url = _start(client, event).headers["Location"]
    [job] = _jobs()
    job.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert client.get(file_url).status_code == 404
    result = app.test_cli_runner().invoke(args=["purge-expired"])

    assert "1 expired document file(s) deleted." in result.output
    assert _jobs() == []


def test_anonymising_a_registration_deletes_the_event_s_files(app, client):
    from pic_events.registration.privacy import anonymise

    event, other = make_event(), make_event()
    people = _people(event, 2)
    _people(other, 1)
    login(client, make_organiser())
    _start(client, event)
    _start(client, other)

    anonymise(people[0])
    db.session.commit()

    assert [job.event_id for job in _jobs()] == [other.id]


# With Redis -------------------------------------------------------------------------------------


@pytest.fixture
def documents_queue(app):
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except RedisError as error:
        pytest.skip(f"Redis at {REDIS_URL} is not answering: {error}")
    from tests.notifications.test_workers import _delete_queue_keys

    name = f"test-documents-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=REDIS_URL, DOCUMENTS_QUEUE=name)
    from pic_events.core.queues import queue

    documents = queue(name)
    yield documents
    _delete_queue_keys(documents)


def test_with_redis_a_worker_makes_the_file_and_the_page_follows_it(app, client, documents_queue):
    from rq import SimpleWorker

    app.config["DOCUMENT_CHUNK_PAGES"] = 1
    event = make_event()
    _people(event, 5)
    login(client, make_organiser())

    response = _start(client, event)

    [job] = _jobs()
    assert response.headers["Location"].endswith(f"/badges/jobs/{job.id}")
    assert job.status == "queued" and job.rq_job_id == documents_queue.jobs[0].id
    waiting = client.get(response.headers["Location"]).get_data(True)
    assert 'http-equiv="refresh" content="2"' in waiting and "Waiting for a worker" in waiting

    progress = []
    real = badge_jobs._progress

    def watched(job_id, attempt, done, total):
        real(job_id, attempt, done, total)
        progress.append((done, total))

    badge_jobs._progress = watched
    try:
        SimpleWorker([documents_queue], connection=documents_queue.connection).work(burst=True)
    finally:
        badge_jobs._progress = real

    assert progress == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    ready = client.get(response.headers["Location"]).get_data(True)
    assert "Download the badges" in ready and 'http-equiv="refresh"' not in ready
    file = client.get(f"/organiser/events/{event.slug}/badges/jobs/{job.id}/file")
    assert pdf.page_count(file.data) == 5


def test_a_running_job_shows_pages_laid_out(app, client):
    event = make_event()
    _people(event, 1)
    organiser = make_organiser()
    job = _queued_job(event, organiser)
    job.status, job.pages_done, job.pages_total = "running", 3, 8
    job.lease_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    login(client, organiser)

    page = client.get(f"/organiser/events/{event.slug}/badges/jobs/{job.id}").get_data(True)

    assert "3 of 8 pages laid out" in page and 'value="3"' in page
    assert "/retry" not in page
    job.lease_until = utcnow() - timedelta(seconds=1)  # its worker died, nobody took it over
    db.session.commit()
    stalled = client.get(f"/organiser/events/{event.slug}/badges/jobs/{job.id}").get_data(True)
    assert "/retry" in stalled and "is the worker (flask worker) running?" in stalled


def test_a_job_no_worker_took_may_be_retried_and_then_waits_again(app, client, documents_queue):
    event = make_event()
    _people(event, 2)
    login(client, make_organiser())
    page_url = _start(client, event).headers["Location"]
    [job] = _jobs()
    assert "/retry" not in client.get(page_url).get_data(True)
    job.lease_until = utcnow() - timedelta(seconds=1)  # nobody ran `flask worker`
    db.session.commit()
    assert "/retry" in client.get(page_url).get_data(True)

    retried = client.post(f"{page_url}/retry")

    assert retried.headers["Location"].endswith(page_url)
    assert documents_queue.count == 2  # queued again
    [job] = _jobs()
    assert job.status == "queued" and job.lease_until > utcnow()
    assert "/retry" not in client.get(page_url).get_data(True)
