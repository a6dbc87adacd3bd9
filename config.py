"""Configuration classes. Every setting can be read from the environment."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _development_secret_key() -> str:
    """Generate a key once and keep it under instance/, so sessions survive restarts."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(url: str) -> str:
    """Use psycopg 3 for the plain postgresql:// URLs people and platforms give."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1, localhost or a Unix socket: only this machine can connect."""
    host = host.strip()
    if host.startswith("unix:") or host.startswith("/"):
        return True
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name or "" (every interface): reachable from elsewhere


class DevelopmentSecretError(RuntimeError):
    pass


def refuse_development_secret(config: dict | type, hosts: Iterable[str]) -> None:
    """Refuse to serve beyond this machine without PIC_CONFIG=production or a SECRET_KEY.

    The development secret (instance/secret_key, generated on first start) signs sessions
    and reset links: behind a public address it must be chosen on purpose."""
    get = config.get if isinstance(config, dict) else lambda name: getattr(config, name, None)
    if get("PRODUCTION") or get("TESTING") or os.environ.get("SECRET_KEY"):
        return
    public = [host for host in hosts if not is_loopback(host)]
    if public:
        raise DevelopmentSecretError(
            f"Refusing to serve on {', '.join(public)} with the development secret key. "
            "Set PIC_CONFIG=production and SECRET_KEY (see docs/deploy.md), or serve on "
            "127.0.0.1 only."
        )


