"""registrations remember when their badge was printed (print only those not printed yet)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from pic_events.core.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("badge_printed_at", UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("badge_printed_at")
