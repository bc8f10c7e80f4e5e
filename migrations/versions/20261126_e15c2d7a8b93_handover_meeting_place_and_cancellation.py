"""handover_meeting: a place, the side that booked it (it may change or cancel it), and a
cancellation (who, when, why) kept instead of deleting

Revision ID: e15c2d7a8b93
Revises: c83f0a5d2e61
Create Date: 2026-11-26 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e15c2d7a8b93'
down_revision = 'c83f0a5d2e61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('handover_meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sa.String(length=160), nullable=True))
        # NULL for meetings booked before this revision: either side may change those.
        batch_op.add_column(sa.Column('booked_from', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_handover_meeting_cancelled_by_id_user'), 'user', ['cancelled_by_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('handover_meeting', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_handover_meeting_cancelled_by_id_user'), type_='foreignkey')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('booked_from')
        batch_op.drop_column('place')
