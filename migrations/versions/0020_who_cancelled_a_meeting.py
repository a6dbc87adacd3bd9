"""who cancelled a meeting

Revision ID: 0020
Revises: 0013
Create Date: 2026-12-06 01:11:43.379164

"""

from alembic import op
import sqlalchemy as sa
import pic_events.core.types


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0013"
branch_labels = None
depends_on = None


FK_NAME = "fk_b2b_meeting_cancelled_by_id_registration"


def upgrade():
    with op.batch_alter_table("b2b_meeting") as batch_op:
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            FK_NAME, "registration", ["cancelled_by_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("b2b_meeting") as batch_op:
        batch_op.drop_constraint(FK_NAME, type_="foreignkey")
        batch_op.drop_column("cancelled_by_id")
