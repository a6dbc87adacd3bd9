"""Programme and registration do not import each other's services; agenda imports neither.

Each import runs in a fresh interpreter, so what one test imported cannot hide a cycle."""

from __future__ import annotations

import json
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


def _loaded_after_importing(module: str) -> set[str]:
    script = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
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
