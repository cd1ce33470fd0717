"""integrations: configured chat channels and alert senders

Revision ID: 0004_integrations
Revises: 0004_user_sessions
Create Date: 2026-12-01 21:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0004_integrations"
down_revision = "0004_user_sessions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "integrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=True),
        sa.Column("secret_hash", sa.String(length=128), nullable=True),
        sa.Column("secret_hint", sa.String(length=120), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("last_delivery_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_delivery_status", sa.String(length=16), nullable=True),
        sa.Column("last_response_code", sa.Integer(), nullable=True),
        sa.Column("last_response_excerpt", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrations")),
    )
    with op.batch_alter_table("integrations", schema=None) as batch_op:
        batch_op.create_index("ix_integrations_kind_enabled", ["kind", "enabled"], unique=False)
        batch_op.create_index(batch_op.f("ix_integrations_secret_hash"), ["secret_hash"], unique=False)


def downgrade():
    with op.batch_alter_table("integrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_integrations_secret_hash"))
        batch_op.drop_index("ix_integrations_kind_enabled")
    op.drop_table("integrations")
