"""child_position: each child's current position per unit (a unit's overview counts the
positions it made itself)

Revision ID: c83f0a5d2e61
Revises: b62d8f3a1c47
Create Date: 2026-11-26 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c83f0a5d2e61'
down_revision = 'b62d8f3a1c47'
branch_labels = None
depends_on = None


def _create(keys):
    """The table (derived from the assessments, so dropped and built again) and its rows."""
    op.create_table(
        'child_position',
        sa.Column('child_id', sa.Integer(), autoincrement=False, nullable=False),
        *(
            [sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False)]
            if 'unit_id' in keys
            else []
        ),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Enum('groen', 'gul', 'roed', name='position', native_enum=False, length=8), nullable=False),
        sa.Column('assessed_on', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint(*keys, name=op.f('pk_child_position')),
    )
    columns = ', '.join(keys)
    op.execute(
        f"""
        INSERT INTO child_position ({columns}, assessment_id, position, assessed_on)
        SELECT {columns}, id, position, assessed_on FROM (
            SELECT {columns}, id, position, assessed_on, row_number() OVER (
                PARTITION BY {columns} ORDER BY assessed_on DESC, id DESC) AS rn
            FROM assessment WHERE "current" AND concluding
        ) ranked WHERE rn = 1
        """
    )


def upgrade():
    op.drop_table('child_position')
    _create(['child_id', 'unit_id'])


def downgrade():
    op.drop_table('child_position')
    _create(['child_id'])
