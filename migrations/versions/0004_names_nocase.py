"""Cluster and organisation names unique regardless of case.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = {"cluster": "uq_cluster_name_lower", "organisation": "uq_organisation_name_lower"}


def upgrade() -> None:
    for table, index in INDEXES.items():
        op.create_index(index, table, [sa.text("lower(name)")], unique=True)


def downgrade() -> None:
    for table, index in INDEXES.items():
        op.drop_index(index, table_name=table)
