"""visit_action: each action after EPDS item 10 as its own row; visit_child_sex_change

The visit's single urgent_action text (whose author and time a second action overwrote) moves
into visit_action with its author and time, and the three columns go.

Revision ID: a41c7e2b9f10
Revises: 9d3a6b5c4e21
Create Date: 2026-11-26 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a41c7e2b9f10'
down_revision = '9d3a6b5c4e21'
branch_labels = None
depends_on = None


def _sqlite_foreign_keys(on):
    """SQLite rebuilds the visit table to drop a column; with foreign keys enforced, dropping the
    old table fails once other rows (revisions, actions) refer to it. The pragma only takes
    effect outside a transaction."""
    if op.get_bind().dialect.name == 'sqlite':
        with op.get_context().autocommit_block():
            op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    _sqlite_foreign_keys(False)
    op.create_table('visit_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_visit_action_by_id_user')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_action_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_action'))
    )
    with op.batch_alter_table('visit_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_action_visit_id'), ['visit_id'], unique=False)

    op.create_table('visit_child_sex_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('old_sex', sa.String(length=8), nullable=False),
    sa.Column('new_sex', sa.String(length=8), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_visit_child_sex_change_changed_by_id_user')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_visit_child_sex_change_child_id_child')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_child_sex_change_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_child_sex_change'))
    )
    with op.batch_alter_table('visit_child_sex_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_child_sex_change_child_id'), ['child_id'], unique=False)

    # The recorded actions, with their author and time (the visit's own time if none was kept).
    op.execute(
        """
        INSERT INTO visit_action (visit_id, text, at, by_id)
        SELECT id, urgent_action, COALESCE(urgent_action_at, updated_at), urgent_action_by_id
        FROM visit WHERE urgent_action IS NOT NULL AND urgent_action <> ''
        ORDER BY id
        """
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_visit_urgent_action_by_id_user'), type_='foreignkey')
        batch_op.drop_column('urgent_action_by_id')
        batch_op.drop_column('urgent_action_at')
        batch_op.drop_column('urgent_action')
    _sqlite_foreign_keys(True)


def downgrade():
    _sqlite_foreign_keys(False)
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent_action', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('urgent_action_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('urgent_action_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_visit_urgent_action_by_id_user'), 'user', ['urgent_action_by_id'], ['id'])

    # Back to one text per visit (the actions joined, as before), with the latest author/time.
    connection = op.get_bind()
    actions = sa.table(
        'visit_action',
        sa.column('id'), sa.column('visit_id'), sa.column('text'), sa.column('at'), sa.column('by_id'),
    )
    visit = sa.table(
        'visit',
        sa.column('id'), sa.column('urgent_action'), sa.column('urgent_action_at'),
        sa.column('urgent_action_by_id'),
    )
    joined = {}
    for row in connection.execute(sa.select(actions).order_by(actions.c.visit_id, actions.c.id)):
        texts, _at, _by = joined.get(row.visit_id, ([], None, None))
        joined[row.visit_id] = ([*texts, row.text], row.at, row.by_id)
    for visit_id, (texts, at, by_id) in joined.items():
        connection.execute(
            visit.update()
            .where(visit.c.id == visit_id)
            .values(urgent_action="\n\n".join(texts), urgent_action_at=at, urgent_action_by_id=by_id)
        )

    with op.batch_alter_table('visit_child_sex_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_child_sex_change_child_id'))
    op.drop_table('visit_child_sex_change')
    with op.batch_alter_table('visit_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_action_visit_id'))
    op.drop_table('visit_action')
    _sqlite_foreign_keys(True)
