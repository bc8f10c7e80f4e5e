"""child_position: each child's current position, kept as assessments change

Revision ID: 9d3a6b5c4e21
Revises: 2c9e4f7a1d63
Create Date: 2026-11-26 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d3a6b5c4e21'
down_revision = '2c9e4f7a1d63'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'child_position',
        sa.Column('child_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Enum('groen', 'gul', 'roed', name='position', native_enum=False, length=8), nullable=False),
        sa.Column('assessed_on', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('child_id', name=op.f('pk_child_position')),
    )
    # The rows for the assessments already made (app/assessments/latest.py keeps them after).
    op.execute(
        """
        INSERT INTO child_position (child_id, assessment_id, position, assessed_on)
        SELECT child_id, id, position, assessed_on FROM (
            SELECT child_id, id, position, assessed_on, row_number() OVER (
                PARTITION BY child_id ORDER BY assessed_on DESC, id DESC) AS rn
            FROM assessment WHERE "current" AND concluding
        ) ranked WHERE rn = 1
        """
    )


def downgrade():
    op.drop_table('child_position')
