"""Walk registrations for sync (app/sync): its public endpoints, and a conflict that another
unit's health visitor's offline edit made on the foreign child's visit."""

from __future__ import annotations

from app.extensions import db
from app.sync.models import Conflict
from app.visits.models import Visit
from tests.web.walk_ids import foreign_id, public

# Public by design: the service worker and its modules, the offline fallback page (both must load
# without a session), and the API description.
public("sync.service_worker", "sync.worker_module", "sync.offline", "sync.openapi_json")


@foreign_id("conflict_id")
def conflict_on_foreign_visit(world) -> int:
    visit = db.session.get(Visit, world.id_for("visit_id"))
    conflict = Conflict(
        kind="visit",
        item_id="00000000-0000-4000-8000-0000000c0f1c",
        record_uuid=visit.uuid,
        record_type="visit",
        record_id=visit.id,
        child_id=world.foreign_child.id,
        base_version=1,
        server_version=visit.version,
        payload={"uuid": visit.uuid, "observations": "Fremmed barns offline-notat"},
        server_snapshot={"observations": "Fremmed barns notat"},
        reason="Registreringen er ændret på serveren, siden den blev hentet.",
        created_by_id=world.foreign_nurse.id,
        updated_by_id=world.foreign_nurse.id,
    )
    db.session.add(conflict)
    db.session.flush()
    return conflict.id
