"""A trend of one test over time drawn as an inline SVG line chart, computed on the server
(no script: the page's CSP allows none inline, and the chart needs none), and drawn by one
template, results/_trend_chart.html, wherever a trend appears (results, vital signs).
Each page also shows the same points as a table, the accessible alternative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 16, 40


@dataclass(frozen=True)
class Point:
    when: datetime
    value: float
    label: str  # the value as the page says it
    flag: str  # in words
    x: float = 0
    y: float = 0


@dataclass(frozen=True)
class Band:
    y: float
    height: float


@dataclass(frozen=True)
class Chart:
    points: list[Point]
    band: Band | None
    polyline: str
    low_label: str
    high_label: str
    y_min: float
    y_max: float
    # The lowest and highest values, labelled on the vertical axis at their height.
    ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM

    @property
    def first(self) -> Point:
        return self.points[0]

    @property
    def last(self) -> Point:
        return self.points[-1]


def chart(points: list[Point], low: float | None, high: float | None) -> Chart:
    """Scale the points (at least two, in time order) and the reference band to the box."""
    values = [p.value for p in points] + [v for v in (low, high) if v is not None]
    y_min, y_max = min(values), max(values)
    pad = (y_max - y_min) * 0.1 or abs(y_max) * 0.1 or 1.0
    y_min, y_max = y_min - pad, y_max + pad
    t0 = points[0].when.timestamp()
    span = (points[-1].when.timestamp() - t0) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return round(TOP + plot_h * (y_max - value) / (y_max - y_min), 1)

    placed = [
        Point(
            p.when,
            p.value,
            p.label,
            p.flag,
            x=round(LEFT + plot_w * (p.when.timestamp() - t0) / span, 1),
            y=y_of(p.value),
        )
        for p in points
    ]
    band = None
    if low is not None or high is not None:
        top = y_of(high if high is not None else y_max)
        bottom = y_of(low if low is not None else y_min)
        band = Band(top, round(bottom - top, 1))
    lowest = min(placed, key=lambda p: p.value)
    highest = max(placed, key=lambda p: p.value)
    ticks = [(lowest.y, lowest.label)]
    if highest.value != lowest.value:
        ticks.append((highest.y, highest.label))
    return Chart(
        points=placed,
        ticks=ticks,
        band=band,
        polyline=" ".join(f"{p.x},{p.y}" for p in placed),
        low_label="" if low is None else f"{low:g}",
        high_label="" if high is None else f"{high:g}",
        y_min=y_min,
        y_max=y_max,
    )
