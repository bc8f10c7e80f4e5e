"""unit_stamp: a change token per unit for the overview's figures cache

Revision ID: 5f2c1a7e9b30
Revises: 0006019e3241
Create Date: 2026-11-26 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f2c1a7e9b30'
down_revision = '0006019e3241'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unit_stamp',
        sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_unit_stamp')),
    )


def downgrade():
    op.drop_table('unit_stamp')
