"""alert signals, the incidents alert groups opened, received payloads, monitors and results

Revision ID: 0006_alerts_monitors
Revises: 0005_channels
Create Date: 2026-12-01 21:12:42

"""
import sqlalchemy as sa
from alembic import op

revision = '0006_alerts_monitors'
down_revision = '0005_channels'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ingest_records',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.id'], name=op.f('fk_ingest_records_integration_id_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_records'))
    )
    with op.batch_alter_table('ingest_records', schema=None) as batch_op:
        batch_op.create_index('ix_ingest_records_integration_id', ['integration_id', 'id'], unique=False)

    op.create_table('alert_group_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('group_key', sa.String(length=255), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_alert_group_incidents_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_group_incidents')),
    sa.UniqueConstraint('source', 'group_key', name=op.f('uq_alert_group_incidents_source_group_key'))
    )
    op.create_table('alert_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('group_key', sa.String(length=255), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('firing', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['components.id'], name=op.f('fk_alert_signals_component_id_components'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_signals')),
    sa.UniqueConstraint('source', 'key', name=op.f('uq_alert_signals_source_key'))
    )
    with op.batch_alter_table('alert_signals', schema=None) as batch_op:
        batch_op.create_index('ix_alert_signals_component_firing', ['component_id', 'firing'], unique=False)

    op.create_table('monitors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=True),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('port', sa.Integer(), nullable=True),
    sa.Column('keyword', sa.String(length=255), nullable=True),
    sa.Column('expected_status', sa.JSON(), nullable=False),
    sa.Column('interval_seconds', sa.Integer(), nullable=False),
    sa.Column('timeout_seconds', sa.Double(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=True),
    sa.Column('failure_threshold', sa.Integer(), nullable=False),
    sa.Column('recovery_threshold', sa.Integer(), nullable=False),
    sa.Column('degraded_ms', sa.Integer(), nullable=True),
    sa.Column('public_metric', sa.Boolean(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('next_check_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('failures_in_row', sa.Integer(), nullable=False),
    sa.Column('slow_in_row', sa.Integer(), nullable=False),
    sa.Column('successes_in_row', sa.Integer(), nullable=False),
    sa.Column('last_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['components.id'], name=op.f('fk_monitors_component_id_components'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitors'))
    )
    with op.batch_alter_table('monitors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitors_component_id'), ['component_id'], unique=False)
        batch_op.create_index('ix_monitors_due', ['paused', 'next_check_at'], unique=False)

    op.create_table('monitor_results',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('monitor_id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('response_ms', sa.Double(), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('folded', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['monitor_id'], ['monitors.id'], name=op.f('fk_monitor_results_monitor_id_monitors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_results'))
    )
    with op.batch_alter_table('monitor_results', schema=None) as batch_op:
        batch_op.create_index('ix_monitor_results_monitor_at', ['monitor_id', 'checked_at'], unique=False)



def downgrade():
    with op.batch_alter_table('monitor_results', schema=None) as batch_op:
        batch_op.drop_index('ix_monitor_results_monitor_at')

    op.drop_table('monitor_results')
    with op.batch_alter_table('monitors', schema=None) as batch_op:
        batch_op.drop_index('ix_monitors_due')
        batch_op.drop_index(batch_op.f('ix_monitors_component_id'))

    op.drop_table('monitors')
    with op.batch_alter_table('alert_signals', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_signals_component_firing')

    op.drop_table('alert_signals')
    op.drop_table('alert_group_incidents')
    with op.batch_alter_table('ingest_records', schema=None) as batch_op:
        batch_op.drop_index('ix_ingest_records_integration_id')

    op.drop_table('ingest_records')
