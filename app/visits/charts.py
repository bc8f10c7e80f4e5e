"""Geometry of a server-rendered SVG growth chart. Pure: numbers in, coordinates out.

The chart is drawn in a 360-unit-wide viewBox so that at a 360 px phone width one unit is one
pixel and the labels stay readable; it scales up on larger screens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.visits.growth import CENTILE_LINES, MAX_AGE_DAYS, Point, reference_curves
from app.visits.valuesets import N_

WIDTH, HEIGHT = 360, 340
LEFT, RIGHT, TOP, BOTTOM = 40, 34, 10, 34  # margins: y labels left, centile labels right
DAYS_PER_MONTH = 30.4375


@dataclass
class Chart:
    measure: str
    width: int = WIDTH
    height: int = HEIGHT
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    bands: list[str] = field(default_factory=list)  # polygon point lists, alternately shaded
    lines: list[tuple[str, str, bool]] = field(default_factory=list)  # (label, d, is_median)
    line_labels: list[tuple[float, float, str]] = field(default_factory=list)
    dots: list[tuple[float, float, Point]] = field(default_factory=list)
    path: str = ""  # the child's points joined
    x_label: str = ""
    plot: tuple[float, float, float, float] = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)


def _span_days(points: list[Point]) -> int:
    oldest = max((p.age.days for p in points), default=0)
    if oldest <= 300:
        span = 365
    elif oldest <= 640:
        span = 730
    else:
        span = int((oldest + 180) // 365 + 1) * 365
    return min(span, MAX_AGE_DAYS)


def _nice_step(low: float, high: float, target: int = 6) -> float:
    raw = (high - low) / target
    for step in (0.5, 1, 2, 5, 10, 20, 50):
        if step >= raw:
            return step
    return 100


def build_chart(measure: str, sex: str, points: list[Point]) -> Chart:
    """Centile lines for `sex` and the child's points (ages already corrected)."""
    shown = [p for p in points if 0 <= p.age.days <= MAX_AGE_DAYS]
    span = _span_days(shown)
    step_days = 14 if span <= 730 else 30
    curves = reference_curves(measure, sex, span, step_days)
    values = [v for segs in curves.values() for seg in segs for _, v in seg]
    values += [p.value for p in shown]
    low, high = min(values), max(values)
    pad = (high - low) * 0.04
    low, high = low - pad, high + pad
    x0, y0, x1, y1 = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM

    def x(days: float) -> float:
        return round(x0 + (x1 - x0) * days / span, 1)

    def y(value: float) -> float:
        return round(y1 - (y1 - y0) * (value - low) / (high - low), 1)

    chart = Chart(measure=measure)
    month_step = 2 if span <= 365 else 3 if span <= 730 else 12
    months = 0
    while months * DAYS_PER_MONTH <= span + 1:
        label = str(months) if span <= 730 else str(months // 12)
        chart.x_ticks.append((x(months * DAYS_PER_MONTH), label))
        months += month_step
    chart.x_label = N_("måneder") if span <= 730 else N_("år")
    step = _nice_step(low, high)
    tick = (int(low / step) + 1) * step
    while tick < high:
        chart.y_ticks.append((y(tick), f"{tick:g}".replace(".", ",")))
        tick += step

    polylines = curves
    labels = [label for label, _ in CENTILE_LINES]
    for i in range(len(labels) - 1):
        if i % 2:
            continue
        lower, upper = polylines[labels[i]], polylines[labels[i + 1]]
        for seg_low, seg_up in zip(lower, upper, strict=False):
            pts = [(x(d), y(v)) for d, v in seg_low] + [(x(d), y(v)) for d, v in reversed(seg_up)]
            chart.bands.append(" ".join(f"{a},{b}" for a, b in pts))
    for label in labels:
        for seg in polylines[label]:
            d = "M" + " L".join(f"{x(days)},{y(value)}" for days, value in seg)
            chart.lines.append((label, d, label == "50"))
        last = polylines[label][-1][-1]
        chart.line_labels.append((x1 + 3, y(last[1]) + 3.5, label))
    _spread_labels(chart.line_labels)

    chart.dots = [(x(p.age.days), y(p.value), p) for p in shown]
    if len(chart.dots) > 1:
        chart.path = "M" + " L".join(f"{cx},{cy}" for cx, cy, _ in chart.dots)
    return chart


def _spread_labels(labels: list[tuple[float, float, str]], gap: float = 10.0) -> None:
    """Keep the right-hand centile labels from overlapping (they crowd at young ages)."""
    labels.sort(key=lambda item: -item[1])  # bottom first
    for i in range(1, len(labels)):
        x_, y_, text = labels[i]
        if labels[i - 1][1] - y_ < gap:
            labels[i] = (x_, round(labels[i - 1][1] - gap, 1), text)
