"""B2B admin: the organiser's scheduling runs (progress and preview)

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-05 22:40:00

"""
from alembic import op
import sqlalchemy as sa
import pic_events.core.types


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('b2b_schedule_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('time_limit', sa.Float(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', pic_events.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', pic_events.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', pic_events.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at', pic_events.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'published')", name=op.f('ck_b2b_schedule_run_status_known')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_b2b_schedule_run_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_b2b_schedule_run'))
    )
    with op.batch_alter_table('b2b_schedule_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_b2b_schedule_run_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('b2b_schedule_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_b2b_schedule_run_event_id'))

    op.drop_table('b2b_schedule_run')
