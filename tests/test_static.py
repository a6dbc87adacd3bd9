"""One script for every page, and static URLs that change when their file does."""

from __future__ import annotations

import re

from flask import url_for

from tests.factories import login, make_user

SCRIPT = re.compile(r'<script src="([^"]+)"')


def _scripts(client, url: str) -> list[str]:
    page = client.get(url).get_data(as_text=True)
    return [src for src in SCRIPT.findall(page) if "/js/" in src]


def test_every_page_loads_app_js_once_with_a_version(client):
    pages = [_scripts(client, "/"), _scripts(client, "/signup")]
    login(client, make_user())
    pages.append(_scripts(client, "/account/privacy"))
    for scripts in pages:
        assert scripts == [scripts[0]] and re.fullmatch(r"/static/js/app\.js\?v=\w{12}", scripts[0])
    page = client.get("/").get_data(as_text=True)
    static_urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert static_urls and all("?v=" in url for url in static_urls)


def test_a_versioned_file_is_cached_for_long_an_unversioned_one_is_revalidated(client):
    versioned = client.get(url_for("static", filename="css/app.css"))
    assert versioned.status_code == 200
    assert versioned.cache_control.max_age == 365 * 24 * 3600 and versioned.cache_control.immutable
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200 and not plain.cache_control.immutable
    assert not plain.cache_control.max_age


def test_the_version_changes_when_the_file_changes(app, tmp_path):
    (tmp_path / "js").mkdir()
    script = tmp_path / "js" / "app.js"
    script.write_text("console.log(1);")
    app.static_folder = str(tmp_path)
    first = url_for("static", filename="js/app.js")
    assert first == url_for("static", filename="js/app.js")  # stable while unchanged
    script.write_text("console.log('upgraded');")
    second = url_for("static", filename="js/app.js")
    assert first != second and "?v=" in second
    assert "?v=" not in url_for("static", filename="js/missing.js")
