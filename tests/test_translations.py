"""The French catalogue is complete and current: every msgid in the code is in messages.pot
and translated (not fuzzy) in fr/messages.po, placeholders kept, messages.mo compiled from it.

On failure the message lists each missing string: fill them in the .po, then `make translations`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "translations.py"


@pytest.fixture(scope="module")
def translations():
    spec = importlib.util.spec_from_file_location("translations", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_french_catalogue_is_complete_and_current(translations):
    problems = translations.check()
    listing = "\n".join(problems)
    assert not problems, f"{len(problems)} translation problem(s):\n{listing}"


def test_the_check_finds_a_missing_string(translations, tmp_path, monkeypatch):
    """The check cannot pass vacuously: a .pot without one msgid is reported."""
    from babel.messages.pofile import read_po, write_po

    with translations.POT.open("rb") as handle:
        catalog = read_po(handle)
    dropped = next(m.id for m in catalog if m.id)
    del catalog[dropped]
    pot = tmp_path / "messages.pot"
    with pot.open("wb") as handle:
        write_po(handle, catalog)
    monkeypatch.setattr(translations, "POT", pot)
    assert any(repr(dropped) in problem for problem in translations.check())


def test_todo_lists_what_is_missing_and_fill_puts_it_in(translations, tmp_path, monkeypatch):
    """The lead's round trip after a merge: todo -> French typed in a TSV -> fill -> compiled."""
    import shutil

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po, write_po

    directory = tmp_path / "translations"
    shutil.copytree(translations.DIRECTORY, directory)
    monkeypatch.setattr(translations, "DIRECTORY", directory)
    po = directory / "fr" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    catalog["Change the language:"].string = ""
    catalog["%(num)d seat"].string = ("", "")
    with po.open("wb") as handle:
        write_po(handle, catalog)

    assert translations.todo() == ["Change the language:\t", "%(num)d seat\t\t"]
    tsv = tmp_path / "todo.tsv"
    tsv.write_text(
        "Change the language:\tChanger de langue :\n"
        "%(num)d seat\t%(num)d place assise\t%(num)d places assises\n",
        encoding="utf-8",
    )
    assert translations.fill(tsv) == 2
    assert translations.todo() == []
    with (directory / "fr" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    assert compiled["Change the language:"].string == "Changer de langue\u00a0:"
    assert compiled["%(num)d seat"].string == ["%(num)d place assise", "%(num)d places assises"]
