"""overview_figures: the overview's per-unit figures, shared between workers

Revision ID: 7b41c0d2e8a5
Revises: 5f2c1a7e9b30
Create Date: 2026-11-26 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b41c0d2e8a5'
down_revision = '5f2c1a7e9b30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'overview_figures',
        sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=True),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_overview_figures')),
    )


def downgrade():
    op.drop_table('overview_figures')
