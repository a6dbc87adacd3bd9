"""Browser tests: the app served on 127.0.0.1 (a thread, a temporary SQLite file with the demo
data), driven by Playwright in Debian's headless Chromium. No browser is downloaded: without
/usr/bin/chromium (or $CHROMIUM) or the playwright package, every browser test is skipped
with the reason. `.ci/run` installs Chromium.

One browser for the whole run, one context (cookies, viewport, language) per test."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ORGANISER = ("organiser@pic.example", "organiser")
MEMBER_PASSWORD = "member"


def skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need the playwright package (requirements-dev.txt)"
    if not Path(CHROMIUM).exists():
        return f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    return None


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with the demo meeting seeded, on a fresh SQLite file."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from pic_events import create_app
    from pic_events.demo import seed_demo
    from pic_events.extensions import db

    database = tmp_path_factory.mktemp("browser") / "browser.sqlite"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SERVER_NAME": None,
            "WTF_CSRF_ENABLED": True,  # the real forms, as people use them
            "RATELIMIT_ENABLED": False,
        },
    )
    with app.app_context():
        db.create_all()
        seed_demo()
    return app


@pytest.fixture(scope="session")
def base_url(live_app) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["PUBLIC_BASE_URL"] = url  # links in mails lead back here
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser(base_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, base_url):
    """new_page(width=1200, height=900, locale="en-GB"): a page in a fresh context."""
    contexts = []

    def make(width: int = 1200, height: int = 900, locale: str = "en-GB"):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale=locale,
            base_url=base_url,
            is_mobile=width < 600,
            has_touch=width < 600,
            device_scale_factor=1,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
