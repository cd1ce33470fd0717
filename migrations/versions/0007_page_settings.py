"""page settings and brand: one row (name, logo, favicon, accent, links, announcement, zone)

Revision ID: 0007_page_settings
Revises: 0006_alerts_monitors
Create Date: 2026-12-01 21:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0007_page_settings"
down_revision = "0006_alerts_monitors"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "page_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_name", sa.String(length=100), nullable=True),
        sa.Column("accent_color", sa.String(length=7), nullable=True),
        sa.Column("support_url", sa.String(length=500), nullable=True),
        sa.Column("footer_links", sa.JSON(), nullable=False),
        sa.Column("announcement", sa.Text(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=40), nullable=True),
        sa.Column("favicon", sa.LargeBinary(), nullable=True),
        sa.Column("favicon_type", sa.String(length=40), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_page_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_settings")),
    )


def downgrade():
    op.drop_table("page_settings")
