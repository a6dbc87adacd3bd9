"""drop match_profile.search_text (the catalogue searches its cached snapshot)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 05:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_profile', schema=None) as batch_op:
        batch_op.drop_column('search_text')


def downgrade():
    with op.batch_alter_table('match_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
