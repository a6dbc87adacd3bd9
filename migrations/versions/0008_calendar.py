"""Calendar: feed state (ETag, Last-Modified), per-event reminder settings, reminders sent

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 22:30:00

"""
from alembic import op
import sqlalchemy as sa
import pic_events.core.types


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feed_state',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('etag', sa.String(length=80), nullable=False),
    sa.Column('changed_at', pic_events.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_calendar_feed_state'))
    )
    op.create_table('calendar_settings',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('reminder_days_before', sa.Integer(), nullable=True),
    sa.CheckConstraint('reminder_days_before IS NULL OR reminder_days_before BETWEEN 0 AND 60', name=op.f('ck_calendar_settings_reminder_days_in_range')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_calendar_settings_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_calendar_settings'))
    )
    op.create_table('calendar_reminder_sent',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', pic_events.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_calendar_reminder_sent_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_calendar_reminder_sent'))
    )


def downgrade():
    op.drop_table('calendar_reminder_sent')
    op.drop_table('calendar_settings')
    op.drop_table('calendar_feed_state')
