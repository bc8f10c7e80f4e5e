"""indexes: children by name, enrolments by unit covering the child, a nurse's open and today's visits

Revision ID: 2c9e4f7a1d63
Revises: 7b41c0d2e8a5
Create Date: 2026-11-26 03:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '2c9e4f7a1d63'
down_revision = '7b41c0d2e8a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_child_name', 'child', ['first_name', 'last_name'], unique=False)
    op.drop_index('ix_enrolment_unit_dates', table_name='enrolment')
    op.create_index(
        'ix_enrolment_unit_dates',
        'enrolment',
        ['unit_id', 'start_date', 'end_date', 'child_id'],
        unique=False,
    )
    op.create_index(
        'ix_planned_visit_nurse_status_date',
        'planned_visit',
        ['nurse_id', 'status', 'planned_date'],
        unique=False,
    )
    op.drop_index('ix_visit_nurse_id', table_name='visit')
    op.create_index('ix_visit_nurse_date', 'visit', ['nurse_id', 'visit_date'], unique=False)


def downgrade():
    op.drop_index('ix_visit_nurse_date', table_name='visit')
    op.create_index('ix_visit_nurse_id', 'visit', ['nurse_id'], unique=False)
    op.drop_index('ix_planned_visit_nurse_status_date', table_name='planned_visit')
    op.drop_index('ix_enrolment_unit_dates', table_name='enrolment')
    op.create_index(
        'ix_enrolment_unit_dates', 'enrolment', ['unit_id', 'start_date', 'end_date'], unique=False
    )
    op.drop_index('ix_child_name', table_name='child')
