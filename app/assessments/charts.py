"""A small server-rendered SVG chart of positions over the last rounds (no JavaScript).

Geometry only; templates/assessments/_trend_chart.html draws it. Each bar is one round, stacked
grøn (bottom), gul, rød (top) as shares of the children assessed in that round, each segment
marked with the position's shape; the table next to it is the text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.assessments.positions import Position

WIDTH, HEIGHT = 320, 190
LEFT, RIGHT, TOP, BOTTOM = 38, 8, 22, 150


@dataclass
class Segment:
    position: str
    y: float
    height: float
    count: int
    marker_y: float | None  # centre of the shape marker, when the segment is tall enough


@dataclass
class Bar:
    label: str
    x: float
    width: float
    total: int
    segments: list[Segment]

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def trend_chart(trend, schema=None) -> dict:
    """`trend`: [(Round, {"groen": n, "gul": n, "roed": n}), …] oldest first."""
    n = max(len(trend), 1)
    slot = (WIDTH - LEFT - RIGHT) / n
    width = min(52.0, slot * 0.6)
    span = BOTTOM - TOP
    bars = []
    for i, (round_, counts) in enumerate(trend):
        total = sum(counts.values())
        x = LEFT + i * slot + (slot - width) / 2
        y = float(BOTTOM)
        segments = []
        for position in Position:
            count = counts.get(position.value, 0)
            height = span * count / total if total else 0.0
            y -= height
            segments.append(
                Segment(
                    position.value,
                    round(y, 2),
                    round(height, 2),
                    count,
                    round(y + height / 2, 2) if height >= 14 else None,
                )
            )
        short = f"{round_.name[:3]}. {round_.start.strftime('%y')}"
        bars.append(Bar(short, round(x, 2), round(width, 2), total, segments))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": BOTTOM,
        "ticks": [(p, round(BOTTOM - span * p / 100, 2)) for p in (0, 50, 100)],
        "bars": bars,
    }