class Config:
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'pic_events.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")
    REDIS_URL = os.environ.get("REDIS_URL") or None
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "PIC Meetings <noreply@pic.example>"
    )
    # The ORGANIZER of B2B meeting invitations (calendar); default: MAIL_DEFAULT_SENDER.
    CALENDAR_ORGANIZER = os.environ.get("CALENDAR_ORGANIZER") or None
    # Days before an event's first day that `flask send-reminders` mails everyone (3), unless
    # the organisers set another number for the event, or turned the reminder off.
    REMINDER_DAYS_BEFORE = (
        int(os.environ["REMINDER_DAYS_BEFORE"]) if os.environ.get("REMINDER_DAYS_BEFORE") else 3
    )
    # Seconds a B2B scheduling run may take when it runs in the request (no REDIS_URL).
    B2B_INLINE_TIME_LIMIT = float(os.environ.get("B2B_INLINE_TIME_LIMIT", "20"))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))
    # A message being sent is leased to its worker this long; a killed worker's message is
    # sent by the next run once the lease is over (longer than any one send can take).
    MAIL_CLAIM_SECONDS = int(os.environ.get("MAIL_CLAIM_SECONDS", "300"))
    # Without REDIS_URL the outbox is delivered in the request, right after the commit.
    MAIL_DELIVER_INLINE = _env_bool("MAIL_DELIVER_INLINE", True)
    MAIL_QUEUE = os.environ.get("MAIL_QUEUE", "pic-mail")
    # The RQ queue of long document jobs (all badges of an event); `flask worker` serves both.
    DOCUMENTS_QUEUE = os.environ.get("DOCUMENTS_QUEUE", "pic-documents")
    # `flask worker`: how often it looks for jobs whose worker died (RQ's StartedJobRegistry),
    # puts them back on the queue and makes sure a scheduler runs (taking over from a killed
    # worker once its lock expired; RQ's ten minutes held mail retries back that long); a
    # running job counts as abandoned this many seconds after its timeout.
    WORKER_MAINTENANCE_SECONDS = int(os.environ.get("WORKER_MAINTENANCE_SECONDS", "60"))
    WORKER_JOB_GRACE_SECONDS = int(os.environ.get("WORKER_JOB_GRACE_SECONDS", "60"))
    # A document job (all badges of an event): its RQ timeout, the pages rendered between two
    # progress updates, and the days its file is kept for download.
    DOCUMENT_JOB_TIMEOUT = int(os.environ.get("DOCUMENT_JOB_TIMEOUT", "600"))
    DOCUMENT_CHUNK_PAGES = int(os.environ.get("DOCUMENT_CHUNK_PAGES", "20"))
    DOCUMENT_FILE_DAYS = int(os.environ.get("DOCUMENT_FILE_DAYS", "2"))
    # Sent (and failed) mail is deleted this many days later by `flask purge-expired`.
    MAIL_RETENTION_DAYS = int(os.environ.get("MAIL_RETENTION_DAYS", "90"))

    # How many reverse proxies (nginx, a load balancer) stand in front: their X-Forwarded-For
    # and -Proto are then trusted, so rate limits see the client's address, not the proxy's.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # Rendered pages that are the same for every visitor (the event page, the programme,
    # programme.ics), keyed by the event's content version: Redis when REDIS_URL is set
    # (shared by every worker), else each process's memory. Redis down: pages render anyway.
    CACHE_TYPE = os.environ.get("CACHE_TYPE") or ("RedisCache" if REDIS_URL else "SimpleCache")
    CACHE_REDIS_URL = REDIS_URL
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "pic:")
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "3600"))
    CACHE_THRESHOLD = 2000  # SimpleCache: entries kept per process
    CACHE_REDIS_TIMEOUT = float(os.environ.get("CACHE_REDIS_TIMEOUT", "0.5"))  # seconds
    # Seconds the page cache is left alone after a cache error (Redis down), instead of
    # trying (and logging) on every request.
    CACHE_RETRY_AFTER = int(os.environ.get("CACHE_RETRY_AFTER", "30"))
    # Seconds a worker gives the same answer again to anonymous visitors of a public page
    # (pic_events.core.answer_cache) without asking the database: another worker's change
    # shows after at most this long (this worker's at once). 0: off.
    PUBLIC_ANSWER_SECONDS = float(os.environ.get("PUBLIC_ANSWER_SECONDS", "0"))
    PUBLIC_ANSWER_ENTRIES = 256  # answers kept per worker

    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: count in this process's memory until it is back, never fail the request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Each limit applies per client address; the *_ADDRESS_* ones per e-mail address (or per
    # account once logged in) as well, so one address cannot be flooded from many clients.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "10 per hour")
    MAIL_ADDRESS_RATE_LIMIT = os.environ.get("MAIL_ADDRESS_RATE_LIMIT", "3 per hour")
    ACCOUNT_RATE_LIMIT = os.environ.get("ACCOUNT_RATE_LIMIT", "10 per hour")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    FORCE_HTTPS = False

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {"en": "English", "fr": "Français"}

    PASSWORD_RESET_MAX_AGE = 3600
    EMAIL_VERIFY_MAX_AGE = int(os.environ.get("EMAIL_VERIFY_MAX_AGE", str(3 * 24 * 3600)))
    # Without MAIL_SERVER mails go to the log; their bodies (links!) only where this is on.
    MAIL_LOG_BODIES = _env_bool("MAIL_LOG_BODIES", True)
    PRODUCTION = False
    PER_PAGE = 25
    # The largest request body (forms, JSON); larger ones answer 413.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))

    API_TITLE = "PIC Meetings API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    def __init__(self) -> None:
        # Only when development is chosen: importing this module (gunicorn.conf.py does, and
        # so does every flask command) must not write instance/secret_key, as root or not.
        if not self.SECRET_KEY:
            self.SECRET_KEY = _development_secret_key()


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "SimpleCache"  # on, per app instance: the tests see invalidation work
    MAIL_SERVER = None
    SERVER_NAME = "localhost"
    PUBLIC_BASE_URL = "http://localhost"


class ProductionConfig(Config):
    PRODUCTION = True
    MAIL_LOG_BODIES = False  # a reset link in a log is a password
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = _env_bool("FORCE_HTTPS", True)
    PUBLIC_ANSWER_SECONDS = float(os.environ.get("PUBLIC_ANSWER_SECONDS", "1"))

    def __init__(self) -> None:
        if not self.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
