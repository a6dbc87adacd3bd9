"""accounts: e-mail verification and API token expiry

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:00:00

"""

import sqlalchemy as sa
from alembic import op

import pic_events.core.types

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_verified_at",
                pic_events.core.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    # Accounts made before verification existed count as verified (since they were made).
    op.execute("UPDATE user_account SET email_verified_at = created_at")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", pic_events.core.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
