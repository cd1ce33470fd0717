"""subscribers keep a locale; share links open a private page; visibility and default locale settings

Revision ID: 0008_locales_and_share_links
Revises: 0007_page_settings
Create Date: 2026-12-01 21:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0008_locales_and_share_links"
down_revision = "0007_page_settings"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("page_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visibility", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("default_locale", sa.String(length=16), nullable=True))
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=16), server_default="en", nullable=False))
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_share_links_created_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_links_token_hash")),
    )


def downgrade():
    op.drop_table("share_links")
    with op.batch_alter_table("page_settings", schema=None) as batch_op:
        batch_op.drop_column("default_locale")
        batch_op.drop_column("visibility")
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_column("locale")
