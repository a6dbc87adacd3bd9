"""The translation catalogues: extract, update and compile them, and check they are complete.

    python scripts/translations.py update  # make translations: .pot, .po merged, .mo compiled
    python scripts/translations.py check   # exit 1 and list what is missing, fuzzy or stale
    python scripts/translations.py todo [fr] > todo.tsv  # what to translate, one per line
    python scripts/translations.py fill todo.tsv [fr]    # put the translations in, compile

todo.tsv has one string a line: the English, a tab, then the French (empty, or a fuzzy
guess to check); a plural string has two French forms, singular and plural, each after a
tab. Line breaks are written \\n. `fill` puts French no-break spaces before : ; ! ? and
inside « », clears the fuzzy flags of the lines it fills and compiles the .mo.

The French catalogue is pic_events/translations/fr/LC_MESSAGES/messages.po; its compiled
messages.mo is committed, so a fresh clone speaks French without a build step (the check
fails when the .mo no longer matches the .po).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
DIRECTORY = ROOT / "pic_events" / "translations"
POT = DIRECTORY / "messages.pot"
LANGUAGES = ["fr"]  # English is the source language: its strings are the msgids
KEYWORDS = ["_", "_l", "gettext", "lazy_gettext", "ngettext:1,2", "lazy_ngettext:1,2"]
RUN = "run `make translations`"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def pybabel(*args: str) -> None:
    command = [str(Path(sys.executable).with_name("pybabel")), *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")


def extract(output: Path) -> None:
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        *keywords,
        "--no-wrap",
        "--sort-by-file",
        "--project",
        "PIC Meetings",
        "-o",
        str(output),
        ".",
    )


def update() -> None:
    extract(POT)
    for language in LANGUAGES:
        po = DIRECTORY / language / "LC_MESSAGES" / "messages.po"
        verb = "update" if po.exists() else "init"
        pybabel(verb, "-i", str(POT), "-d", str(DIRECTORY), "-l", language, "--no-wrap")
        compile_language(language)
    for problem in check():
        print(problem)


def compile_language(language: str) -> None:
    # --use-fuzzy off: a fuzzy guess stays English until someone checks it.
    pybabel("compile", "-d", str(DIRECTORY), "-l", language, "--statistics")


def _ids(message) -> tuple:
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)


def _strings(message) -> tuple:
    if isinstance(message.string, (tuple, list)):
        return tuple(message.string)
    return (message.string,)


def _key(message) -> tuple:
    ids = _ids(message)
    return (message.context, *ids)


def _load(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def check() -> list[str]:
    """Every problem as one line; empty when the catalogues are complete and current."""
    problems: list[str] = []
    if not POT.exists():
        return [f"{POT.relative_to(ROOT)} is missing: {RUN}"]
    with tempfile.TemporaryDirectory() as tmp:
        fresh_path = Path(tmp) / "messages.pot"
        extract(fresh_path)
        fresh = {_key(m) for m in _load(fresh_path) if m.id}
    template = {_key(m) for m in _load(POT) if m.id}
    for key in sorted(fresh - template, key=str):
        problems.append(f"not in messages.pot ({RUN}): {key[1]!r}")
    for key in sorted(template - fresh, key=str):
        problems.append(f"in messages.pot, not in the code ({RUN}): {key[1]!r}")
    for language in LANGUAGES:
        po_path = DIRECTORY / language / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            problems.append(f"{language}: {po_path.name} is missing: {RUN}")
            continue
        catalog = _load(po_path)
        messages = {_key(m): m for m in catalog if m.id}
        for key in sorted(fresh, key=str):
            message = messages.get(key)
            english = key[1]
            if message is None:
                problems.append(f"{language}: not in the .po ({RUN}): {english!r}")
                continue
            strings = _strings(message)
            if not all(strings):
                problems.append(f"{language}: untranslated: {english!r}")
            elif message.fuzzy:
                problems.append(
                    f"{language}: fuzzy (check it, then delete the '#, fuzzy' line): {english!r}"
                )
            else:
                wanted = {tuple(_placeholders(text)) for text in _ids(message)}
                for string in strings:
                    found = _placeholders(string)
                    if tuple(found) not in wanted:
                        problems.append(f"{language}: placeholders {found} differ: {english!r}")
                        break
        problems.extend(_stale_mo(language, catalog))
    return problems


def _stale_mo(language: str, catalog: Catalog) -> list[str]:
    mo_path = DIRECTORY / language / "LC_MESSAGES" / "messages.mo"
    if not mo_path.exists():
        return [f"{language}: messages.mo is missing: {RUN}"]
    with mo_path.open("rb") as handle:
        compiled = {_key(m): _strings(m) for m in read_mo(handle) if m.id}
    translated = {
        _key(m): _strings(m) for m in catalog if m.id and all(_strings(m)) and not m.fuzzy
    }
    if compiled != translated:
        return [f"{language}: messages.mo does not match messages.po: {RUN}"]
    return []


def _po_path(language: str) -> Path:
    return DIRECTORY / language / "LC_MESSAGES" / "messages.po"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def french_typography(text: str) -> str:
    text = re.sub(r"«\s*", "«\u00a0", text)
    text = re.sub(r"\s*»", "\u00a0»", text)
    text = re.sub(r"[ \u00a0\u202f]+:", "\u00a0:", text)
    return re.sub(r"[ \u00a0\u202f]+([;!?])", "\u202f\\1", text)


def todo(language: str = "fr") -> list[str]:
    """The untranslated and fuzzy strings as todo.tsv lines."""
    lines = []
    for message in _load(_po_path(language)):
        if not message.id or (all(_strings(message)) and not message.fuzzy):
            continue
        ids, strings = _ids(message), _strings(message)
        guess = strings if message.fuzzy else ("",) * len(strings)
        lines.append("\t".join(_escape(text) for text in (ids[0], *guess)))
    return lines


def fill(tsv: Path, language: str = "fr") -> int:
    """Put the translations of a todo.tsv into the .po (by English text), then compile."""
    from babel.messages.pofile import write_po

    path = _po_path(language)
    catalog = _load(path)
    messages = {_ids(m)[0]: m for m in catalog if m.id}
    filled = 0
    for number, line in enumerate(tsv.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        english, *french = (_unescape(part) for part in line.split("\t"))
        message = messages.get(english)
        if message is None:
            print(f"line {number}: not in {path.name}: {english!r}")
            continue
        if not all(text.strip() for text in french):
            continue
        forms = len(_strings(message))
        if len(french) != forms:
            print(f"line {number}: {forms} French form(s) wanted, {len(french)} given")
            continue
        french = [french_typography(text) for text in french]
        message.string = tuple(french) if forms > 1 else french[0]
        message.flags.discard("fuzzy")
        filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0)
    compile_language(language)
    return filled


def main(argv: list[str]) -> int:
    if argv[1:] == ["update"]:
        update()
        return 0
    if argv[1:] == ["check"]:
        problems = check()
        for problem in problems:
            print(problem)
        print(f"{len(problems)} translation problem(s)" if problems else "translations complete")
        return 1 if problems else 0
    if argv[1:2] == ["todo"] and len(argv) <= 3:
        print("\n".join(todo(*argv[2:])))
        return 0
    if argv[1:2] == ["fill"] and len(argv) in (3, 4):
        print(f"{fill(Path(argv[2]), *argv[3:])} string(s) filled")
        for problem in check():
            print(problem)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
