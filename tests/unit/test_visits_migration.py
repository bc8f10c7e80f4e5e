"""Migration a41c7e2b9f10 moves each visit's recorded action, with its author and time, into
visit_action, and back on a downgrade."""

import sqlite3

from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import TestConfig
from app.extensions import db

BEFORE = "9d3a6b5c4e21"


def test_the_recorded_action_moves_with_its_author_and_time(tmp_path):
    path = tmp_path / "migrated.db"
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app = create_app(config)
    with app.app_context():
        upgrade(revision=BEFORE)
        db.engine.dispose()
        with sqlite3.connect(path) as conn:
            for user_id in (5, 6):
                conn.execute(
                    "INSERT INTO user (id, email, name, is_admin, active, qualifications,"
                    " session_token, created_at, updated_at) VALUES (?, ?, 'Hanne', 0, 1, '{}',"
                    " 'x', '2026-01-01', '2026-01-01')",
                    (user_id, f"u{user_id}@example.org"),
                )
            conn.execute(
                "INSERT INTO child (id, first_name, last_name, birth_date, search_name, version,"
                " created_at, updated_at) VALUES (3, 'Alma', 'Test', '2026-09-01', 'alma test',"
                " 1, '2026-01-01', '2026-01-01')"
            )
            conn.execute(
                "INSERT INTO visit (id, uuid, form_version, child_id, nurse_id, visit_type,"
                " contact_form, visit_date, present, warnings, indicators, epds_self_harm,"
                " urgent_action, urgent_action_at, urgent_action_by_id, version,"
                " created_at, updated_at) VALUES (7, 'u-7', 1, 3, 5, 'behov', 'telefon',"
                " '2026-11-20', '[]', '[]', '{}', 1, 'Talt med mor.',"
                " '2026-11-20 10:15:00.000000', 5, 2, '2026-11-20 09:00:00.000000',"
                " '2026-11-21 08:00:00.000000')"
            )
        upgrade()
        db.engine.dispose()
        with sqlite3.connect(path) as conn:
            assert conn.execute(
                "SELECT visit_id, text, at, by_id FROM visit_action"
            ).fetchall() == [(7, "Talt med mor.", "2026-11-20 10:15:00.000000", 5)]
            columns = [row[1] for row in conn.execute("PRAGMA table_info(visit)")]
            assert "urgent_action" not in columns
            conn.execute(
                "INSERT INTO visit_action (visit_id, text, at, by_id)"
                " VALUES (7, 'Ringet igen.', '2026-11-21 09:00:00.000000', 6)"
            )
        downgrade(revision=BEFORE)
        db.engine.dispose()
        with sqlite3.connect(path) as conn:
            row = conn.execute(
                "SELECT urgent_action, urgent_action_by_id FROM visit WHERE id = 7"
            ).fetchone()
            assert row == ("Talt med mor.\n\nRinget igen.", 6)
