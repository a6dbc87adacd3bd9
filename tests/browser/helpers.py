"""Helpers of the browser tests: the accessibility scan, mails from the outbox, log-in."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

AXE = (
    Path(__file__).resolve().parents[2] / "pic_events" / "static" / "vendor" / "axe" / "axe.min.js"
)
assert AXE.exists(), "axe-core is vendored by `make assets`"
# The rules axe runs: WCAG 2.0, 2.1 and 2.2 A and AA, and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    """The page's serious and critical accessibility violations, as axe-core finds them."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Served by the app (the CSP allows only scripts from 'self', not an inline copy).
        page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("options => axe.run(document, options)", options)
    return [v for v in result["violations"] if v["impact"] in FAILING_IMPACTS]


def assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the page as it is now.

    One line per page in the tests: `assert_accessible(page)` after `page.goto(...)`."""
    violations = axe_violations(page)
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"{page.url} has accessibility violations:\n{report}"


def assert_fits_the_screen(page) -> None:
    """Nothing wider than the viewport: no sideways scrolling on a phone."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow} px wider than the screen"


def last_mail_to(app, address: str):
    from pic_events.extensions import db
    from pic_events.notifications.models import OutboxMessage

    with app.app_context():
        query = sa.select(OutboxMessage).where(OutboxMessage.recipient.contains(address))
        message = db.session.scalars(query.order_by(OutboxMessage.id.desc())).first()
        assert message is not None, f"no mail to {address}"
        db.session.expunge(message)
        return message


def first_link(text: str) -> str:
    match = re.search(r"https?://\S+", text)
    assert match, f"no link in {text!r}"
    return match.group(0)


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
