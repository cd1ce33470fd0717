"""components are archived, never deleted: archived_at

Revision ID: 0003_component_archive
Revises: 0002_subscriber_mailbox
Create Date: 2026-12-01 19:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0003_component_archive"
down_revision = "0002_subscriber_mailbox"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("components", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("components", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
