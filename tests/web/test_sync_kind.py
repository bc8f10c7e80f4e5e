"""A test-only record kind ("testnote") that follows the offline contract in app/sync/registry.py.

Its table lives in its own metadata, so it never joins the app's models (or the migration check).
Fixtures here are imported by the sync tests.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.datastructures import MultiDict
from wtforms import Form, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from app.audit.services import log_access
from app.children.scoping import can_see_child
from app.extensions import db
from app.sync import registry
from app.sync.registry import SubmitResult

FORM_VERSION = 2


class _Base(DeclarativeBase):
    pass


class Note(_Base):
    __tablename__ = "sync_test_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    child_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))
    form_version: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class NoteForm(Form):
    uuid = HiddenField(validators=[DataRequired()])
    child_id = IntegerField(validators=[InputRequired("Vælg et barn.")])
    form_version = IntegerField(validators=[InputRequired()])
    text = StringField(
        "Notat",
        validators=[
            DataRequired("Skriv et notat."),
            Length(max=200, message="Notatet må højst være 200 tegn."),
        ],
    )


def submit_note(user, payload: dict, *, channel: str = "online") -> SubmitResult:
    """The contract: validate with the form, check scope, idempotent on uuid, log access."""
    form = NoteForm(formdata=MultiDict(payload))
    if not form.validate():
        return SubmitResult("invalid", errors=form.errors)
    if form.form_version.data not in (1, FORM_VERSION):
        return SubmitResult("invalid", errors={"form_version": ["Ukendt formularversion."]})
    if not can_see_child(user, form.child_id.data):
        return SubmitResult("forbidden", message="Du har ikke adgang til barnet.")
    existing = db.session.scalar(select(Note).where(Note.uuid == form.uuid.data))
    base = payload.get("base_version")
    if existing is not None:
        if base not in (None, ""):
            if int(base) < existing.version:
                return SubmitResult("conflict", record=existing, message="Ændret siden.")
            existing.text = form.text.data
            db.session.flush()
            log_access(
                existing.child_id, "update", f"note:{existing.id}", user=user, channel=channel
            )
            return SubmitResult("accepted", record=existing)
        same = existing.text == form.text.data and existing.child_id == form.child_id.data
        return SubmitResult("duplicate" if same else "conflict", record=existing)
    note = Note(
        uuid=form.uuid.data,
        child_id=form.child_id.data,
        text=form.text.data,
        form_version=form.form_version.data,
        created_by_id=user.id,
    )
    db.session.add(note)
    db.session.flush()
    log_access(note.child_id, "create", f"note:{note.id}", user=user, channel=channel)
    return SubmitResult("accepted", record=note)


@pytest.fixture(name="note_kind")
def note_kind_fixture(app):
    """Register the test kind and create its table for one test."""
    _Base.metadata.create_all(db.engine)
    registry.register_record_kind("testnote", submit_note)
    yield Note
    registry._KINDS.pop("testnote", None)
    db.session.remove()
    _Base.metadata.drop_all(db.engine)
