"""An organiser's scheduling run: its progress and its preview, kept until it is published.

The preview is stored (not recomputed) so that what the organiser publishes is what they
saw; publication re-checks every placement through booking.py.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from pic_events.core.types import UTCDateTime, utcnow
from pic_events.extensions import db


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # a preview, not published
    FAILED = "failed"
    PUBLISHED = "published"


RUN_STATUS_LABELS = {
    RunStatus.QUEUED: _l("Waiting for a worker"),
    RunStatus.RUNNING: _l("Running"),
    RunStatus.DONE: _l("Preview ready"),
    RunStatus.FAILED: _l("Failed"),
    RunStatus.PUBLISHED: _l("Published"),
}


class ScheduleRun(db.Model):
    __tablename__ = "b2b_schedule_run"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'published')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=RunStatus.QUEUED.value)
    time_limit: Mapped[float] = mapped_column(sa.Float, default=10.0)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    job_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_label(self) -> str:
        return str(RUN_STATUS_LABELS[RunStatus(self.status)])

    @property
    def in_progress(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    def stuck(self, now: datetime | None = None) -> bool:
        """In progress for far longer than its limit: its worker died; a new run may start."""
        if not self.in_progress:
            return False
        waited = ((now or utcnow()) - (self.started_at or self.created_at)).total_seconds()
        return waited > 3 * self.time_limit + 120

    def progress_percent(self, now: datetime | None = None) -> int:
        """How far a running solve is through its time limit (the limit bounds it)."""
        if self.status != RunStatus.RUNNING or self.started_at is None:
            return 100 if not self.in_progress else 0
        elapsed = ((now or utcnow()) - self.started_at).total_seconds()
        return max(0, min(99, int(100 * elapsed / max(self.time_limit, 0.1))))
