"""CSV export of the overview: aggregated figures per unit and round. No names, no CPR."""

from __future__ import annotations

import csv
import io

from app.assessments.concerns_bridge import LISTS as CONCERN_LISTS
from app.assessments.positions import Position

HEADER = [
    "Enhed",
    "Enhedstype",
    "Runde",
    "Børn nu",
    "Omfattet af runden",
    "Vurderet i runden",
    "Andel vurderet (%)",
    "Grøn",
    "Gul",
    "Rød",
    "Ikke vurderet",
    "Forsinkede vurderinger",
    *[str(title) for title in CONCERN_LISTS.values()],
]


def overview_csv(figures, schema) -> str:
    """Semicolon-separated with a BOM, as Danish spreadsheets expect. One row per unit and
    round: the current round has every column, earlier rounds their position counts."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    labels = [schema.label(p) for p in Position]
    writer.writerow(HEADER[:7] + labels + HEADER[10:])
    for f in figures:
        current = f.round.label if f.round else "Ingen runder"
        writer.writerow(
            [
                f.unit.name,
                f.unit.kind.value,
                current,
                f.children,
                f.covered if f.round else "",
                f.assessed if f.round else "",
                f.share if f.share is not None else "",
                *[f.positions[p.value] for p in Position],
                f.not_assessed,
                f.overdue if f.round else "",
                *[f.concerns.get(key, "") for key in CONCERN_LISTS],
            ]
        )
        for round_, counts in f.trend:
            if f.round is not None and round_.start == f.round.start:
                continue
            writer.writerow(
                [f.unit.name, f.unit.kind.value, round_.label, "", "", sum(counts.values()), ""]
                + [counts[p.value] for p in Position]
                + [""] * (2 + len(CONCERN_LISTS))
            )
    return out.getvalue()
