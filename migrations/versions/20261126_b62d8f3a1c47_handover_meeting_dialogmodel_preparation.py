"""handover_meeting: the dialogmodel's preparation (purpose, questions, roles, what was agreed
with the parents, interpreter) instead of one free-text field

Revision ID: b62d8f3a1c47
Revises: a41c7e2b9f10
Create Date: 2026-11-26 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b62d8f3a1c47'
down_revision = 'a41c7e2b9f10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('handover_meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('questions', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('roles', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('agreed_with_parents', sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column('interpreter_needed', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('interpreter_language', sa.String(length=40), nullable=True))
    # The free text held the purpose and what was agreed: kept whole as the purpose.
    op.execute("UPDATE handover_meeting SET purpose = preparation")
    with op.batch_alter_table('handover_meeting', schema=None) as batch_op:
        batch_op.drop_column('preparation')


def downgrade():
    with op.batch_alter_table('handover_meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preparation', sa.Text(), nullable=True))
    op.execute("UPDATE handover_meeting SET preparation = purpose")
    with op.batch_alter_table('handover_meeting', schema=None) as batch_op:
        batch_op.drop_column('interpreter_language')
        batch_op.drop_column('interpreter_needed')
        batch_op.drop_column('agreed_with_parents')
        batch_op.drop_column('roles')
        batch_op.drop_column('questions')
        batch_op.drop_column('purpose')
