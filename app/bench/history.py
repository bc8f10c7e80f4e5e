"""Six years of each area's history for the synthetic municipality, one function per area.

An area is included once it is listed in app.AREAS (its tables exist); otherwise it is skipped
and named in the command's summary. Each function reads only the world (ids, dates) and the
area's models, and writes with bulk inserts.
"""

from __future__ import annotations

from importlib import import_module

from app.bench.synthetic import World

# area package → history generator; filled by the decorator below, in this order.
GENERATORS: dict[str, object] = {}


def area(name: str):
    def register(fn):
        GENERATORS[name] = fn
        return fn

    return register


def generate_all(world: World) -> None:
    from app import AREAS

    for name, fn in GENERATORS.items():
        if name not in AREAS:
            world.skipped.append(name)
            continue
        fn(world, import_module(f"app.{name}.models"))
        world.included.append(name)
