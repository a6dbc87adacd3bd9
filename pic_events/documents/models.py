"""A long document made in the background (all badges of an event): its progress, and the
file once made, kept in the database so that any web worker can serve it, until it expires.

The file holds names and check-in codes: it expires after DOCUMENT_FILE_DAYS (download
refused, row deleted by `flask purge-expired` and by the next job), and the files of an event
are deleted when one of its registrations is anonymised (purge, account deletion).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from pic_events.core.types import UTCDateTime, utcnow
from pic_events.extensions import db


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


JOB_STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting for a worker"),
    JobStatus.RUNNING: _l("Being made"),
    JobStatus.DONE: _l("Ready"),
    JobStatus.FAILED: _l("Failed"),
}


class DocumentJob(db.Model):
    __tablename__ = "document_job"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(sa.String(32), default="badges")
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # layout, filters: no names
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    status: Mapped[str] = mapped_column(sa.String(16), default=JobStatus.QUEUED.value)
    rq_job_id: Mapped[str | None] = mapped_column(sa.String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    # queued: taken for forgotten after this; running: its run's claim ends then
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pages_done: Mapped[int] = mapped_column(default=0)
    pages_total: Mapped[int] = mapped_column(default=0)
    items: Mapped[int] = mapped_column(default=0)  # badges in the file
    error: Mapped[str] = mapped_column(sa.Text, default="")
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    @property
    def status_label(self) -> str:
        return str(JOB_STATUS_LABELS[JobStatus(self.status)])

    @property
    def in_progress(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def progress_percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.pages_total:
            return 0
        return min(99, int(100 * self.pages_done / self.pages_total))
