"""outbox messages name what they are about (topic), so they are forgotten with it

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_message_topic"), ["topic"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_topic"))
        batch_op.drop_column("topic")
