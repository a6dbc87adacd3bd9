"""Programme and registration do not import each other's services; agenda imports neither.

Each import runs in a fresh interpreter, so what one test imported cannot hide a cycle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {
    "pic_events.programme.services": "pic_events.registration.services",
    "pic_events.registration.services": "pic_events.programme.services",
}
AGENDA_MUST_NOT_LOAD = (
    "pic_events.programme.services",
    "pic_events.registration.services",
    "pic_events.registration.session_choices",
)


# Loaded by the code that prints a PDF, runs the scheduler or writes a spreadsheet, when it
# runs: not by every web worker at start (together about a second of CPU and 100 MB).
WEB_MUST_NOT_LOAD = ("weasyprint", "ortools", "highspy", "openpyxl")


def _loaded_after_importing(module: str, env: dict[str, str] | None = None) -> set[str]:
    script = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("module", SERVICES)
def test_each_services_module_imports_alone_without_the_other(module):
    loaded = _loaded_after_importing(module)
    assert module in loaded
    assert SERVICES[module] not in loaded


def test_agenda_uses_models_only():
    loaded = _loaded_after_importing("pic_events.agenda.services")
    assert not loaded.intersection(AGENDA_MUST_NOT_LOAD)


def test_web_app_imports_without_pdf_scheduler_or_spreadsheet_libraries(tmp_path):
    env = {
        **os.environ,
        "PIC_CONFIG": "production",
        "SECRET_KEY": "s" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite'}",
    }
    loaded = _loaded_after_importing("wsgi", env)
    assert "pic_events.documents.rendering" in loaded
    assert "pic_events.matchmaking.scheduling" in loaded
    assert "pic_events.registration.exports" in loaded
    assert {m.partition(".")[0] for m in loaded}.isdisjoint(WEB_MUST_NOT_LOAD)
