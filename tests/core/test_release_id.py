"""Cached values are keyed by the release that made them: a deploy that changes code, a
template or a translation never serves what the previous release put in a shared cache."""

from __future__ import annotations

from pic_events.core import page_cache

PATTERNS = ("pkg/**/*.py", "templates/**/*")


def _tree(root, template="<p>{{ name }}</p>"):
    (root / "pkg").mkdir(exist_ok=True)
    (root / "templates").mkdir(exist_ok=True)
    (root / "pkg" / "views.py").write_text("def page(): ...\n")
    (root / "templates" / "page.html").write_text(template)


def test_the_digest_moves_with_a_template_and_not_with_other_files(tmp_path):
    _tree(tmp_path)
    first = page_cache.files_digest(tmp_path, PATTERNS)
    (tmp_path / "notes.txt").write_text("not part of the release")
    assert page_cache.files_digest(tmp_path, PATTERNS) == first
    _tree(tmp_path, template="<p>{{ name|title }}</p>")
    assert page_cache.files_digest(tmp_path, PATTERNS) != first


def test_a_file_renamed_moves_the_digest(tmp_path):
    _tree(tmp_path)
    first = page_cache.files_digest(tmp_path, PATTERNS)
    (tmp_path / "templates" / "page.html").rename(tmp_path / "templates" / "other.html")
    assert page_cache.files_digest(tmp_path, PATTERNS) != first


def test_every_key_carries_the_release(monkeypatch):
    before = page_cache.cache_key("programme", 1, "v1")
    monkeypatch.setattr(page_cache, "release_id", lambda: "next-release")
    assert page_cache.cache_key("programme", 1, "v1") != before
