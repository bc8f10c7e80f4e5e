"""Registry for the route walk (tests/web/test_route_walk.py): how to make an object that the
walking user must NOT reach, for each kind of id in a URL, and which endpoints are public.

Every area registers its own id kinds in its own module here, `tests/web/walk_ids/<area>.py`
(modules in this package are imported automatically):

    from tests.web.walk_ids import foreign_id, public

    @foreign_id("assessment_id")
    def assessment_of_foreign_child(world) -> int:
        # An assessment of a child no walking user may see (world.foreign_child).
        return make_assessment(child=world.foreign_child).id

    public("sync.service_worker")  # answers without login (explain why in a comment)

A factory gets the `World` (below) and returns the id to put in the URL. Objects that belong to a
child should belong to `world.foreign_child`; objects that belong to a user (a notification, a
push subscription) to `world.foreign_user`. Factories run at most once per test (cached), so a
factory may call `world.id_for("other_id")` to reuse another kind's object (e.g. a consent of the
same transition schema).

A rule whose id kind has no factory is still walked (with an id that does not exist, which only
proves little), and `test_every_id_kind_has_a_factory` lists it as skipped until one is added.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

FACTORIES: dict[str, Callable[[World], int]] = {}
PUBLIC_ENDPOINTS: set[str] = {"static"}
_loaded = False


def foreign_id(arg: str):
    """Register the factory for URL argument `arg` (e.g. "visit_id")."""

    def decorator(fn: Callable[[World], int]):
        FACTORIES[arg] = fn
        return fn

    return decorator


def public(*endpoints: str) -> None:
    """Endpoints that answer without login (the anonymous walk leaves them alone)."""
    PUBLIC_ENDPOINTS.update(endpoints)


def load_all() -> None:
    """Import every registry module in this package (each area's registrations)."""
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True


@dataclass
class World:
    """Objects that belong to another unit than any walking user's.

    `foreign_child` is enrolled in a health-visiting district, and a dagplejegruppe with
    `foreign_dagplejer` (supervised by `foreign_dagplejepaedagog`), and followed by
    `foreign_nurse`; `foreign_user` is a staff member of that other unit.
    """

    today: date
    foreign_unit: object
    foreign_district: object
    foreign_child: object
    foreign_dagplejer: object
    foreign_dagplejepaedagog: object
    foreign_nurse: object
    foreign_leader: object
    foreign_user: object
    _ids: dict[str, int] = field(default_factory=dict)

    def id_for(self, arg: str) -> int | None:
        """The id for URL argument `arg`, made once per test; None if nobody registered it."""
        if arg not in self._ids:
            factory = FACTORIES.get(arg)
            if factory is None:
                return None
            self._ids[arg] = factory(self)
        return self._ids[arg]
