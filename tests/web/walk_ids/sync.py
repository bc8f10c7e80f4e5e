"""Walk registrations for sync (seeded by the foundation's route walk; the sync area owns this
file from here on and adds a factory for `conflict_id`)."""

from __future__ import annotations

from tests.web.walk_ids import public

# Public by design: the service worker and its modules, the offline fallback page (both must load
# without a session), and the API description.
public("sync.service_worker", "sync.worker_module", "sync.offline", "sync.openapi_json")
