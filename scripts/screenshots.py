"""Screenshots of the main pages for the README tour: docs/screenshots/NAME-WIDTH[-fr].png.

    .venv/bin/python scripts/screenshots.py            # or: make screenshots
    .venv/bin/python scripts/screenshots.py programme  # only the shots whose name starts so

Serves the app on 127.0.0.1 with the demo data on a temporary SQLite file, as the browser
tests do, drives Debian's Chromium through Playwright, and keeps the first screen of each page
at 390 px (a phone) and 1200 px (a laptop), as 256-colour PNGs. Add a page: one line in SHOTS.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DEMO = "pic-2027"
ORGANISER = ("organiser@pic.example", "organiser")
MEMBER = ("member07@pic.example", "member")
# name, path, who is logged in (None, MEMBER, ORGANISER), widths, languages
SHOTS = [
    ("home", "/", None, (390, 1200), ("en",)),
    ("event", f"/events/{DEMO}", None, (390, 1200), ("en", "fr")),
    ("programme", f"/events/{DEMO}/programme", MEMBER, (390, 1200), ("en", "fr")),
    ("signup", "/signup", None, (390,), ("en",)),
    ("registration-form", f"/events/{DEMO}/registration/edit", MEMBER, (390, 1200), ("en",)),
    ("my-agenda", f"/events/{DEMO}/my-agenda", MEMBER, (390, 1200), ("en", "fr")),
    ("dashboard", f"/organiser/events/{DEMO}/registrations", ORGANISER, (1200,), ("en",)),
    ("programme-editor", f"/organiser/events/{DEMO}/programme", ORGANISER, (1200,), ("en",)),
    ("b2b-catalogue", f"/events/{DEMO}/b2b/participants", MEMBER, (390, 1200), ("en",)),
    ("my-meetings", f"/events/{DEMO}/b2b/meetings", MEMBER, (390, 1200), ("en", "fr")),
    ("check-in", f"/organiser/events/{DEMO}/check-in", ORGANISER, (390,), ("en",)),
    ("b2b-grid", f"/organiser/events/{DEMO}/b2b/grid", ORGANISER, (1200,), ("en",)),
    ("ideas", f"/events/{DEMO}/ideas", MEMBER, (390, 1200), ("en",)),
]
HEIGHT = {390: 844, 1200: 860}


def serve(database: Path) -> str:
    from pic_events import create_app
    from pic_events.demo import seed_demo
    from pic_events.extensions import db

    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SERVER_NAME": None,
            "RATELIMIT_ENABLED": False,
        },
    )
    with app.app_context():
        db.create_all()
        seed_demo()
        book_meetings()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def book_meetings() -> None:
    """Some B2B meetings, so that My meetings and the grid are not empty: member07 has three
    and one request waiting for an answer; a dozen others meet among themselves."""
    import sqlalchemy as sa

    from pic_events.accounts.models import User
    from pic_events.events.models import Event
    from pic_events.extensions import db
    from pic_events.matchmaking import requests, slots
    from pic_events.registration.models import Registration

    event = db.session.scalar(sa.select(Event).where(Event.slug == DEMO))

    def member(number: int) -> Registration:
        email = f"member{number:02d}@pic.example"
        return db.session.scalar(
            sa.select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(Registration.event_id == event.id, User.email == email)
        )

    pairs = [(7, 3), (12, 7), (7, 21)] + [(n, n + 1) for n in range(30, 54, 2)]
    for sender_number, recipient_number in pairs:
        sender, recipient = member(sender_number), member(recipient_number)
        free = slots.common_free_slots(event, [sender, recipient])
        asked = requests.send_request(
            event,
            sender,
            recipient.id,
            message="Shall we talk about a joint Horizon Europe proposal?",
            slot_id=free[(sender_number + recipient_number) % len(free)].id,
        )
        requests.accept(asked.id, recipient)
    waiting = member(9)
    free = slots.common_free_slots(event, [waiting, member(7)])
    requests.send_request(
        event,
        waiting,
        member(7).id,
        message="We are looking for a partner for field trials of biocontrol in orchards.",
        slot_id=free[-1].id,
    )
    db.session.commit()


def log_in(page, who: tuple[str, str]) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(who[0])
    page.locator("input[name=password]").fill(who[1])
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def compress(path: Path) -> None:
    image = Image.open(path).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main(prefixes: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        base_url = serve(Path(tmp) / "screenshots.sqlite")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, path, who, widths, languages in SHOTS:
                if prefixes and not name.startswith(tuple(prefixes)):
                    continue
                for width in widths:
                    for language in languages:
                        context = browser.new_context(
                            viewport={"width": width, "height": HEIGHT[width]},
                            locale={"en": "en-GB", "fr": "fr-FR"}[language],
                            base_url=base_url,
                            is_mobile=width < 600,
                            has_touch=width < 600,
                        )
                        page = context.new_page()
                        if who:
                            log_in(page, who)
                            if language != "en":  # a member's language is the profile's
                                page.goto("/")
                                page.locator(f"button[name=locale][value={language}]").evaluate(
                                    "button => button.form.requestSubmit(button)"
                                )
                                page.wait_for_selector(f"html[lang={language}]")
                        page.goto(path)
                        suffix = "" if language == "en" else f"-{language}"
                        target = OUT / f"{name}-{width}{suffix}.png"
                        page.screenshot(path=str(target))
                        compress(target)
                        print(f"{target.relative_to(ROOT)}  {target.stat().st_size // 1024} KiB")
                        if who and language != "en":  # put the demo member back to English
                            page.locator("button[name=locale][value=en]").evaluate(
                                "button => button.form.requestSubmit(button)"
                            )
                            page.wait_for_selector("html[lang=en]")  # saved before closing
                        context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
