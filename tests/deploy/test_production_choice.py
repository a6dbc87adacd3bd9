"""Production is chosen on purpose: no development secret behind a public address."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo, run_command

from config import DevelopmentSecretError, is_loopback, refuse_development_secret
from pic_events import create_app
from tests.notifications.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PIC_CONFIG", raising=False)

    def serve(*args, **kwargs):
        raise AssertionError("the development server was about to start")

    monkeypatch.setattr("flask.cli.run_simple", serve)


def _development_app():
    return create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("unix:/run/pic.sock", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.10", False),
        ("pic.example.org", False),
    ],
)
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_flask_run_on_a_public_host_with_the_development_secret_is_refused(no_secret):
    result = CliRunner().invoke(
        run_command, ["--host", "0.0.0.0"], obj=ScriptInfo(create_app=_development_app)
    )
    assert isinstance(result.exception, DevelopmentSecretError)
    assert "PIC_CONFIG=production" in str(result.exception)


def test_flask_run_host_from_the_environment_is_refused_too(no_secret, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_HOST", "0.0.0.0")
    result = CliRunner().invoke(
        run_command, [], obj=ScriptInfo(create_app=_development_app), auto_envvar_prefix="FLASK_RUN"
    )
    assert isinstance(result.exception, DevelopmentSecretError)


def test_loopback_production_or_a_chosen_secret_are_allowed(no_secret, monkeypatch):
    refuse_development_secret({"PRODUCTION": False}, ["127.0.0.1", "localhost"])
    refuse_development_secret({"PRODUCTION": True}, ["0.0.0.0"])
    monkeypatch.setenv("SECRET_KEY", "chosen-by-the-operator")
    refuse_development_secret({"PRODUCTION": False}, ["0.0.0.0"])
    with pytest.raises(DevelopmentSecretError):
        monkeypatch.delenv("SECRET_KEY")
        refuse_development_secret({"PRODUCTION": False}, ["0.0.0.0"])


def _gunicorn_conf(monkeypatch, **env) -> dict:
    for name in ("PORT", "BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_defaults_and_environment(monkeypatch):
    conf = _gunicorn_conf(monkeypatch)
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["workers"] == min(2 * (os.cpu_count() or 1) + 1, 9)
    assert conf["default_workers"](64) == 9 and conf["default_workers"](2) == 5
    assert conf["accesslog"] == "-" and conf["timeout"] == 60

    conf = _gunicorn_conf(
        monkeypatch, PORT="9001", WEB_CONCURRENCY="3", GUNICORN_THREADS="8", GUNICORN_TIMEOUT="20"
    )
    assert conf["bind"] == ["127.0.0.1:9001"]
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (3, 8, 20)


def test_gunicorn_on_starting_refuses_a_public_bind(monkeypatch, no_secret):
    conf = _gunicorn_conf(monkeypatch)
    errors = []
    server = SimpleNamespace(
        cfg=SimpleNamespace(bind=["0.0.0.0:8000"]),
        log=SimpleNamespace(error=lambda fmt, *args: errors.append(fmt % args)),
    )
    with pytest.raises(SystemExit):
        conf["on_starting"](server)
    assert "development secret" in errors[0]

    server.cfg.bind = ["127.0.0.1:8000", "unix:/run/pic.sock"]
    conf["on_starting"](server)  # loopback: fine
    monkeypatch.setenv("PIC_CONFIG", "production")
    server.cfg.bind = ["0.0.0.0:8000"]
    conf["on_starting"](server)  # production chosen: fine


def test_gunicorn_exits_before_serving_on_a_public_address(no_secret):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "PIC_CONFIG"}}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        + ["-b", f"0.0.0.0:{free_port()}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Refusing to serve on 0.0.0.0" in result.stderr


def test_health_check_answers_over_plain_http_in_production(monkeypatch):
    """A load balancer asks gunicorn directly, without TLS: no redirect to https."""
    from config import ProductionConfig

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "production-test-key")
    production = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    client = production.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 302  # every page still goes to https


def _import_config_in(folder: Path, **env: str) -> subprocess.CompletedProcess:
    (folder / "config.py").write_text((ROOT / "config.py").read_text())
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "PIC_CONFIG"}}
    code = "import config; config.CONFIGS['production']()"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_never_touches_the_development_secret(tmp_path):
    """A flask command once run as root left instance/secret_key unreadable to the service
    user: production then failed at import, before it could say what it misses."""
    (tmp_path / "instance" / "secret_key").mkdir(parents=True)  # unreadable, even for root

    chosen = _import_config_in(tmp_path, PIC_CONFIG="production", SECRET_KEY="chosen")
    missing = _import_config_in(tmp_path, PIC_CONFIG="production")

    assert chosen.returncode == 0, chosen.stderr
    assert missing.returncode != 0
    assert "SECRET_KEY must be set in production" in missing.stderr
    assert "IsADirectoryError" not in missing.stderr


def test_development_still_keeps_its_generated_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)

    first, second = config.DevelopmentConfig(), config.DevelopmentConfig()

    assert first.SECRET_KEY and first.SECRET_KEY == second.SECRET_KEY
    assert (tmp_path / "instance" / "secret_key").read_text().strip() == first.SECRET_KEY
