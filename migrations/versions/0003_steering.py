"""steering-committee standing: granted by an organiser

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa
import pic_events.core.types


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('steering_member_since', pic_events.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('steering_marked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('organisation_confirmed_at', pic_events.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('organisation_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_account_steering_marked_by_id_user_account'), 'user_account', ['steering_marked_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_user_account_organisation_confirmed_by_id_user_account'), 'user_account', ['organisation_confirmed_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_organisation_confirmed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_user_account_steering_marked_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('organisation_confirmed_by_id')
        batch_op.drop_column('organisation_confirmed_at')
        batch_op.drop_column('steering_marked_by_id')
        batch_op.drop_column('steering_member_since')
